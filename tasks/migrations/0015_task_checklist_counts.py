"""A checklist's counts on its task (SPEC §13): ``checklist_total`` and ``checklist_done``,
default 0 in the database too.

As in 0014, on SQLite (the embedded default) the NOT NULL columns are added with ``ALTER TABLE
… ADD COLUMN``: Django's table rebuild would rebuild the PostgreSQL-only ``DESC NULLS LAST``
index of 0004, which SQLite cannot build."""

from django.db import migrations, models

COLUMNS = ("checklist_total", "checklist_done")
# What Django itself writes for the fields on each database (``sqlmigrate``), without the rebuild.
COLUMN_TYPE = {"postgresql": "smallint", "sqlite": "smallint unsigned"}


def add_columns(apps, schema_editor):  # type: ignore[no-untyped-def]
    column_type = COLUMN_TYPE[schema_editor.connection.vendor]
    for name in COLUMNS:
        schema_editor.execute(
            f'ALTER TABLE tasks_task ADD COLUMN {name} {column_type} DEFAULT 0 NOT NULL CHECK ("{name}" >= 0)'
        )


def remove_columns(apps, schema_editor):  # type: ignore[no-untyped-def]
    for name in COLUMNS:
        schema_editor.execute(f"ALTER TABLE tasks_task DROP COLUMN {name}")


def count_field() -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(db_default=0, default=0, editable=False)


class Migration(migrations.Migration):
    dependencies = [("tasks", "0014_reminder_offsets")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(model_name="task", name=name, field=count_field()) for name in COLUMNS
            ],
            database_operations=[migrations.RunPython(add_columns, remove_columns)],
        ),
    ]

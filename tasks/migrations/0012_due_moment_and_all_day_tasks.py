"""All-day tasks (SPEC §11): ``due_on`` beside the due moment.

The column ``due_date`` becomes ``due_at``, the due moment every rule compares with (a rename:
no row is rewritten, and its indexes stay as they are). Every existing task keeps its moment
and stays timed (``due_on`` null); the API's ``due_date`` is now ``due_at`` of a timed task.

The rename is one ``ALTER TABLE … RENAME COLUMN`` on both databases: SQLite would otherwise
rebuild the table and, with it, the PostgreSQL-only ``DESC NULLS LAST`` index of 0004 that it
cannot build. For the same reason the new CHECK is PostgreSQL only (SQLite, the embedded
default, relies on the services, as for the other rules it cannot add to an existing table)."""

from django.db import migrations, models

OPEN = ~models.Q(status=3)

# The indexes follow the renamed column in the database by themselves; only Django's picture of
# them has to name the new field.
INDEXES_IN_STATE = [
    *(
        migrations.RemoveIndex(model_name="task", name=name)
        for name in ("tasks_owner_due_idx", "tasks_owner_due_desc_idx", "tasks_open_due_idx")
    ),
    migrations.AddIndex(
        model_name="task", index=models.Index(fields=["owner", "due_at"], name="tasks_owner_due_idx")
    ),
    migrations.AddIndex(
        model_name="task",
        index=models.Index(
            models.F("owner"), models.F("due_at").desc(nulls_last=True), name="tasks_owner_due_desc_idx"
        ),
    ),
    migrations.AddIndex(
        model_name="task", index=models.Index(fields=["due_at"], name="tasks_open_due_idx", condition=OPEN)
    ),
]


CHECK_NAME = "tasks_all_day_has_due_moment"
ALL_DAY_HAS_DUE_MOMENT = models.CheckConstraint(
    condition=models.Q(("due_on__isnull", True), ("due_at__isnull", False), _connector="OR"), name=CHECK_NAME
)


def add_check(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_constraint(apps.get_model("tasks", "Task"), ALL_DAY_HAS_DUE_MOMENT)


def remove_check(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_constraint(apps.get_model("tasks", "Task"), ALL_DAY_HAS_DUE_MOMENT)


class Migration(migrations.Migration):
    dependencies = [("tasks", "0011_place_status_check_only_on_change")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField(model_name="task", old_name="due_date", new_name="due_at")
            ],
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE tasks_task RENAME COLUMN due_date TO due_at",
                    "ALTER TABLE tasks_task RENAME COLUMN due_at TO due_date",
                )
            ],
        ),
        migrations.SeparateDatabaseAndState(state_operations=INDEXES_IN_STATE),
        migrations.AddField(
            model_name="task",
            name="due_on",
            field=models.DateField(blank=True, help_text="An all-day task's day (SPEC §11).", null=True),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddConstraint(model_name="task", constraint=ALL_DAY_HAS_DUE_MOMENT)],
            database_operations=[migrations.RunPython(add_check, remove_check)],
        ),
    ]

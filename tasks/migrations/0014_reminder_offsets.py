"""Reminder offsets (SPEC §12): ``reminder_offsets`` (default ``[]``, in the database too) and
``reminders_armed_at`` on tasks, and the partial index the reminder sweep reads.

On SQLite, the embedded default, Django adds a NOT NULL column by rebuilding the table, which
would rebuild the PostgreSQL-only ``DESC NULLS LAST`` index of 0004 that SQLite cannot build;
there the column is added with ``ALTER TABLE … ADD COLUMN`` (a constant default allows it)."""

from django.db import migrations, models

REMINDER_OFFSETS = models.JSONField(blank=True, db_default=models.Value([], models.JSONField()), default=list)
# What Django itself writes for the field on each database (``sqlmigrate``), without the rebuild.
ADD_COLUMN = {
    "postgresql": "ALTER TABLE tasks_task ADD COLUMN reminder_offsets jsonb DEFAULT '[]'::jsonb NOT NULL",
    "sqlite": "ALTER TABLE tasks_task ADD COLUMN reminder_offsets text NOT NULL DEFAULT '[]' "
    'CHECK (JSON_VALID("reminder_offsets") OR "reminder_offsets" IS NULL)',
}


def add_reminder_offsets(apps, schema_editor):  # type: ignore[no-untyped-def]
    schema_editor.execute(ADD_COLUMN[schema_editor.connection.vendor])


def remove_reminder_offsets(apps, schema_editor):  # type: ignore[no-untyped-def]
    schema_editor.execute("ALTER TABLE tasks_task DROP COLUMN reminder_offsets")


class Migration(migrations.Migration):
    dependencies = [("tasks", "0013_recurring_tasks")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(model_name="task", name="reminder_offsets", field=REMINDER_OFFSETS)
            ],
            database_operations=[migrations.RunPython(add_reminder_offsets, remove_reminder_offsets)],
        ),
        migrations.AddField(
            model_name="task", name="reminders_armed_at", field=models.DateTimeField(blank=True, null=True)
        ),
        migrations.AddIndex(
            model_name="task",
            index=models.Index(
                fields=["due_at"],
                name="tasks_open_offsets_idx",
                condition=~models.Q(reminder_offsets=[]) & ~models.Q(status=3),
            ),
        ),
    ]

"""Board moves rewrite every task they shift, so tasks_task collects dead rows quickly: vacuum
and analyze it after 2 % of its rows changed instead of PostgreSQL's default 20 %/10 %, so
that dead rows and stale statistics do not slow the reads. PostgreSQL only."""

from django.db import migrations

SETTINGS = "autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02"


def set_storage(statement):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("tasks", "0004_indexes_for_every_sort")]

    operations = [
        migrations.RunPython(
            set_storage(f"ALTER TABLE tasks_task SET ({SETTINGS})"),
            set_storage("ALTER TABLE tasks_task RESET (autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor)"),
        )
    ]

"""Trigram GIN indexes so `search` (case-insensitive substring of title or description) uses
an index instead of scanning the table. Django's icontains on PostgreSQL compiles to
``UPPER(col) LIKE UPPER(%s)``, so the indexes are on UPPER(col). PostgreSQL only: the
embedded SQLite default skips them."""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS tasks_title_trgm_idx ON tasks_task USING gin (UPPER(title) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS tasks_description_trgm_idx "
    "ON tasks_task USING gin (UPPER(description) gin_trgm_ops)",
]
DROP = [
    "DROP INDEX IF EXISTS tasks_title_trgm_idx",
    "DROP INDEX IF EXISTS tasks_description_trgm_idx",
]


def run_on_postgresql(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("tasks", "0001_initial")]

    operations = [migrations.RunPython(run_on_postgresql(CREATE), run_on_postgresql(DROP))]

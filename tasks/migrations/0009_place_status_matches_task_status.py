"""The database guarantees that a task's place has the task's status (docs/ARCHITECTURE.md,
"Models"): deferred constraint triggers, checked at commit, so the services may write the
task and its place in either order within one transaction. They fire only when a status is
written: shifting positions (``UPDATE ... SET position``) costs nothing. PostgreSQL only;
SQLite, the embedded default, relies on the services alone."""

from django.db import migrations

CHECK_FUNCTION = """
CREATE OR REPLACE FUNCTION tasks_place_status_matches() RETURNS trigger AS $$
DECLARE
    checked uuid;
BEGIN
    -- Separate statements: PL/pgSQL resolves NEW's fields only in the branch that runs.
    IF TG_TABLE_NAME = 'tasks_task' THEN
        checked := NEW.id;
    ELSE
        checked := NEW.task_id;
    END IF;
    IF EXISTS (
        SELECT 1 FROM tasks_task t JOIN tasks_taskposition p ON p.task_id = t.id
        WHERE t.id = checked AND t.status <> p.status
    ) THEN
        RAISE EXCEPTION USING
            MESSAGE = 'task ' || checked || ' and its board place have different statuses',
            ERRCODE = 'check_violation', CONSTRAINT = 'tasks_place_status_matches';
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
"""

TRIGGERS = """
CREATE CONSTRAINT TRIGGER tasks_place_status_matches_on_place
    AFTER INSERT OR UPDATE OF status ON tasks_taskposition
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION tasks_place_status_matches();
CREATE CONSTRAINT TRIGGER tasks_place_status_matches_on_task
    AFTER UPDATE OF status ON tasks_task
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION tasks_place_status_matches();
"""

DROP = """
DROP TRIGGER IF EXISTS tasks_place_status_matches_on_place ON tasks_taskposition;
DROP TRIGGER IF EXISTS tasks_place_status_matches_on_task ON tasks_task;
DROP FUNCTION IF EXISTS tasks_place_status_matches();
"""


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CHECK_FUNCTION)
        schema_editor.execute(TRIGGERS)


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("tasks", "0008_indexes_for_notification_runs")]

    operations = [migrations.RunPython(create, drop)]

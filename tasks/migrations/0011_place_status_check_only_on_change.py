"""The place-status triggers of 0009 fire only when a status really changes.

``UPDATE OF status`` fires for every row whose UPDATE lists the column, whatever its value: a
bulk move's one statement for ~1,000 places queued ~1,000 checks for the commit, and every
``task.save()`` (a rename too) queued one. With ``WHEN (OLD.status IS DISTINCT FROM
NEW.status)`` the event is queued only for the rows whose status changed. PostgreSQL only."""

from django.db import migrations

TRIGGERS = """
DROP TRIGGER IF EXISTS tasks_place_status_matches_on_place ON tasks_taskposition;
DROP TRIGGER IF EXISTS tasks_place_status_matches_on_task ON tasks_task;
CREATE CONSTRAINT TRIGGER tasks_place_status_matches_on_place_insert
    AFTER INSERT ON tasks_taskposition
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION tasks_place_status_matches();
CREATE CONSTRAINT TRIGGER tasks_place_status_matches_on_place
    AFTER UPDATE OF status ON tasks_taskposition
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION tasks_place_status_matches();
CREATE CONSTRAINT TRIGGER tasks_place_status_matches_on_task
    AFTER UPDATE OF status ON tasks_task
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION tasks_place_status_matches();
"""

TRIGGERS_OF_0009 = """
DROP TRIGGER IF EXISTS tasks_place_status_matches_on_place_insert ON tasks_taskposition;
DROP TRIGGER IF EXISTS tasks_place_status_matches_on_place ON tasks_taskposition;
DROP TRIGGER IF EXISTS tasks_place_status_matches_on_task ON tasks_task;
CREATE CONSTRAINT TRIGGER tasks_place_status_matches_on_place
    AFTER INSERT OR UPDATE OF status ON tasks_taskposition
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION tasks_place_status_matches();
CREATE CONSTRAINT TRIGGER tasks_place_status_matches_on_task
    AFTER UPDATE OF status ON tasks_task
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION tasks_place_status_matches();
"""


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGERS)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGERS_OF_0009)


class Migration(migrations.Migration):
    dependencies = [("tasks", "0010_tasks_without_default_order")]

    operations = [migrations.RunPython(forwards, backwards)]

"""Kanban positions move to their own narrow table, TaskPosition (why: docs/ARCHITECTURE.md,
"Models"). Existing positions are copied as they are. Not reversible with data in the table
(the old NOT NULL column has no default)."""

import django.db.models.constraints
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

COPY_POSITIONS = """
INSERT INTO tasks_taskposition (task_id, project_id, owner_id, status, position)
SELECT id, project_id, owner_id, status, position FROM tasks_task
"""

# The shifts now churn this table: vacuum and analyze it early, as 0005 does for tasks_task.
AUTOVACUUM = "autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02"


def autovacuum_settings(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE tasks_taskposition SET ({AUTOVACUUM})")


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0001_initial"),
        ("tasks", "0006_search_indexes_per_owner"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="TaskPosition",
            fields=[
                (
                    "task",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="place",
                        serialize=False,
                        to="tasks.task",
                    ),
                ),
                (
                    "status",
                    models.PositiveSmallIntegerField(choices=[(1, "TODO"), (2, "IN_PROGRESS"), (3, "DONE")]),
                ),
                ("position", models.PositiveIntegerField()),
                (
                    "owner",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="projects.project",
                    ),
                ),
            ],
        ),
        migrations.RunSQL(COPY_POSITIONS, reverse_sql=migrations.RunSQL.noop),
        migrations.AlterModelOptions(
            name="task",
            options={"ordering": ["place__status", "place__position"]},
        ),
        migrations.RemoveConstraint(model_name="task", name="tasks_unique_position_in_column"),
        migrations.RemoveIndex(model_name="task", name="tasks_owner_board_idx"),
        migrations.RemoveIndex(model_name="task", name="tasks_owner_position_idx"),
        migrations.RemoveField(model_name="task", name="position"),
        migrations.AddIndex(
            model_name="task",
            index=models.Index(fields=["project", "status"], name="tasks_project_status_idx"),
        ),
        migrations.AddIndex(
            model_name="taskposition",
            index=models.Index(fields=["owner", "status", "position", "task"], name="tasks_owner_board_idx"),
        ),
        migrations.AddIndex(
            model_name="taskposition",
            index=models.Index(fields=["owner", "position", "task"], name="tasks_owner_position_idx"),
        ),
        migrations.AddConstraint(
            model_name="taskposition",
            constraint=models.UniqueConstraint(
                deferrable=django.db.models.constraints.Deferrable["DEFERRED"],
                fields=("project", "status", "position"),
                name="tasks_unique_position_in_column",
            ),
        ),
        migrations.AddConstraint(
            model_name="taskposition",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", [1, 2, 3])), name="tasks_place_status_valid"
            ),
        ),
        migrations.RunPython(autovacuum_settings, migrations.RunPython.noop),
    ]

"""Helpers shared by the task API tests: the expected JSON of a stored task, and the board."""

from datetime import UTC, datetime

from django.utils import timezone

from labels.selectors import task_label_names
from tasks import recurring
from tasks.models import Priority, Status, Task

# The keys of a task in the API (SPEC §5).
TASK_KEYS = {
    "id",
    "project_id",
    "title",
    "description",
    "status",
    "priority",
    "due_date",
    "due_on",
    "recurrence",
    "labels",
    "checklist_total",
    "checklist_done",
    "remind_at",
    "reminder_offsets",
    "position",
    "version",
    "completed_at",
    "created_at",
    "updated_at",
}


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def as_json(task: Task) -> dict:
    """The API representation of the stored task, built independently of the serializer."""
    task.refresh_from_db()
    return {
        "id": str(task.pk),
        "project_id": str(task.project_id),
        "title": task.title,
        "description": task.description,
        "status": Status(task.status).label,
        "priority": Priority(task.priority).label,
        "due_date": iso(task.due_date),
        "due_on": task.due_on.isoformat() if task.due_on else None,
        "recurrence": recurring.as_json(task, timezone.now()),
        "labels": task_label_names(task),
        "checklist_total": task.checklist_total,
        "checklist_done": task.checklist_done,
        "remind_at": iso(task.remind_at),
        "reminder_offsets": task.reminder_offsets,
        "position": task.position,
        "version": task.version,
        "completed_at": iso(task.completed_at),
        "created_at": iso(task.created_at),
        "updated_at": iso(task.updated_at),
    }


def board(project) -> dict[str, list[tuple[str, int]]]:
    """Every column of the project, as (title, position) in position order."""
    columns: dict[str, list[tuple[str, int]]] = {label: [] for label in Status.labels}
    for task in Task.objects.filter(project=project).order_by("place__status", "place__position"):
        columns[Status(task.status).label].append((task.title, task.position))
    return columns


def stored_rows() -> list[dict]:
    """Every column of every task in the database, to prove that nothing was written."""
    return list(Task.objects.order_by("pk").values())

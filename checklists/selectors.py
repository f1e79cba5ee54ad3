from typing import Any

from django.db.models import QuerySet

from checklists.models import ChecklistItem
from tasks.models import Task


def checklist_task(*, task_id: Any) -> Task | None:
    """The task whose checklist a request names, with what the permission check reads."""
    return Task.objects.only("pk", "owner_id").filter(pk=task_id).first()


def checklist_items(*, task: Task) -> QuerySet[ChecklistItem]:
    """A task's items by position (SPEC §13), through UNIQUE(task, position)."""
    return ChecklistItem.objects.filter(task_id=task.pk).order_by("position")

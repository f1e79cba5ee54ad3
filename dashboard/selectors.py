"""The dashboard (SPEC §6): three aggregate queries whatever the amount of data."""

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import User
from projects.models import Project
from tasks.models import Status, Task

UPCOMING_DAYS = 7
UPCOMING_LIMIT = 10
RECENT_PROJECTS_LIMIT = 5


def dashboard_statistics(*, user: User, now: datetime | None = None) -> dict[str, Any]:
    """Counts, completion rate, overdue count, the next 10 tasks due within 7 days and the 5
    most recently updated projects, over the user's non-archived projects."""
    now = now or timezone.now()
    tasks = Task.objects.filter(owner=user, project__archived=False)
    open_tasks = ~Q(status=Status.DONE)
    totals = tasks.aggregate(
        todo=Count("id", filter=Q(status=Status.TODO)),
        in_progress=Count("id", filter=Q(status=Status.IN_PROGRESS)),
        done=Count("id", filter=Q(status=Status.DONE)),
        overdue=Count("id", filter=open_tasks & Q(due_date__lt=now)),
    )
    upcoming = list(
        tasks.filter(
            open_tasks, due_date__gte=now, due_date__lt=now + timedelta(days=UPCOMING_DAYS)
        ).order_by("due_date", "id")[:UPCOMING_LIMIT]
    )
    recent_projects = list(
        Project.objects.filter(owner=user, archived=False)
        .annotate(task_count=Count("tasks"))
        .order_by("-updated_at", "id")[:RECENT_PROJECTS_LIMIT]
    )
    total = totals["todo"] + totals["in_progress"] + totals["done"]
    return {
        "task_counts": {key: totals[key] for key in ("todo", "in_progress", "done")},
        "upcoming_tasks": upcoming,
        "overdue_count": totals["overdue"],
        "recent_projects": recent_projects,
        "completion_rate": round(totals["done"] / total, 2) if total else 0.0,
    }

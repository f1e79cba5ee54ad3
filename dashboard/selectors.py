"""The dashboard (SPEC §6): five queries (and the upcoming tasks' labels) whatever the amount of data."""

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from labels.selectors import TASK_LABELS
from projects.models import Project
from tasks import dues
from tasks.models import Status, Task

UPCOMING_DAYS = 7
UPCOMING_LIMIT = 10
RECENT_PROJECTS_LIMIT = 5
OPEN_STATUSES = [Status.TODO, Status.IN_PROGRESS]


def dashboard_statistics(*, user: User, now: datetime | None = None) -> dict[str, Any]:
    """Counts, completion rate, overdue count, the next 10 tasks due within 7 days and the 5
    most recently updated projects, over the user's non-archived projects.

    1. the non-archived projects, most recently updated first;
    2. tasks counted per (project, status) over those projects: an index-only scan of
       (project, status), no table rows read;
    3. the overdue count and 4. the upcoming tasks, both through (owner, due_at), the due moment
       (an all-day task's is the end of its day in the owner's zone, ``tasks.dues``);
    5. the first due moment beyond the 7 days, for ``changes_at``: the moment the answer changes
       by the passing of time alone (a task falls overdue or enters the 7 days, or the owner's
       day ends)."""
    now = now or timezone.now()
    projects = list(Project.objects.filter(owner=user, archived=False).order_by("-updated_at", "id"))
    project_ids = [project.pk for project in projects]
    per_column = (
        Task.objects.filter(project_id__in=project_ids)
        .values_list("project_id", "status")
        .annotate(count=Count("*"))
        .order_by()
    )
    per_status: Counter[int] = Counter()
    per_project: Counter[Any] = Counter()
    for project_id, status, count in per_column:
        per_status[status] += count
        per_project[project_id] += count
    open_tasks = Task.objects.filter(owner=user, project_id__in=project_ids, status__in=OPEN_STATUSES)
    overdue = open_tasks.filter(due_at__lt=now).count()
    window_end = now + timedelta(days=UPCOMING_DAYS)
    upcoming = list(
        open_tasks.select_related("place")
        .prefetch_related(TASK_LABELS)
        .filter(due_at__gte=now, due_at__lt=window_end)
        .order_by("due_at", "id")[:UPCOMING_LIMIT]
    )
    beyond = open_tasks.filter(due_at__gte=window_end).order_by("due_at").values_list("due_at", flat=True)
    # A day ending in the owner's zone is a change too: "today" moves (SPEC §11).
    moments = [dues.next_midnight(now, dues.zone_of(user))]
    moments += [task.due_at for task in upcoming[:1] if task.due_at is not None]
    next_beyond = beyond.first()
    if next_beyond is not None:
        moments.append(next_beyond - timedelta(days=UPCOMING_DAYS))
    recent_projects = projects[:RECENT_PROJECTS_LIMIT]
    for project in recent_projects:
        project.task_count = per_project[project.pk]  # type: ignore[attr-defined]
    total = sum(per_status.values())
    return {
        "task_counts": {
            "todo": per_status[Status.TODO],
            "in_progress": per_status[Status.IN_PROGRESS],
            "done": per_status[Status.DONE],
        },
        "upcoming_tasks": upcoming,
        "overdue_count": overdue,
        "recent_projects": recent_projects,
        "completion_rate": round(per_status[Status.DONE] / total, 2) if total else 0.0,
        "changes_at": min(moments),
    }

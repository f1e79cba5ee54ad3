"""Task writes and the kanban order.

A column is the tasks of one (project, status); its positions are always 0..n-1. Positions
live in the narrow TaskPosition table (``task.place``), so a move rewrites small rows only. Every write
that touches a column first takes the project's row lock (``FOR NO KEY UPDATE``), projects in
id order, then the task rows in id order: writers of one project queue up, writers of
different projects never wait on each other, and the lock order is the same everywhere, so
there are no deadlocks. Neighbours move by one range UPDATE (only the tasks between the old
and the new place); the deferred UNIQUE(project, status, position) is checked at commit."""

import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Max, QuerySet
from django.utils import timezone

from accounts.models import User
from config.change_stamps import user_data_changed
from config.db import model_assign
from config.errors import Forbidden, NotFound
from projects.models import Project
from tasks.models import Status, Task, TaskPosition

logger = logging.getLogger(__name__)

# Fields a PATCH may change besides status and position.
PLAIN_FIELDS = ("title", "description", "priority", "due_date", "remind_at")
BULK_MAX_ITEMS = 100


class TaskVersionConflict(Exception):
    """The request's ``version`` is not the stored one; ``task`` is the stored task."""

    def __init__(self, task: Task) -> None:
        super().__init__(f"Task {task.pk} is at version {task.version}.")
        self.task = task


def _lock_projects(project_ids: Iterable[Any]) -> None:
    """Locks the projects in id order; 404 if one was deleted meanwhile."""
    ids = sorted(set(project_ids), key=str)
    locked = (
        Project.objects.filter(pk__in=ids).order_by("pk").select_for_update(no_key=True).values_list("pk")
    )
    if len(list(locked)) != len(ids):
        raise NotFound("No project with this id.")


def _column(project_id: Any, status: int) -> QuerySet[TaskPosition]:
    return TaskPosition.objects.filter(project_id=project_id, status=status)


def _size(project_id: Any, status: int) -> int:
    """How many tasks the column holds: its positions are 0..n-1, so the last one plus one,
    read from the end of UNIQUE(project, status, position) instead of counting the column."""
    last = _column(project_id, status).aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


def _shift(project_id: Any, status: int, *, start: int, end: int | None, by: int) -> None:
    """Moves the tasks at positions start..end (inclusive; end None = to the end) by ``by``."""
    rows = _column(project_id, status).filter(position__gte=start)
    if end is not None:
        rows = rows.filter(position__lte=end)
    rows.update(position=F("position") + by)


@transaction.atomic
def task_create(
    *,
    project: Project,
    title: str,
    status: int = Status.TODO,
    position: int | None = None,
    **fields: Any,
) -> Task:
    """A new task at ``position`` of its column (the end when absent or past the end)."""
    _lock_projects([project.pk])
    size = _size(project.pk, status)
    position = size if position is None else min(position, size)
    _shift(project.pk, status, start=position, end=None, by=1)
    task = Task.objects.create(
        project=project,
        owner_id=project.owner_id,
        title=title,
        status=status,
        completed_at=timezone.now() if status == Status.DONE else None,
        **fields,
    )
    TaskPosition.objects.create(
        task=task, project_id=project.pk, owner_id=project.owner_id, status=status, position=position
    )
    user_data_changed(project.owner_id)
    logger.info("task created task_id=%s project_id=%s user_id=%s", task.pk, project.pk, project.owner_id)
    return task


def _move(task: Task, *, status: int, position: int | None) -> bool:
    """Places a locked task at ``position`` of column ``status``; returns whether it moved.
    The task's own place is written by the caller, with the task."""
    old_status, old_position = task.status, task.place.position
    if status != old_status:
        _shift(task.project_id, old_status, start=old_position + 1, end=None, by=-1)
        size = _size(task.project_id, status)
        target = size if position is None else min(position, size)
        _shift(task.project_id, status, start=target, end=None, by=1)
        task.completed_at = timezone.now() if status == Status.DONE else None
    else:
        if position is None:
            return False
        target = min(position, _size(task.project_id, status) - 1)
        if target == old_position:
            return False
        if target > old_position:
            _shift(task.project_id, status, start=old_position + 1, end=target, by=-1)
        else:
            _shift(task.project_id, status, start=target, end=old_position - 1, by=1)
    task.status, task.place.status, task.place.position = status, status, target
    return True


def _update_locked(*, task_id: Any, changes: dict[str, Any], expected_version: int | None) -> Task:
    """Applies ``changes`` to a task whose project is locked. Call inside a transaction."""
    task = Task.objects.select_related("place").select_for_update(of=("self",)).filter(pk=task_id).first()
    if task is None:
        raise NotFound("No task with this id.")
    if expected_version is not None and expected_version != task.version:
        raise TaskVersionConflict(task)
    moved = _move(task, status=changes.get("status", task.status), position=changes.get("position"))
    changed = bool(model_assign(instance=task, data=changes, fields=PLAIN_FIELDS)) or moved
    if moved:
        TaskPosition.objects.filter(pk=task.pk).update(status=task.place.status, position=task.place.position)
    if changed:
        task.version += 1
        task.save()
    return task


@transaction.atomic
def task_update(*, task: Task, changes: dict[str, Any], expected_version: int | None = None) -> Task:
    """A partial update; with ``expected_version`` it applies only to that version
    (else TaskVersionConflict and nothing is written). The version grows only on a change."""
    _lock_projects([task.project_id])
    updated = _update_locked(task_id=task.pk, changes=changes, expected_version=expected_version)
    user_data_changed(updated.owner_id)
    logger.info("task updated task_id=%s version=%s", updated.pk, updated.version)
    return updated


@transaction.atomic
def task_delete(*, task: Task) -> None:
    _lock_projects([task.project_id])
    locked = Task.objects.select_related("place").select_for_update(of=("self",)).filter(pk=task.pk).first()
    if locked is None:
        return
    status, position = locked.place.status, locked.place.position
    locked.delete()
    _shift(locked.project_id, status, start=position + 1, end=None, by=-1)
    user_data_changed(locked.owner_id)
    logger.info("task deleted task_id=%s project_id=%s", task.pk, task.project_id)


def tasks_bulk_update(*, user: User, updates: list[dict[str, Any]]) -> list[Task]:
    """Applies every item in order, all or nothing: an unknown task (404), another user's
    task (403) or a stale version (TaskVersionConflict) anywhere changes nothing.

    The boards of the projects involved are read once, the items are applied to them in
    memory, in order, and then every place whose column or position changed is written in one
    statement and every changed task in another: a bulk of 50 moves rewrites each shifted
    place once, not once per move that passes it."""
    ids = [item["id"] for item in updates]
    if len(set(ids)) != len(ids):
        raise ValidationError({"updates": ["Each task may appear only once."]})
    found = Task.objects.only("id", "owner_id", "project_id").in_bulk(ids)
    missing = [str(task_id) for task_id in ids if task_id not in found]
    if missing:
        raise NotFound(f"No task with id {', '.join(missing)}.")
    if any(task.owner_id != user.pk for task in found.values()):
        raise Forbidden("You do not have permission to change one or more of these tasks.")
    with transaction.atomic():
        project_ids = {task.project_id for task in found.values()}
        _lock_projects(project_ids)
        tasks = Task.objects.select_for_update(of=("self",)).order_by("pk").in_bulk(ids)
        if len(tasks) != len(ids):
            raise NotFound("No task with this id.")  # deleted after the first look
        for item in updates:
            # Each task appears once, so no earlier item can have changed its version.
            expected = item.get("version")
            if expected is not None and expected != tasks[item["id"]].version:
                raise TaskVersionConflict(Task.objects.select_related("place").get(pk=item["id"]))
        board = _Board(project_ids)
        now = timezone.now()
        changed_tasks = []
        for item in updates:
            task = tasks[item["id"]]
            changed = board.move(task, status=item.get("status", task.status), position=item.get("position"))
            if changed and task.status != board.status_before(task.pk):
                task.completed_at = now if task.status == Status.DONE else None
            changed = bool(model_assign(instance=task, data=item, fields=PLAIN_FIELDS)) or changed
            if changed:
                task.version += 1
                task.updated_at = now
                changed_tasks.append(task)
        board.save()
        Task.objects.bulk_update(
            changed_tasks, ["status", "version", "completed_at", "updated_at", *PLAIN_FIELDS]
        )
        user_data_changed(user.pk)
    result = Task.objects.select_related("place").in_bulk(ids)
    logger.info("tasks bulk-updated count=%d user_id=%s", len(ids), user.pk)
    return [result[task_id] for task_id in ids]


class _Board:
    """The columns of some projects, in memory: (project, status) -> task ids in position
    order, with the places as they were read, to write back only what moved."""

    def __init__(self, project_ids: Iterable[Any]) -> None:
        self.columns: dict[tuple[Any, int], list[Any]] = {}
        self.before: dict[Any, tuple[int, int]] = {}
        places = TaskPosition.objects.filter(project_id__in=list(project_ids)).order_by(
            "project_id", "status", "position"
        )
        for task_id, project_id, status, position in places.values_list(
            "task_id", "project_id", "status", "position"
        ):
            self.columns.setdefault((project_id, status), []).append(task_id)
            self.before[task_id] = (status, position)
        self.status_now = {task_id: status for task_id, (status, _) in self.before.items()}

    def status_before(self, task_id: Any) -> int:
        return self.before[task_id][0]

    def move(self, task: Task, *, status: int, position: int | None) -> bool:
        """The same rules as ``_move``: returns whether the task moved."""
        old_status = self.status_now[task.pk]
        old_column = self.columns.setdefault((task.project_id, old_status), [])
        old_index = old_column.index(task.pk)
        if status == old_status:
            if position is None or min(position, len(old_column) - 1) == old_index:
                return False
            old_column.pop(old_index)
            old_column.insert(min(position, len(old_column)), task.pk)
        else:
            old_column.pop(old_index)
            new_column = self.columns.setdefault((task.project_id, status), [])
            new_column.insert(
                len(new_column) if position is None else min(position, len(new_column)), task.pk
            )
            self.status_now[task.pk] = status
        task.status = status
        return True

    def save(self) -> None:
        """Writes the places whose status or position changed, in one statement."""
        rows = [
            (task_id, status, position)
            for (_, status), column in self.columns.items()
            for position, task_id in enumerate(column)
            if self.before[task_id] != (status, position)
        ]
        if not rows:
            return
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE tasks_taskposition AS p SET status = v.status, position = v.position "
                    "FROM (SELECT unnest(%s::uuid[]) AS task_id, unnest(%s::smallint[]) AS status, "
                    "unnest(%s::integer[]) AS position) AS v WHERE p.task_id = v.task_id",
                    [[row[0] for row in rows], [row[1] for row in rows], [row[2] for row in rows]],
                )
        else:
            TaskPosition.objects.bulk_update(
                [
                    TaskPosition(task_id=task_id, status=status, position=position)
                    for task_id, status, position in rows
                ],
                ["status", "position"],
            )

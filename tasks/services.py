"""Task writes. Every write that touches the board (create, move, status change, delete)
goes through ``tasks.board``, which takes the locks in their order and keeps the columns
dense; these functions add versions, fields, logs and the change stamp."""

import logging
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from config.change_stamps import user_data_changed
from config.db import bulk_set, model_assign
from config.errors import Forbidden, NotFound
from labels import services as labels_services
from labels.models import TaskLabel
from projects.models import Project
from tasks import board, dues, recurring
from tasks.models import Status, Task

logger = logging.getLogger(__name__)

# Fields a PATCH may change besides status, position and the due (``_assign_due``).
PLAIN_FIELDS = ("title", "description", "priority", "remind_at")
DUE_FIELDS = ("due_at", "due_on")
REMINDER_FIELDS = ("reminder_offsets",)
BULK_MAX_ITEMS = 100
END_OF_COLUMN = 2**31 - 1  # a position past the end: the last place, in the task's own column too


class TaskVersionConflict(Exception):
    """The request's ``version`` is not the stored one; ``task`` is the stored task."""

    def __init__(self, task: Task) -> None:
        super().__init__(f"Task {task.pk} is at version {task.version}.")
        self.task = task


def _owner_zone(owner_id: Any) -> ZoneInfo:
    return dues.zone_of(User.objects.only("preferences").get(pk=owner_id))


def _assign_due(task: Task, changes: dict[str, Any]) -> list[str]:
    """Applies a request's ``due_date``/``due_on`` (SPEC §11) and the due moment that follows;
    the changed field names. The owner's zone is read only for an all-day due."""
    if "due_date" not in changes and "due_on" not in changes:
        return []
    due = dues.due_changed(dues.Due(task.due_date, task.due_on), changes)
    zone = _owner_zone(task.owner_id) if due.due_on is not None else dues.UTC_ZONE
    due_at = dues.due_moment(due_date=due.due_date, due_on=due.due_on, zone=zone)
    return model_assign(instance=task, data={"due_at": due_at, "due_on": due.due_on}, fields=DUE_FIELDS)


def _assign_recurrence(task: Task, changes: dict[str, Any], *, occurrence_only: bool = False) -> list[str]:
    """A request's ``recurrence`` (SPEC §12), or a new start for the rule when the request
    edited the due of a recurring task (not when it moves the occurrence only); the changed
    field names."""
    before = task.recurrence
    if "recurrence" in changes:
        zone_name = _owner_zone(task.owner_id).key if changes["recurrence"] is not None else ""
        recurring.recurrence_assign(task, changes["recurrence"], zone_name=zone_name)
    elif ("due_date" in changes or "due_on" in changes) and not occurrence_only:
        recurring.restart_on_new_due(task)
    return ["recurrence"] if task.recurrence != before else []


def _arm_reminders(task: Task, changed: list[str], now: Any) -> list[str]:
    """A new due or new reminder offsets arm the task's reminders again (SPEC §12): each
    offset fires once for the new due, counted from this moment (``notifications.selectors``)."""
    if not {*DUE_FIELDS, *REMINDER_FIELDS} & set(changed):
        return []
    task.reminders_armed_at = now
    return ["reminders_armed_at"]


def _assign_labels(task: Task, changes: dict[str, Any]) -> bool:
    """A request's ``labels`` (names, SPEC §13): the owner's labels of those names, the new
    ones created, in the order given; whether the task's list changed."""
    if "labels" not in changes:
        return False
    labels = labels_services.labels_for_names(owner_id=task.owner_id, names=changes["labels"])
    current = (
        TaskLabel.objects.filter(task_id=task.pk).order_by("position").values_list("label_id", flat=True)
    )
    if list(current) == [label.pk for label in labels]:
        return False
    labels_services.task_labels_set(task_id=task.pk, labels=labels)
    return True


@transaction.atomic
def task_create(
    *,
    project: Project,
    title: str,
    status: int = Status.TODO,
    position: int | None = None,
    recurrence: dict[str, Any] | None = None,
    recurrence_wall: time | None = None,
    labels: list[str] | None = None,
    **fields: Any,
) -> Task:
    """A new task at ``position`` of its column (the end when absent or past the end).
    ``recurrence_wall``: the wall time a timed due was read from (quick add), which the rule
    keeps where a spring-forward gap made the due another wall time."""
    board.lock([project.pk])
    due: dict[str, Any] = {name: fields.pop(name) for name in ("due_date", "due_on") if name in fields}
    now = timezone.now()
    task = Task(
        project=project,
        owner_id=project.owner_id,
        title=title,
        status=status,
        completed_at=board.completed_at(status, now),
        reminders_armed_at=now,
        **fields,
    )
    _assign_due(task, due)
    if recurrence is not None:
        zone_name = _owner_zone(task.owner_id).key
        recurring.recurrence_assign(task, recurrence, zone_name=zone_name, wall=recurrence_wall)
    task.save(force_insert=True)
    if labels:
        _assign_labels(task, {"labels": labels})
    board.insert(task, position=position)
    user_data_changed(project.owner_id)
    logger.info("task created task_id=%s project_id=%s user_id=%s", task.pk, project.pk, project.owner_id)
    return task


@transaction.atomic
def task_update(
    *,
    task: Task,
    changes: dict[str, Any],
    expected_version: int | None = None,
    occurrence_only: bool = False,
) -> Task:
    """A partial update; with ``expected_version`` it applies only to that version
    (else TaskVersionConflict and nothing is written). The version grows only on a change.
    A new due restarts a recurring task's rule from it, unless ``occurrence_only`` (an event
    moved in Google moves the current occurrence only, SPEC §12)."""
    board.lock([task.project_id])
    locked = board.locked_task(task.pk)
    if locked is None:
        raise NotFound("No task with this id.")
    if expected_version is not None and expected_version != locked.version:
        raise TaskVersionConflict(locked)
    now = timezone.now()
    changed = [
        *model_assign(instance=locked, data=changes, fields=(*PLAIN_FIELDS, *REMINDER_FIELDS)),
        *_assign_due(locked, changes),
        *_assign_recurrence(locked, changes, occurrence_only=occurrence_only),
    ]
    status, position = changes.get("status", locked.status), changes.get("position")
    completing = status == Status.DONE and locked.status != Status.DONE and bool(locked.recurrence)
    # Completing a recurring task records it and advances it to the end of TODO (SPEC §12);
    # with no occurrence left it becomes DONE as usual.
    if completing and recurring.advance(locked, now=now, record=True):
        status, position = Status.TODO, END_OF_COLUMN
        changed += ["due_at", "due_on", "recurrence"]
    changed += _arm_reminders(locked, changed, now)
    relabelled = _assign_labels(locked, changes)
    moved = board.move(locked, status=status, position=position, now=now)
    if changed or moved or relabelled:
        locked.version += 1
        board_fields = ["status", "completed_at"] if moved else []
        locked.save(update_fields=[*dict.fromkeys(changed), *board_fields, "version", "updated_at"])
    user_data_changed(locked.owner_id)
    logger.info("task updated task_id=%s version=%s", locked.pk, locked.version)
    return locked


@transaction.atomic
def task_skip(*, task: Task) -> Task:
    """``POST /tasks/{id}/skip`` (SPEC §12): the next occurrence without a completion; the
    status stays, and with no occurrence left the task becomes DONE. 400 without a rule."""
    board.lock([task.project_id])
    locked = board.locked_task(task.pk)
    if locked is None:
        raise NotFound("No task with this id.")
    if not locked.recurrence:
        raise ValidationError({"recurrence": ["This task does not recur: there is no occurrence to skip."]})
    now = timezone.now()
    changed: list[str] = []
    if recurring.advance(locked, now=now, record=False):
        changed = ["due_at", "due_on", "recurrence"]
        changed += _arm_reminders(locked, changed, now)
        moved = False
    else:
        moved = board.move(locked, status=Status.DONE, position=None, now=now)
    locked.version += 1
    board_fields = ["status", "completed_at"] if moved else []
    locked.save(update_fields=[*changed, *board_fields, "version", "updated_at"])
    user_data_changed(locked.owner_id)
    logger.info("task occurrence skipped task_id=%s version=%s", locked.pk, locked.version)
    return locked


def owner_zone_changed(*, user: User, **kwargs: Any) -> None:
    """Moves the due moments of ``user``'s all-day tasks into their new time zone (SPEC §11):
    they stay on their day; timed tasks keep their moment. One statement, in the caller's
    transaction (``accounts.signals.timezone_changed``); the dashboard's cache ends with it,
    and the next notification run judges the tasks by their new moments."""
    zone = dues.zone_of(user)
    rows = [
        (pk, dues.due_moment(due_date=None, due_on=day, zone=zone))
        for pk, day in Task.objects.filter(owner=user, due_on__isnull=False).values_list("pk", "due_on")
    ]
    bulk_set(Task, ["due_at"], rows)
    # Recurring tasks recur on the owner's clock: a timed one's current due keeps its instant
    # and later occurrences keep its wall time in the new zone, so the rule's start is re-timed
    # (SPEC §12). Few per user: one small UPDATE each.
    recurring_tasks = Task.objects.filter(owner=user, recurrence__isnull=False).only(
        "pk", "due_at", "due_on", "recurrence"
    )
    for task in recurring_tasks:
        recurring.retime_for_zone(task, zone)
        Task.objects.filter(pk=task.pk).update(recurrence=task.recurrence)
    user_data_changed(user.pk)
    logger.info("all-day dues moved user_id=%s tasks=%d zone=%s", user.pk, len(rows), zone.key)


@transaction.atomic
def task_delete(*, task: Task) -> None:
    board.lock([task.project_id])
    locked = board.locked_task(task.pk)
    if locked is None:
        return
    board.remove(locked)
    user_data_changed(locked.owner_id)
    logger.info("task deleted task_id=%s project_id=%s", task.pk, task.project_id)


def tasks_bulk_update(*, user: User, updates: list[dict[str, Any]]) -> list[Task]:
    """Applies every item in order, all or nothing: an unknown task (404), another user's
    task (403) or a stale version (TaskVersionConflict) anywhere changes nothing.

    The boards of the projects involved are read once, the items are applied to them in
    memory, in order, and then every place whose column or position changed is written in one
    statement and every changed task in another: a bulk of 50 moves rewrites each shifted
    place once (``tasks.board.Board``)."""
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
        board.lock(project_ids)
        tasks = board.locked_tasks(ids)
        if len(tasks) != len(ids):
            raise NotFound("No task with this id.")  # deleted after the first look
        for item in updates:
            # Each task appears once, so no earlier item can have changed its version.
            expected = item.get("version")
            if expected is not None and expected != tasks[item["id"]].version:
                raise TaskVersionConflict(Task.objects.select_related("place").get(pk=item["id"]))
        columns = board.Board(project_ids)
        now = timezone.now()
        changed_tasks, advanced = [], []
        for item in updates:
            task = tasks[item["id"]]
            status, position = item.get("status", task.status), item.get("position")
            # DONE on a recurring task advances it, as a single PATCH does (SPEC §12).
            completing = status == Status.DONE and task.status != Status.DONE and bool(task.recurrence)
            if completing and recurring.advance(task, now=now, record=True):
                status, position = Status.TODO, END_OF_COLUMN
                advanced.append(task)
            moved = columns.move(task, status=status, position=position, now=now)
            if model_assign(instance=task, data=item, fields=PLAIN_FIELDS) or moved:
                task.version += 1
                task.updated_at = now
                changed_tasks.append(task)
        columns.save()
        written = ["status", "version", "completed_at", "updated_at", *PLAIN_FIELDS]
        rows = [(task.pk, *(getattr(task, name) for name in written)) for task in changed_tasks]
        bulk_set(Task, written, rows, within=("project", list(project_ids)))
        for task in advanced:  # rare: one small UPDATE each for the due and the rule
            Task.objects.filter(pk=task.pk).update(
                due_at=task.due_at, due_on=task.due_on, recurrence=task.recurrence, reminders_armed_at=now
            )
        columns.place(tasks.values())  # the answer is what was written: no second read
        user_data_changed(user.pk)
    logger.info("tasks bulk-updated count=%d user_id=%s", len(ids), user.pk)
    return [tasks[task_id] for task_id in ids]

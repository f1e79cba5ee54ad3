"""The kanban board: the one door to the tasks' places (``TaskPosition``, ``task.place``).

A column is the tasks of one (project, status); its positions are always 0..n-1. Every write
that touches a board goes through here and takes the same locks in the same order: the
projects' rows first (``projects.services.projects_lock``, in id order; project deletion
takes the same lock), then the task rows in id order. Writers of one project queue up,
writers of different projects never wait for each other, and there is no lock cycle.

Where a task lands is decided once, by ``placement`` (a pure function); a single move then
shifts only the neighbours between the old and the new place by range UPDATEs, and a bulk
move (``Board``) applies its items in memory and writes every changed place once. The
deferred UNIQUE(project, status, position) is checked at commit, and the database keeps a
place's status equal to its task's (migration 0009)."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Case, F, Max, OrderBy, Q, QuerySet, Value, When

from config.db import bulk_set
from config.errors import NotFound
from projects.services import projects_lock
from tasks.models import Status, Task, TaskPosition


@dataclass(frozen=True)
class Place:
    status: int
    position: int


def placement(current: Place, *, status: int, position: int | None, size: Callable[[], int]) -> Place | None:
    """Where a task at ``current`` lands when asked for column ``status`` at ``position``, or
    None when it stays. ``size()`` is how many tasks column ``status`` holds (the task itself
    included when it is already there); it is asked only when the answer depends on it.

    In another column the task goes to ``position``, or to the end when it is absent or past
    the end. In its own column it goes to ``position`` (the last place when past the end) and
    stays without one."""
    if status != current.status:
        end = size()
        return Place(status, end if position is None else min(position, end))
    if position is None:
        return None
    target = min(position, size() - 1)
    return None if target == current.position else Place(status, target)


@dataclass(frozen=True)
class Shift:
    """The places at positions ``start``..``end`` (inclusive; ``end`` None = to the end) of
    column ``status`` move by ``by``."""

    status: int
    start: int
    end: int | None
    by: int


def making_room(old: Place, new: Place) -> list[Shift]:
    """The places that move when an item goes from ``old`` to ``new``, and by how much: the
    ones after it in its old column close the gap, the ones from its new place on open one
    (in one column, only those in between). A pure rule, shared by every dense list (the
    board, a task's checklist)."""
    if new.status != old.status:
        return [Shift(old.status, old.position + 1, None, -1), Shift(new.status, new.position, None, 1)]
    if new.position > old.position:
        return [Shift(old.status, old.position + 1, new.position, -1)]
    return [Shift(old.status, new.position, old.position - 1, 1)]


def insertion(position: int | None, size: int) -> int:
    """Where a new item lands in a column of ``size``: at ``position``, or at the end when
    absent or past the end."""
    return size if position is None else min(position, size)


def completed_at(status: int, now: datetime) -> datetime | None:
    """A task's ``completed_at`` once it enters column ``status`` at ``now``."""
    return now if status == Status.DONE else None


# --- Locks ---------------------------------------------------------------------------------


def lock(project_ids: Iterable[Any]) -> None:
    """Locks the boards of these projects (before any task row); 404 if one is gone."""
    ids = set(project_ids)
    if len(projects_lock(ids)) != len(ids):
        raise NotFound("No project with this id.")


def locked_task(task_id: Any) -> Task | None:
    """The task with its place, row-locked; call after ``lock`` of its project."""
    return Task.objects.select_related("place").select_for_update(of=("self",)).filter(pk=task_id).first()


def locked_task_row(task_id: Any) -> Task | None:
    """The task row alone, locked without its project's board: for writes that change the task
    but not its place (its checklist). Board writers lock the project and then this row, so
    the order stays the same."""
    return Task.objects.select_for_update().filter(pk=task_id).first()


def locked_tasks(task_ids: Sequence[Any]) -> dict[Any, Task]:
    """The tasks by id, row-locked in id order; call after ``lock`` of their projects."""
    return Task.objects.select_for_update(of=("self",)).order_by("pk").in_bulk(task_ids)


# --- Single writes: range shifts -------------------------------------------------------------


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


def insert(task: Task, *, position: int | None) -> TaskPosition:
    """Gives a new task (saved, its project locked) a place at ``position`` of its column, or
    at the end when absent or past the end."""
    target = insertion(position, _size(task.project_id, task.status))
    _shift(task.project_id, task.status, start=target, end=None, by=1)
    task.place = TaskPosition.objects.create(
        task=task, project_id=task.project_id, owner_id=task.owner_id, status=task.status, position=target
    )
    return task.place


STATUS_FIELD, POSITION_FIELD = (
    TaskPosition._meta.get_field("status"),
    TaskPosition._meta.get_field("position"),
)


def _shifted(shift: Shift) -> Q:
    """The places of ``shift`` as a condition on one project's places."""
    rows = Q(status=shift.status, position__gte=shift.start)
    return rows if shift.end is None else rows & Q(position__lte=shift.end)


def move(task: Task, *, status: int, position: int | None, now: datetime) -> bool:
    """Moves a locked task (with its place) to ``position`` of column ``status``: one UPDATE
    writes its place and shifts only the places it passes. The task row is the caller's to
    save. Whether it moved."""
    project_id, old = task.project_id, Place(task.place.status, task.place.position)
    new = placement(old, status=status, position=position, size=lambda: _size(project_id, status))
    if new is None:
        return False
    room = [(_shifted(shift), shift.by) for shift in making_room(old, new)]
    itself = Q(pk=task.pk)
    places = TaskPosition.objects.filter(
        Q(project_id=project_id), reduce(or_, [itself, *(q for q, _ in room)])
    )
    places.update(
        status=Case(When(itself, then=Value(new.status)), default=F("status"), output_field=STATUS_FIELD),
        position=Case(
            When(itself, then=Value(new.position)),
            *(When(rows, then=F("position") + by) for rows, by in room),
            default=F("position"),
            output_field=POSITION_FIELD,
        ),
    )
    if new.status != old.status:
        task.completed_at = completed_at(new.status, now)
    task.status, task.place.status, task.place.position = new.status, new.status, new.position
    return True


def remove(task: Task) -> None:
    """Deletes a locked task (with its place) and closes the gap it leaves in its column."""
    status, position = task.place.status, task.place.position
    task.delete()
    _shift(task.project_id, status, start=position + 1, end=None, by=-1)


# --- Bulk writes: in memory, then one statement ----------------------------------------------


class Board:
    """The columns of some locked projects, in memory: (project, status) -> task ids in
    position order, with the places as they were read, to write back only what moved. A bulk
    of 50 moves rewrites each shifted place once, not once per move that passes it."""

    def __init__(self, project_ids: Iterable[Any]) -> None:
        self.project_ids = list(project_ids)
        self.columns: dict[tuple[Any, int], list[Any]] = {}
        self.before: dict[Any, tuple[int, int]] = {}  # (status, position) as read
        places = TaskPosition.objects.filter(project_id__in=self.project_ids).order_by(
            "project_id", "status", "position"
        )
        for task_id, project_id, status, position in places.values_list(
            "task_id", "project_id", "status", "position"
        ):
            self.columns.setdefault((project_id, status), []).append(task_id)
            self.before[task_id] = (status, position)
        self.status_now = {task_id: status for task_id, (status, _) in self.before.items()}

    def move(self, task: Task, *, status: int, position: int | None, now: datetime) -> bool:
        """``move`` in memory: the same placement, the task's fields set. Whether it moved."""
        old_column = self.columns[(task.project_id, self.status_now[task.pk])]
        old = Place(self.status_now[task.pk], old_column.index(task.pk))
        new_column = self.columns.setdefault((task.project_id, status), [])
        new = placement(old, status=status, position=position, size=lambda: len(new_column))
        if new is None:
            return False
        old_column.pop(old.position)
        new_column.insert(new.position, task.pk)
        if new.status != old.status:
            self.status_now[task.pk] = new.status
            task.completed_at = completed_at(new.status, now)
        task.status = new.status
        return True

    def place(self, tasks: Iterable[Task]) -> None:
        """Gives each of ``tasks`` its place as it is now, as ``task.place``."""
        wanted = {task.pk: task for task in tasks}
        for (_, status), column in self.columns.items():
            for position, task_id in enumerate(column):
                task = wanted.get(task_id)
                if task is not None:
                    task.place = TaskPosition(
                        task=task,
                        project_id=task.project_id,
                        owner_id=task.owner_id,
                        status=status,
                        position=position,
                    )

    def save(self) -> None:
        """Writes the places whose status or position changed, in one statement."""
        moved = [
            (task_id, status, position)
            for (_, status), column in self.columns.items()
            for position, task_id in enumerate(column)
            if self.before[task_id] != (status, position)
        ]
        bulk_set(TaskPosition, ["status", "position"], moved, within=("project", self.project_ids))


# --- Reads in board order --------------------------------------------------------------------


def on_places(tasks: QuerySet[Task], **lookups: Any) -> QuerySet[Task]:
    """``tasks`` narrowed by ``lookups`` on their places (owner, project, status): a list in a
    board order is scoped there, so that it walks the places' indexes."""
    return tasks.filter(**{f"place__{name}": value for name, value in lookups.items()})


def place_order(fields: Sequence[str], *, descending: bool = False) -> list[OrderBy]:
    """ORDER BY the places' ``fields`` (``status``, ``position``), ties broken by task id
    ascending, column for column as the places' indexes (owner, status, position, task) and
    (owner, position, task) run."""
    order = [F(f"place__{name}").desc() if descending else F(f"place__{name}").asc() for name in fields]
    return [*order, F("place__task_id").asc()]


def place_keys(
    task_ids: QuerySet[Any], fields: Sequence[str], *, descending: bool = False, **lookups: Any
) -> QuerySet[Any]:
    """The ids of the tasks among ``task_ids`` (a subquery of task ids) whose places match
    ``lookups``, in the board order of ``fields`` (ties by task id): a page chosen on the
    narrow places, before any task is read whole."""
    order = [F(name).desc() if descending else F(name).asc() for name in fields]
    places = TaskPosition.objects.filter(**lookups, task_id__in=task_ids)
    return places.order_by(*order, F("task_id").asc()).values_list("task_id", flat=True)


BOARD_ORDER = ("status", "position")  # TODO, IN_PROGRESS, DONE; then position in the column

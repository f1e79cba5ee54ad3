"""Checklist writes (SPEC §13). A task's items keep positions 0..n-1 by the board's own rules
(``tasks.board``: ``insertion``, ``placement``, ``making_room``), so a checklist and a column
move the same way.

Any change to a checklist is a change to its task: under the task's row lock, the items are
written, the task's ``checklist_total``/``checklist_done`` are counted again from the items,
and its ``version`` grows by one and its ``updated_at`` moves, once per request however many
items shift. Only the task row is locked (not its project's board): checklist writers of one
task queue up, and a board writer, which locks the project and then the task, never waits for
a lock held in the other order."""

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet

from checklists.models import ITEMS_PER_TASK_MAX, ChecklistItem
from config.change_stamps import user_data_changed
from config.db import model_assign
from config.errors import NotFound
from tasks import board
from tasks.models import Task

logger = logging.getLogger(__name__)

FULL = f"A task holds at most {ITEMS_PER_TASK_MAX} checklist items."
CHECKLIST = 0  # a checklist is one column of the board's rules


def _locked_task(task_id: Any) -> Task:
    task = board.locked_task_row(task_id)
    if task is None:
        raise NotFound("No task with this id.")
    return task


def _items(task: Task) -> QuerySet[ChecklistItem]:
    return ChecklistItem.objects.filter(task_id=task.pk)


def _shift(task: Task, shift: board.Shift) -> None:
    rows = _items(task).filter(position__gte=shift.start)
    if shift.end is not None:
        rows = rows.filter(position__lte=shift.end)
    rows.update(position=F("position") + shift.by)


def _task_changed(task: Task) -> None:
    """The checklist of the locked ``task`` changed: its counts, read from the items, and one
    more version."""
    counts = _items(task).aggregate(total=Count("pk"), done=Count("pk", filter=Q(done=True)))
    task.checklist_total, task.checklist_done = counts["total"], counts["done"]
    task.version += 1
    task.save(update_fields=["checklist_total", "checklist_done", "version", "updated_at"])
    user_data_changed(task.owner_id)


@transaction.atomic
def item_create(*, task: Task, text: str, done: bool = False, position: int | None = None) -> ChecklistItem:
    """A new item at ``position`` (the end when absent or past the end); 400 past 100 items."""
    locked = _locked_task(task.pk)
    size = _items(locked).count()
    if size >= ITEMS_PER_TASK_MAX:
        raise ValidationError(FULL)
    target = board.insertion(position, size)
    _shift(locked, board.Shift(CHECKLIST, target, None, 1))
    item = ChecklistItem.objects.create(task=locked, text=text, done=done, position=target)
    _task_changed(locked)
    logger.info("checklist item created item_id=%s task_id=%s", item.pk, locked.pk)
    return item


def _locked_item(task: Task, item_id: Any) -> ChecklistItem:
    item = _items(task).select_for_update().filter(pk=item_id).first()
    if item is None:
        raise NotFound("No checklist item with this id on this task.")
    return item


@transaction.atomic
def item_update(*, task: Task, item_id: Any, changes: dict[str, Any]) -> ChecklistItem:
    """A partial update of an item: its ``text``, ``done`` (which never moves it) and
    ``position`` (the last place when past the end). Only a real change counts as one."""
    locked = _locked_task(task.pk)
    item = _locked_item(locked, item_id)
    changed = model_assign(instance=item, data=changes, fields=("text", "done"))
    old = board.Place(CHECKLIST, item.position)
    new = board.placement(
        old, status=CHECKLIST, position=changes.get("position"), size=lambda: _items(locked).count()
    )
    if new is not None:
        for shift in board.making_room(old, new):
            _shift(locked, shift)
        item.position = new.position
        changed.append("position")
    if changed:
        item.save(update_fields=changed)
        _task_changed(locked)
    logger.info("checklist item updated item_id=%s task_id=%s changed=%s", item.pk, locked.pk, changed)
    return item


@transaction.atomic
def item_delete(*, task: Task, item_id: Any) -> None:
    """Deletes an item and closes the gap it leaves."""
    locked = _locked_task(task.pk)
    item = _locked_item(locked, item_id)
    item.delete()
    _shift(locked, board.Shift(CHECKLIST, item.position + 1, None, -1))
    _task_changed(locked)
    logger.info("checklist item deleted item_id=%s task_id=%s", item_id, locked.pk)

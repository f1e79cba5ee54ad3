"""The reminders a run finds besides ``remind_at`` (SPEC §12, §7): one per due for each of a
task's ``reminder_offsets``, and snoozes. Reads only; ``notifications.services`` makes them.

An offset's reminder fires at its moment (the due moment less the offset) or, when that moment
had already passed when the reminders were armed (``Task.reminders_armed_at``: a new due, new
offsets), at the first run after arming. A due that had already passed when armed fires none.
A moment older than the lookback fires none either (a long outage does not flood anyone)."""

from datetime import datetime, timedelta

from notifications.models import Notification, NotificationType
from notifications.selectors import Candidate, open_tasks
from tasks import dues
from tasks.models import REMINDER_OFFSET_MAX_MINUTES, Task

LOOKUP_BATCH_SIZE = 1000
# An all-day task's key (its day at 00:00 UTC) is at most this far before its due moment (the
# end of the day in a zone up to 14 hours ahead of UTC).
KEY_BEFORE_DUE = timedelta(days=2)


def offset_fires_at(task: Task, offset: int) -> datetime | None:
    """When the reminder ``offset`` minutes before the task's due fires: its moment, or the
    arming when that was later; None for a due that had passed when it was armed."""
    if task.due_at is None:
        return None
    armed = task.reminders_armed_at or task.created_at
    if task.due_at < armed:
        return None
    return max(task.due_at - timedelta(minutes=offset), armed)


def offset_candidates(*, now: datetime, oldest: datetime) -> list[Candidate]:
    """The offset reminders due by ``now`` (and not before ``oldest``) that were not made yet,
    keyed like deadline notifications by the due (``dues.notification_key``) and the offset.
    One query over the partial index of open tasks with offsets, whose due lies between the
    lookback and the widest offset ahead, and one per 1,000 tasks for what was already made."""
    tasks = (
        open_tasks()
        .exclude(reminder_offsets=[])
        .filter(due_at__gte=oldest, due_at__lte=now + timedelta(minutes=REMINDER_OFFSET_MAX_MINUTES))
    )
    found = []
    for task in tasks:
        key = dues.notification_key(due_at=task.due_at, due_on=task.due_on)  # type: ignore[arg-type]
        for offset in task.reminder_offsets:
            fires = offset_fires_at(task, offset)
            if fires is not None and oldest <= fires <= now:
                found.append(Candidate(task, NotificationType.REMINDER, key, offset))
    made = _offsets_made([candidate.task.pk for candidate in found], since=oldest - KEY_BEFORE_DUE)
    return [c for c in found if (c.task.pk, c.key, c.offset) not in made]


def _offsets_made(task_ids: list[object], *, since: datetime) -> set[tuple[object, datetime, int | None]]:
    made: set[tuple[object, datetime, int | None]] = set()
    unique_ids = list(dict.fromkeys(task_ids))
    for start in range(0, len(unique_ids), LOOKUP_BATCH_SIZE):
        rows = Notification.objects.filter(
            task_id__in=unique_ids[start : start + LOOKUP_BATCH_SIZE],
            reminder_offset__isnull=False,
            due_at__gte=since,
        ).values_list("task_id", "due_at", "reminder_offset")
        made.update(rows)
    return made


def snooze_candidates(*, now: datetime, oldest: datetime) -> list[Candidate]:
    """Snoozes whose moment has come (not before ``oldest``), of tasks that may still notify:
    one more REMINDER each, keyed by the snooze's moment. A DONE task's snooze waits (it fires
    if the task is reopened in time) until the hourly run drops it past the lookback."""
    tasks = (
        open_tasks().filter(snooze__fire_at__lte=now, snooze__fire_at__gte=oldest).select_related("snooze")
    )
    return [Candidate(task, NotificationType.REMINDER, task.snooze.fire_at, snoozed=True) for task in tasks]

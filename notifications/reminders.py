"""The reminders a run finds besides ``remind_at`` (SPEC §12, §7): one per due for each of a
task's ``reminder_offsets``, and snoozes. Reads only; ``notifications.services`` makes them.

An offset's reminder fires at its moment (the due moment less the offset) or, when that moment
had already passed when the reminders were armed (``Task.reminders_armed_at``: a new due, new
offsets), at the first run after arming. A due that had already passed when armed fires none.
A moment older than the lookback fires none either (a long outage does not flood anyone)."""

from datetime import datetime, timedelta

from django.db.models.functions import Coalesce

from notifications.models import Notification, NotificationType
from notifications.selectors import Candidate, open_tasks
from tasks import dues
from tasks.models import REMINDER_OFFSET_MAX_MINUTES

LOOKUP_BATCH_SIZE = 1000
# An all-day task's key (its day at 00:00 UTC) is at most this far before its due moment (the
# end of the day in a zone up to 14 hours ahead of UTC).
KEY_BEFORE_DUE = timedelta(days=2)
# When the offsets were armed; a task from before ``reminders_armed_at`` was armed when made.
ARMED_AT = Coalesce("reminders_armed_at", "created_at")


def offset_fires_at(*, due_at: datetime, armed_at: datetime, offset: int) -> datetime | None:
    """When the reminder ``offset`` minutes before the due fires: its moment, or the arming
    when that was later; None for a due that had passed when it was armed."""
    if due_at < armed_at:
        return None
    return max(due_at - timedelta(minutes=offset), armed_at)


def offset_candidates(*, now: datetime, oldest: datetime) -> list[Candidate]:
    """The offset reminders due by ``now`` (and not before ``oldest``) that were not made yet,
    keyed like deadline notifications by the due (``dues.notification_key``) and the offset.

    One query over the partial index of open tasks with offsets whose due lies between the
    lookback and the widest offset ahead, reading only the columns the rule needs (a million
    tasks put tens of thousands in that window, and whole rows with their owner and project
    cost a second to load); one per 1,000 tasks for what was already made; and one for the
    tasks that fire, whole."""
    rows = (
        open_tasks()
        .exclude(reminder_offsets=[])
        .filter(due_at__gte=oldest, due_at__lte=now + timedelta(minutes=REMINDER_OFFSET_MAX_MINUTES))
        .values_list("pk", "due_at", "due_on", "reminder_offsets", ARMED_AT)
    )
    due: list[tuple[object, datetime, int]] = []
    for pk, due_at, due_on, offsets, armed_at in rows:
        key = dues.notification_key(due_at=due_at, due_on=due_on)
        for offset in offsets:
            fires = offset_fires_at(due_at=due_at, armed_at=armed_at, offset=offset)
            if fires is not None and oldest <= fires <= now:
                due.append((pk, key, offset))
    made = _offsets_made([pk for pk, _, _ in due], since=oldest - KEY_BEFORE_DUE)
    firing = [item for item in due if item not in made]
    tasks = open_tasks().in_bulk({pk for pk, _, _ in firing})
    # A task gone or done since the sweep read it has nothing left to remind of.
    reminder = NotificationType.REMINDER
    return [Candidate(tasks[pk], reminder, key, offset) for pk, key, offset in firing if pk in tasks]


def _offsets_made(task_ids: list[object], *, since: datetime) -> set[tuple[object, datetime, int | None]]:
    made: set[tuple[object, datetime, int | None]] = set()
    unique_ids = list(dict.fromkeys(task_ids))
    for start in range(0, len(unique_ids), LOOKUP_BATCH_SIZE):
        rows = (
            Notification.objects.filter(
                task_id__in=unique_ids[start : start + LOOKUP_BATCH_SIZE],
                reminder_offset__isnull=False,
                due_at__gte=since,
            )
            .order_by()
            .values_list("task_id", "due_at", "reminder_offset")
        )
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

"""Recurring tasks (SPEC §12): a task's stored rule, the dues it gives, and what completing or
skipping an occurrence does to the task. The rule language is ``tasks.recurrence``; the board
moves are the caller's (``tasks.services``, through ``tasks.board``)."""

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError

from tasks import dues
from tasks.models import Task, TaskCompletion
from tasks.recurrence import FROM_MODES, Occurrence, RuleError, Series, parse


def _due_text(due: date | datetime) -> str:
    return due.isoformat()


def _due_value(text: str) -> date | datetime:
    return datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)


def current(task: Task) -> Occurrence:
    return Occurrence(due_on=task.due_on, due_date=task.due_date)


def series(task: Task) -> Series | None:
    """The task's series as stored, or None for a task without a rule."""
    stored = task.recurrence
    if not stored:
        return None
    zone = dues.zone_named(stored.get("zone"))
    return Series(
        rule=parse(stored["rrule"], all_day=task.due_on is not None, zone=zone),
        mode=stored["from"],
        start=_due_value(stored["start"]),
        served=int(stored.get("served", 1)),
    )


def zone(task: Task) -> Any:
    return dues.zone_named((task.recurrence or {}).get("zone"))


def upcoming(task: Task, now: datetime, limit: int = 3) -> list[Occurrence]:
    """SPEC §12's ``next``: what completing now, then twice more, would give."""
    found = series(task)
    if found is None or (task.due_on is None and task.due_date is None):
        return []
    return found.upcoming(current=current(task), now=now, zone=zone(task), limit=limit)


def _require_due(task: Task) -> None:
    if task.due_on is None and task.due_date is None:
        raise ValidationError({"recurrence": ["A recurring task must have a due (due_date or due_on)."]})


def recurrence_assign(task: Task, value: Any, *, zone_name: str) -> None:
    """Sets the task's rule from a request's ``recurrence`` (null clears it), with the task's
    current due as its start; ValidationError naming the problem on ``recurrence``."""
    if value is None:
        task.recurrence = None
        return
    _require_due(task)
    try:
        rule = parse(value["rrule"], all_day=task.due_on is not None, zone=dues.zone_named(zone_name))
    except RuleError as error:
        raise ValidationError({"recurrence": [str(error)]}) from None
    task.recurrence = {
        "rrule": rule.text(),
        "from": value.get("from") or FROM_MODES[0],
        "start": _due_text(task.due_on or task.due_date),  # type: ignore[arg-type]
        "served": 1,
        "zone": zone_name,
    }


def restart_on_new_due(task: Task) -> None:
    """A client edited the due of a recurring task: the rule starts again from it."""
    if task.recurrence is None:
        return
    _require_due(task)
    task.recurrence = {**task.recurrence, "start": _due_text(task.due_on or task.due_date), "served": 1}  # type: ignore[arg-type]


def retime_for_zone(task: Task, zone: ZoneInfo) -> None:
    """The owner's zone changed (SPEC §12): the current due keeps its instant and later
    occurrences keep its wall time in ``zone``, so a timed rule's start moves to that wall time.
    Of the days around the start's, the one nearest the old start instant is taken: a wall time
    that crosses midnight must not shift the series, or what ``COUNT`` counts, by a day."""
    if task.recurrence is None:
        return
    stored = {**task.recurrence, "zone": zone.key}
    if task.due_on is None and task.due_at is not None:
        start = datetime.fromisoformat(stored["start"])
        wall = task.due_at.astimezone(zone).time()
        day = start.astimezone(zone).date()
        candidates = (
            datetime.combine(day + timedelta(days=shift), wall, tzinfo=zone).astimezone(UTC)
            for shift in (0, -1, 1)
        )
        stored["start"] = _due_text(min(candidates, key=lambda moment: abs(moment - start)))
    task.recurrence = stored


def advance(task: Task, *, now: datetime, record: bool) -> bool:
    """Moves a recurring task's due to its next occurrence (recording the completion of the
    current one when ``record``); whether there was one. The status and board place are the
    caller's."""
    next_due = upcoming(task, now, limit=1)
    if record:
        TaskCompletion.objects.create(task=task, due_at=task.due_at, due_on=task.due_on, completed_at=now)
    if not next_due:
        return False
    following = next_due[0]
    if following.due_on is not None:
        task.due_on = following.due_on
        task.due_at = dues.day_end(following.due_on, zone(task))
    else:
        task.due_date = following.due_date
    assert task.recurrence is not None  # noqa: S101 - upcoming() found a rule
    task.recurrence = {**task.recurrence, "served": int(task.recurrence.get("served", 1)) + 1}
    return True


def as_json(task: Task, now: datetime) -> dict[str, Any] | None:
    """The API's ``recurrence``: the rule normalised, its mode, ``start`` and ``next``."""
    if not task.recurrence:
        return None
    return {
        "rrule": task.recurrence["rrule"],
        "from": task.recurrence["from"],
        "start": _start_text(task.recurrence["start"]),
        "next": [
            o.due_on.isoformat() if o.due_on is not None else _iso_z(o.due_date) for o in upcoming(task, now)
        ],
    }


def _start_text(stored: str) -> str:
    value = _due_value(stored)
    return value.isoformat() if not isinstance(value, datetime) else _iso_z(value.astimezone(UTC))


def _iso_z(moment: datetime | None) -> str:
    assert moment is not None  # noqa: S101 - one of the two is set
    return moment.isoformat().replace("+00:00", "Z")

"""Recurring tasks (SPEC §12): a task's stored rule, the dues it gives, and what completing or
skipping an occurrence does to the task. The rule language is ``tasks.recurrence``; the board
moves are the caller's (``tasks.services``, through ``tasks.board``).

The stored ``recurrence`` is ``{"rrule", "from", "start", "served", "zone"}`` and, for a timed
start made from a wall time that a spring-forward gap skips, ``"wall"`` (``"02:30:00"``): the
start moment alone would name the later wall time (03:30) and the series would recur at it."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError

from tasks import dues
from tasks.models import Task, TaskCompletion
from tasks.recurrence import FROM_MODES, Occurrence, RuleError, Series, parse, wall_clock


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
        wall=_stored_wall(stored),
    )


def _stored_wall(stored: dict[str, Any]) -> time | None:
    return time.fromisoformat(stored["wall"]) if stored.get("wall") else None


def zone(task: Task) -> Any:
    return dues.zone_named((task.recurrence or {}).get("zone"))


def upcoming(task: Task, now: datetime, limit: int = 3) -> list[Occurrence]:
    """SPEC §12's ``next``: what completing now, then twice more, would give."""
    found = series(task)
    if found is None or (task.due_on is None and task.due_date is None):
        return []
    return found.upcoming(current=current(task), now=now, zone=zone(task), limit=limit)


def _series_wall(task: Task) -> time | None:
    """The time of day the task's timed series recurs at (None without one): a new start made
    from its current due keeps it where the due is that time read in a gap."""
    stored = task.recurrence
    if not stored or not isinstance(start := _due_value(stored["start"]), datetime):
        return None
    return wall_clock(start, zone(task), _stored_wall(stored)).time()


def _start(due: date | datetime, zone: ZoneInfo, wall: time | None) -> dict[str, Any]:
    """The stored start for ``due``, with ``wall`` beside it only where it reads as the due but
    is not the due's own wall time (a spring-forward gap); old rows and most starts have none."""
    stored: dict[str, Any] = {"start": _due_text(due)}
    if isinstance(due, datetime) and wall is not None:
        clock = wall_clock(due, zone, wall)
        if clock != due.astimezone(zone).replace(tzinfo=None):
            stored["wall"] = clock.time().isoformat()
    return stored


def _set_start(
    task: Task, stored: dict[str, Any], due: date | datetime, zone: ZoneInfo, wall: time | None
) -> None:
    """``stored`` with a new start at ``due`` (an old ``wall`` dropped), set on the task."""
    stored = {key: value for key, value in stored.items() if key != "wall"}
    task.recurrence = {**stored, **_start(due, zone, wall)}


def _require_due(task: Task) -> None:
    if task.due_on is None and task.due_date is None:
        raise ValidationError({"recurrence": ["A recurring task must have a due (due_date or due_on)."]})


def recurrence_assign(task: Task, value: Any, *, zone_name: str, wall: time | None = None) -> None:
    """Sets the task's rule from a request's ``recurrence`` (null clears it), with the task's
    current due as its start; ValidationError naming the problem on ``recurrence``. ``wall``:
    the wall time the due was read from (quick add), else the current series' time of day."""
    if value is None:
        task.recurrence = None
        return
    _require_due(task)
    owner_zone = dues.zone_named(zone_name)
    try:
        rule = parse(value["rrule"], all_day=task.due_on is not None, zone=owner_zone)
    except RuleError as error:
        raise ValidationError({"recurrence": [str(error)]}) from None
    stored = {
        "rrule": rule.text(),
        "from": value.get("from") or FROM_MODES[0],
        "served": 1,
        "zone": zone_name,
    }
    wall = wall if wall is not None else _series_wall(task)
    _set_start(task, stored, task.due_on or task.due_date, owner_zone, wall)  # type: ignore[arg-type]


def restart_on_new_due(task: Task) -> None:
    """A client edited the due of a recurring task: the rule starts again from it (at the
    series' time of day if the new due is that time on a day that skips it)."""
    if task.recurrence is None:
        return
    _require_due(task)
    stored = {**task.recurrence, "served": 1}
    _set_start(task, stored, task.due_on or task.due_date, zone(task), _series_wall(task))  # type: ignore[arg-type]


def retime_for_zone(task: Task, zone: ZoneInfo) -> None:
    """The owner's zone changed (SPEC §12): the current due keeps its instant and later
    occurrences keep its wall time in ``zone``, so a timed rule's start moves to that wall time.
    Of the days around the start's, the one nearest the old start instant is taken: a wall time
    that crosses midnight must not shift the series, or what ``COUNT`` counts, by a day. A new
    start that falls in a gap keeps that wall time beside it (``wall``)."""
    if task.recurrence is None:
        return
    stored = {**task.recurrence, "zone": zone.key}
    if task.due_on is None and task.due_at is not None:
        start = datetime.fromisoformat(stored["start"])
        wall = wall_clock(task.due_at, zone, _series_wall(task)).time()
        day = start.astimezone(zone).date()
        candidates = (
            datetime.combine(day + timedelta(days=shift), wall, tzinfo=zone).astimezone(UTC)
            for shift in (0, -1, 1)
        )
        _set_start(task, stored, min(candidates, key=lambda moment: abs(moment - start)), zone, wall)
        return
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

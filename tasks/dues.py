"""When a task is due (SPEC §11): at a moment (``due_date``) or on a day (``due_on``, all-day).

Every rule that compares a due with a moment (overdue, deadline notifications, the dashboard,
the ``due_date_from``/``due_date_to`` filters, ``sort_by=due_date``) reads ``Task.due_at``, the
**due moment**, which this module alone computes: the moment itself for a timed task, and for
an all-day task the end of its day in the owner's time zone (the first instant of the next
local day). The column is indexed like the old ``due_date``, so those rules stay index scans;
it is rewritten for the owner's all-day tasks when the owner's time zone changes
(``tasks.services.owner_zone_changed``)."""

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from accounts.preferences import DEFAULT_PREFERENCES

DEFAULT_ZONE = DEFAULT_PREFERENCES["timezone"]
UTC_ZONE = zoneinfo.ZoneInfo("UTC")


def zone_named(name: Any) -> zoneinfo.ZoneInfo:
    """The zone of that IANA name; UTC for anything that is not one (stored preferences are
    validated on the way in, so this is only a guard for old rows)."""
    try:
        return zoneinfo.ZoneInfo(str(name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(DEFAULT_ZONE)


def zone_of(user: Any) -> zoneinfo.ZoneInfo:
    """The user's time zone (``preferences.timezone``, default UTC)."""
    preferences = getattr(user, "preferences", None) or {}
    return zone_named(preferences.get("timezone", DEFAULT_ZONE))


def day_start(day: date, zone: zoneinfo.ZoneInfo) -> datetime:
    """The first instant of ``day`` in ``zone``, in UTC. Where midnight falls in a gap (a zone
    that springs forward at 00:00), fold 0 reads it with the offset before the change, which is
    the instant the day begins; where it happens twice, fold 0 is the first time."""
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def day_end(day: date, zone: zoneinfo.ZoneInfo) -> datetime:
    """The end of ``day`` in ``zone``: the first instant of the next local day, in UTC."""
    return day_start(day + timedelta(days=1), zone)


def due_moment(*, due_date: datetime | None, due_on: date | None, zone: zoneinfo.ZoneInfo) -> datetime | None:
    """The due moment of a task: ``due_date``, or the end of ``due_on`` in the owner's zone, or
    None for a task without a due."""
    if due_on is not None:
        return day_end(due_on, zone)
    return due_date


def local_date(moment: datetime, zone: zoneinfo.ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def next_midnight(moment: datetime, zone: zoneinfo.ZoneInfo) -> datetime:
    """When the local day of ``moment`` ends in ``zone``."""
    return day_end(local_date(moment, zone), zone)


def notification_key(*, due_at: datetime, due_on: date | None) -> datetime:
    """What makes a deadline notification unique for a task (with its type): the due moment for
    a timed task, and the day for an all-day one (stored as that date's 00:00 UTC), so that a
    time-zone change, which moves the moment, earns no new notification."""
    if due_on is not None:
        return datetime.combine(due_on, time.min, tzinfo=UTC)
    return due_at


@dataclass(frozen=True)
class Due:
    """A task's due as the API has it: at most one of the two is set."""

    due_date: datetime | None = None
    due_on: date | None = None


def due_changed(current: Due, changes: dict[str, Any]) -> Due:
    """The due after a request's ``due_date``/``due_on`` (SPEC §11): setting one to a value
    clears the other; sending one as null leaves the other; both null clears both. The caller
    has refused both non-null."""
    due_date, due_on = current.due_date, current.due_on
    if "due_date" in changes:
        due_date = changes["due_date"]
        if due_date is not None:
            due_on = None
    if "due_on" in changes:
        due_on = changes["due_on"]
        if due_on is not None:
            due_date = None
    return Due(due_date, due_on)


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _day_text(day: date, today: date) -> str:
    text = f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"
    return text if day.year == today.year else f"{text} {day.year}"


def due_display(
    *, due_at: datetime | None, due_on: date | None, zone: zoneinfo.ZoneInfo, now: datetime
) -> str:
    """How messages and e-mails show a due (SPEC §11), in English: ``Thu 24 Dec`` for an
    all-day task, ``Thu 24 Dec 17:00 CET`` for a moment, on the owner's wall clock with the
    zone's abbreviation; the year is added when it is not the current one there. Empty
    without a due."""
    today = local_date(now, zone)
    if due_on is not None:
        return _day_text(due_on, today)
    if due_at is None:
        return ""
    local = due_at.astimezone(zone)
    return f"{_day_text(local.date(), today)} {local:%H:%M} {local.tzname()}"

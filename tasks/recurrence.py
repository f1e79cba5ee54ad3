"""Recurrence rules (SPEC §12): the RFC 5545 RRULE subset a task may carry, parsed strictly,
written back normalised, and expanded on the owner's wall clock.

The expansion is python-dateutil's ``rrule`` (the reference implementation most Python
calendars use) over naive local times: "every day at 09:00" stays at 09:00 in the owner's zone
across daylight-saving changes, and each occurrence becomes a moment through ``zoneinfo``. As
RFC 5545 says, the rule's start (DTSTART) is always the first occurrence, and ``COUNT`` counts
it; dateutil alone would skip a start that does not match the rule.

A start is a moment, and a wall time that a spring-forward gap skips (02:30 on Berlin's change
day) becomes the moment 03:30 names: the series then takes its wall time from ``wall``, the time
it was made from, wherever that time reads as the start (``wall_clock``)."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import rrule

from tasks.dues import day_end

FREQUENCIES = {"DAILY": rrule.DAILY, "WEEKLY": rrule.WEEKLY, "MONTHLY": rrule.MONTHLY, "YEARLY": rrule.YEARLY}
WEEKDAYS = {
    "MO": rrule.MO,
    "TU": rrule.TU,
    "WE": rrule.WE,
    "TH": rrule.TH,
    "FR": rrule.FR,
    "SA": rrule.SA,
    "SU": rrule.SU,
}
PART_ORDER = ("FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "COUNT", "UNTIL")
FROM_MODES = ("due", "completion")
MAX_INTERVAL, MAX_COUNT = 999, 1000
# How far an expansion may look for the next occurrence: a rule that matches nothing in that
# span (BYMONTHDAY=31;BYMONTH=2) has none.
HORIZON_YEARS = 400

_BYDAY = re.compile(r"([+-]?)(\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_UNTIL_DAY = re.compile(r"(\d{4})(\d{2})(\d{2})")
_UNTIL_MOMENT = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z?)")


class RuleError(ValueError):
    """What is wrong with a rule, in words a client can show (``"BYSETPOS is not supported"``)."""


@dataclass(frozen=True)
class Rule:
    """A parsed rule. ``until`` is a day for all-day tasks, a UTC moment for timed ones."""

    freq: str
    interval: int = 1
    byday: tuple[str, ...] = ()
    bymonthday: tuple[int, ...] = ()
    bymonth: tuple[int, ...] = ()
    count: int | None = None
    until: date | datetime | None = None

    def text(self) -> str:
        """The rule normalised: parts in SPEC order, ``INTERVAL=1`` left out, lists in the
        client's order, ``UNTIL`` as ``YYYYMMDD`` or ``YYYYMMDDTHHMMSSZ``."""
        parts = [f"FREQ={self.freq}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        for name, values in (
            ("BYDAY", self.byday),
            ("BYMONTHDAY", self.bymonthday),
            ("BYMONTH", self.bymonth),
        ):
            if values:
                parts.append(f"{name}={','.join(str(value) for value in values)}")
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        if isinstance(self.until, datetime):
            parts.append(f"UNTIL={self.until.astimezone(UTC):%Y%m%dT%H%M%SZ}")
        elif self.until is not None:
            parts.append(f"UNTIL={self.until:%Y%m%d}")
        return ";".join(parts)


def _integer(name: str, value: str, low: int, high: int, *, signed: bool = False) -> int:
    if not re.fullmatch(r"[+-]?\d+" if signed else r"\+?\d+", value):
        raise RuleError(f"{name} must be an integer, not {value!r}")
    number = int(value)
    if not (low <= abs(number) <= high if signed else low <= number <= high):
        bounds = f"{low}–{high} or -{high}–-{low}" if signed else f"{low}–{high}"
        raise RuleError(f"{name} must be {bounds}, not {value}")
    return number


def _byday(value: str, freq: str) -> tuple[str, ...]:
    days = []
    for item in value.split(","):
        match = _BYDAY.fullmatch(item)
        if match is None:
            raise RuleError(f"BYDAY has an invalid day {item!r}")
        sign, ordinal, day = match.groups()
        if ordinal is not None:
            if freq in ("DAILY", "WEEKLY"):
                raise RuleError(f"BYDAY ordinals ({item}) are only allowed with FREQ=MONTHLY or YEARLY")
            number = int(ordinal)
            if not 1 <= number <= (5 if freq == "MONTHLY" else 53):
                raise RuleError(f"BYDAY has an ordinal out of range: {item}")
            item = f"{'-' if sign == '-' else ''}{number}{day}"
        else:
            item = day
        days.append(item)
    return tuple(days)


def _until(value: str, all_day: bool, zone: ZoneInfo) -> date | datetime:
    """``UNTIL`` as a day (all-day tasks) or a UTC moment (timed ones). A day given for a timed
    task means through that day in the owner's zone; a moment given for an all-day task, its
    day there. A moment without ``Z`` is on the owner's wall clock."""
    day_match, moment_match = _UNTIL_DAY.fullmatch(value), _UNTIL_MOMENT.fullmatch(value)
    try:
        if day_match:
            day = date(*(int(part) for part in day_match.groups()))
            if all_day:
                return day
            return day_end(day, zone) - timedelta(seconds=1)
        if moment_match:
            year, month, mday, hour, minute, second = (int(part) for part in moment_match.groups()[:6])
            written_in = UTC if moment_match[7] else zone
            moment = datetime(year, month, mday, hour, minute, second, tzinfo=written_in)
            return moment.astimezone(zone).date() if all_day else moment.astimezone(UTC)
    except ValueError:
        pass
    raise RuleError(f"UNTIL must be YYYYMMDD or YYYYMMDDTHHMMSSZ, not {value!r}")


def parse(text: Any, *, all_day: bool, zone: ZoneInfo) -> Rule:
    """The rule in ``text``; RuleError naming the part for anything outside SPEC §12's subset."""
    if not isinstance(text, str) or not text.strip():
        raise RuleError("rrule must be a non-empty string")
    body = text.strip().upper()
    if body.startswith("RRULE:"):
        body = body[len("RRULE:") :]
    values: dict[str, str] = {}
    for part in body.split(";"):
        name, equals, value = part.partition("=")
        name, value = name.strip(), value.strip()
        if not equals or not name or not value:
            raise RuleError(f"{part!r} is not NAME=VALUE")
        if name not in PART_ORDER:
            raise RuleError(f"{name} is not supported")
        if name in values:
            raise RuleError(f"{name} is given twice")
        values[name] = value
    if "FREQ" not in values:
        raise RuleError("FREQ is required")
    freq = values["FREQ"]
    if freq not in FREQUENCIES:
        raise RuleError(f"FREQ={freq} is not supported (DAILY, WEEKLY, MONTHLY or YEARLY)")
    if "COUNT" in values and "UNTIL" in values:
        raise RuleError("COUNT and UNTIL cannot be used together")
    return Rule(
        freq=freq,
        interval=_integer("INTERVAL", values["INTERVAL"], 1, MAX_INTERVAL) if "INTERVAL" in values else 1,
        byday=_byday(values["BYDAY"], freq) if "BYDAY" in values else (),
        bymonthday=tuple(
            _integer("BYMONTHDAY", v, 1, 31, signed=True) for v in values["BYMONTHDAY"].split(",")
        )
        if "BYMONTHDAY" in values
        else (),
        bymonth=tuple(_integer("BYMONTH", v, 1, 12) for v in values["BYMONTH"].split(","))
        if "BYMONTH" in values
        else (),
        count=_integer("COUNT", values["COUNT"], 1, MAX_COUNT) if "COUNT" in values else None,
        until=_until(values["UNTIL"], all_day, zone) if "UNTIL" in values else None,
    )


def _weekday(item: str) -> Any:
    match = _BYDAY.fullmatch(item)
    assert match is not None  # noqa: S101 - parse() checked it
    sign, ordinal, day = match.groups()
    return WEEKDAYS[day](-int(ordinal) if sign == "-" else int(ordinal)) if ordinal else WEEKDAYS[day]


def _local_series(rule: Rule, start: datetime, zone: ZoneInfo) -> Iterator[datetime]:
    """Naive local occurrences from ``start`` (naive, local): the start first, as RFC 5545
    counts it, then the rule's later ones, ``COUNT`` and ``UNTIL`` applied."""
    until = None
    if isinstance(rule.until, datetime):
        until = rule.until.astimezone(zone).replace(tzinfo=None)
    elif rule.until is not None:
        until = datetime.combine(rule.until, time.max)
    later = rrule.rrule(
        FREQUENCIES[rule.freq],
        dtstart=start,
        interval=rule.interval,
        byweekday=[_weekday(item) for item in rule.byday] or None,
        bymonthday=list(rule.bymonthday) or None,
        bymonth=list(rule.bymonth) or None,
        until=until,
        cache=False,
    )
    horizon = start.replace(year=min(start.year + HORIZON_YEARS, 9999))

    def series() -> Iterator[datetime]:
        if until is None or start <= until:
            yield start
        for occurrence in later.xafter(start, inc=False):
            if occurrence > horizon:
                return
            yield occurrence

    return islice(series(), rule.count) if rule.count is not None else series()


@dataclass(frozen=True)
class Occurrence:
    """A due of the series: the day of an all-day task, or the moment of a timed one."""

    due_on: date | None = None
    due_date: datetime | None = None


def wall_clock(start: datetime, zone: ZoneInfo, wall: time | None = None) -> datetime:
    """The start's time on the owner's wall clock (naive): ``wall`` on the start's day when
    fold 0 reads it as the start (a time in a spring-forward gap, which names a later wall time),
    else the start's own wall time. A ``wall`` that does not read as the start is ignored, so a
    stale one never moves a series."""
    local = start.astimezone(zone)
    if wall is not None:
        intended = datetime.combine(local.date(), wall.replace(fold=0))
        if intended.replace(tzinfo=zone).astimezone(UTC) == start.astimezone(UTC):
            return intended
    return local.replace(tzinfo=None)


def occurrences(
    rule: Rule, *, start: date | datetime, zone: ZoneInfo, wall: time | None = None
) -> Iterator[Occurrence]:
    """The series of dues from ``start`` (a day for all-day tasks, a moment for timed ones), on
    the owner's wall clock at the start's wall time (``wall_clock``); a wall time that does not
    exist that day (a spring-forward gap) is read with the offset before the change, as
    ``zoneinfo`` does."""
    if isinstance(start, datetime):
        local = wall_clock(start, zone, wall)
        for occurrence in _local_series(rule, local, zone):
            yield Occurrence(due_date=occurrence.replace(tzinfo=zone).astimezone(UTC))
    else:
        for occurrence in _local_series(rule, datetime.combine(start, time.min), zone):
            yield Occurrence(due_on=occurrence.date())


def _moment(occurrence: Occurrence, zone: ZoneInfo) -> datetime:
    """The due moment of an occurrence (an all-day one is due at the end of its day)."""
    if occurrence.due_on is not None:
        return day_end(occurrence.due_on, zone)
    assert occurrence.due_date is not None  # noqa: S101 - one of the two is set
    return occurrence.due_date


def _local_day(occurrence: Occurrence, zone: ZoneInfo) -> date:
    if occurrence.due_on is not None:
        return occurrence.due_on
    assert occurrence.due_date is not None  # noqa: S101 - one of the two is set
    return occurrence.due_date.astimezone(zone).date()


def _restarted(
    start: date | datetime, day: date, zone: ZoneInfo, wall: time | None
) -> tuple[date | datetime, time | None]:
    """The series' start moved to ``day``, at the task's time of day on the owner's clock, and
    that time of day (the restarted start's ``wall``, should ``day`` have a gap at it)."""
    if isinstance(start, datetime):
        clock = wall_clock(start, zone, wall).time()
        return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC), clock
    return day, None


@dataclass(frozen=True)
class Series:
    """A task's recurrence as it is stored: the rule, its mode, its start (the rule's DTSTART)
    and, for ``from: "completion"``, how many occurrences it has served (the current due
    included): there ``COUNT`` counts those. ``wall``: the wall time a timed start was made from,
    when a spring-forward gap made the start a different one (``wall_clock``)."""

    rule: Rule
    mode: str
    start: date | datetime
    served: int = 1
    wall: time | None = None

    def upcoming(
        self, *, current: Occurrence, now: datetime, zone: ZoneInfo, limit: int = 3
    ) -> list[Occurrence]:
        """The dues completing now would give, and then ``limit - 1`` more completions, each on
        its due's day (SPEC §12's ``next``); the first is the advance, [] when none is left.

        ``due``: the occurrences of the series later than both the current due and now (missed
        ones are skipped, and count towards ``COUNT``). ``completion``: the series restarted on
        the completion day (today, in the owner's zone), its first occurrence after that day;
        ``COUNT`` then counts the occurrences served."""
        if self.mode == "due":
            after = max(_moment(current, zone), now)
            found = (
                o
                for o in occurrences(self.rule, start=self.start, zone=zone, wall=self.wall)
                if _moment(o, zone) > after
            )
            return list(islice(found, limit))
        dues: list[Occurrence] = []
        day = now.astimezone(zone).date()
        unbounded = Rule(**{**self.rule.__dict__, "count": None})
        for served in range(self.served, self.served + limit):
            if self.rule.count is not None and served >= self.rule.count:
                break
            start, wall = _restarted(self.start, day, zone, self.wall)
            later = (
                o
                for o in occurrences(unbounded, start=start, zone=zone, wall=wall)
                if _local_day(o, zone) > day
            )
            following = next(later, None)
            if following is None:
                break
            dues.append(following)
            day = _local_day(following, zone)
        return dues

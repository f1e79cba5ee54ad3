"""Quick add (SPEC §13): one line of text read into a task's title, due, rule, labels and priority.

A small grammar of our own rather than a natural-language date library: SPEC lists the exact
readings, and ``dateparser`` or ``parsedatetime`` read far more ("may" or "march" in a title
become dates) and depend on locale data and versions. Here every reading is a pattern below,
the result depends only on the text, ``now`` and the zone, and text matching no reading stays
in the title: a phrase is either read exactly or not at all.

Choices where SPEC is silent:

- Readings are whole words: they start the text or follow a space or ``,``, and end it or come
  before a space, one of ``, ; : ! ?`` or a ``.`` not followed by a digit. So "tomorrow." is
  read, "tomorrow's" and "(tomorrow)" are not. No space is left before punctuation that ended
  a removed reading's word ("Pay rent tomorrow." → "Pay rent."); a comma between two removed
  readings or left at either end of the title goes ("tomorrow, call mom" → "call mom").
- Priority, date, time and rule are read once each: the first readable one in the text wins and
  a second stays in the title; "every" is read before dates, so "every monday" is a rule only.
  Every label is read; a repeated name (whatever its case) is consumed but counted once.
  A label's length and the number of labels are the caller's to check (SPEC's 400s).
- Weekdays: the full name anywhere; the 3-letter one (mon … sun) only after ``next`` or
  ``every``, because "sun", "sat" and "wed" are ordinary words in titles. Rules take lists
  ``every mon, wed``, ``every mon and wed``, ``every mon, wed and fri`` (BYDAY in typed order).
- Months: the full name, the 3-letter one, or "sept"; the day may carry its ordinal
  ("dec 1st"); a 4-digit year after it ("dec 24 2027", "24 dec 2027") or an ISO date gives that
  exact day, even a past one (years 1900–2999). ``feb 29`` without a year is the next 29 Feb.
- Times: ``at H:MM`` (24-hour, the minutes required), ``H[:MM]am|pm`` with or without ``at``
  (``at 5 pm`` too; 12am is midnight), never a bare number. ``tonight`` is a date and a time at
  once, so a time after it stays in the title. A time already past today means tomorrow
  (exactly now is not past). ``in N …`` is a date: with a time it gets that time.
- ``N`` in ``in N …`` and ``every N …`` is 1–999 (the rule language's limit); "every month" and
  "every year" read as ``every 1 month|year``.
- A rule without a date starts on its first occurrence not before now: today (or tomorrow if
  the time given is past) for rules without BYDAY/BYMONTHDAY, else the first matching day from
  there. A wall time in a daylight-saving gap is read with fold 0, as tasks.recurrence does;
  ``read`` also gives the wall time read, so that the rule recurs at it and not at the later
  wall time the gap day's moment names.
- The title is whitespace-collapsed and trimmed; NUL characters read as spaces (PostgreSQL
  cannot store them). Its length limit (``tasks.models.TITLE_MAX_LENGTH``) is the caller's.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from tasks import recurrence

EVENING = time(20, 0)  # what "tonight" means
MAX_NUMBER = recurrence.MAX_INTERVAL
YEARS = range(1900, 3000)
# How many years ahead "feb 29" may look for its day (leap years are at most 8 apart).
YEARS_AHEAD = 8

_START = r"(?<![^\s,])"
_END = r"(?=[\s,;:!?]|\.(?![0-9])|$)"
_WEEKDAYS = {
    name: code
    for code, full in zip(
        recurrence.WEEKDAYS,
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
        strict=True,
    )
    for name in (full, full[:3])
}
_FULL_WEEKDAY = "|".join(name for name in _WEEKDAYS if len(name) > 3)
_ANY_WEEKDAY = rf"(?:{_FULL_WEEKDAY}|{'|'.join(name for name in _WEEKDAYS if len(name) == 3)})\b"
_MONTH_NAMES = "january february march april may june july august september october november december"
_MONTHS = {name: number for number, full in enumerate(_MONTH_NAMES.split(), 1) for name in (full, full[:3])}
_MONTHS["sept"] = 9
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ORDINAL = r"(?P<suffix>st|nd|rd|th)"
_PRIORITIES = {"low": "LOW", "medium": "MEDIUM", "high": "HIGH", "urgent": "URGENT"}
_RANKS = {"1": "URGENT", "2": "HIGH", "3": "MEDIUM", "4": "LOW"}
_UNITS = {"day": "DAILY", "week": "WEEKLY", "month": "MONTHLY", "year": "YEARLY"}


def _pattern(body: str) -> re.Pattern[str]:
    return re.compile(_START + body + _END, re.IGNORECASE)


_LABEL = re.compile(r"#(?P<name>[^\s,#]+)")
_PRIORITY = _pattern(r"(?:!(?P<word>low|medium|high|urgent)|p(?P<rank>[1-4]))")
_EVERY = _pattern(
    r"every(?P<completion>!)?\s+(?:(?P<unit>day|weekday|week|year)"
    rf"|month(?:\s+on\s+the\s+(?P<mday>[0-9]{{1,2}}){_ORDINAL})?"
    r"|(?P<number>[0-9]{1,3})\s+(?P<units>days?|weeks?|months?|years?)"
    r"|(?P<last>last\s+day)"
    rf"|(?P<days>{_ANY_WEEKDAY}(?:(?:\s*,\s*(?:and\s+)?|\s+and\s+){_ANY_WEEKDAY})*))"
)
_RELATIVE = _pattern(r"(?P<word>today|tomorrow|tonight)")
_WEEKDAY = _pattern(rf"(?:(?P<next>next)\s+(?P<any>{_ANY_WEEKDAY})|(?P<full>{_FULL_WEEKDAY}))")
_IN = _pattern(r"in\s+(?P<number>[0-9]{1,3})\s+(?P<unit>days?|weeks?|months?)")
_ISO = _pattern(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})")
_SLASH = _pattern(r"(?P<month>[0-9]{1,2})/(?P<day>[0-9]{1,2})")
_MONTH_DAY = _pattern(rf"(?P<name>{_MONTH})\s+(?P<day>[0-9]{{1,2}}){_ORDINAL}?(?:,?\s+(?P<year>[0-9]{{4}}))?")
_DAY_MONTH = _pattern(rf"(?P<day>[0-9]{{1,2}}){_ORDINAL}?\s+(?P<name>{_MONTH})(?:\s+(?P<year>[0-9]{{4}}))?")
_TIME = _pattern(
    r"(?:(?P<at>at)\s+)?(?P<hour>[0-9]{1,2})(?::(?P<minute>[0-9]{2}))?(?:(?P<space>\s?)(?P<half>am|pm))?"
)


@dataclass(frozen=True)
class Parsed:
    """What the text says; ``due_date`` (aware, UTC) and ``due_on`` are never both set."""

    title: str
    due_date: datetime | None
    due_on: date | None
    recurrence: dict[str, str] | None
    labels: list[str]
    priority: str | None


Reading = tuple[re.Pattern[str], Callable[[re.Match[str]], Any]]


class _Scan:
    """The text and which of its characters readings have consumed."""

    def __init__(self, text: str) -> None:
        self.text = text.replace("\x00", " ")
        self.kept = [True] * len(self.text)

    def view(self) -> str:
        """The text with consumed characters as NUL, which no reading matches or borders."""
        return "".join(c if kept else "\x00" for c, kept in zip(self.text, self.kept, strict=True))

    def consume(self, start: int, end: int) -> None:
        self.kept[start:end] = [False] * (end - start)

    def take(self, readings: Sequence[Reading]) -> Any:
        """The value of the earliest match any reading can read, consumed; None without one."""
        view, best = self.view(), None
        for pattern, read in readings:
            for match in pattern.finditer(view):
                value = read(match)
                if value is not None:
                    if best is None or match.start() < best[0].start():
                        best = (match, value)
                    break
        if best is None:
            return None
        self.consume(*best[0].span())
        return best[1]

    def title(self) -> str:
        """The text left, without the gaps and stray commas the removed readings leave."""
        marked = re.sub(r"\x00\s*,(?=\s*\x00)", "\x00", self.view())
        marked = re.sub(r"^[\s\x00]*\x00\s*,", "", marked)
        marked = re.sub(r",\s*\x00[\s\x00]*$", "", marked)
        marked = re.sub(r"\s*\x00(?:[\s\x00]*\x00)?(?=[,;:!?.](?:\s|$))", "", marked)
        return " ".join(marked.replace("\x00", " ").split())


def _labels(scan: _Scan) -> list[str]:
    """Every ``#name`` at the start of a word or right after another label, in order."""
    names: list[str] = []
    previous_end = -1
    for match in _LABEL.finditer(scan.text):
        start = match.start()
        before = scan.text[start - 1] if start > 0 else " "
        if start != previous_end and not before.isspace() and before not in ",#":
            continue
        scan.consume(start, match.end())
        previous_end = match.end()
        if match["name"].casefold() not in {name.casefold() for name in names}:
            names.append(match["name"])
    return names


def _priority(match: re.Match[str]) -> str:
    if match["word"]:
        return _PRIORITIES[match["word"].lower()]
    return _RANKS[match["rank"]]


def _suffix_fits(number: int, suffix: str | None) -> bool:
    """Whether an ordinal's suffix is the English one (1st, 2nd, 3rd, 4th, 11th, 21st …)."""
    if suffix is None:
        return True
    expected = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return suffix.lower() == expected


# Rules -----------------------------------------------------------------------------------------


def _rule_text(match: re.Match[str]) -> str | None:
    if match["unit"]:
        unit = match["unit"].lower()
        return "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR" if unit == "weekday" else f"FREQ={_UNITS[unit]}"
    if match["number"]:
        number = int(match["number"])
        if not 1 <= number <= MAX_NUMBER:
            return None
        return f"FREQ={_UNITS[match['units'].lower().rstrip('s')]};INTERVAL={number}"
    if match["last"]:
        return "FREQ=MONTHLY;BYMONTHDAY=-1"
    if match["days"]:
        codes = dict.fromkeys(_WEEKDAYS[day.lower()] for day in re.findall(_ANY_WEEKDAY, match["days"], re.I))
        return f"FREQ=WEEKLY;BYDAY={','.join(codes)}"
    if match["mday"] is None:
        return "FREQ=MONTHLY"
    mday = int(match["mday"])
    fits = 1 <= mday <= 31 and _suffix_fits(mday, match["suffix"])
    return f"FREQ=MONTHLY;BYMONTHDAY={mday}" if fits else None


def _rule_reading(zone: ZoneInfo) -> Reading:
    def read(match: re.Match[str]) -> tuple[recurrence.Rule, str] | None:
        text = _rule_text(match)
        if text is None:
            return None
        mode = recurrence.FROM_MODES[1] if match["completion"] else recurrence.FROM_MODES[0]
        return recurrence.parse(text, all_day=True, zone=zone), mode

    return _EVERY, read


def _first_day(rule: recurrence.Rule, day: date, zone: ZoneInfo) -> date:
    """The first day from ``day`` on that the rule can start: any day for a rule without BY
    parts, else the first day they match (the series' own start, one day before, skipped)."""
    if not rule.byday and not rule.bymonthday:
        return day
    later = islice(recurrence.occurrences(rule, start=day - timedelta(days=1), zone=zone), 1, None)
    found = next(later, None)
    return found.due_on if found is not None and found.due_on is not None else day


# Dates and times -------------------------------------------------------------------------------


def _moment(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def _not_past(clock: time | None, now: datetime, zone: ZoneInfo) -> date:
    """Today, or tomorrow when ``clock`` has already passed today."""
    today = now.astimezone(zone).date()
    if clock is not None and _moment(today, clock, zone) < now:
        return today + timedelta(days=1)
    return today


def _on_or_after(today: date, month: int, day: int) -> date | None:
    for year in range(today.year, today.year + YEARS_AHEAD + 1):
        try:
            found = date(year, month, day)
        except ValueError:
            continue
        if found >= today:
            return found
    return None


def _exact(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day) if year in YEARS else None
    except ValueError:
        return None


def _month_day(match: re.Match[str], today: date, month: int) -> date | None:
    day = int(match["day"])
    if not _suffix_fits(day, match["suffix"]):
        return None
    if match["year"]:
        return _exact(int(match["year"]), month, day)
    return _on_or_after(today, month, day)


def _date_readings(now: datetime, zone: ZoneInfo) -> list[Reading]:
    """The date readings, each giving ``(day, time or None)``."""
    today = now.astimezone(zone).date()

    def relative(match: re.Match[str]) -> tuple[date, time | None]:
        word = match["word"].lower()
        if word == "tonight":
            return _not_past(EVENING, now, zone), EVENING
        return today + timedelta(days=1 if word == "tomorrow" else 0), None

    def weekday(match: re.Match[str]) -> tuple[date, None]:
        wanted = recurrence.WEEKDAYS[_WEEKDAYS[(match["any"] or match["full"]).lower()]].weekday
        return today + timedelta(days=(wanted - today.weekday() - 1) % 7 + 1), None

    def within(match: re.Match[str]) -> tuple[date, None] | None:
        number, unit = int(match["number"]), match["unit"].lower().rstrip("s")
        if not 1 <= number <= MAX_NUMBER:
            return None
        if unit == "month":
            return today + relativedelta(months=number), None
        return today + timedelta(days=number * (7 if unit == "week" else 1)), None

    def dated(found: date | None) -> tuple[date, None] | None:
        return (found, None) if found is not None else None

    return [
        (_RELATIVE, relative),
        (_WEEKDAY, weekday),
        (_IN, within),
        (_ISO, lambda m: dated(_exact(int(m["year"]), int(m["month"]), int(m["day"])))),
        (_SLASH, lambda m: dated(_on_or_after(today, int(m["month"]), int(m["day"])))),
        (_MONTH_DAY, lambda m: dated(_month_day(m, today, _MONTHS[m["name"].lower()]))),
        (_DAY_MONTH, lambda m: dated(_month_day(m, today, _MONTHS[m["name"].lower()]))),
    ]


def _clock(match: re.Match[str]) -> time | None:
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    if minute > 59:
        return None
    if match["half"]:
        if not 1 <= hour <= 12 or (match["space"] and not match["at"]):
            return None
        return time(hour % 12 + (12 if match["half"].lower() == "pm" else 0), minute)
    if match["at"] and match["minute"] and hour <= 23:
        return time(hour, minute)
    return None


def parse(text: str, *, now: datetime, zone: ZoneInfo) -> Parsed:
    """The readings of SPEC §13's quick add in ``text``, on ``zone``'s wall clock at ``now`` (a
    naive ``now`` is read as UTC). Total: text it cannot read stays in the title."""
    return read(text, now=now, zone=zone)[0]


def read(text: str, *, now: datetime, zone: ZoneInfo) -> tuple[Parsed, time | None]:
    """``parse``'s reading and the wall time of its timed due (None without one): in a
    spring-forward gap the due moment's own wall time is a later one."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    scan = _Scan(text)
    labels = _labels(scan)
    priority = scan.take([(_PRIORITY, _priority)])
    rule = scan.take([_rule_reading(zone)])
    day, clock = scan.take(_date_readings(now, zone)) or (None, None)
    if clock is None:
        clock = scan.take([(_TIME, _clock)])
    if day is None and (clock is not None or rule is not None):
        day = _not_past(clock, now, zone)
        if rule is not None:
            day = _first_day(rule[0], day, zone)
    parsed = Parsed(
        title=scan.title(),
        due_date=_moment(day, clock, zone) if day is not None and clock is not None else None,
        due_on=day if clock is None else None,
        recurrence={"rrule": rule[0].text(), "from": rule[1]} if rule is not None else None,
        labels=labels,
        priority=priority,
    )
    return parsed, clock if parsed.due_date is not None else None

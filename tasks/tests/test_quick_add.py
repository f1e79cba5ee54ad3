"""Quick add's text grammar (SPEC §13, tasks/quick_add.py): pure unit tests, no database.

Every expected value is written out by hand from the calendar: 2026-01-14 is a Wednesday,
2026-01-31 a Saturday, 2026-12-31 a Thursday; daylight saving starts on 2026-03-29 in Berlin,
2026-03-08 in Los Angeles and 2026-09-27 in Auckland, and ends on 2026-10-25 in Berlin."""

import random
from dataclasses import FrozenInstanceError
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tasks.quick_add import Parsed, parse

# (zone, now on that zone's wall clock with its offset)
UTC_WED_2330 = ("UTC", "2026-01-14T23:30:00+00:00")
UTC_THU_0010 = ("UTC", "2026-01-15T00:10:00+00:00")
UTC_JAN_31 = ("UTC", "2026-01-31T12:00:00+00:00")
UTC_DEC_31 = ("UTC", "2026-12-31T23:30:00+00:00")
BERLIN_WED_2330 = ("Europe/Berlin", "2026-01-14T23:30:00+01:00")
BERLIN_THU_0010 = ("Europe/Berlin", "2026-01-15T00:10:00+01:00")  # still Wednesday in UTC
BERLIN_SPRING = ("Europe/Berlin", "2026-03-29T00:10:00+01:00")  # 02:00 → 03:00 tonight
BERLIN_AUTUMN = ("Europe/Berlin", "2026-10-25T00:10:00+02:00")  # 03:00 → 02:00 tonight
BERLIN_DEC_31 = ("Europe/Berlin", "2026-12-31T23:30:00+01:00")
LA_JAN_31 = ("America/Los_Angeles", "2026-01-31T23:30:00-08:00")  # already 1 Feb in UTC
LA_SPRING = ("America/Los_Angeles", "2026-03-08T00:10:00-08:00")  # 02:00 → 03:00 tonight
LA_DEC_31 = ("America/Los_Angeles", "2026-12-31T10:00:00-08:00")
AUCKLAND_NEW_YEAR = ("Pacific/Auckland", "2026-01-01T00:10:00+13:00")  # still 2025 in UTC
AUCKLAND_SPRING = ("Pacific/Auckland", "2026-09-27T00:10:00+12:00")  # 02:00 → 03:00 tonight

DAILY = "FREQ=DAILY"


def phrase(at, text, title, due=None, rule=None, labels=(), priority=None):
    """One row: ``due`` is a day (``due_on``) or a UTC minute ending in ``Z`` (``due_date``);
    ``rule`` is ``(rrule, from)``, or the rrule alone for ``"from": "due"``."""
    zone, now = at
    rule = (rule, "due") if isinstance(rule, str) else rule
    expected = (title, due, rule, list(labels), priority)
    return pytest.param(zone, now, text, expected, id=f"{zone}|{now}|{text}")


PHRASES = [
    # Plain titles, priorities and labels (UTC, Wednesday 23:30)
    phrase(UTC_WED_2330, "Buy milk", "Buy milk"),
    phrase(UTC_WED_2330, "  lots   of\tspace  ", "lots of space"),
    phrase(
        UTC_WED_2330, "Pay rent !high #Home #bills", "Pay rent", labels=["Home", "bills"], priority="HIGH"
    ),
    phrase(UTC_WED_2330, "p1 Fix prod", "Fix prod", priority="URGENT"),
    phrase(UTC_WED_2330, "p2 review", "review", priority="HIGH"),
    phrase(UTC_WED_2330, "p3 review", "review", priority="MEDIUM"),
    phrase(UTC_WED_2330, "P4 tidy desk", "tidy desk", priority="LOW"),
    phrase(UTC_WED_2330, "tidy !low", "tidy", priority="LOW"),
    phrase(UTC_WED_2330, "tidy !Medium", "tidy", priority="MEDIUM"),
    phrase(UTC_WED_2330, "!URGENT call bank", "call bank", priority="URGENT"),
    phrase(UTC_WED_2330, "#work,#home report", "report", labels=["work", "home"]),
    phrase(UTC_WED_2330, "report #a#b", "report", labels=["a", "b"]),
    phrase(UTC_WED_2330, "#Work x #work #WORK", "x", labels=["Work"]),
    phrase(UTC_WED_2330, "Buy milk #home, eggs", "Buy milk, eggs", labels=["home"]),
    phrase(UTC_WED_2330, "see issue #42", "see issue", labels=["42"]),
    phrase(UTC_WED_2330, "Task #a,#b more", "Task more", labels=["a", "b"]),
    phrase(UTC_WED_2330, "year p1 !high", "year !high", priority="URGENT"),
    phrase(UTC_WED_2330, "Go tomorrow ! now", "Go ! now", due="2026-01-15"),
    # Dates and times (UTC, Wednesday 23:30)
    phrase(UTC_WED_2330, "Buy milk today", "Buy milk", due="2026-01-14"),
    phrase(UTC_WED_2330, "Buy milk TOMORROW", "Buy milk", due="2026-01-15"),
    phrase(UTC_WED_2330, "Call mom at 5pm", "Call mom", due="2026-01-15T17:00Z"),
    phrase(UTC_WED_2330, "Call mom tonight", "Call mom", due="2026-01-15T20:00Z"),
    phrase(UTC_WED_2330, "Report friday", "Report", due="2026-01-16"),
    phrase(UTC_WED_2330, "Report Wednesday", "Report", due="2026-01-21"),
    phrase(UTC_WED_2330, "Report next wed", "Report", due="2026-01-21"),
    phrase(UTC_WED_2330, "Report next Friday at 9am", "Report", due="2026-01-16T09:00Z"),
    phrase(UTC_WED_2330, "Report in 1 day", "Report", due="2026-01-15"),
    phrase(UTC_WED_2330, "Report in 2 weeks", "Report", due="2026-01-28"),
    phrase(UTC_WED_2330, "Report in 1 month", "Report", due="2026-02-14"),
    phrase(UTC_WED_2330, "in 3 days at 10:00 dentist", "dentist", due="2026-01-17T10:00Z"),
    phrase(UTC_WED_2330, "Party dec 24", "Party", due="2026-12-24"),
    phrase(UTC_WED_2330, "Party 24 Dec at 18:00", "Party", due="2026-12-24T18:00Z"),
    phrase(UTC_WED_2330, "Party December 1st", "Party", due="2026-12-01"),
    phrase(UTC_WED_2330, "Party dec 24 2027", "Party", due="2027-12-24"),
    phrase(UTC_WED_2330, "Renew 2026-12-24", "Renew", due="2026-12-24"),
    phrase(UTC_WED_2330, "Renew 12/24", "Renew", due="2026-12-24"),
    phrase(UTC_WED_2330, "Standup 9am", "Standup", due="2026-01-15T09:00Z"),
    phrase(UTC_WED_2330, "Standup 5:30pm", "Standup", due="2026-01-15T17:30Z"),
    phrase(UTC_WED_2330, "Standup at 5 pm", "Standup", due="2026-01-15T17:00Z"),
    phrase(UTC_WED_2330, "at 23:45 check oven", "check oven", due="2026-01-14T23:45Z"),
    phrase(UTC_WED_2330, "today at 9am", "", due="2026-01-14T09:00Z"),
    phrase(UTC_WED_2330, "tomorrow, call mom", "call mom", due="2026-01-15"),
    phrase(UTC_WED_2330, "Call mom, tomorrow", "Call mom", due="2026-01-15"),
    phrase(UTC_WED_2330, "Pay rent tomorrow.", "Pay rent.", due="2026-01-15"),
    phrase(
        UTC_WED_2330,
        "Buy milk #home,#errands tomorrow at 5pm p1",
        "Buy milk",
        due="2026-01-15T17:00Z",
        labels=["home", "errands"],
        priority="URGENT",
    ),
    # Rules without a date start on their first occurrence not before now (UTC, Wednesday 23:30)
    phrase(UTC_WED_2330, "every day", "", due="2026-01-14", rule=DAILY),
    phrase(UTC_WED_2330, "Stretch every day at 9am", "Stretch", due="2026-01-15T09:00Z", rule=DAILY),
    phrase(UTC_WED_2330, "every weekday", "", due="2026-01-14", rule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
    phrase(UTC_WED_2330, "Gym Every Monday", "Gym", due="2026-01-19", rule="FREQ=WEEKLY;BYDAY=MO"),
    phrase(UTC_WED_2330, "every mon, wed", "", due="2026-01-14", rule="FREQ=WEEKLY;BYDAY=MO,WE"),
    phrase(
        UTC_WED_2330,
        "every fri and mon at 8am",
        "",
        due="2026-01-16T08:00Z",
        rule="FREQ=WEEKLY;BYDAY=FR,MO",
    ),
    phrase(
        UTC_WED_2330,
        "every mon, wed and friday #gym",
        "",
        due="2026-01-14",
        rule="FREQ=WEEKLY;BYDAY=MO,WE,FR",
        labels=["gym"],
    ),
    phrase(
        UTC_WED_2330, "every mon, wed, call bob", "call bob", due="2026-01-14", rule="FREQ=WEEKLY;BYDAY=MO,WE"
    ),
    phrase(UTC_WED_2330, "every monday, mon", "", due="2026-01-19", rule="FREQ=WEEKLY;BYDAY=MO"),
    phrase(UTC_WED_2330, "every week", "", due="2026-01-14", rule="FREQ=WEEKLY"),
    phrase(UTC_WED_2330, "every 1 week", "", due="2026-01-14", rule="FREQ=WEEKLY"),
    phrase(UTC_WED_2330, "every 3 days", "", due="2026-01-14", rule="FREQ=DAILY;INTERVAL=3"),
    phrase(UTC_WED_2330, "every 2 months", "", due="2026-01-14", rule="FREQ=MONTHLY;INTERVAL=2"),
    phrase(UTC_WED_2330, "every 1 year", "", due="2026-01-14", rule="FREQ=YEARLY"),
    phrase(UTC_WED_2330, "every 10 years", "", due="2026-01-14", rule="FREQ=YEARLY;INTERVAL=10"),
    phrase(UTC_WED_2330, "every month on the 1st", "", due="2026-02-01", rule="FREQ=MONTHLY;BYMONTHDAY=1"),
    phrase(UTC_WED_2330, "every month on the 14th", "", due="2026-01-14", rule="FREQ=MONTHLY;BYMONTHDAY=14"),
    phrase(UTC_WED_2330, "every last day", "", due="2026-01-31", rule="FREQ=MONTHLY;BYMONTHDAY=-1"),
    phrase(UTC_WED_2330, "every! week", "", due="2026-01-14", rule=("FREQ=WEEKLY", "completion")),
    phrase(
        UTC_WED_2330,
        "Water plants every! 2 days at 7am #home",
        "Water plants",
        due="2026-01-15T07:00Z",
        rule=("FREQ=DAILY;INTERVAL=2", "completion"),
        labels=["home"],
    ),
    # A rule with a date: the date is the due and the rule's start
    phrase(UTC_WED_2330, "every week dec 24", "", due="2026-12-24", rule="FREQ=WEEKLY"),
    phrase(
        UTC_WED_2330, "every monday tomorrow at 9am", "", due="2026-01-15T09:00Z", rule="FREQ=WEEKLY;BYDAY=MO"
    ),
    # Text it cannot read stays in the title
    phrase(UTC_WED_2330, "Call may about march plans", "Call may about march plans"),
    phrase(UTC_WED_2330, "Plan feb 30", "Plan feb 30"),
    phrase(UTC_WED_2330, "Fix 13/45", "Fix 13/45"),
    phrase(UTC_WED_2330, "Fix 2026-02-30", "Fix 2026-02-30"),
    phrase(UTC_WED_2330, "Meet at 25:00", "Meet at 25:00"),
    phrase(UTC_WED_2330, "Meet at 5", "Meet at 5"),
    phrase(UTC_WED_2330, "Meet 13pm", "Meet 13pm"),
    phrase(UTC_WED_2330, "17:00 sync", "17:00 sync"),
    phrase(UTC_WED_2330, "in many days", "in many days"),
    phrase(UTC_WED_2330, "in 1000 days", "in 1000 days"),
    phrase(UTC_WED_2330, "every fortnight", "every fortnight"),
    phrase(UTC_WED_2330, "every 0 days", "every 0 days"),
    phrase(UTC_WED_2330, "every month on the 2st", "every month on the 2st"),
    phrase(UTC_WED_2330, "every month on the 32nd", "every month on the 32nd"),
    phrase(UTC_WED_2330, "every", "every"),
    phrase(UTC_WED_2330, "p5 thing", "p5 thing"),
    phrase(UTC_WED_2330, "#", "#"),
    phrase(UTC_WED_2330, "# alone", "# alone"),
    phrase(UTC_WED_2330, "Learn C# basics", "Learn C# basics"),
    phrase(UTC_WED_2330, "Buy sun cream", "Buy sun cream"),
    phrase(UTC_WED_2330, "Get wed", "Get wed"),
    phrase(UTC_WED_2330, "Review tomorrow's agenda", "Review tomorrow's agenda"),
    phrase(UTC_WED_2330, "Call mom (tomorrow)", "Call mom (tomorrow)"),
    phrase(UTC_WED_2330, "May 2026 report", "May 2026 report"),
    phrase(UTC_WED_2330, "Due 12/24/2027", "Due 12/24/2027"),
    phrase(UTC_WED_2330, "plan next week", "plan next week"),
    phrase(UTC_WED_2330, "fridays are long", "fridays are long"),
    # A second reading of a kind stays in the title
    phrase(UTC_WED_2330, "tomorrow dec 24", "dec 24", due="2026-01-15"),
    phrase(UTC_WED_2330, "!high p1 x", "p1 x", priority="HIGH"),
    phrase(UTC_WED_2330, "at 5pm at 6pm", "at 6pm", due="2026-01-15T17:00Z"),
    phrase(UTC_WED_2330, "every day every week", "every week", due="2026-01-14", rule=DAILY),
    phrase(UTC_WED_2330, "tonight at 9pm", "at 9pm", due="2026-01-15T20:00Z"),
    # Just after midnight (UTC, Thursday 00:10)
    phrase(UTC_THU_0010, "Call at 5pm", "Call", due="2026-01-15T17:00Z"),
    phrase(UTC_THU_0010, "tonight", "", due="2026-01-15T20:00Z"),
    phrase(UTC_THU_0010, "thursday", "", due="2026-01-22"),
    phrase(UTC_THU_0010, "today at 00:05", "", due="2026-01-15T00:05Z"),
    phrase(UTC_THU_0010, "at 00:05", "", due="2026-01-16T00:05Z"),
    phrase(UTC_THU_0010, "12am", "", due="2026-01-16T00:00Z"),
    phrase(UTC_THU_0010, "12pm", "", due="2026-01-15T12:00Z"),
    # Month end (UTC, Saturday 31 January)
    phrase(UTC_JAN_31, "in 1 month", "", due="2026-02-28"),
    phrase(UTC_JAN_31, "in 13 months", "", due="2027-02-28"),
    phrase(UTC_JAN_31, "every last day", "", due="2026-01-31", rule="FREQ=MONTHLY;BYMONTHDAY=-1"),
    phrase(UTC_JAN_31, "every month on the 31st", "", due="2026-01-31", rule="FREQ=MONTHLY;BYMONTHDAY=31"),
    phrase(UTC_JAN_31, "every month on the 30th", "", due="2026-03-30", rule="FREQ=MONTHLY;BYMONTHDAY=30"),
    phrase(UTC_JAN_31, "feb 29", "", due="2028-02-29"),
    phrase(UTC_JAN_31, "jan 31", "", due="2026-01-31"),
    phrase(UTC_JAN_31, "jan 30", "", due="2027-01-30"),
    # Year end (UTC, Thursday 31 December 23:30)
    phrase(UTC_DEC_31, "dec 24", "", due="2027-12-24"),
    phrase(UTC_DEC_31, "jan 1", "", due="2027-01-01"),
    phrase(UTC_DEC_31, "1 Jan", "", due="2027-01-01"),
    phrase(UTC_DEC_31, "tomorrow at 9am", "", due="2027-01-01T09:00Z"),
    phrase(UTC_DEC_31, "dec 31 at 10:00", "", due="2026-12-31T10:00Z"),
    phrase(UTC_DEC_31, "in 2 days", "", due="2027-01-02"),
    phrase(UTC_DEC_31, "friday", "", due="2027-01-01"),
    # Berlin, around local midnight
    phrase(BERLIN_WED_2330, "tomorrow", "", due="2026-01-15"),
    phrase(BERLIN_WED_2330, "at 5pm", "", due="2026-01-15T16:00Z"),
    phrase(BERLIN_WED_2330, "at 23:45", "", due="2026-01-14T22:45Z"),
    phrase(BERLIN_WED_2330, "today", "", due="2026-01-14"),
    phrase(BERLIN_WED_2330, "every day", "", due="2026-01-14", rule=DAILY),
    phrase(BERLIN_THU_0010, "today", "", due="2026-01-15"),
    phrase(BERLIN_THU_0010, "tomorrow", "", due="2026-01-16"),
    phrase(BERLIN_THU_0010, "friday", "", due="2026-01-16"),
    phrase(BERLIN_THU_0010, "at 9am", "", due="2026-01-15T08:00Z"),
    phrase(BERLIN_THU_0010, "tonight", "", due="2026-01-15T19:00Z"),
    phrase(BERLIN_THU_0010, "every thu", "", due="2026-01-15", rule="FREQ=WEEKLY;BYDAY=TH"),
    # Berlin's spring-forward day: 02:30 does not exist, fold 0 reads it as 02:30 CET
    phrase(BERLIN_SPRING, "at 2:30am", "", due="2026-03-29T01:30Z"),
    phrase(BERLIN_SPRING, "at 9am", "", due="2026-03-29T07:00Z"),
    phrase(BERLIN_SPRING, "tomorrow at 9am", "", due="2026-03-30T07:00Z"),
    phrase(BERLIN_SPRING, "every day at 2:30am", "", due="2026-03-29T01:30Z", rule=DAILY),
    phrase(BERLIN_SPRING, "in 1 week", "", due="2026-04-05"),
    # Berlin's fall-back day: 02:30 happens twice, fold 0 is the first (CEST)
    phrase(BERLIN_AUTUMN, "at 2:30", "", due="2026-10-25T00:30Z"),
    phrase(BERLIN_AUTUMN, "at 9am", "", due="2026-10-25T08:00Z"),
    phrase(BERLIN_DEC_31, "jan 1", "", due="2027-01-01"),
    phrase(BERLIN_DEC_31, "tonight", "", due="2027-01-01T19:00Z"),
    phrase(BERLIN_DEC_31, "12/31", "", due="2026-12-31"),
    # Los Angeles: still 31 January there, already 1 February in UTC
    phrase(LA_JAN_31, "today", "", due="2026-01-31"),
    phrase(LA_JAN_31, "in 1 month", "", due="2026-02-28"),
    phrase(LA_JAN_31, "tomorrow at 9am", "", due="2026-02-01T17:00Z"),
    phrase(LA_JAN_31, "every last day", "", due="2026-01-31", rule="FREQ=MONTHLY;BYMONTHDAY=-1"),
    phrase(
        LA_JAN_31,
        "every month on the 1st at 8am",
        "",
        due="2026-02-01T16:00Z",
        rule="FREQ=MONTHLY;BYMONTHDAY=1",
    ),
    phrase(LA_JAN_31, "sunday", "", due="2026-02-01"),
    phrase(LA_JAN_31, "at 23:45", "", due="2026-02-01T07:45Z"),
    phrase(LA_SPRING, "at 2:30am", "", due="2026-03-08T10:30Z"),
    phrase(LA_SPRING, "at 5pm", "", due="2026-03-09T00:00Z"),
    phrase(LA_SPRING, "tomorrow at 5pm", "", due="2026-03-10T00:00Z"),
    phrase(LA_DEC_31, "jan 1", "", due="2027-01-01"),
    phrase(LA_DEC_31, "dec 24", "", due="2027-12-24"),
    phrase(LA_DEC_31, "at 5pm", "", due="2027-01-01T01:00Z"),
    phrase(LA_DEC_31, "2027-01-01 at 9am", "", due="2027-01-01T17:00Z"),
    # Auckland: already 2026 there, still 2025 in UTC
    phrase(AUCKLAND_NEW_YEAR, "today", "", due="2026-01-01"),
    phrase(AUCKLAND_NEW_YEAR, "dec 31", "", due="2026-12-31"),
    phrase(AUCKLAND_NEW_YEAR, "at 9am", "", due="2025-12-31T20:00Z"),
    phrase(AUCKLAND_NEW_YEAR, "friday", "", due="2026-01-02"),
    phrase(AUCKLAND_SPRING, "at 2:30am", "", due="2026-09-26T14:30Z"),
    phrase(AUCKLAND_SPRING, "at 9am", "", due="2026-09-26T20:00Z"),
]


def summary(parsed: Parsed) -> tuple:
    due = None
    if parsed.due_date is not None:
        assert parsed.due_on is None
        assert parsed.due_date.utcoffset() == timedelta(0)
        assert parsed.due_date.second == 0
        due = f"{parsed.due_date:%Y-%m-%dT%H:%MZ}"
    elif parsed.due_on is not None:
        due = parsed.due_on.isoformat()
    rule = (parsed.recurrence["rrule"], parsed.recurrence["from"]) if parsed.recurrence else None
    return parsed.title, due, rule, parsed.labels, parsed.priority


@pytest.mark.parametrize(("zone", "now", "text", "expected"), PHRASES)
def test_phrase_is_read_exactly(zone, now, text, expected):
    # Given a fixed moment in a zone, when the text is parsed
    parsed = parse(text, now=datetime.fromisoformat(now), zone=ZoneInfo(zone))

    # Then each field is the reading SPEC §13 gives
    assert summary(parsed) == expected


def test_the_table_covers_enough_phrases_and_three_zones():
    assert len(PHRASES) >= 70
    assert {param.values[0] for param in PHRASES} >= {"UTC", "Europe/Berlin", "America/Los_Angeles"}


def test_parsed_is_frozen_and_has_exactly_the_spec_keys():
    parsed = parse("x", now=datetime(2026, 1, 14, tzinfo=UTC), zone=ZoneInfo("UTC"))

    fields = ["title", "due_date", "due_on", "recurrence", "labels", "priority"]
    assert list(parsed.__dataclass_fields__) == fields
    with pytest.raises(FrozenInstanceError):
        parsed.title = "y"  # type: ignore[misc]


def test_a_naive_now_is_read_as_utc():
    parsed = parse("at 9am", now=datetime(2026, 1, 14, 8, 0), zone=ZoneInfo("Europe/Berlin"))

    assert parsed.due_date == datetime(2026, 1, 14, 8, 0, tzinfo=UTC)


WORDS = [
    "every", "every!", "in", "at", "next", "on", "the", "1st", "2", "31st", "0", "999", "1000", "day",
    "days", "weeks", "month", "months", "year", "mon", "monday", ",", "and", "dec", "24", "feb", "30",
    "12/24", "13/45", "2026-02-30", "9am", "5:30pm", "17:00", "25:00", "pm", "today", "tonight",
    "tomorrow", "#", "#a", "#A,#b", "p1", "p5", "!high", "!", "last", "may", "\x00", "\t", "é", "x",
]  # fmt: skip


def test_odd_text_never_raises_and_keeps_a_title_of_its_own_words():
    # Given many random sentences of grammar words, in each zone and around midnight
    chance = random.Random(13)
    zones = [ZoneInfo(name) for name in ("UTC", "Europe/Berlin", "America/Los_Angeles", "Pacific/Auckland")]
    nows = [datetime(2026, 3, 28, 23, 10, tzinfo=UTC), datetime(2026, 12, 31, 23, 59, tzinfo=UTC)]
    for _ in range(2000):
        text = " ".join(chance.choice(WORDS) for _ in range(chance.randint(0, 8)))
        zone, now = chance.choice(zones), chance.choice(nows)

        # When it is parsed, twice
        parsed = parse(text, now=now, zone=zone)

        # Then the reading is deterministic, the title is trimmed and made of the text's words
        assert parse(text, now=now, zone=zone) == parsed
        assert parsed.title == " ".join(parsed.title.split())
        assert parsed.due_date is None or parsed.due_on is None
        if parsed.recurrence is not None:
            assert parsed.due_date is not None or parsed.due_on is not None
        for word in parsed.title.replace(",", " ").split():
            assert word in text.replace("\x00", " ")

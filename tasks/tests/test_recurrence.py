"""The RRULE subset of SPEC §12 (tasks/recurrence.py): strict parsing with the part named,
the normalised echo, and the series on the owner's wall clock (dateutil's rrule)."""

from datetime import UTC, date, datetime
from itertools import islice
from zoneinfo import ZoneInfo

import pytest

from tasks.recurrence import Occurrence, RuleError, Series, occurrences, parse

BERLIN, LOS_ANGELES, UTC_ZONE = ZoneInfo("Europe/Berlin"), ZoneInfo("America/Los_Angeles"), ZoneInfo("UTC")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
    ("given", "all_day", "normalised"),
    [
        ("FREQ=DAILY", False, "FREQ=DAILY"),
        ("rrule:freq=weekly;interval=1;byday=fr,mo", False, "FREQ=WEEKLY;BYDAY=FR,MO"),
        ("COUNT=5;FREQ=MONTHLY;BYMONTHDAY=-1", False, "FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=5"),
        ("FREQ=MONTHLY;BYDAY=-1FR;INTERVAL=2", False, "FREQ=MONTHLY;INTERVAL=2;BYDAY=-1FR"),
        ("FREQ=YEARLY;BYMONTH=12,1;BYDAY=+1MO", True, "FREQ=YEARLY;BYDAY=1MO;BYMONTH=12,1"),
        ("FREQ=DAILY;UNTIL=20261231", True, "FREQ=DAILY;UNTIL=20261231"),
        ("FREQ=DAILY;UNTIL=20261231T230000Z", False, "FREQ=DAILY;UNTIL=20261231T230000Z"),
        # A day for a timed task is through that day in the owner's zone (Berlin: 22:59:59Z).
        ("FREQ=DAILY;UNTIL=20261231", False, "FREQ=DAILY;UNTIL=20261231T225959Z"),
        # A moment for an all-day task is its day there.
        ("FREQ=DAILY;UNTIL=20261231T230000Z", True, "FREQ=DAILY;UNTIL=20270101"),
        (" FREQ = DAILY ; INTERVAL = 3 ", False, "FREQ=DAILY;INTERVAL=3"),
    ],
)
def test_rules_are_echoed_normalised(given, all_day, normalised):
    assert parse(given, all_day=all_day, zone=BERLIN).text() == normalised


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("FREQ=DAILY;BYSETPOS=1", "BYSETPOS is not supported"),
        ("FREQ=HOURLY", "FREQ=HOURLY is not supported (DAILY, WEEKLY, MONTHLY or YEARLY)"),
        ("INTERVAL=2", "FREQ is required"),
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL must be 1–999, not 0"),
        ("FREQ=DAILY;INTERVAL=1000", "INTERVAL must be 1–999, not 1000"),
        ("FREQ=DAILY;COUNT=1001", "COUNT must be 1–1000, not 1001"),
        ("FREQ=DAILY;COUNT=2;UNTIL=20261231", "COUNT and UNTIL cannot be used together"),
        ("FREQ=WEEKLY;BYDAY=1MO", "BYDAY ordinals (1MO) are only allowed with FREQ=MONTHLY or YEARLY"),
        ("FREQ=DAILY;BYDAY=-1FR", "BYDAY ordinals (-1FR) are only allowed with FREQ=MONTHLY or YEARLY"),
        ("FREQ=MONTHLY;BYDAY=XX", "BYDAY has an invalid day 'XX'"),
        ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY must be 1–31 or -31–-1, not 0"),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY must be 1–31 or -31–-1, not 32"),
        ("FREQ=YEARLY;BYMONTH=13", "BYMONTH must be 1–12, not 13"),
        ("FREQ=DAILY;UNTIL=2026-12-31", "UNTIL must be YYYYMMDD or YYYYMMDDTHHMMSSZ, not '2026-12-31'"),
        ("FREQ=DAILY;UNTIL=20260230", "UNTIL must be YYYYMMDD or YYYYMMDDTHHMMSSZ, not '20260230'"),
        ("FREQ=DAILY;FREQ=WEEKLY", "FREQ is given twice"),
        ("FREQ=DAILY;;", "'' is not NAME=VALUE"),
        ("FREQ=DAILY;WKST=MO", "WKST is not supported"),
        ("", "rrule must be a non-empty string"),
        (5, "rrule must be a non-empty string"),
    ],
)
def test_anything_outside_the_subset_is_refused_naming_the_part(given, message):
    with pytest.raises(RuleError) as refused:
        parse(given, all_day=False, zone=BERLIN)
    assert str(refused.value) == message


def series(rule: str, start, zone=BERLIN, n: int = 5, all_day: bool = False) -> list:
    found = occurrences(parse(rule, all_day=all_day, zone=zone), start=start, zone=zone)
    return [o.due_on if o.due_on is not None else o.due_date for o in islice(found, n)]


def test_every_day_at_nine_stays_at_nine_across_daylight_saving_in_berlin():
    # 09:00 CET is 08:00Z; from 29 March 09:00 CEST is 07:00Z.
    assert series("FREQ=DAILY", utc(2026, 3, 27, 8), n=4) == [
        utc(2026, 3, 27, 8),
        utc(2026, 3, 28, 8),
        utc(2026, 3, 29, 7),
        utc(2026, 3, 30, 7),
    ]


def test_every_week_at_nine_stays_at_nine_across_the_fall_change_in_los_angeles():
    # 09:00 PDT is 16:00Z; after 1 November 09:00 PST is 17:00Z.
    assert series("FREQ=WEEKLY", utc(2026, 10, 25, 16), zone=LOS_ANGELES, n=3) == [
        utc(2026, 10, 25, 16),
        utc(2026, 11, 1, 17),
        utc(2026, 11, 8, 17),
    ]


def test_a_monthly_rule_on_the_31st_skips_months_without_one():
    assert series("FREQ=MONTHLY", date(2026, 1, 31), all_day=True, n=4) == [
        date(2026, 1, 31),
        date(2026, 3, 31),
        date(2026, 5, 31),
        date(2026, 7, 31),
    ]


def test_bymonthday_minus_one_is_the_last_day_of_every_month():
    assert series("FREQ=MONTHLY;BYMONTHDAY=-1", date(2028, 1, 31), all_day=True, n=3) == [
        date(2028, 1, 31),
        date(2028, 2, 29),
        date(2028, 3, 31),
    ]


def test_the_last_friday_of_the_month():
    assert series("FREQ=MONTHLY;BYDAY=-1FR", date(2026, 12, 25), all_day=True, n=3) == [
        date(2026, 12, 25),
        date(2027, 1, 29),
        date(2027, 2, 26),
    ]


def test_a_leap_day_recurs_every_four_years():
    assert series("FREQ=YEARLY", date(2028, 2, 29), all_day=True, n=3) == [
        date(2028, 2, 29),
        date(2032, 2, 29),
        date(2036, 2, 29),
    ]


def test_the_start_is_the_first_occurrence_even_off_the_rule_and_count_counts_it():
    # A Wednesday start of "every Monday", three times: the start, then two Mondays.
    assert series("FREQ=WEEKLY;BYDAY=MO;COUNT=3", date(2026, 12, 2), all_day=True) == [
        date(2026, 12, 2),
        date(2026, 12, 7),
        date(2026, 12, 14),
    ]


def test_until_is_inclusive_on_the_owners_clock():
    assert series("FREQ=DAILY;UNTIL=20261203", date(2026, 12, 1), all_day=True) == [
        date(2026, 12, 1),
        date(2026, 12, 2),
        date(2026, 12, 3),
    ]
    # Through 3 December in Berlin, 09:00 each day.
    assert series("FREQ=DAILY;UNTIL=20261203", utc(2026, 12, 1, 8)) == [
        utc(2026, 12, 1, 8),
        utc(2026, 12, 2, 8),
        utc(2026, 12, 3, 8),
    ]


def test_a_rule_that_matches_nothing_ends():
    assert series("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", date(2026, 1, 1), all_day=True) == [date(2026, 1, 1)]


def rule_series(
    rule: str, start, mode: str = "due", served: int = 1, all_day: bool = True, zone=UTC_ZONE
) -> Series:
    return Series(rule=parse(rule, all_day=all_day, zone=zone), mode=mode, start=start, served=served)


def test_from_due_skips_the_missed_occurrences():
    recurrence = rule_series("FREQ=DAILY", date(2026, 12, 1))
    # Due on the 1st, completed on the 5th: the next is the 5th itself (not yet over), then on.
    upcoming = recurrence.upcoming(
        current=Occurrence(due_on=date(2026, 12, 1)), now=utc(2026, 12, 5, 12), zone=UTC_ZONE
    )
    assert [o.due_on for o in upcoming] == [date(2026, 12, 5), date(2026, 12, 6), date(2026, 12, 7)]


def test_from_due_counts_the_missed_occurrences_towards_count():
    recurrence = rule_series("FREQ=DAILY;COUNT=4", date(2026, 12, 1))
    upcoming = recurrence.upcoming(
        current=Occurrence(due_on=date(2026, 12, 1)), now=utc(2026, 12, 3, 12), zone=UTC_ZONE
    )
    assert [o.due_on for o in upcoming] == [date(2026, 12, 3), date(2026, 12, 4)]


def test_from_completion_restarts_on_the_completion_day():
    recurrence = rule_series("FREQ=DAILY;INTERVAL=3", utc(2026, 12, 1, 9), mode="completion", all_day=False)
    upcoming = recurrence.upcoming(
        current=Occurrence(due_date=utc(2026, 12, 1, 9)), now=utc(2026, 12, 10, 20), zone=UTC_ZONE
    )
    assert [o.due_date for o in upcoming] == [
        utc(2026, 12, 13, 9),
        utc(2026, 12, 16, 9),
        utc(2026, 12, 19, 9),
    ]


def test_from_completion_counts_the_occurrences_served():
    recurrence = rule_series("FREQ=WEEKLY;COUNT=3", date(2026, 12, 1), mode="completion", served=2)
    upcoming = recurrence.upcoming(
        current=Occurrence(due_on=date(2026, 12, 8)), now=utc(2026, 12, 9, 12), zone=UTC_ZONE
    )
    assert [o.due_on for o in upcoming] == [date(2026, 12, 16)]
    done = Series(rule=recurrence.rule, mode="completion", start=recurrence.start, served=3)
    assert (
        done.upcoming(current=Occurrence(due_on=date(2026, 12, 16)), now=utc(2026, 12, 16), zone=UTC_ZONE)
        == []
    )


def test_from_completion_keeps_the_wall_time_in_the_owners_zone():
    recurrence = rule_series("FREQ=DAILY", utc(2026, 3, 27, 8), mode="completion", all_day=False, zone=BERLIN)
    upcoming = recurrence.upcoming(
        current=Occurrence(due_date=utc(2026, 3, 27, 8)), now=utc(2026, 3, 28, 12), zone=BERLIN
    )
    assert [o.due_date for o in upcoming] == [utc(2026, 3, 29, 7), utc(2026, 3, 30, 7), utc(2026, 3, 31, 7)]

"""The due moment and how a due is shown (tasks/dues.py, SPEC §11): day boundaries in zones
east and west of UTC, a half-hour zone, and the days that daylight saving makes 23 or 25 hours
long."""

from datetime import UTC, date, datetime, timedelta

import pytest

from tasks import dues
from tasks.dues import Due, due_changed, due_display, due_moment, zone_named

BERLIN, LOS_ANGELES, KOLKATA = (
    zone_named(name) for name in ("Europe/Berlin", "America/Los_Angeles", "Asia/Kolkata")
)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "day", "start", "end"),
    [
        (BERLIN, date(2026, 12, 24), utc(2026, 12, 23, 23), utc(2026, 12, 24, 23)),
        (LOS_ANGELES, date(2026, 12, 24), utc(2026, 12, 24, 8), utc(2026, 12, 25, 8)),
        (KOLKATA, date(2026, 12, 24), utc(2026, 12, 23, 18, 30), utc(2026, 12, 24, 18, 30)),
        (zone_named("UTC"), date(2026, 12, 24), utc(2026, 12, 24), utc(2026, 12, 25)),
        # Spring forward: 23-hour days.
        (BERLIN, date(2026, 3, 29), utc(2026, 3, 28, 23), utc(2026, 3, 29, 22)),
        (LOS_ANGELES, date(2026, 3, 8), utc(2026, 3, 8, 8), utc(2026, 3, 9, 7)),
        # Fall back: 25-hour days.
        (BERLIN, date(2026, 10, 25), utc(2026, 10, 24, 22), utc(2026, 10, 25, 23)),
        (LOS_ANGELES, date(2026, 11, 1), utc(2026, 11, 1, 7), utc(2026, 11, 2, 8)),
    ],
    ids=str,
)
def test_a_day_starts_and_ends_at_local_midnight(zone, day, start, end):
    assert dues.day_start(day, zone) == start
    assert dues.day_end(day, zone) == end
    assert due_moment(due_date=None, due_on=day, zone=zone) == end
    assert dues.local_date(end - timedelta(microseconds=1), zone) == day
    assert dues.local_date(end, zone) == day + timedelta(days=1)


def test_a_day_whose_midnight_does_not_exist_starts_when_the_clocks_jump():
    havana = zone_named("America/Havana")  # springs forward at 00:00 on 2026-03-08
    start = dues.day_start(date(2026, 3, 8), havana)
    assert start == utc(2026, 3, 8, 5)
    assert start.astimezone(havana).hour == 1


def test_a_timed_due_is_its_moment_whatever_the_zone():
    moment = utc(2026, 3, 29, 7, 30)
    assert due_moment(due_date=moment, due_on=None, zone=BERLIN) == moment
    assert due_moment(due_date=None, due_on=None, zone=BERLIN) is None


def test_the_next_midnight_is_the_end_of_the_local_day():
    assert dues.next_midnight(utc(2026, 12, 25, 7, 59), LOS_ANGELES) == utc(2026, 12, 25, 8)
    assert dues.next_midnight(utc(2026, 12, 25, 8), LOS_ANGELES) == utc(2026, 12, 26, 8)


def test_an_unknown_zone_name_reads_as_utc():
    assert dues.zone_named("Mars/Olympus").key == "UTC"
    assert dues.zone_named(None).key == "UTC"
    assert dues.zone_of(object()).key == "UTC"


MOMENT, DAY = utc(2026, 12, 24, 9), date(2026, 12, 24)


@pytest.mark.parametrize(
    ("current", "changes", "expected"),
    [
        (Due(MOMENT, None), {"due_on": DAY}, Due(None, DAY)),
        (Due(None, DAY), {"due_date": MOMENT}, Due(MOMENT, None)),
        (Due(None, DAY), {"due_date": None}, Due(None, DAY)),
        (Due(MOMENT, None), {"due_on": None}, Due(MOMENT, None)),
        (Due(MOMENT, None), {"due_date": None, "due_on": None}, Due(None, None)),
        (Due(None, DAY), {"due_date": None, "due_on": None}, Due(None, None)),
        (Due(None, DAY), {"title": "x"}, Due(None, DAY)),
        (Due(None, None), {"due_on": DAY, "due_date": None}, Due(None, DAY)),
    ],
)
def test_setting_one_due_clears_the_other_and_null_leaves_it(current, changes, expected):
    assert due_changed(current, changes) == expected


def test_notification_keys_are_the_moment_or_the_day():
    assert dues.notification_key(due_at=MOMENT, due_on=None) == MOMENT
    assert dues.notification_key(due_at=utc(2026, 12, 24, 23), due_on=DAY) == utc(2026, 12, 24)


NOW = utc(2026, 12, 1, 12)


@pytest.mark.parametrize(
    ("due_at", "due_on", "zone", "text"),
    [
        (None, date(2026, 12, 24), BERLIN, "Thu 24 Dec"),
        (None, date(2027, 1, 1), BERLIN, "Fri 1 Jan 2027"),
        (utc(2026, 12, 24, 16), None, BERLIN, "Thu 24 Dec 17:00 CET"),
        (utc(2026, 7, 4, 16, 5), None, BERLIN, "Sat 4 Jul 18:05 CEST"),
        (utc(2026, 12, 25, 1), None, LOS_ANGELES, "Thu 24 Dec 17:00 PST"),
        (utc(2026, 12, 24, 11, 30), None, KOLKATA, "Thu 24 Dec 17:00 IST"),
        (utc(2027, 1, 1, 8), None, LOS_ANGELES, "Fri 1 Jan 2027 00:00 PST"),
        (None, None, BERLIN, ""),
    ],
)
def test_a_due_is_shown_as_a_day_or_a_wall_time_in_the_owners_zone(due_at, due_on, zone, text):
    assert due_display(due_at=due_at, due_on=due_on, zone=zone, now=NOW) == text


def test_the_year_is_the_owners_current_year():
    # 23:30 on 31 Dec in Los Angeles is already 2027 in UTC: a due on 31 Dec is this year there.
    now = utc(2027, 1, 1, 7, 30)
    assert due_display(due_at=None, due_on=date(2026, 12, 31), zone=LOS_ANGELES, now=now) == "Thu 31 Dec"
    assert due_display(due_at=None, due_on=date(2026, 12, 31), zone=BERLIN, now=now) == "Thu 31 Dec 2026"

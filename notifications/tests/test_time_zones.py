"""Deadline notifications on the owner's calendar (SPEC §7, §11): an all-day task is due at the
end of its local day (23 or 25 hours long on a daylight-saving change), timed dues are shown on
the owner's wall clock with the zone's abbreviation, the year only when it is not the current
one there, and a time-zone change, which moves an all-day task's moment, earns no second
notification."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.db.models import Value
from django.db.models.sql import Query
from django.db.utils import ConnectionHandler
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.services import user_preferences_update
from notifications.models import Notification, NotificationType
from notifications.selectors import UtcMidnight, _due_key, notification_candidates
from notifications.services import notifications_generate
from notifications.tests.factories import make_task, make_user
from projects.tests.factories import ProjectFactory
from tasks import dues
from tasks.models import Task
from tasks.services import task_update

pytestmark = pytest.mark.django_db

DEADLINE = NotificationType.DEADLINE_APPROACHING
OVERDUE = NotificationType.OVERDUE
REMINDER = NotificationType.REMINDER
ALL_TYPES = tuple(NotificationType.values)
SECOND = timedelta(seconds=1)
# The hourly run starts on the hour and reads the clock a moment later.
A_MOMENT = timedelta(milliseconds=1)
BERLIN, LOS_ANGELES, KOLKATA = "Europe/Berlin", "America/Los_Angeles", "Asia/Kolkata"
CHRISTMAS_EVE = date(2026, 12, 24)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def types_made() -> list[int]:
    return sorted(Notification.objects.values_list("type", flat=True))


def messages() -> dict[tuple[str, int], str]:
    return {(n.task.title, n.type): n.message for n in Notification.objects.select_related("task")}


def generate_at(time_machine, moment: datetime) -> int:
    time_machine.move_to(moment, tick=False)
    return notifications_generate().created_count


# --- The day boundary of an all-day task --------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "end_of_day"),
    [
        (BERLIN, utc(2026, 12, 24, 23)),
        (LOS_ANGELES, utc(2026, 12, 25, 8)),
        (KOLKATA, utc(2026, 12, 24, 18, 30)),
    ],
    ids=["berlin", "los-angeles", "kolkata"],
)
def test_an_all_day_task_is_overdue_once_its_local_day_has_ended(time_machine, zone, end_of_day):
    # Given an all-day task on 24 December, due at the first instant of 25 December locally
    task = make_task(user=make_user(timezone=zone), due_on=CHRISTMAS_EVE)
    assert task.due_at == end_of_day
    last_second = end_of_day - SECOND
    assert last_second.astimezone(dues.zone_named(zone)).timetuple()[:6] == (2026, 12, 24, 23, 59, 59)

    # When the runs go at 23:59:59 on its day, at 00:00 the next day, and a moment later
    # Then it is approaching until its due moment, and overdue once that is past (due moment < now)
    assert generate_at(time_machine, last_second) == 1
    assert types_made() == [DEADLINE]
    assert generate_at(time_machine, end_of_day) == 0
    assert generate_at(time_machine, end_of_day + A_MOMENT) == 1
    assert types_made() == [DEADLINE, OVERDUE]


def test_in_los_angeles_an_all_day_task_is_not_overdue_at_utc_midnight(time_machine):
    make_task(user=make_user(timezone=LOS_ANGELES), due_on=CHRISTMAS_EVE)

    generate_at(time_machine, utc(2026, 12, 25) + A_MOMENT)  # 16:00 on the 24th in Los Angeles
    generate_at(time_machine, utc(2026, 12, 25, 7) + A_MOMENT)

    assert types_made() == [DEADLINE]
    assert generate_at(time_machine, utc(2026, 12, 25, 8) + A_MOMENT) == 1
    assert types_made() == [DEADLINE, OVERDUE]


@pytest.mark.parametrize("zone", [BERLIN, LOS_ANGELES, KOLKATA])
@pytest.mark.parametrize(
    ("threshold", "window"),
    [("24h", timedelta(hours=24)), ("48h", timedelta(hours=48)), ("1w", timedelta(days=7))],
)
def test_an_all_day_task_approaches_within_the_threshold_of_its_due_moment(
    time_machine, zone, threshold, window
):
    task = make_task(user=make_user(timezone=zone, deadline_threshold=threshold), due_on=CHRISTMAS_EVE)
    end_of_day = dues.day_end(CHRISTMAS_EVE, dues.zone_named(zone))

    assert generate_at(time_machine, end_of_day - window - SECOND) == 0
    assert generate_at(time_machine, end_of_day - window) == 1

    notification = Notification.objects.get()
    assert (notification.task_id, notification.type, notification.due_at) == (
        task.pk,
        DEADLINE,
        utc(2026, 12, 24),
    )
    assert notification.message == '"Write report" in Work is due Thu 24 Dec.'


# --- Daylight-saving changes --------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "day", "start_of_day", "end_of_day", "hours", "shown"),
    [
        (BERLIN, date(2026, 3, 29), utc(2026, 3, 28, 23), utc(2026, 3, 29, 22), 23, "Sun 29 Mar"),
        (BERLIN, date(2026, 10, 25), utc(2026, 10, 24, 22), utc(2026, 10, 25, 23), 25, "Sun 25 Oct"),
        (LOS_ANGELES, date(2026, 3, 8), utc(2026, 3, 8, 8), utc(2026, 3, 9, 7), 23, "Sun 8 Mar"),
        (LOS_ANGELES, date(2026, 11, 1), utc(2026, 11, 1, 7), utc(2026, 11, 2, 8), 25, "Sun 1 Nov"),
    ],
    ids=["berlin-spring", "berlin-autumn", "los-angeles-spring", "los-angeles-autumn"],
)
def test_an_all_day_task_on_a_daylight_saving_day_is_due_at_the_next_local_midnight(
    time_machine, zone, day, start_of_day, end_of_day, hours, shown
):
    # Given an all-day task on the day the clocks change
    task = make_task(user=make_user(timezone=zone), title="Change day", due_on=day)

    # Then its due moment is the next local midnight, 23 or 25 hours after the day began
    assert task.due_at == end_of_day
    assert end_of_day - start_of_day == timedelta(hours=hours)
    assert end_of_day.astimezone(dues.zone_named(zone)).timetuple()[:5] == (
        *(day + timedelta(days=1)).timetuple()[:3],
        0,
        0,
    )
    # And the 24-hour threshold and the overdue rule count from that instant
    assert generate_at(time_machine, end_of_day - timedelta(hours=24) - SECOND) == 0
    assert generate_at(time_machine, end_of_day - timedelta(hours=24)) == 1
    assert generate_at(time_machine, end_of_day - SECOND) == 0
    assert types_made() == [DEADLINE]
    assert generate_at(time_machine, end_of_day + A_MOMENT) == 1
    assert messages() == {
        ("Change day", DEADLINE): f'"Change day" in Work is due {shown}.',
        ("Change day", OVERDUE): f'"Change day" in Work is overdue: it was due {shown}.',
    }


@pytest.mark.parametrize(
    ("zone", "due", "shown"),
    [
        # Berlin springs forward at 01:00 UTC (02:00 CET becomes 03:00 CEST).
        (BERLIN, utc(2026, 3, 29, 0, 59), "Sun 29 Mar 01:59 CET"),
        (BERLIN, utc(2026, 3, 29, 1), "Sun 29 Mar 03:00 CEST"),
        # And falls back at 01:00 UTC (03:00 CEST becomes 02:00 CET): 02:30 happens twice.
        (BERLIN, utc(2026, 10, 25, 0, 30), "Sun 25 Oct 02:30 CEST"),
        (BERLIN, utc(2026, 10, 25, 1, 30), "Sun 25 Oct 02:30 CET"),
        # Los Angeles springs forward at 10:00 UTC (02:00 PST becomes 03:00 PDT).
        (LOS_ANGELES, utc(2026, 3, 8, 9, 59), "Sun 8 Mar 01:59 PST"),
        (LOS_ANGELES, utc(2026, 3, 8, 10), "Sun 8 Mar 03:00 PDT"),
        # And falls back at 09:00 UTC (02:00 PDT becomes 01:00 PST): 01:30 happens twice.
        (LOS_ANGELES, utc(2026, 11, 1, 8, 30), "Sun 1 Nov 01:30 PDT"),
        (LOS_ANGELES, utc(2026, 11, 1, 9, 30), "Sun 1 Nov 01:30 PST"),
        # Kolkata keeps UTC+05:30 all year.
        (KOLKATA, utc(2026, 3, 29, 1), "Sun 29 Mar 06:30 IST"),
        (KOLKATA, utc(2026, 11, 1, 18, 29), "Sun 1 Nov 23:59 IST"),
    ],
    ids=str,
)
def test_a_timed_due_is_shown_on_the_owners_wall_clock_on_each_side_of_a_change(
    time_machine, zone, due, shown
):
    make_task(user=make_user(timezone=zone), title="Call", due_date=due)

    generate_at(time_machine, due - timedelta(hours=2))
    generate_at(time_machine, due + timedelta(hours=2))

    assert messages() == {
        ("Call", DEADLINE): f'"Call" in Work is due {shown}.',
        ("Call", OVERDUE): f'"Call" in Work is overdue: it was due {shown}.',
    }


# --- Messages -----------------------------------------------------------------------------


def test_messages_show_all_day_and_timed_dues_in_the_spec_format(time_machine):
    # Given a user in Berlin on Christmas Eve at 21:00
    user = make_user(timezone=BERLIN)
    home = ProjectFactory(owner=user, name="Home")
    make_task(project=home, title="Pay rent", due_on=CHRISTMAS_EVE, remind_at=utc(2026, 12, 24, 8))
    make_task(project=home, title="Call mum", due_date=utc(2026, 12, 24, 16), remind_at=utc(2026, 12, 24, 15))
    make_task(project=home, title="Buy tree", due_on=date(2026, 12, 23))
    make_task(project=home, title="Book flights", due_date=utc(2026, 12, 25, 9, 30))

    generate_at(time_machine, utc(2026, 12, 24, 20))

    # Then each due reads `<Wed> <D> <Mon>`, plus `HH:MM <zone>` when timed
    assert messages() == {
        ("Pay rent", DEADLINE): '"Pay rent" in Home is due Thu 24 Dec.',
        ("Pay rent", REMINDER): 'Reminder: "Pay rent" in Home (due Thu 24 Dec).',
        ("Call mum", OVERDUE): '"Call mum" in Home is overdue: it was due Thu 24 Dec 17:00 CET.',
        ("Call mum", REMINDER): 'Reminder: "Call mum" in Home (due Thu 24 Dec 17:00 CET).',
        ("Buy tree", OVERDUE): '"Buy tree" in Home is overdue: it was due Wed 23 Dec.',
        ("Book flights", DEADLINE): '"Book flights" in Home is due Fri 25 Dec 10:30 CET.',
    }


def test_the_year_is_shown_when_it_is_not_the_current_one_in_the_owners_zone(time_machine):
    # Given, at 23:30 UTC on New Year's Eve, users for whom it is already 2027 (Berlin,
    # Kolkata) and one for whom it is still 2026 (Los Angeles)
    for zone in (BERLIN, LOS_ANGELES, KOLKATA):
        project = ProjectFactory(owner=make_user(timezone=zone, deadline_threshold="1w"), name=zone)
        make_task(project=project, title="Timed", due_date=utc(2027, 1, 1, 12))
        make_task(project=project, title="All day", due_on=date(2027, 1, 1))
        make_task(project=project, title="Last year", due_on=date(2026, 12, 30))

    generate_at(time_machine, utc(2026, 12, 31, 23, 30))

    got = {
        (n.task.project.name, n.task.title): n.message
        for n in Notification.objects.select_related("task__project")
    }
    assert got == {
        (BERLIN, "Timed"): f'"Timed" in {BERLIN} is due Fri 1 Jan 13:00 CET.',
        (BERLIN, "All day"): f'"All day" in {BERLIN} is due Fri 1 Jan.',
        (BERLIN, "Last year"): f'"Last year" in {BERLIN} is overdue: it was due Wed 30 Dec 2026.',
        (LOS_ANGELES, "Timed"): f'"Timed" in {LOS_ANGELES} is due Fri 1 Jan 2027 04:00 PST.',
        (LOS_ANGELES, "All day"): f'"All day" in {LOS_ANGELES} is due Fri 1 Jan 2027.',
        (LOS_ANGELES, "Last year"): f'"Last year" in {LOS_ANGELES} is overdue: it was due Wed 30 Dec.',
        (KOLKATA, "Timed"): f'"Timed" in {KOLKATA} is due Fri 1 Jan 17:30 IST.',
        (KOLKATA, "All day"): f'"All day" in {KOLKATA} is due Fri 1 Jan.',
        (KOLKATA, "Last year"): f'"Last year" in {KOLKATA} is overdue: it was due Wed 30 Dec 2026.',
    }


# --- One notification per due -------------------------------------------------------------


def test_a_time_zone_change_earns_no_second_notification_for_an_all_day_task(time_machine):
    # Given a user in Berlin notified of an all-day and a timed task
    user = make_user(timezone=BERLIN)
    all_day = make_task(user=user, title="All day", due_on=CHRISTMAS_EVE)
    make_task(user=user, title="Timed", due_date=utc(2026, 12, 24, 16))
    assert generate_at(time_machine, utc(2026, 12, 24, 10)) == 2

    # When the user moves to Los Angeles, which moves the all-day task's due moment
    user_preferences_update(user=user, changes={"timezone": LOS_ANGELES})
    all_day.refresh_from_db()
    assert all_day.due_at == utc(2026, 12, 25, 8)

    # Then it is the same due: nothing new, not even a candidate
    assert notification_candidates(now=timezone.now(), types=ALL_TYPES) == []
    assert generate_at(time_machine, utc(2026, 12, 24, 11)) == 0

    # And once past due in Los Angeles each is overdue once, whatever the zone moves after
    assert generate_at(time_machine, utc(2026, 12, 25, 8) + A_MOMENT) == 2
    user_preferences_update(user=user, changes={"timezone": KOLKATA})
    assert notification_candidates(now=timezone.now(), types=ALL_TYPES) == []
    assert generate_at(time_machine, utc(2026, 12, 25, 9)) == 0
    assert sorted(Notification.objects.values_list("task__title", "type", "due_at")) == [
        ("All day", DEADLINE, utc(2026, 12, 24)),
        ("All day", OVERDUE, utc(2026, 12, 24)),
        ("Timed", DEADLINE, utc(2026, 12, 24, 16)),
        ("Timed", OVERDUE, utc(2026, 12, 24, 16)),
    ]


def test_a_new_day_or_a_new_moment_earns_new_notifications(time_machine):
    user = make_user(timezone=LOS_ANGELES, deadline_threshold="48h")
    task = make_task(user=user, title="Plan", due_on=CHRISTMAS_EVE)
    time_machine.move_to(utc(2026, 12, 24, 10), tick=False)
    runs = [notifications_generate().created_count]

    task_update(task=task, changes={"due_on": date(2026, 12, 25)})
    runs.append(notifications_generate().created_count)
    task_update(task=task, changes={"due_date": utc(2026, 12, 25, 12)})
    runs.append(notifications_generate().created_count)
    task_update(task=task, changes={"due_on": date(2026, 12, 25)})  # a day already notified
    runs.append(notifications_generate().created_count)

    assert runs == [1, 1, 1, 0]
    assert sorted(Notification.objects.values_list("due_at", flat=True)) == [
        utc(2026, 12, 24),
        utc(2026, 12, 25),
        utc(2026, 12, 25, 12),
    ]


# --- The key in SQL -----------------------------------------------------------------------


def test_the_sql_key_is_the_notification_key_of_every_due():
    for zone in (BERLIN, LOS_ANGELES, KOLKATA, "UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"):
        user = make_user(timezone=zone)
        make_task(user=user, due_on=CHRISTMAS_EVE)
        make_task(user=user, due_on=date(2026, 3, 29))
        make_task(user=user, due_date=utc(2026, 12, 24, 16, 45, 30))
    make_task(user=make_user())  # no due: no key

    rows = Task.objects.annotate(key=_due_key()).values_list("due_at", "due_on", "key")

    assert len(rows) == 19
    for due_at, due_on, key in rows:
        expected = dues.notification_key(due_at=due_at, due_on=due_on) if due_at else None
        assert key == expected


def test_the_sql_key_on_sqlite_is_the_text_django_stores_for_that_datetime():
    sqlite = ConnectionHandler({"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}})[
        "default"
    ]
    query = Query(Task)
    sql, params = query.get_compiler(connection=sqlite).compile(
        UtcMidnight(Value(CHRISTMAS_EVE)).resolve_expression(query)
    )
    try:
        with sqlite.cursor() as cursor:
            cursor.execute(f"SELECT {sql}", params)
            (rendered,) = cursor.fetchone()
    finally:
        sqlite.close()

    assert rendered == sqlite.ops.adapt_datetimefield_value(utc(2026, 12, 24)) == "2026-12-24 00:00:00"


def test_the_deadline_queries_can_use_the_open_due_index_and_the_unique_key(frozen):
    user = make_user(timezone=BERLIN)
    make_task(user=user, due_on=date(2026, 12, 7))
    make_task(user=user, due_date=utc(2026, 12, 6))

    with CaptureQueriesContext(connection) as captured:
        notification_candidates(now=timezone.now(), types=(DEADLINE, OVERDUE))

    assert len(captured) == 2
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # the test's transaction ends it
        for query in captured:
            cursor.execute(f"EXPLAIN {query['sql']}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "tasks_open_due_idx" in plan, plan
            assert "notif_unique_task_type_due" in plan, plan

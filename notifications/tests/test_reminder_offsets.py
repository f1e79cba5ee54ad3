"""Reminders of ``reminder_offsets`` (SPEC §12): one REMINDER per due and offset at its moment,
re-armed by a new due (an advance of a recurring task too), fired at the next run when armed
late, never for a due already past when armed, never for DONE tasks, never twice."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.helpers import bearer_client
from notifications.models import Notification, NotificationRun, NotificationType
from notifications.services import notifications_generate
from notifications.tests.conftest import NOW
from notifications.tests.factories import make_task, make_user
from tasks.models import Status, Task
from tasks.services import task_update

pytestmark = pytest.mark.django_db

REMINDERS = NotificationRun.Kind.REMINDERS
MINUTE = 60


def reminders() -> list[tuple[object, int | None]]:
    """(key, offset) of every REMINDER made, in the order they were made."""
    return list(
        Notification.objects.filter(type=NotificationType.REMINDER)
        .order_by("created_at", "reminder_offset")
        .values_list("due_at", "reminder_offset")
    )


def run(frozen, *, at) -> int:
    frozen.move_to(at, tick=False)
    return notifications_generate(kind=REMINDERS).created_count


def test_each_offset_fires_once_at_its_moment(frozen):
    due = NOW + timedelta(hours=2)
    make_task(user=make_user(), title="Call", due_date=due, reminder_offsets=[0, 60])

    counts = [
        run(frozen, at=NOW),
        run(frozen, at=due - timedelta(minutes=60, seconds=1)),
        run(frozen, at=due - timedelta(minutes=60)),
        run(frozen, at=due - timedelta(minutes=55)),
        run(frozen, at=due - timedelta(seconds=1)),
        run(frozen, at=due),
        run(frozen, at=due + timedelta(minutes=5)),
    ]
    frozen.move_to(due + timedelta(hours=1), tick=False)
    hourly = notifications_generate().created_count

    assert counts == [0, 0, 1, 0, 0, 1, 0]
    assert hourly == 1  # the OVERDUE notification, no reminder again
    assert reminders() == [(due, 60), (due, 0)]
    first = Notification.objects.filter(reminder_offset=60).get()
    assert first.message == 'Reminder: "Call" in Work (due Mon 7 Dec 10:00 UTC).'


def test_a_new_due_arms_them_again_and_the_old_ones_stay(frozen):
    due = NOW + timedelta(hours=1)
    task = make_task(user=make_user(), due_date=due, reminder_offsets=[30])
    run(frozen, at=due - timedelta(minutes=30))
    new_due = due + timedelta(days=1)

    task_update(task=task, changes={"due_date": new_due})
    counts = [
        run(frozen, at=due),
        run(frozen, at=new_due - timedelta(minutes=31)),
        run(frozen, at=new_due - timedelta(minutes=30)),
    ]

    assert counts == [0, 0, 1]
    assert reminders() == [(due, 30), (new_due, 30)]


def test_new_offsets_fire_the_new_ones_only(frozen):
    due = NOW + timedelta(hours=3)
    task = make_task(user=make_user(), due_date=due, reminder_offsets=[60])
    run(frozen, at=due - timedelta(minutes=60))

    task_update(task=task, changes={"reminder_offsets": [30, 60]})
    counts = [run(frozen, at=due - timedelta(minutes=45)), run(frozen, at=due - timedelta(minutes=30))]

    assert counts == [0, 1]
    assert reminders() == [(due, 60), (due, 30)]


def test_an_offset_whose_moment_passed_when_armed_fires_at_the_next_run(frozen):
    due = NOW + timedelta(minutes=20)
    make_task(user=make_user(), due_date=due, reminder_offsets=[10, 60, 1440])

    counts = [run(frozen, at=NOW), run(frozen, at=NOW + timedelta(minutes=5))]

    assert counts == [2, 0]  # 60 and 1440 at once (their moments had passed); 10 not yet
    assert sorted(offset for _, offset in reminders()) == [60, 1440]
    assert run(frozen, at=due - timedelta(minutes=10)) == 1


def test_a_due_already_past_when_armed_fires_none(frozen):
    make_task(user=make_user(), due_date=NOW - timedelta(minutes=1), reminder_offsets=[0, 30])

    counts = [run(frozen, at=NOW), run(frozen, at=NOW + timedelta(minutes=5))]

    assert counts == [0, 0]


def test_an_armed_due_that_passes_before_the_run_still_fires(frozen):
    # Armed at NOW for a due 1 minute later; the next run comes 4 minutes after the due.
    due = NOW + timedelta(minutes=1)
    make_task(user=make_user(), due_date=due, reminder_offsets=[0])

    assert run(frozen, at=NOW + timedelta(minutes=5)) == 1
    assert reminders() == [(due, 0)]


def test_a_moment_older_than_the_lookback_fires_none(frozen, settings):
    due = NOW + timedelta(hours=1)
    make_task(user=make_user(), due_date=due, reminder_offsets=[0])

    assert run(frozen, at=due + settings.NOTIFICATIONS_LOOKBACK + timedelta(seconds=1)) == 0
    assert run(frozen, at=due + settings.NOTIFICATIONS_LOOKBACK - timedelta(minutes=5)) == 1


def test_done_tasks_and_a_disabled_type_fire_none(frozen):
    due = NOW + timedelta(hours=1)
    done = make_task(user=make_user(), due_date=due, reminder_offsets=[0])
    task_update(task=done, changes={"status": Status.DONE})
    make_task(user=make_user(notification_types={"REMINDER": False}), due_date=due, reminder_offsets=[0])
    make_task(user=make_user(), reminder_offsets=[0])  # no due: inert

    assert run(frozen, at=due) == 0


def test_an_all_day_task_is_reminded_before_the_end_of_its_day_on_the_owners_clock(frozen):
    # Tue 8 Dec 2026 in Berlin ends at 9 Dec 00:00 CET = 8 Dec 23:00 UTC; 1440 minutes before
    # is the start of that day there, 7 Dec 23:00 UTC.
    user = make_user(timezone="Europe/Berlin")
    make_task(user=user, title="Bins", due_on=date(2026, 12, 8), reminder_offsets=[1440])

    counts = [
        run(frozen, at=NOW.replace(day=7, hour=22, minute=59)),
        run(frozen, at=NOW.replace(day=7, hour=23, minute=0)),
    ]

    assert counts == [0, 1]
    reminder = Notification.objects.get()
    assert (reminder.due_at, reminder.reminder_offset) == (NOW.replace(day=8, hour=0), 1440)
    assert reminder.message == 'Reminder: "Bins" in Work (due Tue 8 Dec).'


def test_reminders_follow_a_recurring_task_across_an_advance(frozen):
    user = make_user(timezone="Europe/Berlin")
    client = bearer_client(user)
    first_due = NOW + timedelta(hours=1)  # Mon 7 Dec 09:00 UTC = 10:00 CET
    task = make_task(user=user, due_date=first_due, reminder_offsets=[15])
    client.patch(f"/api/v1/tasks/{task.pk}", {"recurrence": {"rrule": "FREQ=DAILY"}}, format="json")
    fired_before = run(frozen, at=first_due - timedelta(minutes=15))

    response = client.patch(f"/api/v1/tasks/{task.pk}", {"status": "DONE"}, format="json")
    second_due = first_due + timedelta(days=1)
    counts = [
        run(frozen, at=second_due - timedelta(minutes=16)),
        run(frozen, at=second_due - timedelta(minutes=15)),
        run(frozen, at=second_due - timedelta(minutes=10)),
    ]

    assert response.json()["due_date"] == "2026-12-08T09:00:00Z"
    assert (fired_before, counts) == (1, [0, 1, 0])
    assert reminders() == [(first_due, 15), (second_due, 15)]


def test_the_sweep_is_set_based_the_same_queries_for_5_or_50_tasks(frozen):
    def queries_for(count: int) -> int:
        Task.objects.all().delete()
        users = [make_user() for _ in range(count // 5)]
        for index in range(count):
            due = NOW + timedelta(minutes=30, seconds=index)
            make_task(user=users[index % len(users)], due_date=due, reminder_offsets=[60, 120])
        with CaptureQueriesContext(connection) as queries:
            made = notifications_generate(kind=REMINDERS).created_count
        assert made == 2 * count
        return len(queries)

    assert queries_for(5) == queries_for(50)

"""The dashboard in the owner's time zone (SPEC §11, §6): an all-day task is upcoming until the
end of its day there and overdue from the next local midnight, and a cached answer ends when
the owner's day ends or the owner's time zone changes."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.test import override_settings

from accounts.tests.factories import UserFactory
from accounts.tests.helpers import bearer_client
from dashboard.selectors import dashboard_statistics
from projects.tests.factories import ProjectFactory
from tasks.tests.factories import make_task

pytestmark = pytest.mark.django_db

URL = "/api/v1/dashboard/statistics"
XMAS = date(2026, 12, 24)
SECOND = timedelta(seconds=1)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def summary(answer: dict) -> tuple[int, list[str]]:
    """The overdue count and the upcoming titles, of the selector's answer or the JSON one."""
    upcoming = answer["upcoming_tasks"]
    return answer["overdue_count"], [
        task["title"] if isinstance(task, dict) else task.title for task in upcoming
    ]


@pytest.mark.parametrize(
    ("zone", "midnight"),
    [
        ("America/Los_Angeles", utc(2026, 12, 25, 8)),
        ("Europe/Berlin", utc(2026, 12, 24, 23)),
        ("Asia/Kolkata", utc(2026, 12, 24, 18, 30)),
    ],
)
def test_an_all_day_task_falls_overdue_at_the_owners_midnight(zone, midnight):
    """Due at the midnight that ends its day: upcoming up to that instant (now <= due), overdue
    once it has passed (due < now)."""
    owner = UserFactory(preferences={"timezone": zone})
    make_task(project=ProjectFactory(owner=owner), title="Wrap gifts", due_on=XMAS)

    assert summary(dashboard_statistics(user=owner, now=midnight - SECOND)) == (0, ["Wrap gifts"])
    assert summary(dashboard_statistics(user=owner, now=midnight)) == (0, ["Wrap gifts"])
    assert summary(dashboard_statistics(user=owner, now=midnight + SECOND)) == (1, [])


def test_on_a_23_hour_day_the_all_day_task_is_due_an_hour_early_in_utc():
    owner = UserFactory(preferences={"timezone": "Europe/Berlin"})
    make_task(project=ProjectFactory(owner=owner), title="Clocks", due_on=date(2026, 3, 29))

    assert dashboard_statistics(user=owner, now=utc(2026, 3, 29, 22))["overdue_count"] == 0
    assert dashboard_statistics(user=owner, now=utc(2026, 3, 29, 22) + SECOND)["overdue_count"] == 1


def test_upcoming_orders_timed_and_all_day_tasks_by_their_due_moment():
    owner = UserFactory(preferences={"timezone": "America/Los_Angeles"})
    project = ProjectFactory(owner=owner)
    make_task(project=project, title="day 24", due_on=XMAS)  # due 2026-12-25T08:00Z
    make_task(project=project, title="morning 24", due_date=utc(2026, 12, 24, 17))
    make_task(project=project, title="evening 24", due_date=utc(2026, 12, 25, 5))
    make_task(project=project, title="day 31", due_on=date(2026, 12, 31))  # 2027-01-01T08:00Z, past 7 days

    stats = dashboard_statistics(user=owner, now=utc(2026, 12, 24, 12))

    assert summary(stats) == (0, ["morning 24", "evening 24", "day 24"])
    assert stats["changes_at"] == utc(2026, 12, 24, 17)


def test_without_dues_the_answer_still_changes_when_the_owners_day_ends():
    owner = UserFactory(preferences={"timezone": "Asia/Kolkata"})
    stats = dashboard_statistics(user=owner, now=utc(2026, 12, 24, 12))
    assert stats["changes_at"] == utc(2026, 12, 24, 18, 30)


@override_settings(DASHBOARD_CACHE_SECONDS=86_400)
def test_the_cached_answer_ends_at_the_owners_midnight(time_machine):
    owner = UserFactory(preferences={"timezone": "America/Los_Angeles"})
    make_task(project=ProjectFactory(owner=owner), title="Wrap gifts", due_on=XMAS)

    time_machine.move_to(utc(2026, 12, 25, 7, 59, 59), tick=False)
    client = bearer_client(owner)  # an access token of that moment
    assert summary(client.get(URL).json()) == (0, ["Wrap gifts"])
    time_machine.move_to(utc(2026, 12, 25, 8) + SECOND, tick=False)
    assert summary(client.get(URL).json()) == (1, [])


@override_settings(DASHBOARD_CACHE_SECONDS=86_400)
def test_a_new_time_zone_ends_the_cached_answer():
    owner = UserFactory(preferences={"timezone": "UTC"})
    make_task(project=ProjectFactory(owner=owner), title="Wrap gifts", due_on=XMAS)

    with time_machine.travel(utc(2026, 12, 24, 20), tick=False):
        client = bearer_client(owner)
        assert summary(client.get(URL).json()) == (0, ["Wrap gifts"])
        # 20:00 UTC is 01:30 on the 25th in Kolkata: the day is over there.
        assert (
            client.patch(
                "/api/v1/users/me/preferences", {"timezone": "Asia/Kolkata"}, format="json"
            ).status_code
            == 200
        )
        assert summary(client.get(URL).json()) == (1, [])

"""A time-zone change and recurring tasks through HTTP (SPEC §12): the current due keeps its
instant and later occurrences keep that instant's wall time in the new zone, with time frozen.

Berlin and New York change their clocks on different Sundays: in 2026 the US springs forward on
8 March and the EU on 29 March, so in between 09:00 in Berlin (08:00Z) is 04:00 in New York,
while in summer it is 03:00 there."""

from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine

from accounts.tests.factories import UserFactory
from accounts.tests.helpers import bearer_client
from projects.tests.factories import ProjectFactory
from tasks.models import Task
from tasks.tests.factories import make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return UserFactory(preferences={"timezone": "Europe/Berlin"})


@pytest.fixture
def project(owner):
    return ProjectFactory(owner=owner)


def url(task: Task) -> str:
    return f"/api/v1/tasks/{task.pk}"


def recurring_task(owner, project, *, created: datetime, due: datetime, recurrence: dict[str, Any]) -> Task:
    """A timed task given its rule at ``created`` (so the rule starts at ``due``)."""
    with time_machine.travel(created, tick=False):
        task = make_task(project=project, due_date=due)
        response = bearer_client(owner).patch(url(task), {"recurrence": recurrence}, format="json")
        assert response.status_code == 200, response.content
    return task


def complete(owner, task: Task, at: datetime) -> dict[str, Any]:
    with time_machine.travel(at, tick=False):
        response = bearer_client(owner).patch(url(task), {"status": "DONE"}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def move_to(owner, zone: str, at: datetime) -> None:
    with time_machine.travel(at, tick=False):
        client = bearer_client(owner)
        response = client.patch("/api/v1/users/me/preferences", {"timezone": zone}, format="json")
        assert response.status_code == 200, response.content


def fetched(owner, task: Task, at: datetime) -> dict[str, Any]:
    with time_machine.travel(at, tick=False):
        return bearer_client(owner).get(url(task)).json()


def test_later_occurrences_keep_the_current_dues_wall_time_not_the_starts(owner, project):
    # Started on a summer 09:00 in Berlin (07:00Z, 03:00 in New York); completed on 19 March,
    # so the current due is 20 March, 09:00 in Berlin (08:00Z, already 04:00 in New York).
    task = recurring_task(
        owner,
        project,
        created=datetime(2025, 6, 30, 12, tzinfo=UTC),
        due=datetime(2025, 7, 1, 7, tzinfo=UTC),
        recurrence={"rrule": "FREQ=DAILY"},
    )
    assert complete(owner, task, datetime(2026, 3, 19, 12, tzinfo=UTC))["due_date"] == "2026-03-20T08:00:00Z"

    move_to(owner, "America/New_York", datetime(2026, 3, 19, 13, tzinfo=UTC))

    body = fetched(owner, task, datetime(2026, 3, 19, 13, tzinfo=UTC))
    assert body["due_date"] == "2026-03-20T08:00:00Z"
    assert body["recurrence"]["start"] == "2025-07-01T08:00:00Z"
    # 04:00 in New York every day, not the start's 03:00 (07:00Z).
    assert body["recurrence"]["next"] == [f"2026-03-{day}T08:00:00Z" for day in (21, 22, 23)]


def test_a_wall_time_that_crosses_midnight_does_not_shift_the_series_by_a_day(owner, project):
    # Thursdays at 20:00 in Berlin. In Kolkata (no daylight saving) the summer start is Thursday
    # 23:30 there, the winter due Friday 00:30: the series moves to Fridays 00:30, whose first
    # is an hour after the start (3 July 19:00Z), not the Thursday 00:30 23 hours before it.
    task = recurring_task(
        owner,
        project,
        created=datetime(2025, 7, 1, 12, tzinfo=UTC),
        due=datetime(2025, 7, 3, 18, tzinfo=UTC),
        recurrence={"rrule": "FREQ=WEEKLY"},
    )
    assert complete(owner, task, datetime(2025, 12, 2, 12, tzinfo=UTC))["due_date"] == "2025-12-04T19:00:00Z"

    move_to(owner, "Asia/Kolkata", datetime(2025, 12, 2, 13, tzinfo=UTC))

    body = fetched(owner, task, datetime(2025, 12, 2, 13, tzinfo=UTC))
    assert body["due_date"] == "2025-12-04T19:00:00Z"
    assert body["recurrence"]["start"] == "2025-07-03T19:00:00Z"
    assert body["recurrence"]["next"] == [f"2025-12-{day}T19:00:00Z" for day in (11, 18, 25)]


def test_count_ends_the_series_after_the_same_occurrences(owner, project):
    # 1 to 20 March at 05:30 in Berlin (04:30Z). In New York the start is 28 February 23:30, the
    # current due (19 March) 00:30: the start moves to 1 March 00:30 there, so the 20 counted
    # occurrences still end on 20 March.
    task = recurring_task(
        owner,
        project,
        created=datetime(2026, 2, 28, 12, tzinfo=UTC),
        due=datetime(2026, 3, 1, 4, 30, tzinfo=UTC),
        recurrence={"rrule": "FREQ=DAILY;COUNT=20"},
    )
    assert complete(owner, task, datetime(2026, 3, 18, 12, tzinfo=UTC))["due_date"] == "2026-03-19T04:30:00Z"

    move_to(owner, "America/New_York", datetime(2026, 3, 18, 13, tzinfo=UTC))

    body = fetched(owner, task, datetime(2026, 3, 18, 13, tzinfo=UTC))
    assert body["recurrence"]["start"] == "2026-03-01T05:30:00Z"
    assert body["recurrence"]["next"] == ["2026-03-20T04:30:00Z"]
    advanced = complete(owner, task, datetime(2026, 3, 19, 12, tzinfo=UTC))
    assert (advanced["status"], advanced["due_date"], advanced["recurrence"]["next"]) == (
        "TODO",
        "2026-03-20T04:30:00Z",
        [],
    )
    assert complete(owner, task, datetime(2026, 3, 20, 12, tzinfo=UTC))["status"] == "DONE"


def test_all_day_recurring_tasks_keep_their_days(owner, project):
    at = datetime(2026, 3, 19, 12, tzinfo=UTC)
    with time_machine.travel(at, tick=False):
        task = make_task(project=project, due_on=date(2026, 3, 20))
        bearer_client(owner).patch(url(task), {"recurrence": {"rrule": "FREQ=WEEKLY"}}, format="json")

    move_to(owner, "America/New_York", at)

    body = fetched(owner, task, at)
    assert (body["due_on"], body["recurrence"]["start"], body["recurrence"]["next"]) == (
        "2026-03-20",
        "2026-03-20",
        ["2026-03-27", "2026-04-03", "2026-04-10"],
    )


def test_from_completion_restarts_at_the_new_wall_time(owner, project):
    # As in the first test, the current due is 20 March at 09:00 in Berlin: 04:00 in New York.
    task = recurring_task(
        owner,
        project,
        created=datetime(2025, 6, 30, 12, tzinfo=UTC),
        due=datetime(2025, 7, 1, 7, tzinfo=UTC),
        recurrence={"rrule": "FREQ=DAILY", "from": "completion"},
    )
    assert complete(owner, task, datetime(2026, 3, 19, 12, tzinfo=UTC))["due_date"] == "2026-03-20T08:00:00Z"

    move_to(owner, "America/New_York", datetime(2026, 3, 19, 13, tzinfo=UTC))

    body = fetched(owner, task, datetime(2026, 3, 19, 13, tzinfo=UTC))
    assert body["due_date"] == "2026-03-20T08:00:00Z"
    assert body["recurrence"]["next"] == [f"2026-03-{day}T08:00:00Z" for day in (20, 21, 22)]
    # Done on 20 March in New York: the next day at 04:00 there, not at the start's 03:00.
    assert complete(owner, task, datetime(2026, 3, 20, 12, tzinfo=UTC))["due_date"] == "2026-03-21T08:00:00Z"

"""A rule made from a wall time that a spring-forward gap skips (SPEC §12, §13), through HTTP
with time frozen: the gap day's due is that time read with fold 0, and every later day keeps
the wall time itself, not the later one the gap day's moment names.

Berlin springs forward on Sunday 29 March 2026 (02:00 CET → 03:00 CEST: 02:30 read with fold 0
is 01:30Z, 03:30 CEST) and falls back on 25 October (02:30 happens twice: 00:30Z, then 01:30Z);
New York springs forward on 8 March (02:00 EST → 03:00 EDT: 02:30 is 07:30Z, 03:30 EDT)."""

from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.tests.factories import UserFactory
from accounts.tests.helpers import bearer_client
from projects.tests.factories import ProjectFactory
from tasks import recurrence
from tasks.models import Task
from tasks.tests.factories import make_task

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
SATURDAY_NIGHT = datetime(2026, 3, 28, 22, tzinfo=UTC)  # 23:00 CET, the night before the gap


@pytest.fixture
def owner():
    return UserFactory(preferences={"timezone": "Europe/Berlin"})


@pytest.fixture
def project(owner):
    return ProjectFactory(owner=owner)


def quick_add(owner, project, text: str, at: datetime) -> dict[str, Any]:
    with time_machine.travel(at, tick=False):
        response = bearer_client(owner).post(
            f"/api/v1/projects/{project.pk}/tasks/quick", {"text": text}, format="json"
        )
    assert response.status_code == 201, response.content
    return response.json()


def patch(owner, body: dict[str, Any], changes: dict[str, Any], at: datetime) -> dict[str, Any]:
    with time_machine.travel(at, tick=False):
        response = bearer_client(owner).patch(
            f"/api/v1/tasks/{body['id']}", {**changes, "version": body["version"]}, format="json"
        )
    assert response.status_code == 200, response.content
    return response.json()


def complete(owner, body: dict[str, Any], at: datetime) -> dict[str, Any]:
    return patch(owner, body, {"status": "DONE"}, at)


def move_to(owner, zone: str, at: datetime) -> None:
    with time_machine.travel(at, tick=False):
        response = bearer_client(owner).patch(
            "/api/v1/users/me/preferences", {"timezone": zone}, format="json"
        )
    assert response.status_code == 200, response.content


def fetched(owner, body: dict[str, Any], at: datetime) -> dict[str, Any]:
    with time_machine.travel(at, tick=False):
        return bearer_client(owner).get(f"/api/v1/tasks/{body['id']}").json()


def test_quick_add_on_the_gap_night_recurs_at_the_wall_time_typed(owner, project):
    # Given "every day at 2:30am" typed the night before Berlin's 02:30 is skipped
    body = quick_add(owner, project, "Bake every day at 2:30am", SATURDAY_NIGHT)

    # Then the first due is 02:30 read with fold 0 and later days are at 02:30 CEST (00:30Z)
    assert body["due_date"] == "2026-03-29T01:30:00Z"
    assert body["recurrence"]["start"] == "2026-03-29T01:30:00Z"
    assert body["recurrence"]["next"] == [f"2026-{day}T00:30:00Z" for day in ("03-30", "03-31", "04-01")]

    # When it is completed, twice
    first = complete(owner, body, datetime(2026, 3, 29, 8, tzinfo=UTC))
    second = complete(owner, first, datetime(2026, 3, 30, 8, tzinfo=UTC))

    # Then each advance keeps 02:30
    assert (first["status"], first["due_date"]) == ("TODO", "2026-03-30T00:30:00Z")
    assert second["due_date"] == "2026-03-31T00:30:00Z"
    assert second["recurrence"]["next"][0] == "2026-04-01T00:30:00Z"
    assert second["recurrence"]["start"] == "2026-03-29T01:30:00Z"


def test_new_york_gap_night():
    owner = UserFactory(preferences={"timezone": "America/New_York"})
    project = ProjectFactory(owner=owner)
    typed = datetime(2026, 3, 8, 3, tzinfo=UTC)  # 22:00 EST on Saturday 7 March

    body = quick_add(owner, project, "Bake every day at 2:30am", typed)

    assert body["due_date"] == "2026-03-08T07:30:00Z"
    first = complete(owner, body, datetime(2026, 3, 8, 15, tzinfo=UTC))
    assert first["due_date"] == "2026-03-09T06:30:00Z"
    assert complete(owner, first, datetime(2026, 3, 9, 15, tzinfo=UTC))["due_date"] == "2026-03-10T06:30:00Z"


def test_a_weekly_rule_starting_on_the_gap_day(owner, project):
    body = quick_add(owner, project, "Bake every sunday at 2:30am", SATURDAY_NIGHT)

    assert body["due_date"] == "2026-03-29T01:30:00Z"
    assert body["recurrence"]["next"] == [f"2026-04-{day}T00:30:00Z" for day in ("05", "12", "19")]
    assert complete(owner, body, datetime(2026, 3, 29, 8, tzinfo=UTC))["due_date"] == "2026-04-05T00:30:00Z"


def test_a_weekly_rule_across_the_gap_and_a_new_rule_set_on_the_gap_days_due(owner, project):
    # Given Sundays at 02:30 from the week before the gap (02:30 CET is 01:30Z)
    body = quick_add(owner, project, "Bake every sunday at 2:30am", datetime(2026, 3, 21, 12, tzinfo=UTC))
    assert body["due_date"] == "2026-03-22T01:30:00Z"
    assert body["recurrence"]["next"] == [
        "2026-03-29T01:30:00Z",
        "2026-04-05T00:30:00Z",
        "2026-04-12T00:30:00Z",
    ]
    on_gap_day = complete(owner, body, datetime(2026, 3, 22, 8, tzinfo=UTC))
    assert on_gap_day["due_date"] == "2026-03-29T01:30:00Z"

    # When the client sets a new rule on the gap day's due (it becomes the start, COUNT counts it)
    changed = patch(
        owner,
        on_gap_day,
        {"recurrence": {"rrule": "FREQ=WEEKLY;COUNT=3"}},
        datetime(2026, 3, 23, 8, tzinfo=UTC),
    )

    # Then the new rule keeps 02:30 too, and ends after three
    assert changed["recurrence"]["start"] == "2026-03-29T01:30:00Z"
    assert changed["recurrence"]["next"] == ["2026-04-05T00:30:00Z", "2026-04-12T00:30:00Z"]


def test_until_counts_the_occurrences_at_the_wall_time(owner, project):
    body = quick_add(owner, project, "Bake every day at 2:30am", SATURDAY_NIGHT)

    changed = patch(
        owner, body, {"recurrence": {"rrule": "FREQ=DAILY;UNTIL=20260331T003000Z"}}, SATURDAY_NIGHT
    )

    # 31 March at 02:30 CEST is UNTIL itself: included; at 03:30 it would be past it
    assert changed["recurrence"]["next"] == ["2026-03-30T00:30:00Z", "2026-03-31T00:30:00Z"]


def test_from_completion_restarts_at_the_wall_time(owner, project):
    body = quick_add(owner, project, "Bake every! day at 2:30am", SATURDAY_NIGHT)
    assert body["recurrence"]["from"] == "completion"

    advanced = complete(owner, body, datetime(2026, 3, 29, 10, tzinfo=UTC))

    assert advanced["due_date"] == "2026-03-30T00:30:00Z"
    assert (
        complete(owner, advanced, datetime(2026, 3, 30, 10, tzinfo=UTC))["due_date"] == "2026-03-31T00:30:00Z"
    )


def test_a_zone_change_that_puts_the_start_in_a_gap():
    # Given a daily rule at 00:30 UTC (COUNT=3) from 29 March, whose current due is 30 March
    owner = UserFactory(preferences={"timezone": "UTC"})
    project = ProjectFactory(owner=owner)
    with time_machine.travel(datetime(2026, 3, 28, 12, tzinfo=UTC), tick=False):
        task = make_task(project=project, due_date=datetime(2026, 3, 29, 0, 30, tzinfo=UTC))
    body = patch(
        owner,
        {"id": task.pk, "version": task.version},
        {"recurrence": {"rrule": "FREQ=DAILY;COUNT=3"}},
        datetime(2026, 3, 28, 12, tzinfo=UTC),
    )
    assert complete(owner, body, datetime(2026, 3, 29, 12, tzinfo=UTC))["due_date"] == "2026-03-30T00:30:00Z"

    # When the owner moves to Berlin: the current due is 02:30 CEST there, and the start's day,
    # 29 March, has no 02:30
    move_to(owner, "Europe/Berlin", datetime(2026, 3, 29, 13, tzinfo=UTC))

    # Then the start is 02:30 read with fold 0, and the third occurrence is at 02:30 as well
    body = fetched(owner, body, datetime(2026, 3, 29, 13, tzinfo=UTC))
    assert body["due_date"] == "2026-03-30T00:30:00Z"
    assert body["recurrence"]["start"] == "2026-03-29T01:30:00Z"
    assert body["recurrence"]["next"] == ["2026-03-31T00:30:00Z"]
    last = complete(owner, body, datetime(2026, 3, 30, 12, tzinfo=UTC))
    assert (last["due_date"], last["recurrence"]["next"]) == ("2026-03-31T00:30:00Z", [])
    assert complete(owner, last, datetime(2026, 3, 31, 12, tzinfo=UTC))["status"] == "DONE"


def test_a_zone_change_on_the_gap_days_due_keeps_the_wall_time(owner, project):
    # Paris keeps Berlin's clock: 01:30Z on 29 March is the skipped 02:30 there too
    body = quick_add(owner, project, "Bake every day at 2:30am", SATURDAY_NIGHT)

    move_to(owner, "Europe/Paris", SATURDAY_NIGHT)

    assert fetched(owner, body, SATURDAY_NIGHT)["recurrence"]["next"] == [
        f"2026-{day}T00:30:00Z" for day in ("03-30", "03-31", "04-01")
    ]


def test_fall_back_stays_at_the_first_and_later_days_keep_the_wall_time(owner, project):
    body = quick_add(owner, project, "Bake every day at 2:30am", datetime(2026, 10, 24, 20, tzinfo=UTC))

    # The first 02:30 (CEST), then 02:30 CET on the days after
    assert body["due_date"] == "2026-10-25T00:30:00Z"
    assert body["recurrence"]["next"] == [f"2026-10-{day}T01:30:00Z" for day in (26, 27, 28)]
    first = complete(owner, body, datetime(2026, 10, 25, 8, tzinfo=UTC))
    assert first["due_date"] == "2026-10-26T01:30:00Z"
    assert "wall" not in Task.objects.get(pk=body["id"]).recurrence


def test_an_old_row_without_the_wall_time_behaves_as_before(owner, project):
    # Given a rule stored before the wall time was kept: its start's own wall time is 03:30
    body = quick_add(owner, project, "Bake every day at 2:30am", SATURDAY_NIGHT)
    task = Task.objects.get(pk=body["id"])
    assert task.recurrence["wall"] == "02:30:00"
    Task.objects.filter(pk=task.pk).update(
        recurrence={key: value for key, value in task.recurrence.items() if key != "wall"}
    )

    # Then it recurs at 03:30 CEST (01:30Z), as it did
    body = fetched(owner, body, SATURDAY_NIGHT)
    assert body["recurrence"]["next"] == [f"2026-{day}T01:30:00Z" for day in ("03-30", "03-31", "04-01")]
    assert complete(owner, body, SATURDAY_NIGHT)["due_date"] == "2026-03-30T01:30:00Z"


def test_a_clients_new_due_restarts_the_rule_at_its_own_wall_time(owner, project):
    body = quick_add(owner, project, "Bake every day at 2:30am", SATURDAY_NIGHT)

    moved = patch(owner, body, {"due_date": "2026-03-30T07:00:00Z"}, SATURDAY_NIGHT)

    assert moved["recurrence"]["next"] == [f"2026-{day}T07:00:00Z" for day in ("03-31", "04-01", "04-02")]
    assert "wall" not in Task.objects.get(pk=body["id"]).recurrence


def test_a_wall_time_that_does_not_read_as_the_start_is_ignored():
    rule = recurrence.parse("FREQ=DAILY", all_day=False, zone=BERLIN)
    start = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)

    def dues(wall: time | None) -> list[datetime | None]:
        series = recurrence.occurrences(rule, start=start, zone=BERLIN, wall=wall)
        return [next(series).due_date for _ in range(2)]

    assert dues(time(2, 30)) == [start, datetime(2026, 3, 30, 0, 30, tzinfo=UTC)]
    assert dues(time(9, 0)) == dues(None) == [start, datetime(2026, 3, 30, 1, 30, tzinfo=UTC)]

"""All-day tasks through HTTP (SPEC §11 and §5): ``due_on`` beside ``due_date``, the rules for
setting and clearing them, and the due moment (the end of the day in the owner's time zone)
in the filters, the due-date order and after a change of time zone."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction

from accounts.services import user_preferences_update
from accounts.tests.factories import UserFactory
from accounts.tests.helpers import bearer_client
from projects.tests.factories import ProjectFactory
from tasks.models import Task
from tasks.tests.factories import make_task

pytestmark = pytest.mark.django_db

ALL_TASKS = "/api/v1/tasks"
XMAS = date(2026, 12, 24)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@pytest.fixture
def owner():
    return UserFactory(preferences={"timezone": "America/Los_Angeles"})


@pytest.fixture
def client(owner):
    return bearer_client(owner)


@pytest.fixture
def project(owner):
    return ProjectFactory(owner=owner, name="Home")


def task_url(task: Task) -> str:
    return f"{ALL_TASKS}/{task.pk}"


def test_a_task_created_on_a_day_is_due_at_the_end_of_that_day_in_the_owners_zone(client, project):
    response = client.post(
        f"/api/v1/projects/{project.pk}/tasks", {"title": "Wrap gifts", "due_on": "2026-12-24"}
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["due_on"], body["due_date"]) == ("2026-12-24", None)
    stored = Task.objects.get(pk=body["id"])
    assert stored.due_at == utc(2026, 12, 25, 8)  # midnight in Los Angeles (PST, UTC-8)


def test_setting_one_due_clears_the_other(client, project):
    task = make_task(project=project, due_date=utc(2026, 12, 24, 9))

    response = client.patch(task_url(task), {"due_on": "2026-12-24"}, format="json")
    assert response.status_code == 200
    assert (response.json()["due_on"], response.json()["due_date"], response.json()["version"]) == (
        "2026-12-24",
        None,
        2,
    )

    response = client.patch(task_url(task), {"due_date": "2026-12-23T17:00:00Z"}, format="json")
    assert (response.json()["due_on"], response.json()["due_date"], response.json()["version"]) == (
        None,
        "2026-12-23T17:00:00Z",
        3,
    )
    task.refresh_from_db()
    assert (task.due_at, task.due_on) == (utc(2026, 12, 23, 17), None)


@pytest.mark.parametrize(
    ("start", "sent", "due_date", "due_on", "version"),
    [
        ({"due_on": XMAS}, {"due_date": None}, None, "2026-12-24", 1),
        ({"due_date": utc(2026, 12, 24, 9)}, {"due_on": None}, "2026-12-24T09:00:00Z", None, 1),
        ({"due_on": XMAS}, {"due_date": None, "due_on": None}, None, None, 2),
        ({"due_date": utc(2026, 12, 24, 9)}, {"due_date": None, "due_on": None}, None, None, 2),
        ({"due_on": XMAS}, {"due_on": "2026-12-24"}, None, "2026-12-24", 1),
        ({"due_on": XMAS}, {"due_on": "2026-12-31", "due_date": None}, None, "2026-12-31", 2),
    ],
    ids=[
        "null-date-keeps-day",
        "null-day-keeps-date",
        "both-null-clear-a-day",
        "both-null-clear-a-date",
        "same-day",
        "new-day-with-null-date",
    ],
)
def test_null_leaves_the_other_due_and_both_null_clear_it(
    client, project, start, sent, due_date, due_on, version
):
    task = make_task(project=project, **start)

    response = client.patch(task_url(task), sent, format="json")

    assert response.status_code == 200
    body = response.json()
    assert (body["due_date"], body["due_on"], body["version"]) == (due_date, due_on, version)
    task.refresh_from_db()
    assert (task.due_at is None) == (due_date is None and due_on is None)


def test_both_dues_at_once_are_a_400_and_change_nothing(client, project):
    task = make_task(project=project, due_on=XMAS)

    response = client.patch(
        task_url(task), {"due_on": "2026-12-25", "due_date": "2026-12-25T10:00:00Z"}, format="json"
    )
    created = client.post(
        f"/api/v1/projects/{project.pk}/tasks",
        {"title": "Both", "due_on": "2026-12-25", "due_date": "2026-12-25T10:00:00Z"},
        format="json",
    )

    for answer in (response, created):
        assert answer.status_code == 400
        assert answer.json()["code"] == "validation_error"
        assert list(answer.json()["errors"]) == ["due_on"]
    task.refresh_from_db()
    assert (task.due_on, task.version, Task.objects.count()) == (XMAS, 1, 1)


@pytest.mark.parametrize(
    "value",
    [
        "2026-1-5",
        "2026-12-24T00:00:00Z",
        "24/12/2026",
        "2026-02-30",
        "",
        " 2026-12-24",
        "2026-12-24 ",
        20261224,
        True,
    ],
)
def test_a_day_is_exactly_yyyy_mm_dd(client, project, value):
    response = client.post(
        f"/api/v1/projects/{project.pk}/tasks", {"title": "x", "due_on": value}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"due_on": ["Enter a date as YYYY-MM-DD."]}
    assert Task.objects.count() == 0


@pytest.fixture
def around_christmas(project):
    """In Los Angeles: all-day tasks on the 23rd, 24th and 25th, and timed ones at the first and
    the last instant of the 24th and at midnight that ends it."""
    return {
        "day 23": make_task(project=project, title="day 23", due_on=date(2026, 12, 23)),
        "day 24": make_task(project=project, title="day 24", due_on=XMAS),
        "day 25": make_task(project=project, title="day 25", due_on=date(2026, 12, 25)),
        "24 00:00": make_task(project=project, title="24 00:00", due_date=utc(2026, 12, 24, 8)),
        "24 23:59": make_task(project=project, title="24 23:59", due_date=utc(2026, 12, 25, 7, 59, 59)),
        "25 00:00": make_task(project=project, title="25 00:00", due_date=utc(2026, 12, 25, 8)),
        "undated": make_task(project=project, title="undated"),
    }


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [task["title"] for task in response.json()["results"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("due_date_from=2026-12-24&due_date_to=2026-12-24", {"day 24", "24 00:00", "24 23:59"}),
        ("due_date_from=2026-12-25", {"day 25", "25 00:00"}),
        ("due_date_to=2026-12-23", {"day 23"}),
        ("due_date_to=2026-12-24", {"day 23", "day 24", "24 00:00", "24 23:59"}),
        # A moment is compared with the due moment itself: the 24th's all-day task is due then.
        ("due_date_from=2026-12-25T08:00:00Z", {"day 24", "day 25", "25 00:00"}),
        ("due_date_to=2026-12-25T07:59:59Z", {"day 23", "24 00:00", "24 23:59"}),
    ],
)
def test_date_only_bounds_are_the_owners_day(client, around_christmas, query, expected):
    assert set(titles(client.get(f"{ALL_TASKS}?{query}"))) == expected


def test_date_only_bounds_follow_the_owners_zone(owner, client, around_christmas):
    user_preferences_update(user=owner, changes={"timezone": "Asia/Kolkata"})

    # 24 Dec in Kolkata is 2026-12-23T18:30Z .. 2026-12-24T18:30Z: only the 24th's all-day task
    # and the timed one at 08:00Z fall in it now.
    assert set(titles(client.get(f"{ALL_TASKS}?due_date_from=2026-12-24&due_date_to=2026-12-24"))) == {
        "day 24",
        "24 00:00",
    }


def test_sort_by_due_date_orders_timed_and_all_day_tasks_by_their_due_moment(client, around_christmas):
    ascending = titles(client.get(f"{ALL_TASKS}?sort_by=due_date"))
    descending = titles(client.get(f"{ALL_TASKS}?sort_by=due_date&sort_order=desc"))

    # Equal moments go by id: an all-day task and a timed one at the midnight that ends its day.
    def tied(*names: str) -> list[str]:
        return [task.title for task in sorted((around_christmas[name] for name in names), key=lambda t: t.pk)]

    first, middle = tied("day 23", "24 00:00"), tied("day 24", "25 00:00")
    assert ascending == [*first, "24 23:59", *middle, "day 25", "undated"]
    assert descending == ["day 25", *middle, "24 23:59", *first, "undated"]


def test_a_new_time_zone_moves_all_day_dues_and_keeps_timed_ones(owner, client, project):
    day = make_task(project=project, due_on=XMAS)
    timed = make_task(project=project, due_date=utc(2026, 12, 24, 12))
    elsewhere = make_task(project=ProjectFactory(), due_on=XMAS)  # another user's, in UTC

    response = client.patch("/api/v1/users/me/preferences", {"timezone": "Europe/Berlin"}, format="json")

    assert response.status_code == 200
    for task in (day, timed, elsewhere):
        task.refresh_from_db()
    assert (day.due_on, day.due_at, day.version) == (XMAS, utc(2026, 12, 24, 23), 1)
    assert timed.due_at == utc(2026, 12, 24, 12)
    assert elsewhere.due_at == utc(2026, 12, 25)
    assert client.get(task_url(day)).json()["due_on"] == "2026-12-24"


def test_a_refused_time_zone_moves_nothing(owner, client, project):
    day = make_task(project=project, due_on=XMAS)

    response = client.patch("/api/v1/users/me/preferences", {"timezone": "Mars/Olympus"}, format="json")

    assert response.status_code == 400
    day.refresh_from_db()
    assert day.due_at == utc(2026, 12, 25, 8)


@pytest.mark.parametrize("hours", [-1, 1])
def test_the_day_of_a_timed_task_in_the_owners_zone_is_not_utcs(client, project, hours):
    # 07:00Z on the 25th is still the 24th in Los Angeles.
    make_task(project=project, title="late", due_date=utc(2026, 12, 25, 8) + timedelta(hours=hours))
    found = titles(client.get(f"{ALL_TASKS}?due_date_from=2026-12-24&due_date_to=2026-12-24"))
    assert found == (["late"] if hours < 0 else [])


def test_the_database_refuses_an_all_day_task_without_a_due_moment(project):
    task = make_task(project=project, due_on=XMAS)

    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(pk=task.pk).update(due_at=None)

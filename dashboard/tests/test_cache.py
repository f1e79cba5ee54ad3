"""The dashboard is cached per user (config/change_stamps.py): a repeated request is answered
from Redis, every write through the API or admin ends the cached answer at once, and the
passing of time ends it when a task falls overdue or enters the 7 days."""

import threading
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import UserFactory
from accounts.tests.helpers import bearer_client
from config.change_stamps import cached_per_user, user_data_changed
from projects.models import Project
from projects.tests.factories import ProjectFactory
from tasks.models import Status, Task, TaskPosition
from tasks.tests.factories import make_task
from tasks.tests.test_admin import change_form

pytestmark = pytest.mark.django_db

URL = "/api/v1/dashboard/statistics"


def counts(body: dict) -> tuple[int, int, int]:
    task_counts = body["task_counts"]
    return task_counts["todo"], task_counts["in_progress"], task_counts["done"]


@pytest.fixture
def board(user):
    """Two projects of the user: 'home' with three TODO tasks, 'work' with one."""
    home = ProjectFactory(owner=user, name="home")
    work = ProjectFactory(owner=user, name="work")
    tasks = [make_task(project=home, title=f"home {i}") for i in range(3)]
    tasks.append(make_task(project=work, title="work 0"))
    return home, work, tasks


def test_a_repeated_request_is_answered_from_the_cache(user, board):
    client = bearer_client(user)
    first = client.get(URL).json()

    with CaptureQueriesContext(connection) as queries:
        second = client.get(URL).json()

    assert second == first
    assert counts(second) == (4, 0, 0)
    assert len(queries) == 1  # the user, for the token; no dashboard query


def test_a_write_that_leaves_the_answer_alone_elsewhere_keeps_my_cache(user, board):
    client = bearer_client(user)
    client.get(URL)
    other = UserFactory()
    make_task(project=ProjectFactory(owner=other), title="theirs")

    with CaptureQueriesContext(connection) as queries:
        body = client.get(URL).json()

    assert counts(body) == (4, 0, 0)
    assert len(queries) == 1


def write_through_the_api(client, home, work, tasks, change):
    first, second = tasks[0], tasks[1]
    match change:
        case "create task":
            return client.post(f"/api/v1/projects/{home.pk}/tasks", {"title": "new"}, format="json")
        case "move task":
            return client.patch(f"/api/v1/tasks/{first.pk}", {"status": "DONE"}, format="json")
        case "delete task":
            return client.delete(f"/api/v1/tasks/{first.pk}")
        case "bulk update":
            items = [{"id": str(first.pk), "status": "IN_PROGRESS"}, {"id": str(second.pk), "status": "DONE"}]
            return client.post("/api/v1/tasks/bulk-update", {"updates": items}, format="json")
        case "due date":
            due = (timezone.now() + timedelta(days=1)).isoformat()
            return client.patch(f"/api/v1/tasks/{first.pk}", {"due_date": due}, format="json")
        case "create project":
            return client.post("/api/v1/projects", {"name": "garden"}, format="json")
        case "archive project":
            return client.patch(f"/api/v1/projects/{work.pk}", {"archived": True}, format="json")
        case "delete project":
            return client.delete(f"/api/v1/projects/{work.pk}")
    raise AssertionError(change)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("create task", {"counts": (5, 0, 0)}),
        ("move task", {"counts": (3, 0, 1), "completion_rate": 0.25}),
        ("delete task", {"counts": (3, 0, 0)}),
        ("bulk update", {"counts": (2, 1, 1), "completion_rate": 0.25}),
        ("due date", {"counts": (4, 0, 0), "upcoming": ["home 0"]}),
        ("create project", {"counts": (4, 0, 0), "projects": ["garden", "work", "home"]}),
        ("archive project", {"counts": (3, 0, 0), "projects": ["home"]}),
        ("delete project", {"counts": (3, 0, 0), "projects": ["home"]}),
    ],
)
def test_every_write_through_the_api_ends_the_cached_answer(user, board, change, expected):
    home, work, tasks = board
    client = bearer_client(user)
    before = client.get(URL).json()
    assert counts(before) == (4, 0, 0)
    assert [p["name"] for p in before["recent_projects"]] == ["work", "home"]

    assert write_through_the_api(client, home, work, tasks, change).status_code in (200, 201, 204)
    after = client.get(URL).json()

    assert counts(after) == expected["counts"]
    assert after["completion_rate"] == expected.get("completion_rate", 0.0)
    assert [t["title"] for t in after["upcoming_tasks"]] == expected.get("upcoming", [])
    assert [p["name"] for p in after["recent_projects"]] == expected.get("projects", ["work", "home"])


def test_a_change_in_the_admin_ends_the_cached_answer(user, board, staff_client):
    _home, work, tasks = board
    client = bearer_client(user)
    client.get(URL)

    task_change = staff_client.post(
        f"/admin/tasks/task/{tasks[0].pk}/change/", change_form(tasks[0], status=str(Status.DONE))
    )
    project_delete = staff_client.post(f"/admin/projects/project/{work.pk}/delete/", {"post": "yes"})

    assert (task_change.status_code, project_delete.status_code) == (302, 302)
    assert counts(client.get(URL).json()) == (2, 0, 1)


def test_a_task_falling_overdue_ends_the_cached_answer_on_time(user, clock):
    project = ProjectFactory(owner=user)
    make_task(project=project, title="soon", due_date=timezone.now() + timedelta(hours=2))
    client = bearer_client(user)
    first = client.get(URL).json()

    clock.shift(2 * 3600)  # due exactly now: still upcoming
    at_due = client.get(URL).json()
    clock.shift(1)
    after = client.get(URL).json()

    assert ([t["title"] for t in first["upcoming_tasks"]], first["overdue_count"]) == (["soon"], 0)
    assert ([t["title"] for t in at_due["upcoming_tasks"]], at_due["overdue_count"]) == (["soon"], 0)
    assert (after["upcoming_tasks"], after["overdue_count"]) == ([], 1)


def test_a_task_entering_the_seven_days_ends_the_cached_answer_on_time(user, clock):
    project = ProjectFactory(owner=user)
    make_task(project=project, title="later", due_date=timezone.now() + timedelta(days=7, hours=1))
    client = bearer_client(user)
    assert client.get(URL).json()["upcoming_tasks"] == []

    clock.shift(3600)
    assert client.get(URL).json()["upcoming_tasks"] == []  # due exactly 7 days ahead: not yet
    clock.shift(1)

    assert [t["title"] for t in client.get(URL).json()["upcoming_tasks"]] == ["later"]


@override_settings(DASHBOARD_CACHE_SECONDS=60)
def test_a_change_made_outside_the_services_shows_after_the_cache_seconds(user, board, clock):
    """Raw SQL or a shell bypasses the change stamps: DASHBOARD_CACHE_SECONDS bounds it."""
    client = bearer_client(user)
    client.get(URL)
    # Task and place together: the database refuses a task whose place has another status.
    Task.objects.filter(owner=user).update(status=Status.IN_PROGRESS)
    TaskPosition.objects.filter(owner=user).update(status=Status.IN_PROGRESS)

    clock.shift(59)
    stale = client.get(URL).json()
    clock.shift(1)
    fresh = client.get(URL).json()

    assert (counts(stale), counts(fresh)) == ((4, 0, 0), (0, 4, 0))


@override_settings(DASHBOARD_CACHE_SECONDS=0)
def test_zero_cache_seconds_turns_the_cache_off(user, board):
    client = bearer_client(user)
    client.get(URL)
    Project.objects.filter(owner=user).update(archived=True)

    assert counts(client.get(URL).json()) == (0, 0, 0)


@pytest.mark.django_db(transaction=True)
def test_a_read_racing_an_uncommitted_write_does_not_leave_a_stale_answer(user, board):
    """A reader computes while a write is uncommitted, and stores the old numbers under the
    stamp the write replaced first; the second replacement, at commit, leaves them behind."""
    from django.db import transaction

    from tasks.services import task_update

    client = bearer_client(user)
    task = board[2][0]
    written = threading.Event()
    read_done = threading.Event()

    def reader() -> None:
        written.wait(10)
        try:
            assert counts(client.get(URL).json()) == (4, 0, 0)  # the write is not committed yet
        finally:
            connection.close()
            read_done.set()

    thread = threading.Thread(target=reader)
    thread.start()
    with transaction.atomic():
        task_update(task=task, changes={"status": Status.DONE})
        written.set()
        assert read_done.wait(10)
    thread.join(10)

    assert counts(client.get(URL).json()) == (3, 0, 1)


# A Redis that is down: nothing listens on port 1.
REDIS_DOWN = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
    }
}


@override_settings(CACHES=REDIS_DOWN)
def test_without_redis_answers_are_computed_and_writes_go_through(caplog):
    calls = []

    def compute():
        calls.append(1)
        return {"n": len(calls)}, timezone.now() + timedelta(minutes=1)

    assert cached_per_user("dashboard", "u1", compute) == {"n": 1}
    assert cached_per_user("dashboard", "u1", compute) == {"n": 2}
    user_data_changed("u1")  # no exception: the write it follows must not fail

    assert "cache unavailable" in caplog.text


def test_an_answer_right_for_less_than_a_second_is_not_stored():
    answer = cached_per_user("dashboard", "u2", lambda: ("now", timezone.now() + timedelta(milliseconds=500)))

    assert answer == "now"
    assert cache.keys("dashboard:u2:*") == []

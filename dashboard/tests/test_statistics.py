from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import UserFactory
from accounts.tests.helpers import bearer_client
from projects.services import project_update
from projects.tests.factories import ProjectFactory
from tasks.models import Status
from tasks.tests.factories import make_task
from tasks.tests.helpers import TASK_KEYS

pytestmark = pytest.mark.django_db

URL = "/api/v1/dashboard/statistics"
MICRO = timedelta(microseconds=1)


def test_empty_dashboard(auth_client):
    response = auth_client.get(URL)

    assert response.status_code == 200
    assert response.json() == {
        "task_counts": {"todo": 0, "in_progress": 0, "done": 0},
        "upcoming_tasks": [],
        "overdue_count": 0,
        "recent_projects": [],
        "completion_rate": 0.0,
    }


def test_needs_authentication(api_client):
    response = api_client.get(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_counts_boundaries_and_exclusions(user, clock):
    now = timezone.now()
    project = ProjectFactory(owner=user)
    archived = ProjectFactory(owner=user)
    stranger_project = ProjectFactory()

    overdue = make_task(project=project, title="overdue", due_date=now - MICRO)
    due_now = make_task(project=project, title="due now", status=Status.IN_PROGRESS, due_date=now)
    last_moment = make_task(project=project, title="last", due_date=now + timedelta(days=7) - MICRO)
    make_task(project=project, title="8th day", due_date=now + timedelta(days=7))
    make_task(project=project, title="no due date")
    make_task(project=project, title="done soon", status=Status.DONE, due_date=now + timedelta(hours=1))
    make_task(project=project, title="done late", status=Status.DONE, due_date=now - timedelta(days=1))
    for status in Status.values:
        make_task(project=archived, title="archived", status=status, due_date=now - timedelta(days=1))
    make_task(project=stranger_project, title="stranger", due_date=now + timedelta(hours=2))
    project_update(project=archived, changes={"archived": True})

    body = bearer_client(user).get(URL).json()

    assert body["task_counts"] == {"todo": 4, "in_progress": 1, "done": 2}
    assert body["overdue_count"] == 1
    assert [task["id"] for task in body["upcoming_tasks"]] == [str(due_now.pk), str(last_moment.pk)]
    assert str(overdue.pk) not in [task["id"] for task in body["upcoming_tasks"]]
    assert body["completion_rate"] == 0.29  # 2 / 7
    assert [p["id"] for p in body["recent_projects"]] == [str(project.pk)]
    assert body["recent_projects"][0]["task_count"] == 7
    assert set(body["upcoming_tasks"][0]) == TASK_KEYS


def test_upcoming_is_the_ten_soonest(user, clock):
    now = timezone.now()
    project = ProjectFactory(owner=user)
    tasks = [
        make_task(project=project, title=f"t{i}", due_date=now + timedelta(hours=12 - i)) for i in range(12)
    ]

    body = bearer_client(user).get(URL).json()

    soonest_first = sorted(tasks, key=lambda task: task.due_date)[:10]
    assert [task["id"] for task in body["upcoming_tasks"]] == [str(task.pk) for task in soonest_first]


def test_recent_projects_are_the_five_most_recently_updated(user, clock):
    projects = []
    for i in range(7):
        projects.append(ProjectFactory(owner=user, name=f"p{i}"))
        clock.shift(1)
    make_task(project=projects[0], title="x")
    project_update(project=projects[1], changes={"description": "touched"})

    body = bearer_client(user).get(URL).json()

    assert [p["name"] for p in body["recent_projects"]] == ["p1", "p6", "p5", "p4", "p3"]


@pytest.mark.parametrize(("done", "total", "rate"), [(1, 3, 0.33), (2, 3, 0.67), (3, 3, 1.0), (0, 2, 0.0)])
def test_completion_rate_is_rounded_to_two_decimals(user, done, total, rate):
    project = ProjectFactory(owner=user)
    for i in range(total):
        make_task(project=project, title=f"t{i}", status=Status.DONE if i < done else Status.TODO)

    assert bearer_client(user).get(URL).json()["completion_rate"] == rate


def test_a_fixed_number_of_queries_whatever_the_data_size(user):
    client = bearer_client(user)
    counts = []
    now = timezone.now()
    for size in (1, 40):
        project = ProjectFactory(owner=user)
        for i in range(size):
            make_task(project=project, title=f"t{i}", due_date=now + timedelta(hours=i + 1))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]
    # the user, projects, counts per column, overdue, upcoming and their labels, the first due
    # date beyond
    assert counts[0] <= 7


def test_another_users_data_is_never_counted():
    me, other = UserFactory(), UserFactory()
    for i in range(3):
        make_task(project=ProjectFactory(owner=other), title=f"theirs {i}", due_date=timezone.now())

    body = bearer_client(me).get(URL).json()

    assert body["task_counts"] == {"todo": 0, "in_progress": 0, "done": 0}
    assert body["recent_projects"] == []
    assert body["upcoming_tasks"] == []

"""The ``label`` list in a board order is read on the narrow tables (page ids first, then the
page's tasks): it must answer exactly what the same list without the label, narrowed to the
labelled tasks, answers, in every board order, with the column filters, across pages, with a
count that counts a task with two of the names once, and in a fixed number of queries."""

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from accounts.tests.helpers import bearer_client
from projects.tests.factories import ProjectFactory
from tasks.models import Status
from tasks.tests.factories import make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return UserFactory()


@pytest.fixture
def client(owner):
    return bearer_client(owner)


@pytest.fixture
def projects(owner):
    rng = random.Random(17)
    made = [ProjectFactory(owner=owner), ProjectFactory(owner=owner)]
    for n in range(40):
        labels = rng.sample(["home", "Work", "errands"], rng.randrange(0, 3))
        make_task(project=made[n % 2], title=f"t{n}", status=rng.choice(list(Status)), labels=labels)
    make_task(project=ProjectFactory(), title="stranger", labels=["home"])  # another user's
    return made


def ids(client, path, **query) -> tuple[list[str], int]:
    response = client.get(path, {"page_size": 200, **query})
    assert response.status_code == 200, response.content
    body = response.json()
    return [task["id"] for task in body["results"]], body["count"]


def expected(client, path, names, **query) -> list[str]:
    """The same list without the label, narrowed to the tasks carrying any of ``names``."""
    response = client.get(path, {"page_size": 200, **query}).json()["results"]
    wanted = {name.lower() for name in names}
    return [task["id"] for task in response if wanted & {label.lower() for label in task["labels"]}]


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"sort_order": "desc"},
        {"sort_by": "position"},
        {"sort_by": "position", "sort_order": "desc"},
        {"status": "TODO,DONE"},
        {"sort_by": "due_date"},  # the task table's path, for comparison
        {"priority": "MEDIUM"},
    ],
)
@pytest.mark.parametrize("names", [["HOME"], ["home", "work"]])
def test_the_label_list_is_the_list_narrowed_to_the_labelled_tasks(client, projects, query, names):
    for path in ("/api/v1/tasks", f"/api/v1/projects/{projects[0].pk}/tasks"):
        got, count = ids(client, path, label=",".join(names), **query)

        assert got == expected(client, path, names, **query)
        assert count == len(got) > 0


def test_pages_follow_each_other_and_count_a_task_with_two_names_once(client, projects):
    whole, count = ids(client, "/api/v1/tasks", label="home,work,errands")
    first = client.get("/api/v1/tasks", {"label": "home,work,errands", "page_size": 7}).json()
    second = client.get("/api/v1/tasks", {"label": "home,work,errands", "page_size": 7, "page": 2}).json()

    assert count == len(whole) == len(set(whole))
    assert first["count"] == second["count"] == count
    assert [t["id"] for t in first["results"] + second["results"]] == whole[:14]


def test_an_unknown_name_matches_nothing(client, projects):
    assert ids(client, "/api/v1/tasks", label="nope") == ([], 0)


def test_the_label_list_takes_the_same_queries_for_any_page_size(client, projects):
    with CaptureQueriesContext(connection) as small:
        client.get("/api/v1/tasks", {"label": "home", "page_size": 2})
    with CaptureQueriesContext(connection) as large:
        client.get("/api/v1/tasks", {"label": "home", "page_size": 50})

    assert len(small.captured_queries) == len(large.captured_queries)
    page = [
        q["sql"] for q in large.captured_queries if "tasks_taskposition" in q["sql"] and "LIMIT" in q["sql"]
    ]
    assert page and "labels_tasklabel" in page[0]  # the page's ids come from the narrow tables

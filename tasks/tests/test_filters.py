import uuid
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from projects.tests.factories import ProjectFactory
from tasks.models import Priority, Status, Task, TaskPosition
from tasks.services import task_update
from tasks.tests.factories import make_task
from tasks.tests.helpers import TASK_KEYS

pytestmark = pytest.mark.django_db

ALL_TASKS = "/api/v1/tasks"


def project_tasks_url(project) -> str:
    return f"/api/v1/projects/{project.pk}/tasks"


@pytest.fixture
def project(user):
    return ProjectFactory(owner=user, name="Mine")


@pytest.fixture(autouse=True)
def foreign_tasks(db):
    """Another user's tasks in every test: they must never show up in the caller's lists."""
    foreign = ProjectFactory(owner=UserFactory(), name="Theirs")
    return [
        make_task(project=foreign, title="foreign milk", status=Status.TODO, priority=Priority.URGENT),
        make_task(
            project=foreign,
            title="foreign done",
            status=Status.DONE,
            due_date=datetime(2026, 5, 1, 12, tzinfo=UTC),
        ),
    ]


@pytest.fixture(params=["project", "all"])
def list_url(request, project):
    """Both list endpoints: a project's board and the caller's tasks across projects."""
    return project_tasks_url(project) if request.param == "project" else ALL_TASKS


def titles(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [item["title"] for item in response.json()["results"]]


def ids(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [item["id"] for item in response.json()["results"]]


def bad_request(response, field: str) -> list[str]:
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert list(body["errors"]) == [field]
    return body["errors"][field]


# --- status and priority ----------------------------------------------------------------------


@pytest.fixture
def one_per_status(project):
    return [
        make_task(project=project, title="todo", priority=Priority.LOW),
        make_task(project=project, title="doing", status=Status.IN_PROGRESS, priority=Priority.HIGH),
        make_task(project=project, title="done", status=Status.DONE, priority=Priority.URGENT),
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=TODO", ["todo"]),
        ("status=TODO&status=DONE", ["todo", "done"]),
        ("status=TODO,DONE", ["todo", "done"]),
        ("status=DONE,TODO", ["todo", "done"]),
        ("status=TODO,IN_PROGRESS&status=DONE", ["todo", "doing", "done"]),
        ("status=IN_PROGRESS&status=IN_PROGRESS,DONE", ["doing", "done"]),
    ],
    ids=["one", "repeated", "comma", "comma-reversed", "mixed", "duplicates"],
)
def test_status_filter(auth_client, list_url, one_per_status, query, expected):
    assert titles(auth_client.get(f"{list_url}?{query}")) == expected


@pytest.mark.parametrize("query", ["status=", "priority=", "sort_by=", "search=%20", "status=TODO,"])
def test_a_blank_filter_is_a_400(auth_client, list_url, one_per_status, query):
    response = auth_client.get(f"{list_url}?{query}")

    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert list(response.json()["errors"]) == [query.split("=")[0]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("priority=LOW", ["todo"]),
        ("priority=LOW&priority=URGENT", ["todo", "done"]),
        ("priority=LOW,URGENT", ["todo", "done"]),
        ("priority=HIGH,URGENT&priority=LOW", ["todo", "doing", "done"]),
        ("priority=MEDIUM", []),
        ("priority=HIGH&status=IN_PROGRESS,DONE", ["doing"]),
    ],
    ids=["one", "repeated", "comma", "mixed", "none-match", "with-status"],
)
def test_priority_filter(auth_client, list_url, one_per_status, query, expected):
    assert titles(auth_client.get(f"{list_url}?{query}")) == expected


@pytest.mark.parametrize(
    ("query", "field", "value"),
    [
        ("status=FOO", "status", "FOO"),
        ("status=TODO,FOO", "status", "FOO"),
        ("status=todo", "status", "todo"),
        ("priority=bogus", "priority", "bogus"),
        ("priority=LOW&priority=low", "priority", "low"),
    ],
    ids=[
        "unknown-status",
        "one-unknown-in-a-list",
        "lower-case-status",
        "unknown-priority",
        "lower-case-priority",
    ],
)
def test_unknown_status_or_priority_is_a_400(auth_client, list_url, one_per_status, query, field, value):
    response = auth_client.get(f"{list_url}?{query}")

    assert bad_request(response, field) == [
        f"Select a valid choice. {value} is not one of the available choices."
    ]


# --- search ---------------------------------------------------------------------------------


def test_search_is_a_case_insensitive_substring_of_title_or_description(auth_client, list_url, project):
    make_task(project=project, title="Buy MILK")
    make_task(project=project, title="Groceries", description="remember the milkshake")
    make_task(project=project, title="Bread", description="whole grain")

    assert titles(auth_client.get(f"{list_url}?search=mIlK")) == ["Buy MILK", "Groceries"]
    assert titles(auth_client.get(f"{list_url}?search=GRAIN")) == ["Bread"]
    assert titles(auth_client.get(f"{list_url}?search=I")) == ["Buy MILK", "Groceries", "Bread"]
    assert titles(auth_client.get(f"{list_url}?search=butter")) == []


def test_search_treats_percent_and_underscore_literally(auth_client, list_url, project):
    make_task(project=project, title="100% done")
    make_task(project=project, title="100 percent done")
    make_task(project=project, title="snake_case")
    make_task(project=project, title="snakeXcase")
    make_task(project=project, title="plain", description="50%_off")

    assert titles(auth_client.get(f"{list_url}?search={quote('100%')}")) == ["100% done"]
    assert titles(auth_client.get(f"{list_url}?search=e_c")) == ["snake_case"]
    assert titles(auth_client.get(f"{list_url}?search={quote('%_')}")) == ["plain"]
    assert titles(auth_client.get(f"{list_url}?search={quote('%')}")) == ["100% done", "plain"]
    assert titles(auth_client.get(f"{list_url}?search=_")) == ["snake_case", "plain"]


def test_search_combines_with_other_filters(auth_client, list_url, project):
    make_task(project=project, title="milk todo")
    make_task(project=project, title="milk done", status=Status.DONE)
    make_task(project=project, title="bread done", status=Status.DONE)

    assert titles(auth_client.get(f"{list_url}?search=milk&status=DONE")) == ["milk done"]


# --- due dates --------------------------------------------------------------------------------


@pytest.fixture
def due_dates(project):
    """Created in order, so the default order is this order; one task has no due date."""
    moments = {
        "before": datetime(2026, 4, 30, 23, 59, 59, 999999, tzinfo=UTC),
        "midnight": datetime(2026, 5, 1, 0, 0, tzinfo=UTC),
        "noon": datetime(2026, 5, 1, 12, 0, tzinfo=UTC),
        "last": datetime(2026, 5, 1, 23, 59, 59, 999999, tzinfo=UTC),
        "next": datetime(2026, 5, 2, 0, 0, tzinfo=UTC),
    }
    tasks = [make_task(project=project, title=title, due_date=moment) for title, moment in moments.items()]
    tasks.append(make_task(project=project, title="undated"))
    return tasks


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("due_date_from=2026-05-01T12:00:00Z", ["noon", "last", "next"]),
        ("due_date_to=2026-05-01T12:00:00Z", ["before", "midnight", "noon"]),
        ("due_date_from=2026-05-01T12:00:00Z&due_date_to=2026-05-01T12:00:00Z", ["noon"]),
        ("due_date_from=2026-05-01T12:00:00.000001Z", ["last", "next"]),
        ("due_date_to=2026-05-01T11:59:59.999999Z", ["before", "midnight"]),
        ("due_date_from=2026-05-01", ["midnight", "noon", "last", "next"]),
        ("due_date_from=2000-01-01", ["before", "midnight", "noon", "last", "next"]),
        ("due_date_to=2100-01-01T00:00:00Z", ["before", "midnight", "noon", "last", "next"]),
        (f"due_date_from={quote('2026-05-01T14:00:00+02:00')}", ["noon", "last", "next"]),
        ("due_date_to=2026-04-30T19:00:00-05:00", ["before", "midnight"]),
        ("due_date_to=2026-05-01T00:00:00", ["before", "midnight"]),
        ("due_date_from=2026-05-03", []),
    ],
    ids=[
        "from-exact-instant",
        "to-exact-instant",
        "from-equals-to",
        "from-just-after",
        "to-just-before",
        "from-date-is-start-of-day",
        "from-long-ago-excludes-null",
        "to-far-future-excludes-null",
        "from-with-positive-offset",
        "to-with-negative-offset",
        "naive-date-time-is-utc",
        "nothing-due",
    ],
)
def test_due_date_bounds_are_inclusive(auth_client, list_url, due_dates, query, expected):
    assert titles(auth_client.get(f"{list_url}?{query}")) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("due_date_to=2026-05-01", ["before", "midnight", "noon", "last"]),
        ("due_date_from=2026-05-01&due_date_to=2026-05-01", ["midnight", "noon", "last"]),
    ],
    ids=["to-date-is-end-of-day", "one-whole-day"],
)
def test_due_date_to_a_date_means_the_end_of_that_day(auth_client, list_url, due_dates, query, expected):
    assert titles(auth_client.get(f"{list_url}?{query}")) == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("due_date_from=yesterday", "due_date_from"),
        ("due_date_to=not-a-date", "due_date_to"),
        ("due_date_from=2026-02-30", "due_date_from"),
        ("due_date_to=2026-05-01T25:00:00Z", "due_date_to"),
    ],
    ids=["word", "garbage", "no-such-day", "no-such-hour"],
)
def test_bad_due_date_bound_is_a_400(auth_client, list_url, due_dates, query, field):
    response = auth_client.get(f"{list_url}?{query}")

    assert bad_request(response, field) == ["Enter an ISO 8601 date or date-time, e.g. 2026-05-01T09:00:00Z."]


# --- sorting ----------------------------------------------------------------------------------


def test_default_order_is_status_then_position(auth_client, list_url, project):
    # created in a scrambled order; "doing 1" is inserted in front of "doing 2"
    make_task(project=project, title="done 1", status=Status.DONE)
    make_task(project=project, title="todo 1")
    make_task(project=project, title="doing 2", status=Status.IN_PROGRESS)
    make_task(project=project, title="todo 2")
    make_task(project=project, title="done 2", status=Status.DONE)
    make_task(project=project, title="doing 1", status=Status.IN_PROGRESS, position=0)
    make_task(project=project, title="todo 0", position=0)
    expected = ["todo 0", "todo 1", "todo 2", "doing 1", "doing 2", "done 1", "done 2"]

    assert titles(auth_client.get(list_url)) == expected
    assert titles(auth_client.get(f"{list_url}?sort_order=asc")) == expected
    assert titles(auth_client.get(f"{list_url}?sort_order=desc")) == expected[::-1]


def test_sort_by_created_at(auth_client, list_url, project, clock):
    make_task(project=project, title="first", status=Status.DONE)
    clock.shift(1)
    make_task(project=project, title="second")
    clock.shift(1)
    make_task(project=project, title="third", status=Status.IN_PROGRESS)
    clock.shift(1)
    make_task(project=project, title="fourth", position=0)

    assert titles(auth_client.get(f"{list_url}?sort_by=created_at")) == ["first", "second", "third", "fourth"]
    assert titles(auth_client.get(f"{list_url}?sort_by=created_at&sort_order=asc")) == [
        "first",
        "second",
        "third",
        "fourth",
    ]
    assert titles(auth_client.get(f"{list_url}?sort_by=created_at&sort_order=desc")) == [
        "fourth",
        "third",
        "second",
        "first",
    ]


def test_sort_by_updated_at(auth_client, list_url, project, clock):
    a = make_task(project=project, title="a")
    b = make_task(project=project, title="b")
    c = make_task(project=project, title="c")
    d = make_task(project=project, title="d")
    for task in (c, a, d, b):
        clock.shift(1)
        task_update(task=task, changes={"description": "touched"})
    # a move shifts b, c and d without touching their updated_at
    clock.shift(1)
    task_update(task=a, changes={"position": 3})
    # so a is now the most recently updated: c, d, b, a

    assert titles(auth_client.get(f"{list_url}?sort_by=updated_at&sort_order=asc")) == ["c", "d", "b", "a"]
    assert titles(auth_client.get(f"{list_url}?sort_by=updated_at&sort_order=desc")) == ["a", "b", "d", "c"]


def test_sort_by_due_date_puts_null_due_dates_last_in_both_directions(auth_client, list_url, project):
    late = make_task(project=project, title="late", due_date=datetime(2026, 5, 3, tzinfo=UTC))
    undated_1 = make_task(project=project, title="undated 1")
    soon = make_task(project=project, title="soon", due_date=datetime(2026, 5, 1, tzinfo=UTC))
    middle = make_task(project=project, title="middle", due_date=datetime(2026, 5, 2, tzinfo=UTC))
    undated_2 = make_task(project=project, title="undated 2", status=Status.DONE)
    # ties (the two null due dates) are broken by id
    undated = [str(pk) for pk in sorted([undated_1.pk, undated_2.pk])]

    ascending = ids(auth_client.get(f"{list_url}?sort_by=due_date&sort_order=asc"))
    descending = ids(auth_client.get(f"{list_url}?sort_by=due_date&sort_order=desc"))

    assert ascending == [str(soon.pk), str(middle.pk), str(late.pk), *undated]
    assert descending == [str(late.pk), str(middle.pk), str(soon.pk), *undated]
    assert ids(auth_client.get(f"{list_url}?sort_by=due_date")) == ascending


def test_sort_by_priority_uses_the_rank_not_the_name(auth_client, list_url, project):
    make_task(project=project, title="high", priority=Priority.HIGH)
    make_task(project=project, title="low", priority=Priority.LOW)
    make_task(project=project, title="urgent", priority=Priority.URGENT)
    make_task(project=project, title="medium", priority=Priority.MEDIUM)

    assert titles(auth_client.get(f"{list_url}?sort_by=priority")) == ["low", "medium", "high", "urgent"]
    assert titles(auth_client.get(f"{list_url}?sort_by=priority&sort_order=desc")) == [
        "urgent",
        "high",
        "medium",
        "low",
    ]


def test_sort_by_position_breaks_ties_by_id(auth_client, list_url, project):
    tasks = [
        make_task(project=project, title="todo 0"),
        make_task(project=project, title="todo 1"),
        make_task(project=project, title="todo 2"),
        make_task(project=project, title="doing 0", status=Status.IN_PROGRESS),
        make_task(project=project, title="doing 1", status=Status.IN_PROGRESS),
        make_task(project=project, title="done 0", status=Status.DONE),
    ]
    ascending = [str(t.pk) for t in sorted(tasks, key=lambda t: (t.position, t.pk))]
    descending = [str(t.pk) for t in sorted(tasks, key=lambda t: (-t.position, t.pk))]

    assert ids(auth_client.get(f"{list_url}?sort_by=position&sort_order=asc")) == ascending
    assert ids(auth_client.get(f"{list_url}?sort_by=position&sort_order=desc")) == descending
    assert [t.position for t in tasks] == [0, 1, 2, 0, 1, 0]


def test_sort_combines_with_filters(auth_client, list_url, project):
    make_task(project=project, title="todo low", priority=Priority.LOW)
    make_task(project=project, title="todo urgent", priority=Priority.URGENT)
    make_task(project=project, title="done high", status=Status.DONE, priority=Priority.HIGH)

    response = auth_client.get(f"{list_url}?status=TODO&sort_by=priority&sort_order=desc")

    assert titles(response) == ["todo urgent", "todo low"]


@pytest.mark.parametrize(
    ("query", "field", "value"),
    [
        ("sort_by=bogus", "sort_by", "bogus"),
        ("sort_by=title", "sort_by", "title"),
        ("sort_by=-created_at", "sort_by", "-created_at"),
        ("sort_order=up", "sort_order", "up"),
        ("sort_by=priority&sort_order=DESC", "sort_order", "DESC"),
    ],
    ids=["bogus", "unsortable-field", "django-style-descending", "up", "upper-case-order"],
)
def test_unknown_sort_is_a_400(auth_client, list_url, project, query, field, value):
    make_task(project=project)

    response = auth_client.get(f"{list_url}?{query}")

    assert bad_request(response, field) == [
        f"Select a valid choice. {value} is not one of the available choices."
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("search=%00", "search"),
        ("status=%00", "status"),
        ("priority=%00", "priority"),
        ("due_date_from=%00", "due_date_from"),
        ("due_date_to=2026-05-01%00", "due_date_to"),
        ("sort_by=%00", "sort_by"),
        ("project_id=%00", "project_id"),
    ],
    ids=["search", "status", "priority", "due_date_from", "due_date_to", "sort_by", "project_id"],
)
def test_a_nul_character_in_a_query_value_is_a_400_not_a_500(auth_client, list_url, project, query, field):
    make_task(project=project)

    response = auth_client.get(f"{list_url}?{query}")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


# --- scope: /tasks across projects, /projects/{id}/tasks for one ------------------------------


@pytest.fixture
def two_projects(user, project):
    second = ProjectFactory(owner=user, name="Second")
    mine = [
        make_task(project=project, title="p1 todo"),
        make_task(project=project, title="p1 done", status=Status.DONE),
        make_task(project=second, title="p2 todo a"),
        make_task(project=second, title="p2 todo b"),
        make_task(project=second, title="p2 doing", status=Status.IN_PROGRESS),
    ]
    return project, second, mine


def test_all_tasks_lists_the_callers_tasks_across_projects(auth_client, two_projects):
    _, _, mine = two_projects
    expected = [str(t.pk) for t in sorted(mine, key=lambda t: (t.status, t.position, t.pk))]

    response = auth_client.get(ALL_TASKS)

    assert response.json()["count"] == 5
    assert ids(response) == expected


def test_all_tasks_filters_by_project_id(auth_client, two_projects):
    first, second, _ = two_projects

    assert titles(auth_client.get(f"{ALL_TASKS}?project_id={second.pk}")) == [
        "p2 todo a",
        "p2 todo b",
        "p2 doing",
    ]
    assert titles(auth_client.get(f"{ALL_TASKS}?project_id={first.pk}&status=DONE")) == ["p1 done"]


def test_project_tasks_lists_only_that_project(auth_client, two_projects):
    first, second, _ = two_projects

    assert titles(auth_client.get(project_tasks_url(first))) == ["p1 todo", "p1 done"]
    assert titles(auth_client.get(project_tasks_url(second))) == ["p2 todo a", "p2 todo b", "p2 doing"]


def test_all_tasks_with_a_bad_project_id_is_a_400(auth_client, two_projects):
    response = auth_client.get(f"{ALL_TASKS}?project_id=not-a-uuid")

    assert bad_request(response, "project_id") == ["Enter a valid UUID."]


def test_all_tasks_with_another_users_project_id_is_empty(auth_client, two_projects, foreign_tasks):
    response = auth_client.get(f"{ALL_TASKS}?project_id={foreign_tasks[0].project_id}")

    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_all_tasks_with_an_unknown_project_id_is_empty(auth_client, two_projects):
    response = auth_client.get(f"{ALL_TASKS}?project_id={uuid.uuid4()}")

    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_all_tasks_of_a_user_without_tasks_is_empty(auth_client):
    response = auth_client.get(ALL_TASKS)

    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_list_of_another_users_project_is_forbidden(auth_client, foreign_tasks):
    response = auth_client.get(project_tasks_url(foreign_tasks[0].project))

    assert response.status_code == 403
    assert response.json() == {
        "code": "permission_denied",
        "detail": "You do not have permission to access this object.",
        "errors": {},
    }


def test_list_of_an_unknown_project_is_not_found(auth_client):
    response = auth_client.get(f"/api/v1/projects/{uuid.uuid4()}/tasks")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "No project with this id.", "errors": {}}


def test_lists_need_a_token(api_client, list_url):
    response = api_client.get(list_url)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_lists_work_with_a_trailing_slash(auth_client, list_url, project):
    make_task(project=project, title="a")

    assert titles(auth_client.get(f"{list_url}/")) == ["a"]


def test_list_items_have_the_task_shape(auth_client, list_url, project):
    task = make_task(project=project, title="a", due_date=datetime(2026, 5, 1, 9, tzinfo=UTC))

    item = auth_client.get(list_url).json()["results"][0]

    assert item["id"] == str(task.pk)
    assert item["project_id"] == str(project.pk)
    assert item["status"] == "TODO"
    assert item["priority"] == "MEDIUM"
    assert item["due_date"] == "2026-05-01T09:00:00Z"
    assert set(item) == TASK_KEYS


# --- pagination -------------------------------------------------------------------------------


def test_page_size_paginates_with_links(auth_client, list_url, project):
    for title in "abcde":
        make_task(project=project, title=title)
    base = f"http://testserver{list_url}"

    first = auth_client.get(f"{list_url}?page_size=2").json()
    second = auth_client.get(f"{list_url}?page_size=2&page=2").json()
    last = auth_client.get(f"{list_url}?page_size=2&page=3").json()

    assert first["count"] == second["count"] == last["count"] == 5
    assert [item["title"] for item in first["results"]] == ["a", "b"]
    assert first["next"] == f"{base}?page=2&page_size=2"
    assert first["previous"] is None
    assert [item["title"] for item in second["results"]] == ["c", "d"]
    assert second["next"] == f"{base}?page=3&page_size=2"
    assert second["previous"] == f"{base}?page_size=2"
    assert [item["title"] for item in last["results"]] == ["e"]
    assert last["next"] is None
    assert last["previous"] == f"{base}?page=2&page_size=2"


def test_pagination_keeps_the_filters_in_its_links(auth_client, list_url, project):
    for title in "abc":
        make_task(project=project, title=title, priority=Priority.HIGH)
    make_task(project=project, title="low", priority=Priority.LOW)

    body = auth_client.get(f"{list_url}?priority=HIGH&page_size=2").json()

    assert body["count"] == 3
    assert body["next"] == f"http://testserver{list_url}?page=2&page_size=2&priority=HIGH"


def test_page_size_above_the_maximum_is_clamped_to_200(auth_client, list_url, project):
    tasks = Task.objects.bulk_create(
        Task(project=project, owner=project.owner, title=f"task {n:03}") for n in range(201)
    )
    TaskPosition.objects.bulk_create(
        TaskPosition(task=task, project=project, owner=project.owner, status=task.status, position=n)
        for n, task in enumerate(tasks)
    )

    clamped = auth_client.get(f"{list_url}?page_size=500").json()
    default = auth_client.get(list_url).json()

    assert clamped["count"] == 201
    assert len(clamped["results"]) == 200
    assert clamped["results"][-1]["title"] == "task 199"
    assert clamped["next"] == f"http://testserver{list_url}?page=2&page_size=500"
    assert len(default["results"]) == 50
    assert len(auth_client.get(f"{list_url}?page_size=500&page=2").json()["results"]) == 1


@pytest.mark.parametrize("query", ["page_size=0", "page_size=-1", "page_size=abc", "page=0", "page=x"])
def test_bad_page_values_are_a_400(auth_client, list_url, project, query):
    make_task(project=project)

    response = auth_client.get(f"{list_url}?{query}")

    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


# --- query counts -----------------------------------------------------------------------------


def _queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_project_list_makes_the_same_number_of_queries_for_1_and_30_tasks(auth_client, project):
    make_task(project=project, title="only t")
    url = f"{project_tasks_url(project)}?search=t&sort_by=priority"
    one = _queries_for(auth_client, url)

    for n in range(29):
        make_task(project=project, title=f"t{n}", status=Status(n % 3 + 1), priority=Priority(n % 4 + 1))
    thirty = _queries_for(auth_client, url)

    assert auth_client.get(url).json()["count"] == 30
    assert one == thirty


def test_all_tasks_list_makes_the_same_number_of_queries_for_1_and_30_tasks(auth_client, user, project):
    make_task(project=project, title="only t")
    url = f"{ALL_TASKS}?search=t&sort_by=due_date"
    one = _queries_for(auth_client, url)

    others = [ProjectFactory(owner=user) for _ in range(2)]
    for n in range(29):
        make_task(project=[project, *others][n % 3], title=f"t{n}", status=Status(n % 3 + 1))
    thirty = _queries_for(auth_client, url)

    assert auth_client.get(url).json()["count"] == 30
    assert one == thirty

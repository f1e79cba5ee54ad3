import threading
import time
import uuid

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from accounts.tests.helpers import bearer_client
from projects.models import Project
from projects.tests.factories import ProjectFactory
from tasks.models import Status, Task
from tasks.tests.factories import make_task

pytestmark = pytest.mark.django_db

PROJECTS = "/api/v1/projects"
PROJECT_KEYS = {"id", "name", "description", "color", "archived", "task_count", "created_at", "updated_at"}
FORBIDDEN = {
    "code": "permission_denied",
    "detail": "You do not have permission to access this object.",
    "errors": {},
}
# The service's own message reaches the client (config/errors.py).
NOT_FOUND = {"code": "not_found", "detail": "No project with this id.", "errors": {}}
# A path that is no route at all (an id that is not a UUID).
ROUTE_NOT_FOUND = {"code": "not_found", "detail": "Not found.", "errors": {}}


def detail_url(project_id, slash=""):
    return f"{PROJECTS}/{project_id}{slash}"


def validation_error(errors):
    return {"code": "validation_error", "detail": "Invalid input.", "errors": errors}


def names(response):
    return [item["name"] for item in response.json()["results"]]


@pytest.fixture
def stranger_project():
    return ProjectFactory(
        owner=UserFactory(), name="Theirs", description="private", color="#000000", archived=True
    )


def stored(project):
    return dict(
        Project.objects.filter(pk=project.pk).values(
            "name", "description", "color", "archived", "owner_id", "updated_at"
        )[0]
    )


# --- POST /projects ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", [PROJECTS, f"{PROJECTS}/"])
def test_create_returns_the_project_with_defaults(auth_client, user, url):
    response = auth_client.post(url, {"name": "Home"}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == PROJECT_KEYS
    assert body["name"] == "Home"
    assert body["description"] == ""
    assert body["color"] == "#3B82F6"
    assert body["archived"] is False
    assert body["task_count"] == 0
    assert body["created_at"].endswith(("Z", "+00:00"))
    assert body["updated_at"].endswith(("Z", "+00:00"))
    project = Project.objects.get(pk=body["id"])
    assert project.owner_id == user.pk
    assert (project.name, project.description, project.color, project.archived) == (
        "Home",
        "",
        "#3B82F6",
        False,
    )


def test_create_stores_every_field_sent(auth_client):
    response = auth_client.post(
        PROJECTS,
        {"name": "Work", "description": "Day job", "color": "#a1B2c3", "archived": True},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert {key: body[key] for key in ("name", "description", "color", "archived", "task_count")} == {
        "name": "Work",
        "description": "Day job",
        "color": "#a1B2c3",
        "archived": True,
        "task_count": 0,
    }


def test_create_accepts_name_of_100_and_description_of_5000_chars(auth_client):
    response = auth_client.post(PROJECTS, {"name": "n" * 100, "description": "d" * 5000}, format="json")

    assert response.status_code == 201
    project = Project.objects.get(pk=response.json()["id"])
    assert len(project.name) == 100
    assert len(project.description) == 5000


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({}, {"name": ["This field is required."]}),
        ({"description": "no name"}, {"name": ["This field is required."]}),
        ({"name": ""}, {"name": ["This field may not be blank."]}),
        ({"name": "   "}, {"name": ["This field may not be blank."]}),
        ({"name": None}, {"name": ["This field may not be null."]}),
        ({"name": "n" * 101}, {"name": ["Ensure this field has no more than 100 characters."]}),
        (
            {"name": "ok", "description": "d" * 5001},
            {"description": ["Ensure this field has no more than 5000 characters."]},
        ),
        ({"name": "ok", "color": "blue"}, {"color": ["A color is #RRGGBB, e.g. #3B82F6."]}),
        ({"name": "ok", "color": "#12345"}, {"color": ["A color is #RRGGBB, e.g. #3B82F6."]}),
        ({"name": "ok", "color": "#GGGGGG"}, {"color": ["A color is #RRGGBB, e.g. #3B82F6."]}),
        ({"name": "ok", "color": "#1234567"}, {"color": ["A color is #RRGGBB, e.g. #3B82F6."]}),
        ({"name": "ok", "archived": "maybe"}, {"archived": ["Must be a valid boolean."]}),
        # JSON types as the schema declares them: no coercion (issue 13, point 8).
        ({"name": "ok", "archived": "yes"}, {"archived": ["Must be a valid boolean."]}),
        ({"name": "ok", "archived": 1}, {"archived": ["Must be a valid boolean."]}),
        ({"name": "ok", "archived": 0}, {"archived": ["Must be a valid boolean."]}),
        ({"name": "ok", "archived": "true"}, {"archived": ["Must be a valid boolean."]}),
        ({"name": 42}, {"name": ["Not a valid string."]}),
        ({"name": "ok", "description": 7}, {"description": ["Not a valid string."]}),
        ({"name": "ok", "color": 3}, {"color": ["Not a valid string."]}),
    ],
)
def test_create_refuses_invalid_fields(auth_client, payload, errors):
    response = auth_client.post(PROJECTS, payload, format="json")

    assert response.status_code == 400
    assert response.json() == validation_error(errors)
    assert Project.objects.count() == 0


def test_create_refuses_a_body_that_is_not_json(auth_client):
    response = auth_client.post(PROJECTS, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert Project.objects.count() == 0


def test_create_needs_a_token(api_client):
    response = api_client.post(PROJECTS, {"name": "Home"}, format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert Project.objects.count() == 0


def test_create_refuses_an_invalid_token(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    response = api_client.post(PROJECTS, {"name": "Home"}, format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"
    assert Project.objects.count() == 0


# --- GET /projects ----------------------------------------------------------------------------


def test_list_holds_only_the_callers_projects(auth_client, user, stranger_project):
    mine = ProjectFactory(owner=user, name="Mine")

    response = auth_client.get(PROJECTS)

    assert response.status_code == 200
    body = response.json()
    assert body == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "id": str(mine.pk),
                "name": "Mine",
                "description": "",
                "color": "#3B82F6",
                "archived": False,
                "task_count": 0,
                "created_at": body["results"][0]["created_at"],
                "updated_at": body["results"][0]["updated_at"],
            }
        ],
    }


def test_list_of_a_user_without_projects_is_empty(auth_client, stranger_project):
    response = auth_client.get(f"{PROJECTS}/")

    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_list_needs_a_token(api_client, stranger_project):
    response = api_client.get(PROJECTS)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_list_is_paginated(auth_client, user, clock):
    for name in ("a", "b", "c"):
        ProjectFactory(owner=user, name=name)
        clock.shift(1)

    first = auth_client.get(PROJECTS, {"page_size": 2, "ordering": "name"})
    second = auth_client.get(PROJECTS, {"page_size": 2, "ordering": "name", "page": 2})

    assert first.status_code == 200
    assert first.json()["count"] == 3
    assert first.json()["previous"] is None
    assert first.json()["next"] == "http://testserver/api/v1/projects?ordering=name&page=2&page_size=2"
    assert names(first) == ["a", "b"]
    assert second.status_code == 200
    assert second.json()["next"] is None
    assert second.json()["previous"] == "http://testserver/api/v1/projects?ordering=name&page_size=2"
    assert names(second) == ["c"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"archived": "true"}, ["Old"]),
        ({"archived": "false"}, ["Current"]),
        ({}, ["Current", "Old"]),
    ],
)
def test_list_filters_by_archived(auth_client, user, query, expected):
    ProjectFactory(owner=user, name="Old", archived=True)
    ProjectFactory(owner=user, name="Current", archived=False)
    ProjectFactory(owner=UserFactory(), name="Theirs old", archived=True)

    response = auth_client.get(PROJECTS, {**query, "ordering": "name"})

    assert response.status_code == 200
    assert names(response) == expected


@pytest.mark.parametrize("value", ["", " "])
def test_list_refuses_a_blank_filter(auth_client, value):
    for name in ("archived", "search", "ordering"):
        response = auth_client.get(PROJECTS, {name: value})

        assert response.status_code == 400
        assert response.json() == validation_error({name: ["This field may not be blank."]})


@pytest.mark.parametrize("value", ["maybe", "1", "TRUE"])
def test_list_refuses_an_unknown_archived_value(auth_client, value):
    response = auth_client.get(PROJECTS, {"archived": value})

    assert response.status_code == 400
    assert response.json() == validation_error(
        {"archived": [f"Select a valid choice. {value} is not one of the available choices."]}
    )


def test_list_search_is_a_case_insensitive_substring_of_the_name(auth_client, user):
    ProjectFactory(owner=user, name="Groceries")
    ProjectFactory(owner=user, name="big GROCERY run")
    ProjectFactory(owner=user, name="Work", description="grocery")
    ProjectFactory(owner=UserFactory(), name="Their groceries")

    response = auth_client.get(PROJECTS, {"search": "gRoCeR", "ordering": "name"})

    assert response.status_code == 200
    assert names(response) == ["Groceries", "big GROCERY run"]


def test_list_search_takes_like_wildcards_literally(auth_client, user):
    ProjectFactory(owner=user, name="50% off")
    ProjectFactory(owner=user, name="500 items")
    ProjectFactory(owner=user, name="snake_case")
    ProjectFactory(owner=user, name="snakeXcase")

    percent = auth_client.get(PROJECTS, {"search": "50%"})
    underscore = auth_client.get(PROJECTS, {"search": "e_c"})

    assert names(percent) == ["50% off"]
    assert names(underscore) == ["snake_case"]


def test_list_search_without_a_match_is_empty(auth_client, user):
    ProjectFactory(owner=user, name="Home")

    response = auth_client.get(PROJECTS, {"search": "nothing like it"})

    assert response.status_code == 200
    assert response.json()["count"] == 0
    assert response.json()["results"] == []


@pytest.fixture
def three_projects(user, clock):
    """Created Bravo, Charlie, Alpha (in that order), then Bravo updated last, so ordering by
    name, by created_at and by updated_at each give a different order."""
    bravo = ProjectFactory(owner=user, name="Bravo")
    clock.shift(10)
    ProjectFactory(owner=user, name="Charlie")
    clock.shift(10)
    ProjectFactory(owner=user, name="Alpha")
    clock.shift(10)
    bravo.description = "touched"
    bravo.save()
    clock.shift(10)


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("name", ["Alpha", "Bravo", "Charlie"]),
        ("-name", ["Charlie", "Bravo", "Alpha"]),
        ("created_at", ["Bravo", "Charlie", "Alpha"]),
        ("-created_at", ["Alpha", "Charlie", "Bravo"]),
        ("updated_at", ["Charlie", "Alpha", "Bravo"]),
        ("-updated_at", ["Bravo", "Alpha", "Charlie"]),
        (None, ["Bravo", "Alpha", "Charlie"]),
    ],
)
def test_list_ordering(auth_client, three_projects, ordering, expected):
    response = auth_client.get(PROJECTS, {"ordering": ordering} if ordering else {})

    assert response.status_code == 200
    assert names(response) == expected


def test_list_default_order_follows_the_latest_update(auth_client, user, clock):
    older = ProjectFactory(owner=user, name="Older")
    clock.shift(5)
    ProjectFactory(owner=user, name="Newer")
    clock.shift(5)
    auth_client.patch(detail_url(older.pk), {"description": "edited"}, format="json")

    response = auth_client.get(PROJECTS)

    assert names(response) == ["Older", "Newer"]


@pytest.mark.parametrize("ordering", ["bogus", "owner", "task_count", "-description"])
def test_list_refuses_an_unknown_ordering(auth_client, user, ordering):
    ProjectFactory(owner=user)

    response = auth_client.get(PROJECTS, {"ordering": ordering})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["detail"] == "Invalid input."
    assert list(body["errors"]) == ["ordering"]


def test_list_refuses_a_search_with_a_nul_character(auth_client):
    response = auth_client.get(PROJECTS, {"search": "a\x00b"})

    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert list(response.json()["errors"]) == ["search"]


def test_list_counts_each_projects_tasks(auth_client, user):
    busy = ProjectFactory(owner=user, name="Busy")
    for title in ("a", "b"):
        make_task(project=busy, title=title)
    make_task(project=busy, title="c", status=Status.IN_PROGRESS)
    make_task(project=busy, title="d", status=Status.DONE)
    single = ProjectFactory(owner=user, name="Single")
    make_task(project=single)
    ProjectFactory(owner=user, name="Empty")
    theirs = ProjectFactory(owner=UserFactory(), name="Theirs")
    make_task(project=theirs)

    response = auth_client.get(PROJECTS, {"ordering": "name"})

    assert response.status_code == 200
    assert [(item["name"], item["task_count"]) for item in response.json()["results"]] == [
        ("Busy", 4),
        ("Empty", 0),
        ("Single", 1),
    ]


def _list_query_count(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(PROJECTS)
    assert response.status_code == 200
    return len(queries), response.json()["count"]


def test_list_makes_the_same_number_of_queries_whatever_the_number_of_projects(auth_client, user):
    first = ProjectFactory(owner=user)
    make_task(project=first)
    one = _list_query_count(auth_client)

    for _ in range(19):
        project = ProjectFactory(owner=user)
        make_task(project=project)
        make_task(project=project, status=Status.DONE)
    twenty = _list_query_count(auth_client)

    assert one[1] == 1
    assert twenty[1] == 20
    assert twenty[0] == one[0]
    assert one[0] <= 5


# --- GET /projects/{id} -----------------------------------------------------------------------


@pytest.mark.parametrize("slash", ["", "/"])
def test_retrieve_returns_the_project(auth_client, user, slash):
    project = ProjectFactory(owner=user, name="Home", description="Chores", color="#00FF00")
    make_task(project=project)
    make_task(project=project)

    response = auth_client.get(detail_url(project.pk, slash))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == PROJECT_KEYS
    assert {key: body[key] for key in ("id", "name", "description", "color", "archived", "task_count")} == {
        "id": str(project.pk),
        "name": "Home",
        "description": "Chores",
        "color": "#00FF00",
        "archived": False,
        "task_count": 2,
    }


def test_retrieve_needs_a_token(api_client, stranger_project):
    response = api_client.get(detail_url(stranger_project.pk))

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


# --- PUT /projects/{id} -----------------------------------------------------------------------


@pytest.mark.parametrize("slash", ["", "/"])
def test_put_replaces_every_field(auth_client, user, slash):
    project = ProjectFactory(owner=user, name="Old")

    response = auth_client.put(
        detail_url(project.pk, slash),
        {"name": "New", "description": "Fresh", "color": "#112233", "archived": True},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert set(body) == PROJECT_KEYS
    assert {key: body[key] for key in ("id", "name", "description", "color", "archived", "task_count")} == {
        "id": str(project.pk),
        "name": "New",
        "description": "Fresh",
        "color": "#112233",
        "archived": True,
        "task_count": 0,
    }
    project.refresh_from_db()
    assert (project.name, project.description, project.color, project.archived) == (
        "New",
        "Fresh",
        "#112233",
        True,
    )


def test_put_resets_fields_left_out_to_their_defaults(auth_client, user):
    project = ProjectFactory(owner=user, name="Old", description="Notes", color="#000000", archived=True)
    make_task(project=project)

    response = auth_client.put(detail_url(project.pk), {"name": "Renamed"}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in ("name", "description", "color", "archived", "task_count")} == {
        "name": "Renamed",
        "description": "",
        "color": "#3B82F6",
        "archived": False,
        "task_count": 1,
    }
    project.refresh_from_db()
    assert (project.name, project.description, project.color, project.archived) == (
        "Renamed",
        "",
        "#3B82F6",
        False,
    )


def test_put_bumps_updated_at_and_keeps_created_at(auth_client, user, clock):
    project = ProjectFactory(owner=user)
    created_at, updated_at = project.created_at, project.updated_at
    clock.shift(60)

    response = auth_client.put(detail_url(project.pk), {"name": "Later"}, format="json")

    assert response.status_code == 200
    project.refresh_from_db()
    assert project.created_at == created_at
    assert project.updated_at > updated_at


def test_put_without_name_is_refused_and_changes_nothing(auth_client, user):
    project = ProjectFactory(owner=user, name="Keep", description="Notes", color="#000000", archived=True)
    before = stored(project)

    response = auth_client.put(detail_url(project.pk), {"description": "new"}, format="json")

    assert response.status_code == 400
    assert response.json() == validation_error({"name": ["This field is required."]})
    assert stored(project) == before


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"name": "n" * 101}, {"name": ["Ensure this field has no more than 100 characters."]}),
        ({"name": "ok", "color": "#12345"}, {"color": ["A color is #RRGGBB, e.g. #3B82F6."]}),
        (
            {"name": "ok", "description": "d" * 5001},
            {"description": ["Ensure this field has no more than 5000 characters."]},
        ),
    ],
)
def test_put_refuses_invalid_fields(auth_client, user, payload, errors):
    project = ProjectFactory(owner=user)
    before = stored(project)

    response = auth_client.put(detail_url(project.pk), payload, format="json")

    assert response.status_code == 400
    assert response.json() == validation_error(errors)
    assert stored(project) == before


# --- PATCH /projects/{id} ---------------------------------------------------------------------


@pytest.mark.parametrize("slash", ["", "/"])
def test_patch_changes_only_the_fields_sent(auth_client, user, slash):
    project = ProjectFactory(owner=user, name="Home", description="Notes", color="#000000", archived=False)

    response = auth_client.patch(detail_url(project.pk, slash), {"archived": True}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == PROJECT_KEYS
    assert {key: body[key] for key in ("id", "name", "description", "color", "archived", "task_count")} == {
        "id": str(project.pk),
        "name": "Home",
        "description": "Notes",
        "color": "#000000",
        "archived": True,
        "task_count": 0,
    }
    project.refresh_from_db()
    assert (project.name, project.description, project.color, project.archived) == (
        "Home",
        "Notes",
        "#000000",
        True,
    )


def test_patch_can_rename_and_recolor(auth_client, user):
    project = ProjectFactory(owner=user, name="Home", description="Notes", archived=True)

    response = auth_client.patch(detail_url(project.pk), {"name": "House", "color": "#ABCDEF"}, format="json")

    assert response.status_code == 200
    project.refresh_from_db()
    assert (project.name, project.description, project.color, project.archived) == (
        "House",
        "Notes",
        "#ABCDEF",
        True,
    )


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"name": ""}, {"name": ["This field may not be blank."]}),
        ({"color": "blue"}, {"color": ["A color is #RRGGBB, e.g. #3B82F6."]}),
        ({"description": None}, {"description": ["This field may not be null."]}),
    ],
)
def test_patch_refuses_invalid_fields(auth_client, user, payload, errors):
    project = ProjectFactory(owner=user, name="Keep")
    before = stored(project)

    response = auth_client.patch(detail_url(project.pk), payload, format="json")

    assert response.status_code == 400
    assert response.json() == validation_error(errors)
    assert stored(project) == before


# --- DELETE /projects/{id} --------------------------------------------------------------------


@pytest.mark.parametrize("slash", ["", "/"])
def test_delete_removes_the_project_and_its_tasks(auth_client, user, slash):
    project = ProjectFactory(owner=user)
    make_task(project=project, title="a")
    make_task(project=project, title="b", status=Status.DONE)
    other = ProjectFactory(owner=user)
    kept = make_task(project=other, title="kept")

    response = auth_client.delete(detail_url(project.pk, slash))

    assert response.status_code == 204
    assert response.content == b""
    assert not Project.objects.filter(pk=project.pk).exists()
    assert not Task.objects.filter(project_id=project.pk).exists()
    assert list(Task.objects.values_list("pk", flat=True)) == [kept.pk]
    assert auth_client.get(detail_url(project.pk)).status_code == 404


# --- another user's project, unknown ids --------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "payload"),
    [
        ("get", None),
        ("put", {"name": "Hijacked"}),
        ("put", {}),
        ("patch", {"name": "Hijacked", "archived": False}),
        ("delete", None),
    ],
)
@pytest.mark.parametrize("slash", ["", "/"])
def test_another_users_project_is_forbidden(auth_client, stranger_project, method, payload, slash):
    make_task(project=stranger_project)
    before = stored(stranger_project)

    response = getattr(auth_client, method)(detail_url(stranger_project.pk, slash), payload, format="json")

    assert response.status_code == 403
    assert response.json() == FORBIDDEN
    assert stored(stranger_project) == before
    assert Task.objects.filter(project=stranger_project).count() == 1


@pytest.mark.parametrize(
    ("method", "payload"),
    [("get", None), ("put", {"name": "x"}), ("patch", {"name": "x"}), ("delete", None)],
)
def test_unknown_project_id_is_not_found(auth_client, user, method, payload):
    ProjectFactory(owner=user)

    response = getattr(auth_client, method)(detail_url(uuid.uuid4()), payload, format="json")

    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert Project.objects.count() == 1


@pytest.mark.parametrize("project_id", ["not-a-uuid", "123", "0f7c2b1e-zzzz-4e0c-9a55-0b0c0d0e0f10"])
@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_a_non_uuid_id_is_not_found(auth_client, user, project_id, method):
    ProjectFactory(owner=user)

    response = getattr(auth_client, method)(detail_url(project_id), {"name": "x"}, format="json")

    assert response.status_code == 404
    assert response.json() == ROUTE_NOT_FOUND
    assert Project.objects.count() == 1


# --- tasks in another user's project ------------------------------------------------------------


def test_creating_a_task_in_another_users_project_is_forbidden(auth_client, stranger_project):
    response = auth_client.post(f"{PROJECTS}/{stranger_project.pk}/tasks", {"title": "Sneaky"}, format="json")

    assert response.status_code == 403
    assert response.json() == FORBIDDEN
    assert Task.objects.count() == 0


def test_creating_a_task_in_another_users_project_is_forbidden_even_when_invalid(
    auth_client, stranger_project
):
    response = auth_client.post(f"{PROJECTS}/{stranger_project.pk}/tasks/", {}, format="json")

    assert response.status_code == 403
    assert response.json() == FORBIDDEN
    assert Task.objects.count() == 0


def test_creating_a_task_in_an_unknown_project_is_not_found(auth_client):
    response = auth_client.post(f"{PROJECTS}/{uuid.uuid4()}/tasks", {"title": "Lost"}, format="json")

    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert Task.objects.count() == 0


def test_creating_a_task_in_ones_own_project_counts_it(auth_client, user):
    project = ProjectFactory(owner=user)

    created = auth_client.post(f"{PROJECTS}/{project.pk}/tasks", {"title": "Mine"}, format="json")
    fetched = auth_client.get(detail_url(project.pk))

    assert created.status_code == 201
    assert Task.objects.get().project_id == project.pk
    assert fetched.json()["task_count"] == 1


def test_each_user_sees_only_their_own_projects(user, stranger_project):
    mine = ProjectFactory(owner=user)
    other_client = bearer_client(stranger_project.owner)

    response = other_client.get(PROJECTS)

    assert [item["id"] for item in response.json()["results"]] == [str(stranger_project.pk)]
    assert other_client.get(detail_url(mine.pk)).status_code == 403


# --- races with a concurrent writer (real threads on PostgreSQL) ---------------------------------


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _waits_for_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
        return bool(row and row[0])


def while_another_transaction_holds_the_row(write, request):
    """``write`` runs in another connection's transaction, which stays open (holding its row
    locks) until ``request`` has read the project and waits on one of those locks; then it
    commits. Returns the response to ``request``."""
    written, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                write()
                written.set()
                release.wait(10)
        finally:
            connection.close()

    def release_once_request_waits(request_pid: int) -> None:
        try:
            deadline = time.monotonic() + 10
            while not release.is_set() and time.monotonic() < deadline:
                if _waits_for_a_lock(request_pid):
                    break
                time.sleep(0.02)
        finally:
            release.set()
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert written.wait(10)
    # The test client serves the request on this thread's connection.
    watcher = threading.Thread(target=release_once_request_waits, args=(_backend_pid(),))
    watcher.start()
    try:
        response = request()
    finally:
        release.set()
        holder.join(10)
        watcher.join(10)
    return response


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_patch_does_not_undo_a_concurrent_change_to_another_field(user):
    project = ProjectFactory(owner=user, name="Home", color="#3B82F6")
    client = bearer_client(user)

    response = while_another_transaction_holds_the_row(
        lambda: Project.objects.filter(pk=project.pk).update(color="#111111"),
        lambda: client.patch(detail_url(project.pk), {"name": "House"}, format="json"),
    )

    assert response.status_code == 200
    project.refresh_from_db()
    assert (project.name, project.color) == ("House", "#111111")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_put_racing_a_delete_does_not_bring_the_project_back(user):
    project = ProjectFactory(owner=user, name="Doomed")
    make_task(project=project)
    client = bearer_client(user)

    response = while_another_transaction_holds_the_row(
        lambda: Project.objects.filter(pk=project.pk).delete(),
        lambda: client.put(detail_url(project.pk), {"name": "Revived"}, format="json"),
    )

    assert response.status_code == 404
    assert not Project.objects.filter(pk=project.pk).exists()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_creating_a_task_racing_the_projects_delete_is_not_a_server_error(user):
    project = ProjectFactory(owner=user)
    client = bearer_client(user)
    client.raise_request_exception = False

    response = while_another_transaction_holds_the_row(
        lambda: Project.objects.filter(pk=project.pk).delete(),
        lambda: client.post(f"{PROJECTS}/{project.pk}/tasks", {"title": "Late"}, format="json"),
    )

    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert Task.objects.count() == 0

"""The cross-user access matrix (issue 8): generated from the OpenAPI schema and the router.

For every operation on a path that takes an object id, user B's token on user A's object gets
403 (exists, not yours) or 404, and A's object is left untouched. Every GET without a path id
(the list endpoints) is asked by B and must not show any of A's rows. A route that takes an id
and has no entry in ``OWNED_OBJECTS`` fails ``test_every_id_route_is_in_the_matrix``: a new
endpoint joins the matrix consciously, with a factory that builds the owner's object.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import UserFactory
from accounts.tests.helpers import bearer_client
from checklists.models import ChecklistItem
from checklists.services import item_create
from config.api.router import router
from labels.models import Label
from notifications.models import Notification, Snooze
from notifications.tests.factories import make_notification
from projects.models import Project
from projects.tests.factories import ProjectFactory
from tasks.models import Task
from tasks.services import task_update
from tasks.tests.factories import make_task

API_PREFIX = "/api/v1"
HTTP_METHODS = ("get", "put", "patch", "delete", "post")


@dataclass(frozen=True)
class OwnedObject:
    """How to build the owner's object behind one id-taking path, and prove it survived."""

    build: Callable[[User], dict[str, str]]  # owner -> path parameters
    still_intact: Callable[[dict[str, str]], bool]
    bodies: dict[str, dict[str, Any]] = field(default_factory=dict)  # method -> valid body


def _project(owner: User) -> dict[str, str]:
    return {"id": str(cast(Project, ProjectFactory(owner=owner, name="A's project")).pk)}


def _project_of_tasks(owner: User) -> dict[str, str]:
    project = cast(Project, ProjectFactory(owner=owner, name="A's project"))
    make_task(project=project, title="A's task")
    return {"project_id": str(project.pk)}


def _task(owner: User) -> dict[str, str]:
    return {"id": str(make_task(project=cast(Project, ProjectFactory(owner=owner)), title="A's task").pk)}


def _recurring_task(owner: User) -> dict[str, str]:
    task = make_task(
        project=cast(Project, ProjectFactory(owner=owner)), title="A's task", due_on=date(2030, 1, 1)
    )
    task_update(task=task, changes={"recurrence": {"rrule": "FREQ=DAILY"}})
    return {"id": str(task.pk)}


def _recurring_task_intact(ids: dict[str, str]) -> bool:
    return Task.objects.filter(pk=ids["id"], title="A's task", due_on=date(2030, 1, 1)).exists()


def _checklist_item(owner: User) -> dict[str, str]:
    task = make_task(project=cast(Project, ProjectFactory(owner=owner)), title="A's task")
    item = item_create(task=task, text="A's step")
    return {"task_id": str(task.pk), "id": str(item.pk)}


def _checklist_intact(ids: dict[str, str]) -> bool:
    items = ChecklistItem.objects.filter(task_id=ids["task_id"]).values_list("text", "done")
    return list(items) == [("A's step", False)] and Task.objects.get(pk=ids["task_id"]).version == 2


def _notification(owner: User) -> dict[str, str]:
    return {"id": str(make_notification(user=owner).pk)}


def _notification_of_a_task(owner: User) -> dict[str, str]:
    task = make_task(project=cast(Project, ProjectFactory(owner=owner)), title="A's task")
    return {"id": str(make_notification(user=owner, task=task).pk)}


# Every path of the API that takes an object id. Bodies are valid for the owner, so a refusal
# comes from the ownership check, not from validation.
OWNED_OBJECTS: dict[str, OwnedObject] = {
    "/api/v1/labels/{id}": OwnedObject(
        build=lambda owner: {"id": str(Label.objects.create(owner=owner, name="A's label").pk)},
        still_intact=lambda ids: Label.objects.filter(pk=ids["id"], name="A's label").exists(),
        bodies={"patch": {"name": "B was here"}},
    ),
    "/api/v1/projects/{id}": OwnedObject(
        build=_project,
        still_intact=lambda ids: Project.objects.filter(pk=ids["id"], name="A's project").exists(),
        bodies={"put": {"name": "B was here"}, "patch": {"name": "B was here"}},
    ),
    "/api/v1/projects/{project_id}/tasks": OwnedObject(
        build=_project_of_tasks,
        still_intact=lambda ids: (
            list(Task.objects.filter(project_id=ids["project_id"]).values_list("title", flat=True))
            == ["A's task"]
        ),
        bodies={"post": {"title": "B was here"}},
    ),
    "/api/v1/projects/{project_id}/tasks/quick": OwnedObject(
        build=_project_of_tasks,
        still_intact=lambda ids: (
            list(Task.objects.filter(project_id=ids["project_id"]).values_list("title", flat=True))
            == ["A's task"]
        ),
        bodies={"post": {"text": "B was here tomorrow"}},
    ),
    "/api/v1/tasks/{id}": OwnedObject(
        build=_task,
        still_intact=lambda ids: Task.objects.filter(pk=ids["id"], title="A's task").exists(),
        bodies={"patch": {"title": "B was here", "status": "DONE"}},
    ),
    "/api/v1/tasks/{task_id}/checklist": OwnedObject(
        build=lambda owner: {"task_id": _checklist_item(owner)["task_id"]},
        still_intact=_checklist_intact,
        bodies={"post": {"text": "B was here"}},
    ),
    "/api/v1/tasks/{task_id}/checklist/{id}": OwnedObject(
        build=_checklist_item,
        still_intact=_checklist_intact,
        bodies={"patch": {"text": "B was here", "done": True}},
    ),
    "/api/v1/tasks/{id}/skip": OwnedObject(build=_recurring_task, still_intact=_recurring_task_intact),
    "/api/v1/tasks/{id}/completions": OwnedObject(build=_recurring_task, still_intact=_recurring_task_intact),
    "/api/v1/notifications/{id}/read": OwnedObject(
        build=_notification,
        still_intact=lambda ids: Notification.objects.filter(pk=ids["id"], read=False).exists(),
        bodies={"patch": {"read": True}},
    ),
    "/api/v1/notifications/{id}/snooze": OwnedObject(
        build=_notification_of_a_task,
        still_intact=lambda ids: not Snooze.objects.exists(),
        bodies={"post": {"minutes": 10}},
    ),
}


def _schema_paths() -> dict[str, dict[str, Any]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        path: {m: op for m, op in ops.items() if m in HTTP_METHODS} for path, ops in schema["paths"].items()
    }


def _router_id_paths() -> set[str]:
    """The router's own patterns with a named group, as schema-style templates: a view left out
    of the schema (``exclude=True``) still shows up here."""
    templates = set()
    for pattern in router.urls:
        regex = str(pattern.pattern)
        if "(?P<" not in regex:
            continue
        template = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", regex)
        template = template.removeprefix("^").removesuffix("$").replace("/?", "")
        templates.add(f"{API_PREFIX}/{template}".replace("{pk}", "{id}"))
    return templates


def _id_paths() -> set[str]:
    return {path for path in _schema_paths() if "{" in path} | _router_id_paths()


def _cross_user_cases() -> list[tuple[str, str]]:
    return sorted((path, method) for path, ops in _schema_paths().items() if "{" in path for method in ops)


def _list_paths() -> list[str]:
    return sorted(path for path, ops in _schema_paths().items() if "{" not in path and "get" in ops)


def test_every_id_route_is_in_the_matrix():
    unregistered = _id_paths() - OWNED_OBJECTS.keys()
    assert not unregistered, (
        f"Routes taking an object id without an entry in OWNED_OBJECTS: {sorted(unregistered)}. "
        "Add a factory for the owner's object so the access matrix checks it."
    )
    stale = OWNED_OBJECTS.keys() - _id_paths()
    assert not stale, f"OWNED_OBJECTS names routes that no longer exist: {sorted(stale)}"


def test_the_matrix_covers_read_update_and_delete():
    methods = {method for _, method in _cross_user_cases()}
    assert {"get", "put", "patch", "delete", "post"} <= methods
    assert len(_cross_user_cases()) >= 9


@pytest.fixture
def owner(db) -> User:
    return cast(User, UserFactory(email="owner-a@example.com"))


@pytest.fixture
def intruder_client(db) -> APIClient:
    return bearer_client(cast(User, UserFactory(email="intruder-b@example.com")))


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "method"), _cross_user_cases())
def test_another_users_object_is_refused(path, method, owner, intruder_client):
    entry = OWNED_OBJECTS[path]
    ids = entry.build(owner)
    url = path.format(**ids)

    response = getattr(intruder_client, method)(url, entry.bodies.get(method, {}), format="json")

    assert response.status_code in (403, 404), (method, url, response.status_code, response.content)
    assert response.json()["code"] == {403: "permission_denied", 404: "not_found"}[response.status_code]
    assert "B was here" not in response.content.decode()
    assert entry.still_intact(ids), f"{method.upper()} {path} changed another user's object"


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "method"), _cross_user_cases())
def test_the_owner_passes_the_same_check(path, method, owner):
    """The control: the same request by the owner is not refused, so the refusal above is
    the ownership check and not a broken request."""
    entry = OWNED_OBJECTS[path]
    url = path.format(**entry.build(owner))

    response = getattr(bearer_client(owner), method)(url, entry.bodies.get(method, {}), format="json")

    assert response.status_code < 400, (method, url, response.status_code, response.content)


@pytest.mark.django_db
def test_bulk_update_of_another_users_task_is_refused(owner, intruder_client):
    task_id = _task(owner)["id"]

    response = intruder_client.post(
        f"{API_PREFIX}/tasks/bulk-update", {"updates": [{"id": task_id, "status": "DONE"}]}, format="json"
    )

    assert response.status_code in (403, 404), response.content
    assert Task.objects.get(pk=task_id).status != "DONE"


@pytest.mark.django_db
def test_list_endpoints_never_show_another_users_rows(owner, intruder_client):
    a_ids = [entry.build(owner) for entry in OWNED_OBJECTS.values()]
    secrets = {value for ids in a_ids for value in ids.values()}
    secrets |= {str(pk) for pk in Task.objects.filter(project__owner=owner).values_list("pk", flat=True)}
    secrets |= {"A's project", "A's task", owner.email}
    intruder_client.post(f"{API_PREFIX}/projects", {"name": "B's own"}, format="json")

    for path in _list_paths():
        response = intruder_client.get(path)
        body = response.content.decode()
        assert response.status_code != 500, path  # 503: Google not configured here
        leaked = sorted(secret for secret in secrets if secret in body)
        assert not leaked, f"GET {path} shows user A's rows to user B: {leaked}"
    projects = json.loads(intruder_client.get(f"{API_PREFIX}/projects").content)["results"]
    assert [project["name"] for project in projects] == ["B's own"]


@pytest.mark.django_db
def test_the_owner_sees_their_rows_in_the_lists(owner):
    """The control for the list check: the same lists do show A's rows to A."""
    for entry in OWNED_OBJECTS.values():
        entry.build(owner)
    client = bearer_client(owner)

    for path in (f"{API_PREFIX}/projects", f"{API_PREFIX}/tasks", f"{API_PREFIX}/notifications"):
        assert json.loads(client.get(path).content)["count"] > 0, path

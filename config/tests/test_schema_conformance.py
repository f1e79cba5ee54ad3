"""Every operation of the OpenAPI schema, called for real (issue 13, point 8): its success and its
main refusals (400, 401, 403, 404 and 409 where the operation declares them, 429 on every
throttled one, 414 on every one with query parameters), each answer checked against the
schema by schemathesis: the status code is declared, and so is the content type; the body
matches its schema; the declared headers (``Retry-After``) are there and valid. The requests
are written out, not generated, so every run sends the same ones; the fuzz test
(test_api_fuzz.py) explores the rest.

``test_every_operation_has_its_cases`` fails when the schema gains an operation with no cases
here, or declares one of those main statuses that no case reaches.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, cast

import pytest
import schemathesis
from django.utils import timezone
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import OneTimeToken, User
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from accounts.tests.helpers import login
from accounts.tokens import one_time_token_create
from checklists.services import item_create
from config.wsgi import application
from integrations.models import GoogleIntegration
from labels.models import Label
from notifications.models import Notification
from notifications.tests.factories import make_notification
from notifications.tokens import unsubscribe_token_make
from projects.models import Project
from projects.tests.factories import ProjectFactory
from tasks.models import Status, Task
from tasks.services import task_update
from tasks.tests.factories import make_task

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
OPENAPI: dict[str, Any] = schema.raw_schema

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
MAIN_REFUSALS = {"400", "401", "403", "404", "409"}
MISSING = "00000000-0000-4000-8000-000000000000"
STRONG = "Fresh-pass-42"
CHANNEL = {"id": "conformance-channel", "token": "conformance-channel-token"}


@dataclass
class World:
    owner: User  # verified; owns project, task and notification
    other: User  # unverified; owns other_project, other_task and other_notification
    project: Project
    task: Task
    notification: Notification
    other_project: Project
    other_task: Task
    other_notification: Notification
    tokens: dict[str, str] = field(default_factory=dict)  # access token by user: "owner", "other"
    refresh_token: str = ""  # the owner's


@dataclass(frozen=True)
class Call:
    """One request and the status it must get. ``request`` builds the case's parts (path,
    query, body, headers) from the world; ``caller`` names whose access token is sent."""

    status: int
    request: Callable[[World], dict[str, Any]] = lambda world: {}
    caller: str | None = "owner"
    label: str = ""


def ok(status: int, request: Callable[[World], dict[str, Any]] = lambda world: {}, **kwargs: Any) -> Call:
    return Call(status, request, **kwargs)


def anonymous(status: int, request: Callable[[World], dict[str, Any]] = lambda world: {}) -> Call:
    return Call(status, request, caller=None, label="anonymous")


def task(world: World) -> dict[str, Any]:
    return {"path_parameters": {"id": str(world.task.pk)}}


def recurring_task(world: World) -> dict[str, Any]:
    """The owner's task, made to recur daily from a due tomorrow."""
    task_update(
        task=world.task,
        changes={"due_on": timezone.localdate() + timedelta(days=1), "recurrence": {"rrule": "FREQ=DAILY"}},
    )
    return task(world)


def label(world: World) -> dict[str, Any]:
    return {"path_parameters": {"id": str(Label.objects.create(owner=world.owner, name="Home").pk)}}


def other_label(world: World) -> dict[str, Any]:
    return {"path_parameters": {"id": str(Label.objects.create(owner=world.other, name="Theirs").pk)}}


def a_second_label(world: World) -> dict[str, Any]:
    Label.objects.create(owner=world.owner, name="Work")
    return label(world)


def checklist(world: World) -> dict[str, Any]:
    return {"path_parameters": {"task_id": str(world.task.pk)}}


def checklist_item(world: World) -> dict[str, Any]:
    item = item_create(task=world.task, text="Draft")
    return {"path_parameters": {"task_id": str(world.task.pk), "id": str(item.pk)}}


def other_checklist_item(world: World) -> dict[str, Any]:
    item = item_create(task=world.other_task, text="Theirs")
    return {"path_parameters": {"task_id": str(world.other_task.pk), "id": str(item.pk)}}


def missing_checklist_item(world: World) -> dict[str, Any]:
    return {"path_parameters": {"task_id": str(world.task.pk), "id": MISSING}}


def notification_of_a_done_task(world: World) -> dict[str, Any]:
    task_update(task=world.task, changes={"status": Status.DONE})
    return notification(world)


def project(world: World) -> dict[str, Any]:
    return {"path_parameters": {"id": str(world.project.pk)}}


def notification(world: World) -> dict[str, Any]:
    return {"path_parameters": {"id": str(world.notification.pk)}}


def board(world: World) -> dict[str, Any]:
    return {"path_parameters": {"project_id": str(world.project.pk)}}


def _path(name: str, attribute: str) -> Callable[[World], dict[str, Any]]:
    return lambda world: {"path_parameters": {name: str(getattr(world, attribute).pk)}}


def missing(name: str = "id") -> Callable[[World], dict[str, Any]]:
    return lambda world: {"path_parameters": {name: MISSING}}


def _with(base: Callable[[World], dict[str, Any]], **parts: Any) -> Callable[[World], dict[str, Any]]:
    return lambda world: {**base(world), **parts}


def _one_time_token(world: World, purpose: str) -> str:
    return one_time_token_create(user=world.owner, purpose=purpose, lifetime=timedelta(hours=1))


def _channel(world: World) -> dict[str, Any]:
    GoogleIntegration.objects.create(
        user=world.owner, channel_id=CHANNEL["id"], channel_token=CHANNEL["token"]
    )
    return {
        "headers": {
            "X-Goog-Channel-ID": CHANNEL["id"],
            "X-Goog-Channel-Token": CHANNEL["token"],
            "X-Goog-Resource-State": "sync",
        }
    }


def _unsubscribe(world: World) -> dict[str, Any]:
    return {"query": {"token": unsubscribe_token_make(user=world.owner)}}


BAD_TOKEN = {"query": {"token": "not-a-token"}}
HTML = {"Accept": "text/html"}
NEW_TASK = {"title": "Write the release notes", "priority": "HIGH"}
PROJECT_CHANGES = {"name": "Renamed", "color": "#10B981", "archived": True}

CASES: dict[tuple[str, str], list[Call]] = {
    ("POST", "/api/v1/auth/register"): [
        anonymous(
            201, lambda w: {"body": {"email": "newbie@example.com", "username": "newbie", "password": STRONG}}
        ),
        anonymous(
            400, lambda w: {"body": {"email": "newbie@example.com", "username": 42, "password": "short"}}
        ),
        anonymous(
            409, lambda w: {"body": {"email": w.owner.email, "username": "newbie", "password": STRONG}}
        ),
    ],
    ("POST", "/api/v1/auth/verify-email"): [
        anonymous(200, lambda w: {"body": {"token": _one_time_token(w, OneTimeToken.Purpose.VERIFY_EMAIL)}}),
        anonymous(400, lambda w: {"body": {"token": "not-a-token"}}),
    ],
    ("POST", "/api/v1/auth/login"): [
        anonymous(200, lambda w: {"body": {"email": w.owner.email, "password": DEFAULT_PASSWORD}}),
        anonymous(400, lambda w: {"body": {"email": w.owner.email}}),
        anonymous(401, lambda w: {"body": {"email": w.owner.email, "password": "Wrong-pass-1"}}),
    ],
    ("POST", "/api/v1/auth/refresh"): [
        anonymous(200, lambda w: {"body": {"refresh_token": w.refresh_token}}),
        anonymous(400, lambda w: {"body": {"refresh_token": 7}}),
        anonymous(401, lambda w: {"body": {"refresh_token": "not-a-token"}}),
    ],
    ("POST", "/api/v1/auth/logout"): [
        anonymous(204, lambda w: {"body": {"refresh_token": w.refresh_token}}),
        anonymous(400, lambda w: {"body": {}}),
        anonymous(401, lambda w: {"body": {"refresh_token": "not-a-token"}}),
    ],
    ("POST", "/api/v1/auth/reset-password/request"): [
        anonymous(200, lambda w: {"body": {"email": w.owner.email}}),
        anonymous(400, lambda w: {"body": {"email": "not an address"}}),
    ],
    ("POST", "/api/v1/auth/reset-password/confirm"): [
        anonymous(
            200,
            lambda w: {
                "body": {
                    "token": _one_time_token(w, OneTimeToken.Purpose.RESET_PASSWORD),
                    "new_password": STRONG,
                }
            },
        ),
        anonymous(400, lambda w: {"body": {"token": "not-a-token", "new_password": STRONG}}),
    ],
    ("GET", "/api/v1/dashboard/statistics"): [ok(200), anonymous(401)],
    ("GET", "/api/v1/integrations/google"): [ok(200), anonymous(401)],
    ("GET", "/api/v1/integrations/google/authorize"): [
        ok(200),
        anonymous(401),
        ok(403, caller="other", label="unverified"),
    ],
    ("GET", "/api/v1/integrations/google/callback"): [
        anonymous(302, lambda w: {"query": {"state": "forged"}})
    ],
    ("DELETE", "/api/v1/integrations/google/disconnect"): [ok(204), anonymous(401)],
    ("GET", "/api/v1/notifications"): [
        ok(200, lambda w: {"query": {"read": "false"}}),
        ok(400, lambda w: {"query": {"read": ""}}, label="blank"),
        anonymous(401),
        ok(404, lambda w: {"query": {"page": 2}}),
    ],
    ("PATCH", "/api/v1/notifications/{id}/read"): [
        ok(200, notification),
        anonymous(401, notification),
        ok(403, _path("id", "other_notification")),
        ok(404, missing()),
    ],
    ("POST", "/api/v1/notifications/{id}/snooze"): [
        ok(200, _with(notification, body={"minutes": 10})),
        ok(400, _with(notification, body={"minutes": 4})),
        anonymous(401, _with(notification, body={"minutes": 10})),
        ok(403, _with(_path("id", "other_notification"), body={"minutes": 10})),
        ok(404, _with(missing(), body={"minutes": 10})),
        ok(409, _with(notification_of_a_done_task, body={"minutes": 10})),
    ],
    ("POST", "/api/v1/notifications/read-all"): [ok(200), anonymous(401)],
    ("GET", "/api/v1/notifications/unread-count"): [ok(200), anonymous(401)],
    ("GET", "/api/v1/notifications/unsubscribe"): [
        anonymous(200, _unsubscribe),
        anonymous(400, lambda w: BAD_TOKEN),
    ],
    ("POST", "/api/v1/notifications/unsubscribe"): [
        anonymous(200, _unsubscribe),
        Call(200, lambda w: {**_unsubscribe(w), "headers": HTML}, caller=None, label="html"),
        anonymous(400, lambda w: BAD_TOKEN),
        Call(400, lambda w: {**BAD_TOKEN, "headers": HTML}, caller=None, label="html"),
    ],
    ("GET", "/api/v1/labels"): [
        ok(200),
        ok(400, lambda w: {"query": {"page_size": 0}}),
        anonymous(401),
        ok(404, lambda w: {"query": {"page": 2}}),
    ],
    ("POST", "/api/v1/labels"): [
        ok(201, lambda w: {"body": {"name": "Errands", "color": "#10b981"}}),
        ok(400, lambda w: {"body": {"name": "a,b"}}),
        anonymous(401, lambda w: {"body": {"name": "Errands"}}),
        ok(409, _with(label, body={"name": "HOME"})),
    ],
    ("GET", "/api/v1/labels/{id}"): [
        ok(200, label),
        anonymous(401, label),
        ok(403, other_label),
        ok(404, missing()),
    ],
    ("PATCH", "/api/v1/labels/{id}"): [
        ok(200, _with(label, body={"name": "House"})),
        ok(400, _with(label, body={"color": "blue"})),
        anonymous(401, _with(label, body={"name": "House"})),
        ok(403, _with(other_label, body={"name": "House"})),
        ok(404, _with(missing(), body={"name": "House"})),
        ok(409, _with(a_second_label, body={"name": "work"})),
    ],
    ("DELETE", "/api/v1/labels/{id}"): [
        ok(204, label),
        anonymous(401, label),
        ok(403, other_label),
        ok(404, missing()),
    ],
    ("GET", "/api/v1/projects"): [
        ok(200, lambda w: {"query": {"archived": "false", "search": "launch", "ordering": "-name"}}),
        ok(400, lambda w: {"query": {"archived": "1"}}),
        anonymous(401),
        ok(404, lambda w: {"query": {"page": 2}}),
    ],
    ("POST", "/api/v1/projects"): [
        ok(201, lambda w: {"body": {"name": "Roadmap", "archived": False}}),
        ok(400, lambda w: {"body": {"name": 42}}),
        anonymous(401, lambda w: {"body": {"name": "Roadmap"}}),
    ],
    ("GET", "/api/v1/projects/{id}"): [
        ok(200, project),
        anonymous(401, project),
        ok(403, _path("id", "other_project")),
        ok(404, missing()),
    ],
    ("PUT", "/api/v1/projects/{id}"): [
        ok(200, _with(project, body=PROJECT_CHANGES)),
        ok(400, _with(project, body={"name": "Renamed", "archived": "yes"})),
        anonymous(401, _with(project, body=PROJECT_CHANGES)),
        ok(403, _with(_path("id", "other_project"), body=PROJECT_CHANGES)),
        ok(404, _with(missing(), body=PROJECT_CHANGES)),
    ],
    ("PATCH", "/api/v1/projects/{id}"): [
        ok(200, _with(project, body={"archived": True})),
        ok(400, _with(project, body={"archived": 0})),
        anonymous(401, _with(project, body={"archived": True})),
        ok(403, _with(_path("id", "other_project"), body={"archived": True})),
        ok(404, _with(missing(), body={"archived": True})),
    ],
    ("DELETE", "/api/v1/projects/{id}"): [
        ok(204, project),
        anonymous(401, project),
        ok(403, _path("id", "other_project")),
        ok(404, missing()),
    ],
    ("GET", "/api/v1/projects/{project_id}/tasks"): [
        ok(200, _with(board, query={"status": ["TODO", "DONE"], "sort_by": "priority"})),
        ok(400, _with(board, query={"sort_by": ""}), label="blank"),
        anonymous(401, board),
        ok(403, _path("project_id", "other_project")),
        ok(404, missing("project_id")),
    ],
    ("POST", "/api/v1/projects/{project_id}/tasks"): [
        ok(201, _with(board, body=NEW_TASK)),
        ok(400, _with(board, body={"title": 42})),
        anonymous(401, _with(board, body=NEW_TASK)),
        ok(403, _with(_path("project_id", "other_project"), body=NEW_TASK)),
        ok(404, _with(missing("project_id"), body=NEW_TASK)),
    ],
    ("POST", "/api/v1/projects/{project_id}/tasks/quick"): [
        ok(201, _with(board, body={"text": "Pay rent every month on the 1st #home !high"})),
        ok(400, _with(board, body={"text": "tomorrow"})),
        anonymous(401, _with(board, body={"text": "Pay rent"})),
        ok(403, _with(_path("project_id", "other_project"), body={"text": "Pay rent"})),
        ok(404, _with(missing("project_id"), body={"text": "Pay rent"})),
    ],
    ("POST", "/api/v1/tasks/quick/preview"): [
        ok(200, lambda w: {"body": {"text": "Call mom tomorrow at 6pm p2"}}),
        ok(400, lambda w: {"body": {"text": "#only #labels"}}),
        anonymous(401, lambda w: {"body": {"text": "Call mom"}}),
    ],
    ("GET", "/api/v1/tasks"): [
        ok(200, lambda w: {"query": {"priority": ["HIGH"], "search": "announce", "page_size": 10}}),
        ok(400, lambda w: {"query": {"status": ["DOING"]}}),
        anonymous(401),
        ok(404, lambda w: {"query": {"page": 2}}),
    ],
    ("GET", "/api/v1/tasks/{id}"): [
        ok(200, task),
        anonymous(401, task),
        ok(403, _path("id", "other_task")),
        ok(404, missing()),
    ],
    ("PATCH", "/api/v1/tasks/{id}"): [
        ok(200, _with(task, body={"status": "IN_PROGRESS", "position": 0, "version": 1})),
        ok(400, _with(task, body={"position": "0"})),
        anonymous(401, _with(task, body={"status": "DONE"})),
        ok(403, _with(_path("id", "other_task"), body={"status": "DONE"})),
        ok(404, _with(missing(), body={"status": "DONE"})),
        ok(409, _with(task, body={"status": "DONE", "version": 7})),
    ],
    ("DELETE", "/api/v1/tasks/{id}"): [
        ok(204, task),
        anonymous(401, task),
        ok(403, _path("id", "other_task")),
        ok(404, missing()),
    ],
    ("POST", "/api/v1/tasks/{id}/skip"): [
        ok(200, recurring_task),
        ok(400, task),
        anonymous(401, task),
        ok(403, _path("id", "other_task")),
        ok(404, missing()),
    ],
    ("GET", "/api/v1/tasks/{id}/completions"): [
        ok(200, lambda w: {**recurring_task(w), "query": {"page": 1}}),
        ok(400, lambda w: {**task(w), "query": {"page_size": 0}}),
        anonymous(401, task),
        ok(403, _path("id", "other_task")),
        ok(404, missing()),
    ],
    ("GET", "/api/v1/tasks/{task_id}/checklist"): [
        ok(200, lambda w: {**checklist_item(w), "query": {"page": 1}}),
        ok(400, _with(checklist, query={"page_size": 0})),
        anonymous(401, checklist),
        ok(403, _path("task_id", "other_task")),
        ok(404, missing("task_id")),
    ],
    ("POST", "/api/v1/tasks/{task_id}/checklist"): [
        ok(201, _with(checklist, body={"text": "Book the van", "done": False, "position": 0})),
        ok(400, _with(checklist, body={"text": "Book the van", "position": -1})),
        anonymous(401, _with(checklist, body={"text": "Book the van"})),
        ok(403, _with(_path("task_id", "other_task"), body={"text": "Book the van"})),
        ok(404, _with(missing("task_id"), body={"text": "Book the van"})),
    ],
    ("PATCH", "/api/v1/tasks/{task_id}/checklist/{id}"): [
        ok(200, _with(checklist_item, body={"done": True, "position": 5})),
        ok(400, _with(checklist_item, body={"text": ""})),
        anonymous(401, _with(checklist_item, body={"done": True})),
        ok(403, _with(other_checklist_item, body={"done": True})),
        ok(404, _with(missing_checklist_item, body={"done": True})),
    ],
    ("DELETE", "/api/v1/tasks/{task_id}/checklist/{id}"): [
        ok(204, checklist_item),
        anonymous(401, checklist_item),
        ok(403, other_checklist_item),
        ok(404, missing_checklist_item),
    ],
    ("POST", "/api/v1/tasks/bulk-update"): [
        ok(200, lambda w: {"body": {"updates": [{"id": str(w.task.pk), "status": "DONE", "version": 1}]}}),
        ok(400, lambda w: {"body": {"updates": []}}),
        anonymous(401, lambda w: {"body": {"updates": [{"id": str(w.task.pk), "status": "DONE"}]}}),
        ok(403, lambda w: {"body": {"updates": [{"id": str(w.other_task.pk), "status": "DONE"}]}}),
        ok(404, lambda w: {"body": {"updates": [{"id": MISSING, "status": "DONE"}]}}),
        ok(409, lambda w: {"body": {"updates": [{"id": str(w.task.pk), "status": "DONE", "version": 7}]}}),
    ],
    ("GET", "/api/v1/users/me"): [ok(200), anonymous(401)],
    ("PATCH", "/api/v1/users/me"): [
        ok(200, lambda w: {"body": {"username": "owner_renamed"}}),
        ok(400, lambda w: {"body": {"username": 12345}}),
        anonymous(401, lambda w: {"body": {"username": "owner_renamed"}}),
        ok(409, lambda w: {"body": {"username": w.other.username.upper()}}),
    ],
    ("POST", "/api/v1/users/me/password"): [
        ok(200, lambda w: {"body": {"current_password": DEFAULT_PASSWORD, "new_password": STRONG}}),
        ok(400, lambda w: {"body": {"current_password": "Wrong-pass-1", "new_password": STRONG}}),
        anonymous(401, lambda w: {"body": {"current_password": DEFAULT_PASSWORD, "new_password": STRONG}}),
    ],
    ("GET", "/api/v1/users/me/preferences"): [ok(200), anonymous(401)],
    ("PATCH", "/api/v1/users/me/preferences"): [
        ok(200, lambda w: {"body": {"notification_types": {"OVERDUE": False}, "timezone": "Europe/Berlin"}}),
        ok(400, lambda w: {"body": {"email_notifications": "yes"}}),
        anonymous(401, lambda w: {"body": {"email_notifications": False}}),
    ],
    ("POST", "/api/v1/users/me/resend-verification"): [
        ok(202, caller="other", label="unverified"),
        ok(400, label="verified"),
        anonymous(401),
    ],
    ("POST", "/api/v1/webhooks/google-calendar"): [
        anonymous(204, _channel),
        anonymous(
            403, lambda w: {"headers": {"X-Goog-Channel-ID": "unknown", "X-Goog-Channel-Token": "wrong"}}
        ),
    ],
}


def _operations() -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): operation
        for path, item in OPENAPI["paths"].items()
        for method, operation in item.items()
        if method != "parameters"
    }


def _declaring(status: str) -> list[tuple[str, str]]:
    return sorted(key for key, operation in _operations().items() if status in operation["responses"])


def test_every_operation_has_its_cases() -> None:
    assert set(CASES) == set(_operations()), "add (or remove) cases for the operations named"
    for key, operation in _operations().items():
        declared = set(operation["responses"])
        main = {code for code in declared if code[0] in "23" or code in MAIN_REFUSALS}
        # 429 and 414: every operation declaring them has its case below the hand-written ones.
        reached = {str(call.status) for call in CASES[key]} | (declared & {"414", "429"})
        assert main <= reached, f"{key}: no case reaches {sorted(main - reached)}"
        assert reached <= declared, f"{key}: cases expect {sorted(reached - declared)}, not declared"


@pytest.fixture
def world(db, keep_test_connection, google_configured) -> World:
    owner = cast(User, UserFactory(email_verified=True))
    other = cast(User, UserFactory(email_verified=False))
    made = {}
    for name, user in (("", owner), ("other_", other)):
        made[f"{name}project"] = cast(Project, ProjectFactory(owner=user, name="Launch"))
        made[f"{name}task"] = make_task(project=made[f"{name}project"], title="Write the announcement")
        made[f"{name}notification"] = make_notification(user=user, task=made[f"{name}task"])
    pair = login(owner)
    return World(
        owner=owner,
        other=other,
        tokens={"owner": pair.access_token, "other": login(other).access_token},
        refresh_token=pair.refresh_token,
        **made,
    )


def _call(world: World, key: tuple[str, str], call: Call, **extra_query: str) -> Any:
    method, path = key
    parts = call.request(world)
    if extra_query:
        parts["query"] = {**parts.get("query", {}), **extra_query}
    headers = dict(parts.pop("headers", {}))
    if call.caller is not None:
        headers["Authorization"] = f"Bearer {world.tokens[call.caller]}"
    case = schema[path][method].Case(headers=headers, **parts)
    response = case.call()
    case.validate_response(response, checks=CHECKS)
    return response


@pytest.mark.parametrize(
    ("key", "call"),
    [(key, call) for key, calls in CASES.items() for call in calls],
    ids=lambda value: (
        " ".join(value) if isinstance(value, tuple) else f"{value.status} {value.label}".strip()
    ),
)
def test_the_answer_conforms_to_the_schema(world: World, key: tuple[str, str], call: Call) -> None:
    response = _call(world, key, call)

    assert response.status_code == call.status, response.text[:500]


@pytest.fixture
def every_request_throttled(settings) -> None:
    rest_framework = settings.REST_FRAMEWORK
    rates = dict.fromkeys(rest_framework["DEFAULT_THROTTLE_RATES"], "0/min")
    settings.REST_FRAMEWORK = {**rest_framework, "DEFAULT_THROTTLE_RATES": rates}


def _success(key: tuple[str, str]) -> Call:
    return next(call for call in CASES[key] if call.status < 400)


@pytest.mark.parametrize("key", _declaring("429"), ids=" ".join)
def test_a_throttled_answer_conforms_to_the_schema(world: World, every_request_throttled: None, key) -> None:
    response = _call(world, key, _success(key))

    assert response.status_code == 429, response.text[:500]
    assert int(response.headers["retry-after"][0]) >= 1
    assert response.json()["code"] == "throttled"


@pytest.mark.parametrize("key", _declaring("414"), ids=" ".join)
def test_an_overlong_url_answer_conforms_to_the_schema(world: World, key) -> None:
    response = _call(world, key, _success(key), padding="x" * 4096)

    assert response.status_code == 414, response.text[:500]
    assert response.json()["code"] == "uri_too_long"

import uuid
from datetime import UTC, datetime

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from accounts.tests.helpers import bearer_client
from projects.tests.factories import ProjectFactory
from tasks.models import Priority, Status, Task
from tasks.tests.factories import make_task
from tasks.tests.helpers import TASK_KEYS, as_json, board, iso, stored_rows

pytestmark = pytest.mark.django_db

CONFLICT_DETAIL = "The task was changed by someone else; see `current` for the stored version."
FORBIDDEN = {
    "code": "permission_denied",
    "detail": "You do not have permission to access this object.",
    "errors": {},
}
# The services' own messages reach the client (config/errors.py).
NOT_FOUND = {"code": "not_found", "detail": "No task with this id.", "errors": {}}
PROJECT_NOT_FOUND = {"code": "not_found", "detail": "No project with this id.", "errors": {}}


def project_tasks_url(project_id) -> str:
    return f"/api/v1/projects/{project_id}/tasks"


def task_url(task_id) -> str:
    return f"/api/v1/tasks/{task_id}"


@pytest.fixture
def project(user):
    return ProjectFactory(owner=user, name="Mine")


@pytest.fixture
def foreign_project(db):
    return ProjectFactory(owner=UserFactory(), name="Theirs")


# --- POST /projects/{id}/tasks ----------------------------------------------------------------


def test_create_returns_the_task_with_defaults_at_the_end_of_its_column(auth_client, project, clock):
    # given two tasks in TODO and one in IN_PROGRESS
    make_task(project=project, title="a")
    make_task(project=project, title="b")
    make_task(project=project, title="x", status=Status.IN_PROGRESS)
    now = timezone.now()

    # when
    response = auth_client.post(project_tasks_url(project.pk), {"title": "Write"}, format="json")

    # then
    assert response.status_code == 201
    body = response.json()
    assert set(body) == TASK_KEYS
    created = Task.objects.get(title="Write")
    assert body == {
        "id": str(created.pk),
        "project_id": str(project.pk),
        "title": "Write",
        "description": "",
        "status": "TODO",
        "priority": "MEDIUM",
        "due_date": None,
        "due_on": None,
        "recurrence": None,
        "labels": [],
        "checklist_total": 0,
        "checklist_done": 0,
        "remind_at": None,
        "reminder_offsets": [],
        "position": 2,
        "version": 1,
        "completed_at": None,
        "created_at": iso(now),
        "updated_at": iso(now),
    }
    assert created.owner_id == project.owner_id
    assert board(project) == {
        "TODO": [("a", 0), ("b", 1), ("Write", 2)],
        "IN_PROGRESS": [("x", 0)],
        "DONE": [],
    }


def test_create_stores_every_given_field(auth_client, project):
    response = auth_client.post(
        project_tasks_url(project.pk),
        {
            "title": "Ship",
            "description": "  keep my spaces  ",
            "status": "IN_PROGRESS",
            "priority": "URGENT",
            "due_date": "2026-05-01T09:00:00+02:00",
            "remind_at": "2026-05-01T06:30:00Z",
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["description"] == "  keep my spaces  "
    assert body["status"] == "IN_PROGRESS"
    assert body["priority"] == "URGENT"
    assert body["due_date"] == "2026-05-01T07:00:00Z"
    assert body["remind_at"] == "2026-05-01T06:30:00Z"
    assert body["position"] == 0
    assert body["completed_at"] is None
    stored = Task.objects.get(pk=body["id"])
    assert stored.status == Status.IN_PROGRESS
    assert stored.priority == Priority.URGENT
    assert stored.due_date == datetime(2026, 5, 1, 7, 0, tzinfo=UTC)
    assert body == as_json(stored)


def test_create_at_a_position_shifts_the_rest_of_the_column(auth_client, project):
    # given
    a = make_task(project=project, title="a")
    b = make_task(project=project, title="b")
    c = make_task(project=project, title="c")
    x = make_task(project=project, title="x", status=Status.IN_PROGRESS)
    before = {task.title: as_json(task) for task in (a, b, c, x)}

    # when
    response = auth_client.post(project_tasks_url(project.pk), {"title": "new", "position": 1}, format="json")

    # then
    assert response.status_code == 201
    assert response.json()["position"] == 1
    assert board(project) == {
        "TODO": [("a", 0), ("new", 1), ("b", 2), ("c", 3)],
        "IN_PROGRESS": [("x", 0)],
        "DONE": [],
    }
    # shifted tasks keep their version and updated_at; only the position moved
    assert as_json(a) == before["a"]
    assert as_json(b) == {**before["b"], "position": 2}
    assert as_json(c) == {**before["c"], "position": 3}
    assert as_json(x) == before["x"]


def test_create_at_position_zero_puts_it_first(auth_client, project):
    make_task(project=project, title="a")

    response = auth_client.post(project_tasks_url(project.pk), {"title": "new", "position": 0}, format="json")

    assert response.status_code == 201
    assert board(project)["TODO"] == [("new", 0), ("a", 1)]


def test_create_past_the_end_goes_to_the_end(auth_client, project):
    make_task(project=project, title="a")
    make_task(project=project, title="b")

    response = auth_client.post(
        project_tasks_url(project.pk), {"title": "new", "position": 99}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["position"] == 2
    assert board(project)["TODO"] == [("a", 0), ("b", 1), ("new", 2)]


def test_create_with_position_in_another_status_uses_that_column(auth_client, project):
    make_task(project=project, title="a")
    make_task(project=project, title="b")
    make_task(project=project, title="d", status=Status.DONE)

    response = auth_client.post(
        project_tasks_url(project.pk), {"title": "new", "status": "DONE", "position": 0}, format="json"
    )

    assert response.status_code == 201
    assert board(project) == {
        "TODO": [("a", 0), ("b", 1)],
        "IN_PROGRESS": [],
        "DONE": [("new", 0), ("d", 1)],
    }


def test_create_done_sets_completed_at(auth_client, project, clock):
    now = timezone.now()

    response = auth_client.post(
        project_tasks_url(project.pk), {"title": "Done", "status": "DONE"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["status"] == "DONE"
    assert response.json()["completed_at"] == iso(now)
    assert Task.objects.get().completed_at == now


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({}, {"title": ["This field is required."]}),
        ({"title": ""}, {"title": ["This field may not be blank."]}),
        ({"title": "   "}, {"title": ["This field may not be blank."]}),
        ({"title": None}, {"title": ["This field may not be null."]}),
        ({"title": "x" * 201}, {"title": ["Ensure this field has no more than 200 characters."]}),
        (
            {"title": "ok", "description": "x" * 10001},
            {"description": ["Ensure this field has no more than 10000 characters."]},
        ),
        ({"title": "ok", "status": "FOO"}, {"status": ['"FOO" is not a valid choice.']}),
        ({"title": "ok", "status": "todo"}, {"status": ['"todo" is not a valid choice.']}),
        ({"title": "ok", "priority": "low"}, {"priority": ['"low" is not a valid choice.']}),
        ({"title": "ok", "priority": 1}, {"priority": ['"1" is not a valid choice.']}),
        (
            {"title": "ok", "position": -1},
            {"position": ["Ensure this value is greater than or equal to 0."]},
        ),
        ({"title": "ok", "position": "first"}, {"position": ["A valid integer is required."]}),
        (
            {"title": "ok", "due_date": "not-a-date"},
            {
                "due_date": [
                    "Datetime has wrong format. Use one of these formats instead: "
                    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
                ]
            },
        ),
    ],
    ids=[
        "missing-title",
        "empty-title",
        "whitespace-title",
        "null-title",
        "201-char-title",
        "10001-char-description",
        "unknown-status",
        "lower-case-status",
        "lower-case-priority",
        "priority-as-number",
        "negative-position",
        "non-integer-position",
        "bad-due-date",
    ],
)
def test_create_refuses_invalid_fields(auth_client, project, payload, errors):
    response = auth_client.post(project_tasks_url(project.pk), payload, format="json")

    assert response.status_code == 400
    assert response.json() == {"code": "validation_error", "detail": "Invalid input.", "errors": errors}
    assert Task.objects.count() == 0


def test_create_accepts_the_longest_title_and_description(auth_client, project):
    response = auth_client.post(
        project_tasks_url(project.pk), {"title": "t" * 200, "description": "d" * 10000}, format="json"
    )

    assert response.status_code == 201
    stored = Task.objects.get()
    assert stored.title == "t" * 200
    assert stored.description == "d" * 10000


def test_create_needs_a_token(api_client, project):
    response = api_client.post(project_tasks_url(project.pk), {"title": "x"}, format="json")

    assert response.status_code == 401
    assert response.json() == {
        "code": "not_authenticated",
        "detail": "Authentication credentials were not provided.",
        "errors": {},
    }
    assert Task.objects.count() == 0


def test_create_refuses_an_invalid_token(api_client, project):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not.a.token")

    response = api_client.post(project_tasks_url(project.pk), {"title": "x"}, format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"
    assert Task.objects.count() == 0


def test_create_in_another_users_project_is_forbidden(auth_client, foreign_project):
    response = auth_client.post(project_tasks_url(foreign_project.pk), {"title": "x"}, format="json")

    assert response.status_code == 403
    assert response.json() == FORBIDDEN
    assert Task.objects.count() == 0


def test_create_in_another_users_project_is_forbidden_even_with_an_invalid_body(auth_client, foreign_project):
    response = auth_client.post(project_tasks_url(foreign_project.pk), {"title": ""}, format="json")

    assert response.status_code == 403


def test_create_in_an_unknown_project_is_not_found(auth_client):
    response = auth_client.post(project_tasks_url(uuid.uuid4()), {"title": "x"}, format="json")

    assert response.status_code == 404
    assert response.json() == PROJECT_NOT_FOUND
    assert Task.objects.count() == 0


def test_create_under_a_non_uuid_project_id_is_not_found(auth_client):
    response = auth_client.post("/api/v1/projects/not-a-uuid/tasks", {"title": "x"}, format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert Task.objects.count() == 0


def test_create_without_a_project_is_not_allowed(auth_client, project):
    response = auth_client.post("/api/v1/tasks", {"title": "x", "project_id": str(project.pk)}, format="json")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert Task.objects.count() == 0


def test_create_works_with_a_trailing_slash(auth_client, project):
    response = auth_client.post(project_tasks_url(project.pk) + "/", {"title": "x"}, format="json")

    assert response.status_code == 201
    assert Task.objects.get().title == "x"


# --- GET /tasks/{id} --------------------------------------------------------------------------


def test_get_returns_the_task(auth_client, project):
    task = make_task(
        project=project,
        title="Read",
        description="chapter 1",
        priority=Priority.HIGH,
        due_date=datetime(2026, 5, 1, 9, 0, tzinfo=UTC),
    )

    response = auth_client.get(task_url(task.pk))

    assert response.status_code == 200
    assert response.json() == as_json(task)
    assert response.json()["priority"] == "HIGH"
    assert response.json()["due_date"] == "2026-05-01T09:00:00Z"


def test_get_works_with_a_trailing_slash(auth_client, project):
    task = make_task(project=project)

    response = auth_client.get(task_url(task.pk) + "/")

    assert response.status_code == 200
    assert response.json() == as_json(task)


def test_get_another_users_task_is_forbidden(auth_client, foreign_project):
    task = make_task(project=foreign_project)

    response = auth_client.get(task_url(task.pk))

    assert response.status_code == 403
    assert response.json() == FORBIDDEN


def test_get_unknown_task_is_not_found(auth_client):
    response = auth_client.get(task_url(uuid.uuid4()))

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_get_a_non_uuid_id_is_not_found(auth_client):
    response = auth_client.get(task_url("not-a-uuid"))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_get_needs_a_token(api_client, project):
    task = make_task(project=project)

    response = api_client.get(task_url(task.pk))

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


# --- PATCH /tasks/{id} ------------------------------------------------------------------------


def test_patch_changes_fields_and_bumps_the_version(auth_client, project, clock):
    task = make_task(project=project, title="old", description="old text")
    created_at = task.created_at
    clock.shift(60)
    now = timezone.now()

    response = auth_client.patch(
        task_url(task.pk),
        {
            "title": "new",
            "description": "new text",
            "priority": "LOW",
            "due_date": "2026-06-01T12:00:00Z",
            "remind_at": "2026-06-01T08:00:00Z",
        },
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body == as_json(task)
    assert body["title"] == "new"
    assert body["description"] == "new text"
    assert body["priority"] == "LOW"
    assert body["due_date"] == "2026-06-01T12:00:00Z"
    assert body["remind_at"] == "2026-06-01T08:00:00Z"
    assert body["version"] == 2
    assert body["status"] == "TODO"
    assert body["position"] == 0
    assert body["created_at"] == iso(created_at)
    assert body["updated_at"] == iso(now)


def test_patch_clears_the_due_date_with_null(auth_client, project):
    task = make_task(project=project, due_date=datetime(2026, 5, 1, tzinfo=UTC))

    response = auth_client.patch(task_url(task.pk), {"due_date": None}, format="json")

    assert response.status_code == 200
    assert response.json()["due_date"] is None
    assert response.json()["version"] == 2
    task.refresh_from_db()
    assert task.due_date is None


def test_each_patch_bumps_the_version_by_one(auth_client, project):
    task = make_task(project=project, title="v1")

    for number in (2, 3, 4):
        response = auth_client.patch(task_url(task.pk), {"title": f"v{number}"}, format="json")
        assert response.json()["version"] == number

    task.refresh_from_db()
    assert task.version == 4
    assert task.title == "v4"


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"title": "same"},
        {"title": "same", "priority": "HIGH", "status": "TODO"},
        {"position": 0},
        {"status": "TODO", "position": 0},
        {"due_date": None, "description": ""},
    ],
    ids=["empty", "same-title", "same-fields", "same-position", "same-status-and-position", "same-nulls"],
)
def test_patch_that_changes_nothing_keeps_the_version(auth_client, project, clock, payload):
    task = make_task(project=project, title="same", priority=Priority.HIGH)
    before = as_json(task)
    clock.shift(60)

    response = auth_client.patch(task_url(task.pk), payload, format="json")

    assert response.status_code == 200
    assert response.json() == before
    assert as_json(task) == before


def test_patch_status_without_position_goes_to_the_end_of_the_new_column(auth_client, project, clock):
    # given
    a = make_task(project=project, title="a")
    b = make_task(project=project, title="b")
    c = make_task(project=project, title="c")
    x = make_task(project=project, title="x", status=Status.IN_PROGRESS)
    y = make_task(project=project, title="y", status=Status.IN_PROGRESS)
    before = {task.title: as_json(task) for task in (a, c, x, y)}
    clock.shift(60)

    # when
    response = auth_client.patch(task_url(b.pk), {"status": "IN_PROGRESS"}, format="json")

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "IN_PROGRESS"
    assert body["position"] == 2
    assert body["version"] == 2
    assert body["updated_at"] == iso(timezone.now())
    assert board(project) == {
        "TODO": [("a", 0), ("c", 1)],
        "IN_PROGRESS": [("x", 0), ("y", 1), ("b", 2)],
        "DONE": [],
    }
    assert as_json(a) == before["a"]
    assert as_json(c) == {**before["c"], "position": 1}
    assert as_json(x) == before["x"]
    assert as_json(y) == before["y"]


def test_patch_status_and_position_puts_it_at_that_index(auth_client, project):
    make_task(project=project, title="a")
    b = make_task(project=project, title="b")
    make_task(project=project, title="x", status=Status.IN_PROGRESS)
    make_task(project=project, title="y", status=Status.IN_PROGRESS)

    response = auth_client.patch(task_url(b.pk), {"status": "IN_PROGRESS", "position": 1}, format="json")

    assert response.status_code == 200
    assert response.json()["position"] == 1
    assert board(project) == {
        "TODO": [("a", 0)],
        "IN_PROGRESS": [("x", 0), ("b", 1), ("y", 2)],
        "DONE": [],
    }


def test_patch_status_and_position_past_the_end_goes_to_the_end(auth_client, project):
    a = make_task(project=project, title="a")
    make_task(project=project, title="x", status=Status.DONE)

    response = auth_client.patch(task_url(a.pk), {"status": "DONE", "position": 50}, format="json")

    assert response.status_code == 200
    assert response.json()["position"] == 1
    assert board(project) == {"TODO": [], "IN_PROGRESS": [], "DONE": [("x", 0), ("a", 1)]}


def _five_in_a_column(project):
    tasks = [make_task(project=project, title=title) for title in "abcde"]
    other = make_task(project=project, title="x", status=Status.IN_PROGRESS)
    return tasks, other


def test_patch_moving_down_shifts_only_the_tasks_in_between(auth_client, project, clock):
    # given TODO a b c d e, IN_PROGRESS x
    (a, b, c, d, e), x = _five_in_a_column(project)
    before = {task.title: as_json(task) for task in (a, b, c, d, e, x)}
    clock.shift(60)

    # when b moves from 1 to 3
    response = auth_client.patch(task_url(b.pk), {"position": 3}, format="json")

    # then
    assert response.status_code == 200
    assert response.json() == {**before["b"], "position": 3, "version": 2, "updated_at": iso(timezone.now())}
    assert board(project) == {
        "TODO": [("a", 0), ("c", 1), ("d", 2), ("b", 3), ("e", 4)],
        "IN_PROGRESS": [("x", 0)],
        "DONE": [],
    }
    # outside the range: untouched; inside: shifted by one, same version and updated_at
    assert as_json(a) == before["a"]
    assert as_json(e) == before["e"]
    assert as_json(x) == before["x"]
    assert as_json(c) == {**before["c"], "position": 1}
    assert as_json(d) == {**before["d"], "position": 2}


def test_patch_moving_up_shifts_only_the_tasks_in_between(auth_client, project, clock):
    # given TODO a b c d e, IN_PROGRESS x
    (a, b, c, d, e), x = _five_in_a_column(project)
    before = {task.title: as_json(task) for task in (a, b, c, d, e, x)}
    clock.shift(60)

    # when d moves from 3 to 1
    response = auth_client.patch(task_url(d.pk), {"position": 1}, format="json")

    # then
    assert response.status_code == 200
    assert response.json() == {**before["d"], "position": 1, "version": 2, "updated_at": iso(timezone.now())}
    assert board(project) == {
        "TODO": [("a", 0), ("d", 1), ("b", 2), ("c", 3), ("e", 4)],
        "IN_PROGRESS": [("x", 0)],
        "DONE": [],
    }
    assert as_json(a) == before["a"]
    assert as_json(e) == before["e"]
    assert as_json(x) == before["x"]
    assert as_json(b) == {**before["b"], "position": 2}
    assert as_json(c) == {**before["c"], "position": 3}


def test_patch_position_past_the_end_of_its_column_moves_it_last(auth_client, project):
    (a, *_), _ = _five_in_a_column(project)

    response = auth_client.patch(task_url(a.pk), {"position": 1000}, format="json")

    assert response.status_code == 200
    assert response.json()["position"] == 4
    assert board(project)["TODO"] == [("b", 0), ("c", 1), ("d", 2), ("e", 3), ("a", 4)]


def test_patch_moves_in_one_project_leave_other_projects_alone(auth_client, project, user):
    other_project = ProjectFactory(owner=user)
    a = make_task(project=project, title="a")
    make_task(project=project, title="b")
    make_task(project=other_project, title="p")
    make_task(project=other_project, title="q")

    response = auth_client.patch(task_url(a.pk), {"position": 1}, format="json")

    assert response.status_code == 200
    assert board(project)["TODO"] == [("b", 0), ("a", 1)]
    assert board(other_project)["TODO"] == [("p", 0), ("q", 1)]


def test_patch_into_done_sets_completed_at_and_out_of_done_clears_it(auth_client, project, clock):
    task = make_task(project=project, title="a")
    clock.shift(60)
    done_at = timezone.now()

    entered = auth_client.patch(task_url(task.pk), {"status": "DONE"}, format="json")

    assert entered.status_code == 200
    assert entered.json()["completed_at"] == iso(done_at)
    task.refresh_from_db()
    assert task.completed_at == done_at

    # a change that keeps it DONE keeps completed_at
    clock.shift(60)
    renamed = auth_client.patch(task_url(task.pk), {"title": "renamed", "status": "DONE"}, format="json")
    assert renamed.json()["completed_at"] == iso(done_at)

    clock.shift(60)
    left = auth_client.patch(task_url(task.pk), {"status": "IN_PROGRESS"}, format="json")

    assert left.status_code == 200
    assert left.json()["completed_at"] is None
    assert left.json()["version"] == 4
    task.refresh_from_db()
    assert task.completed_at is None


def test_patch_with_a_stale_version_is_a_conflict_and_writes_nothing(auth_client, project, clock):
    # given b was changed to version 2 by someone else
    make_task(project=project, title="a")
    b = make_task(project=project, title="b")
    make_task(project=project, title="c")
    make_task(project=project, title="x", status=Status.DONE)
    clock.shift(10)
    auth_client.patch(task_url(b.pk), {"description": "theirs"}, format="json")
    before_rows = stored_rows()
    before_board = board(project)
    clock.shift(10)

    # when a client still at version 1 moves and renames it
    response = auth_client.patch(
        task_url(b.pk),
        {"title": "mine", "status": "DONE", "position": 0, "version": 1},
        format="json",
    )

    # then
    assert response.status_code == 409
    assert response.json() == {
        "code": "conflict",
        "detail": CONFLICT_DETAIL,
        "errors": {},
        "current": as_json(b),
    }
    assert response.json()["current"]["version"] == 2
    assert response.json()["current"]["description"] == "theirs"
    assert stored_rows() == before_rows
    assert board(project) == before_board
    b.refresh_from_db()
    assert b.title == "b"


def test_patch_with_a_newer_version_than_stored_is_a_conflict(auth_client, project):
    task = make_task(project=project, title="a")

    response = auth_client.patch(task_url(task.pk), {"title": "b", "version": 2}, format="json")

    assert response.status_code == 409
    assert response.json()["current"] == as_json(task)
    assert task.title == "a"


def test_patch_with_the_current_version_applies(auth_client, project):
    a = make_task(project=project, title="a")
    b = make_task(project=project, title="b")
    auth_client.patch(task_url(b.pk), {"title": "b2"}, format="json")

    response = auth_client.patch(task_url(b.pk), {"title": "b3", "position": 0, "version": 2}, format="json")

    assert response.status_code == 200
    assert response.json()["version"] == 3
    assert response.json()["title"] == "b3"
    assert board(project)["TODO"] == [("b3", 0), ("a", 1)]
    assert as_json(a)["version"] == 1


def test_patch_with_the_current_version_and_no_change_keeps_the_version(auth_client, project):
    task = make_task(project=project, title="a")

    response = auth_client.patch(task_url(task.pk), {"title": "a", "version": 1}, format="json")

    assert response.status_code == 200
    assert response.json()["version"] == 1


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"title": ""}, {"title": ["This field may not be blank."]}),
        ({"title": "x" * 201}, {"title": ["Ensure this field has no more than 200 characters."]}),
        ({"status": "FOO"}, {"status": ['"FOO" is not a valid choice.']}),
        ({"status": None}, {"status": ["This field may not be null."]}),
        ({"priority": "low"}, {"priority": ['"low" is not a valid choice.']}),
        ({"position": -1}, {"position": ["Ensure this value is greater than or equal to 0."]}),
        ({"version": 0}, {"version": ["Ensure this value is greater than or equal to 1."]}),
        ({"version": "one"}, {"version": ["A valid integer is required."]}),
    ],
    ids=[
        "empty-title",
        "long-title",
        "bad-status",
        "null-status",
        "bad-priority",
        "negative-position",
        "zero-version",
        "text-version",
    ],
)
def test_patch_refuses_invalid_fields_and_writes_nothing(auth_client, project, payload, errors):
    make_task(project=project, title="a")
    task = make_task(project=project, title="b")
    before = stored_rows()

    response = auth_client.patch(task_url(task.pk), payload, format="json")

    assert response.status_code == 400
    assert response.json() == {"code": "validation_error", "detail": "Invalid input.", "errors": errors}
    assert stored_rows() == before


def test_patch_ignores_project_id(auth_client, project, user):
    elsewhere = ProjectFactory(owner=user)
    task = make_task(project=project, title="a")

    response = auth_client.patch(task_url(task.pk), {"project_id": str(elsewhere.pk)}, format="json")

    assert response.status_code == 200
    assert response.json()["project_id"] == str(project.pk)
    assert response.json()["version"] == 1


def test_patch_another_users_task_is_forbidden_and_changes_nothing(auth_client, foreign_project):
    task = make_task(project=foreign_project, title="theirs")
    before = stored_rows()

    response = auth_client.patch(task_url(task.pk), {"title": "mine", "status": "DONE"}, format="json")

    assert response.status_code == 403
    assert response.json() == FORBIDDEN
    assert stored_rows() == before


def test_patch_unknown_task_is_not_found(auth_client):
    response = auth_client.patch(task_url(uuid.uuid4()), {"title": "x"}, format="json")

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_put_is_not_allowed(auth_client, project):
    task = make_task(project=project, title="a")
    before = stored_rows()

    response = auth_client.put(task_url(task.pk), {"title": "b"}, format="json")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert set(response.json()) == {"code", "detail", "errors"}
    assert stored_rows() == before


# --- DELETE /tasks/{id} -----------------------------------------------------------------------


def test_delete_removes_the_task_and_closes_the_gap(auth_client, project):
    a = make_task(project=project, title="a")
    b = make_task(project=project, title="b")
    c = make_task(project=project, title="c")
    x = make_task(project=project, title="x", status=Status.IN_PROGRESS)
    before = {task.title: as_json(task) for task in (a, c, x)}

    response = auth_client.delete(task_url(b.pk))

    assert response.status_code == 204
    assert response.content == b""
    assert not Task.objects.filter(pk=b.pk).exists()
    assert board(project) == {"TODO": [("a", 0), ("c", 1)], "IN_PROGRESS": [("x", 0)], "DONE": []}
    assert as_json(a) == before["a"]
    assert as_json(c) == {**before["c"], "position": 1}
    assert as_json(x) == before["x"]
    assert auth_client.get(task_url(b.pk)).status_code == 404


def test_delete_another_users_task_is_forbidden(auth_client, foreign_project):
    task = make_task(project=foreign_project)

    response = auth_client.delete(task_url(task.pk))

    assert response.status_code == 403
    assert response.json() == FORBIDDEN
    assert Task.objects.filter(pk=task.pk).exists()


def test_delete_unknown_task_is_not_found(auth_client):
    response = auth_client.delete(task_url(uuid.uuid4()))

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_deleting_a_project_deletes_its_tasks(auth_client, project, user):
    kept_project = ProjectFactory(owner=user)
    doomed = [make_task(project=project, title=t) for t in ("a", "b")]
    doomed.append(make_task(project=project, title="c", status=Status.DONE))
    kept = make_task(project=kept_project, title="k")

    response = auth_client.delete(f"/api/v1/projects/{project.pk}")

    assert response.status_code == 204
    assert not Task.objects.filter(pk__in=[task.pk for task in doomed]).exists()
    assert list(Task.objects.values_list("pk", flat=True)) == [kept.pk]
    assert auth_client.get(task_url(doomed[0].pk)).status_code == 404


def test_another_user_sees_their_own_tasks_only(project):
    task = make_task(project=project)
    stranger = bearer_client(UserFactory())

    assert stranger.get(task_url(task.pk)).status_code == 403
    assert stranger.get("/api/v1/tasks").json()["count"] == 0

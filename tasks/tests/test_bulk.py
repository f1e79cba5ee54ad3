import uuid

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from projects.tests.factories import ProjectFactory
from tasks.models import Status, Task
from tasks.services import task_update
from tasks.tests.factories import make_task
from tasks.tests.helpers import as_json, board, iso, stored_rows

pytestmark = pytest.mark.django_db

BULK = "/api/v1/tasks/bulk-update"
CONFLICT_DETAIL = "The task was changed by someone else; see `current` for the stored version."


def bulk(client, *updates: dict):
    return client.post(BULK, {"updates": list(updates)}, format="json")


@pytest.fixture
def project(user):
    return ProjectFactory(owner=user, name="Mine")


@pytest.fixture
def tasks(project) -> dict[str, Task]:
    """TODO a b c d · IN_PROGRESS e f · DONE g."""
    made = {title: make_task(project=project, title=title) for title in "abcd"}
    made |= {title: make_task(project=project, title=title, status=Status.IN_PROGRESS) for title in "ef"}
    made["g"] = make_task(project=project, title="g", status=Status.DONE)
    return made


@pytest.fixture
def foreign_task(db) -> Task:
    return make_task(project=ProjectFactory(owner=UserFactory()), title="theirs")


def test_bulk_moves_across_columns_and_answers_the_final_state_in_request_order(
    auth_client, project, tasks, clock
):
    # given
    untouched = {title: as_json(tasks[title]) for title in "de"}
    clock.shift(60)
    now = timezone.now()

    # when
    response = bulk(
        auth_client,
        {"id": str(tasks["a"].pk), "status": "IN_PROGRESS", "position": 0},  # IN_PROGRESS a e f
        {"id": str(tasks["f"].pk), "position": 0},  # IN_PROGRESS f a e: a shifts after its own move
        {"id": str(tasks["c"].pk), "status": "DONE"},  # DONE g c
        {"id": str(tasks["g"].pk), "status": "TODO", "position": 99},  # TODO b d g, DONE c
        {"id": str(tasks["b"].pk), "priority": "URGENT", "version": 1},
    )

    # then
    assert response.status_code == 200
    assert board(project) == {
        "TODO": [("b", 0), ("d", 1), ("g", 2)],
        "IN_PROGRESS": [("f", 0), ("a", 1), ("e", 2)],
        "DONE": [("c", 0)],
    }
    body = response.json()
    assert list(body) == ["tasks"]
    assert body["tasks"] == [as_json(tasks[title]) for title in "afcgb"]
    by_title = {item["title"]: item for item in body["tasks"]}
    assert by_title["a"]["position"] == 1
    assert by_title["c"]["completed_at"] == iso(now)
    assert by_title["g"]["completed_at"] is None
    assert by_title["b"]["priority"] == "URGENT"
    assert {item["version"] for item in body["tasks"]} == {2}
    assert {item["updated_at"] for item in body["tasks"]} == {iso(now)}
    # tasks only shifted by the others keep their version and updated_at
    assert as_json(tasks["d"]) == {**untouched["d"], "position": 1}
    assert as_json(tasks["e"]) == {**untouched["e"], "position": 2}


def test_bulk_applies_items_in_order(auth_client, project):
    a, b, _ = (make_task(project=project, title=title) for title in "abc")

    response = bulk(auth_client, {"id": str(a.pk), "position": 2}, {"id": str(b.pk), "position": 2})

    # a to the end: b c a; then b to the end: c a b (the reverse order would give c b a)
    assert response.status_code == 200
    assert board(project)["TODO"] == [("c", 0), ("a", 1), ("b", 2)]
    assert [item["position"] for item in response.json()["tasks"]] == [1, 2]


def test_bulk_across_two_of_the_callers_projects(auth_client, user, project):
    second = ProjectFactory(owner=user, name="Second")
    make_task(project=project, title="a")
    b = make_task(project=project, title="b")
    c = make_task(project=second, title="c")
    make_task(project=second, title="d")
    make_task(project=second, title="e", status=Status.DONE)

    response = bulk(
        auth_client,
        {"id": str(c.pk), "position": 1},
        {"id": str(b.pk), "status": "DONE", "position": 0},
    )

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["tasks"]] == [str(c.pk), str(b.pk)]
    assert board(project) == {"TODO": [("a", 0)], "IN_PROGRESS": [], "DONE": [("b", 0)]}
    assert board(second) == {"TODO": [("d", 0), ("c", 1)], "IN_PROGRESS": [], "DONE": [("e", 0)]}


def test_bulk_item_without_a_change_keeps_its_version(auth_client, tasks):
    response = bulk(
        auth_client,
        {"id": str(tasks["a"].pk), "status": "TODO", "position": 0, "priority": "MEDIUM", "version": 1},
    )

    assert response.status_code == 200
    assert response.json() == {"tasks": [as_json(tasks["a"])]}
    assert response.json()["tasks"][0]["version"] == 1


def test_bulk_with_the_current_versions_applies(auth_client, project, tasks):
    task_update(task=tasks["b"], changes={"title": "b2"})

    response = bulk(
        auth_client,
        {"id": str(tasks["b"].pk), "position": 0, "version": 2},
        {"id": str(tasks["a"].pk), "status": "DONE", "version": 1},
    )

    assert response.status_code == 200
    assert [item["version"] for item in response.json()["tasks"]] == [3, 2]
    assert board(project)["TODO"] == [("b2", 0), ("c", 1), ("d", 2)]
    assert board(project)["DONE"] == [("g", 0), ("a", 1)]


# --- all or nothing ---------------------------------------------------------------------------


@pytest.mark.parametrize("stale_first", [True, False], ids=["stale-first", "stale-last"])
def test_bulk_with_one_stale_version_is_a_conflict_and_changes_nothing(
    auth_client, project, tasks, clock, stale_first
):
    # given g was changed by someone else (version 2)
    task_update(task=tasks["g"], changes={"title": "g2"})
    before_rows = stored_rows()
    before_board = board(project)
    clock.shift(60)
    stale = {"id": str(tasks["g"].pk), "status": "TODO", "version": 1}
    fresh = [
        {"id": str(tasks["a"].pk), "status": "IN_PROGRESS", "position": 0, "version": 1},
        {"id": str(tasks["e"].pk), "priority": "HIGH"},
        {"id": str(tasks["c"].pk), "status": "IN_PROGRESS"},
    ]

    # when
    response = bulk(auth_client, *([stale, *fresh] if stale_first else [*fresh, stale]))

    # then
    assert response.status_code == 409
    assert response.json() == {
        "code": "conflict",
        "detail": CONFLICT_DETAIL,
        "errors": {},
        "current": as_json(tasks["g"]),
    }
    assert response.json()["current"]["version"] == 2
    assert response.json()["current"]["title"] == "g2"
    assert stored_rows() == before_rows
    assert board(project) == before_board


def test_bulk_conflict_current_is_the_stored_task_even_after_earlier_items_shifted_it(
    auth_client, project, tasks
):
    # given b (TODO, position 1) is at version 1
    before = as_json(tasks["b"])

    # when a moves to the end of TODO (which shifts b to 0 inside the transaction), then b is stale
    response = bulk(
        auth_client,
        {"id": str(tasks["a"].pk), "position": 3},
        {"id": str(tasks["b"].pk), "priority": "LOW", "version": 7},
    )

    # then nothing is stored, and `current` is what is stored
    assert response.status_code == 409
    assert as_json(tasks["b"]) == before
    assert response.json()["current"] == before


def test_bulk_with_another_users_task_is_forbidden_and_changes_nothing(auth_client, tasks, foreign_task):
    before = stored_rows()

    response = bulk(
        auth_client,
        {"id": str(tasks["a"].pk), "status": "DONE"},
        {"id": str(foreign_task.pk), "status": "DONE"},
        {"id": str(tasks["b"].pk), "position": 0},
    )

    assert response.status_code == 403
    assert response.json() == {
        "code": "permission_denied",
        "detail": "You do not have permission to change one or more of these tasks.",
        "errors": {},
    }
    assert stored_rows() == before


def test_bulk_with_an_unknown_task_is_not_found_and_changes_nothing(auth_client, tasks):
    before = stored_rows()
    unknown = uuid.uuid4()

    response = bulk(
        auth_client,
        {"id": str(tasks["a"].pk), "status": "DONE"},
        {"id": str(unknown), "status": "DONE"},
    )

    assert response.status_code == 404
    # The bulk names what it could not find (the service's message reaches the client).
    assert response.json() == {"code": "not_found", "detail": f"No task with id {unknown}.", "errors": {}}
    assert stored_rows() == before


def test_bulk_with_a_duplicate_id_is_a_400_and_changes_nothing(auth_client, tasks):
    before = stored_rows()

    response = bulk(
        auth_client,
        {"id": str(tasks["a"].pk), "position": 3},
        {"id": str(tasks["b"].pk), "status": "DONE"},
        {"id": str(tasks["a"].pk), "status": "DONE"},
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "validation_error",
        "detail": "Invalid input.",
        "errors": {"updates": ["Each task may appear only once."]},
    }
    assert stored_rows() == before


def test_bulk_sees_the_same_id_in_another_spelling_as_a_duplicate(auth_client, tasks):
    before = stored_rows()

    response = bulk(
        auth_client,
        {"id": str(tasks["a"].pk), "position": 3},
        {"id": str(tasks["a"].pk).upper(), "status": "DONE"},
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"updates": ["Each task may appear only once."]}
    assert stored_rows() == before


# --- request shape ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({}, {"updates": ["This field is required."]}),
        ({"updates": []}, {"updates": ["Ensure this field has at least 1 elements."]}),
        ({"updates": None}, {"updates": ["This field may not be null."]}),
        ({"updates": "all"}, {"updates": ['Expected a list of items but got type "str".']}),
        ({"updates": [{}]}, {"updates": {"0": {"id": ["This field is required."]}}}),
        ({"updates": [{"id": "not-a-uuid"}]}, {"updates": {"0": {"id": ["Must be a valid UUID."]}}}),
    ],
    ids=["missing", "empty", "null", "not-a-list", "item-without-id", "item-with-bad-id"],
)
def test_bulk_refuses_a_malformed_body(auth_client, tasks, payload, errors):
    before = stored_rows()

    response = auth_client.post(BULK, payload, format="json")

    assert response.status_code == 400
    assert response.json() == {"code": "validation_error", "detail": "Invalid input.", "errors": errors}
    assert stored_rows() == before


@pytest.mark.parametrize(
    ("bad_item", "errors"),
    [
        ({"status": "FOO"}, {"status": ['"FOO" is not a valid choice.']}),
        ({"priority": "low"}, {"priority": ['"low" is not a valid choice.']}),
        ({"position": -1}, {"position": ["Ensure this value is greater than or equal to 0."]}),
        ({"version": 0}, {"version": ["Ensure this value is greater than or equal to 1."]}),
    ],
    ids=["status", "priority", "position", "version"],
)
def test_bulk_refuses_a_bad_item_with_its_index_and_field(auth_client, tasks, bad_item, errors):
    before = stored_rows()

    response = bulk(
        auth_client,
        {"id": str(tasks["a"].pk), "status": "DONE"},
        {"id": str(tasks["b"].pk), **bad_item},
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "validation_error",
        "detail": "Invalid input.",
        "errors": {"updates": {"1": errors}},
    }
    assert stored_rows() == before


def test_bulk_refuses_101_items(auth_client, tasks):
    before = stored_rows()
    updates = [{"id": str(tasks["a"].pk), "status": "DONE"}, *({"id": str(uuid.uuid4())} for _ in range(100))]

    response = bulk(auth_client, *updates)

    assert response.status_code == 400
    assert response.json() == {
        "code": "validation_error",
        "detail": "Invalid input.",
        "errors": {"updates": ["Ensure this field has no more than 100 elements."]},
    }
    assert stored_rows() == before


def test_bulk_accepts_100_items(auth_client, project):
    # given 100 tasks in TODO
    tasks = [make_task(project=project, title=f"t{n:03}") for n in range(100)]

    # when all of them move to DONE, the last one first
    response = bulk(auth_client, *({"id": str(task.pk), "status": "DONE"} for task in reversed(tasks)))

    # then DONE holds them in request order, 0..99, and TODO is empty
    assert response.status_code == 200
    assert len(response.json()["tasks"]) == 100
    assert [item["id"] for item in response.json()["tasks"]] == [str(task.pk) for task in reversed(tasks)]
    assert board(project) == {
        "TODO": [],
        "IN_PROGRESS": [],
        "DONE": [(f"t{n:03}", 99 - n) for n in reversed(range(100))],
    }


def test_bulk_needs_a_token(api_client, tasks):
    response = api_client.post(
        BULK, {"updates": [{"id": str(tasks["a"].pk), "status": "DONE"}]}, format="json"
    )

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert as_json(tasks["a"])["status"] == "TODO"


def test_bulk_works_with_a_trailing_slash(auth_client, tasks):
    response = auth_client.post(
        f"{BULK}/", {"updates": [{"id": str(tasks["a"].pk), "position": 3}]}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["tasks"][0]["position"] == 3

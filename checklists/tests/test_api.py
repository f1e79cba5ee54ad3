"""Checklists through HTTP (SPEC §13): items with dense positions moved by the board's rules,
at most 100, listed by position and paginated, and every change a change to the task (one
version and a new ``updated_at`` per request, the counts on every task in lists)."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from accounts.tests.helpers import bearer_client
from checklists.models import ChecklistItem
from projects.tests.factories import ProjectFactory
from tasks.models import Task
from tasks.tests.factories import make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return UserFactory()


@pytest.fixture
def client(owner):
    return bearer_client(owner)


@pytest.fixture
def task(owner):
    return make_task(project=ProjectFactory(owner=owner), title="Move house")


def url(task, item_id=None) -> str:
    base = f"/api/v1/tasks/{task.pk}/checklist"
    return base if item_id is None else f"{base}/{item_id}"


def add(client, task, text, **body) -> dict:
    response = client.post(url(task), {"text": text, **body}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def texts(task) -> list[tuple[str, int]]:
    """The task's items as stored: (text, position) in position order."""
    return list(ChecklistItem.objects.filter(task=task).order_by("position").values_list("text", "position"))


def stored(task) -> Task:
    return Task.objects.get(pk=task.pk)


# --- Create ------------------------------------------------------------------------------


def test_an_item_is_appended_without_a_position_and_answered_whole(owner, task):
    now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    with time_machine.travel(now, tick=False):
        client = bearer_client(owner)
        first = add(client, task, "  Book the van  ")
        second = add(client, task, "Pack", done=True)

    assert set(first) == {"id", "text", "done", "position", "created_at"}
    assert first == {
        "id": first["id"],
        "text": "Book the van",
        "done": False,
        "position": 0,
        "created_at": "2026-12-02T09:00:00Z",
    }
    assert (second["position"], second["done"]) == (1, True)
    assert texts(task) == [("Book the van", 0), ("Pack", 1)]


def test_a_position_inserts_and_shifts_the_rest_and_past_the_end_appends(client, task):
    for text in ("a", "b", "c"):
        add(client, task, text)

    assert add(client, task, "first", position=0)["position"] == 0
    assert add(client, task, "middle", position=2)["position"] == 2
    assert add(client, task, "last", position=999)["position"] == 5

    assert texts(task) == [("first", 0), ("a", 1), ("middle", 2), ("b", 3), ("c", 4), ("last", 5)]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 501}, "text"),
        ({"text": 5}, "text"),
        ({}, "text"),
        ({"text": "ok", "position": -1}, "position"),
        ({"text": "ok", "position": "1"}, "position"),
        ({"text": "ok", "position": 1.5}, "position"),
        ({"text": "ok", "done": "yes"}, "done"),
        ({"text": "ok", "done": None}, "done"),
    ],
)
def test_a_bad_item_is_a_400_that_changes_nothing(client, task, body, field):
    response = client.post(url(task), body, format="json")

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "validation_error"
    assert list(response.json()["errors"]) == [field]
    assert (stored(task).version, stored(task).checklist_total) == (1, 0)


def test_text_of_500_characters_is_accepted(client, task):
    assert add(client, task, "x" * 500)["text"] == "x" * 500


def test_the_101st_item_is_a_400_and_the_100th_is_fine(client, task):
    ChecklistItem.objects.bulk_create(
        ChecklistItem(task=task, text=f"step {n}", position=n) for n in range(99)
    )
    assert add(client, task, "the 100th")["position"] == 99
    version = stored(task).version

    refused = client.post(url(task), {"text": "one too many"}, format="json")

    assert refused.status_code == 400
    assert refused.json()["errors"] == {"non_field_errors": ["A task holds at most 100 checklist items."]}
    assert ChecklistItem.objects.filter(task=task).count() == 100
    assert stored(task).version == version


# --- Update ------------------------------------------------------------------------------


@pytest.fixture
def five(client, task) -> list[dict]:
    return [add(client, task, text) for text in "abcde"]


@pytest.mark.parametrize(
    ("moved", "position", "expected"),
    [
        (1, 3, "acdbe"),  # down: the ones in between move up
        (3, 0, "dabce"),  # up: the ones in between move down
        (0, 4, "bcdea"),
        (2, 99, "abdec"),  # past the end: the last place
        (4, 4, "abcde"),  # where it is
    ],
)
def test_a_move_shifts_only_the_items_it_passes(client, task, five, moved, position, expected):
    response = client.patch(url(task, five[moved]["id"]), {"position": position}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["position"] == expected.index("abcde"[moved])
    assert texts(task) == [(text, n) for n, text in enumerate(expected)]


def test_ticking_an_item_never_moves_it_and_counts_on_the_task(client, task, five):
    response = client.patch(url(task, five[2]["id"]), {"done": True}, format="json")

    assert response.json() == {**five[2], "done": True}
    assert texts(task) == [(text, n) for n, text in enumerate("abcde")]
    listed = client.get(f"/api/v1/tasks/{task.pk}").json()
    assert (listed["checklist_total"], listed["checklist_done"]) == (5, 1)


def test_text_done_and_position_change_in_one_request(client, task, five):
    response = client.patch(
        url(task, five[0]["id"]), {"text": "A!", "done": True, "position": 2}, format="json"
    )

    assert response.json() == {**five[0], "text": "A!", "done": True, "position": 2}
    assert texts(task) == [("b", 0), ("c", 1), ("A!", 2), ("d", 3), ("e", 4)]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"position": -1}, "position"),
        ({"text": ""}, "text"),
        ({"text": "x" * 501}, "text"),
        ({"done": 1}, "done"),
    ],
)
def test_a_bad_change_is_a_400_that_changes_nothing(client, task, five, body, field):
    version = stored(task).version

    response = client.patch(url(task, five[1]["id"]), body, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert stored(task).version == version
    assert texts(task) == [(text, n) for n, text in enumerate("abcde")]


# --- Delete ------------------------------------------------------------------------------


def test_a_deletion_closes_the_gap(client, task, five):
    response = client.delete(url(task, five[1]["id"]))

    assert response.status_code == 204
    assert texts(task) == [("a", 0), ("c", 1), ("d", 2), ("e", 3)]
    assert stored(task).checklist_total == 4


def test_deleting_the_task_deletes_its_checklist(client, task, five):
    assert client.delete(f"/api/v1/tasks/{task.pk}").status_code == 204
    assert not ChecklistItem.objects.exists()


# --- The task's version and updated_at ---------------------------------------------------


def test_every_change_is_one_version_and_a_new_updated_at_on_the_task(client, owner, task):
    start = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    steps = []
    with time_machine.travel(start, tick=False) as frozen:
        client = bearer_client(owner)
        for text in "abcde":
            add(client, task, text)
        steps.append(stored(task))
        items = list(ChecklistItem.objects.filter(task=task).order_by("position"))
        requests = [
            ("patch", url(task, items[0].pk), {"position": 4}),  # shifts four items
            ("patch", url(task, items[1].pk), {"done": True}),
            ("patch", url(task, items[1].pk), {"text": "B"}),
            ("delete", url(task, items[2].pk), None),
            ("post", url(task), {"text": "first", "position": 0}),  # shifts four items
        ]
        for method, path, body in requests:
            frozen.shift(timedelta(minutes=1))
            response = getattr(client, method)(path, body, format="json")
            assert response.status_code in (200, 201, 204), response.content
            steps.append(stored(task))

    assert [task.version for task in steps] == [6, 7, 8, 9, 10, 11]
    assert [task.updated_at for task in steps] == [start + timedelta(minutes=n) for n in range(6)]
    assert [(task.checklist_total, task.checklist_done) for task in steps] == [
        (5, 0),
        (5, 0),
        (5, 1),
        (5, 1),
        (4, 1),
        (5, 1),
    ]


@pytest.mark.parametrize(
    "body", [{}, {"text": "a"}, {"done": False}, {"position": 0}, {"text": "a", "position": 0}]
)
def test_a_change_that_changes_nothing_leaves_the_task_as_it_is(client, task, five, body):
    before = stored(task)

    response = client.patch(url(task, five[0]["id"]), body, format="json")

    assert response.status_code == 200
    assert response.json() == five[0]
    after = stored(task)
    assert (after.version, after.updated_at) == (before.version, before.updated_at)


# --- Lists -------------------------------------------------------------------------------


def test_the_checklist_is_listed_by_position_and_paginated(client, task, five):
    client.patch(url(task, five[4]["id"]), {"position": 0}, format="json")

    first = client.get(url(task), {"page_size": 2}).json()
    last = client.get(url(task), {"page_size": 2, "page": 3}).json()

    assert first["count"] == 5
    assert [item["text"] for item in first["results"]] == ["e", "a"]
    assert [item["position"] for item in first["results"]] == [0, 1]
    assert first["next"] is not None and first["previous"] is None
    assert [item["text"] for item in last["results"]] == ["d"]
    assert client.get(url(task), {"page_size": 0}).status_code == 400


def test_task_lists_carry_the_counts_without_a_query_per_task(client, owner):
    project = ProjectFactory(owner=owner)
    tasks = [make_task(project=project, title=f"t{n}") for n in range(6)]
    for n, task in enumerate(tasks[:3]):
        for k in range(n + 1):
            add(client, task, f"step {k}", done=k == 0)

    with CaptureQueriesContext(connection) as few:
        small = client.get(f"/api/v1/projects/{project.pk}/tasks", {"page_size": 2})
    with CaptureQueriesContext(connection) as many:
        listed = client.get(f"/api/v1/projects/{project.pk}/tasks")

    counts = {
        task["title"]: (task["checklist_total"], task["checklist_done"]) for task in listed.json()["results"]
    }
    assert counts == {"t0": (1, 1), "t1": (2, 1), "t2": (3, 1), "t3": (0, 0), "t4": (0, 0), "t5": (0, 0)}
    assert small.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


# --- Who may -----------------------------------------------------------------------------


def test_another_users_task_is_a_403_on_every_method(task, five):
    stranger = bearer_client(UserFactory())
    item = five[0]["id"]

    answers = [
        stranger.get(url(task)),
        stranger.post(url(task), {"text": "x"}, format="json"),
        stranger.patch(url(task, item), {"done": True}, format="json"),
        stranger.delete(url(task, item)),
    ]

    assert [answer.status_code for answer in answers] == [403, 403, 403, 403]
    assert {answer.json()["code"] for answer in answers} == {"permission_denied"}
    assert stored(task).checklist_done == 0 and ChecklistItem.objects.count() == 5


def test_unknown_tasks_and_items_are_404s(client, owner, task, five):
    other_task = make_task(project=ProjectFactory(owner=owner))
    missing = uuid.uuid4()

    answers = [
        client.get(f"/api/v1/tasks/{missing}/checklist"),
        client.post(f"/api/v1/tasks/{missing}/checklist", {"text": "x"}, format="json"),
        client.patch(url(task, missing), {"done": True}, format="json"),
        client.delete(url(task, missing)),
        # An item of another of the caller's tasks is not an item of this one.
        client.patch(url(other_task, five[0]["id"]), {"done": True}, format="json"),
        client.delete(url(other_task, five[0]["id"])),
        client.get(f"/api/v1/tasks/{task.pk}/checklist/not-a-uuid"),
    ]

    assert [answer.status_code for answer in answers] == [404] * 7
    assert {answer.json()["code"] for answer in answers} == {"not_found"}
    assert stored(other_task).version == 1


def test_an_item_is_not_read_alone_and_has_no_put(client, task, five):
    assert client.get(url(task, five[0]["id"])).status_code == 405
    assert client.put(url(task, five[0]["id"]), {"text": "x"}, format="json").status_code == 405


def test_without_a_token_it_is_a_401(api_client, task):
    assert api_client.get(url(task)).status_code == 401

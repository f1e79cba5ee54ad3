"""Quick add through HTTP (SPEC §13): the task and its ``parsed``, in the owner's time zone,
labels created, the preview creating nothing, and the refusals."""

import uuid
from datetime import UTC, datetime

import pytest
import time_machine

from accounts.tests.factories import UserFactory
from accounts.tests.helpers import bearer_client
from labels.models import Label
from projects.tests.factories import ProjectFactory
from tasks.models import Task

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 2, 9, tzinfo=UTC)  # Wed 2 Dec, 10:00 in Berlin


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def owner():
    return UserFactory(preferences={"timezone": "Europe/Berlin"})


@pytest.fixture
def client(owner):
    return bearer_client(owner)


@pytest.fixture
def project(owner):
    return ProjectFactory(owner=owner)


def quick(client, project, text):
    return client.post(f"/api/v1/projects/{project.pk}/tasks/quick", {"text": text}, format="json")


# The examples of the operation's OpenAPI description.
@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        (
            "Pay rent every month on the 1st #home !high",
            {
                "title": "Pay rent",
                "due_date": None,
                "due_on": "2027-01-01",
                "recurrence": {"rrule": "FREQ=MONTHLY;BYMONTHDAY=1", "from": "due"},
                "labels": ["home"],
                "priority": "HIGH",
            },
        ),
        (
            "Call mom tomorrow at 6pm p2",
            {
                "title": "Call mom",
                "due_date": "2026-12-03T17:00:00Z",
                "due_on": None,
                "recurrence": None,
                "labels": [],
                "priority": "HIGH",
            },
        ),
        (
            "Water plants every! 3 days",
            {
                "title": "Water plants",
                "due_date": None,
                "due_on": "2026-12-02",
                "recurrence": {"rrule": "FREQ=DAILY;INTERVAL=3", "from": "completion"},
                "labels": [],
                "priority": None,
            },
        ),
        (
            "Book may trip",
            {
                "title": "Book may trip",
                "due_date": None,
                "due_on": None,
                "recurrence": None,
                "labels": [],
                "priority": None,
            },
        ),
    ],
)
def test_quick_add_makes_the_task_it_reads(client, project, text, parsed):
    response = quick(client, project, text)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["parsed"] == parsed
    assert body["title"] == parsed["title"]
    assert (body["due_date"], body["due_on"], body["labels"]) == (
        parsed["due_date"],
        parsed["due_on"],
        parsed["labels"],
    )
    assert body["priority"] == (parsed["priority"] or "MEDIUM")
    assert (body["status"], body["position"]) == ("TODO", 0)
    rule = body["recurrence"]
    assert (rule and {"rrule": rule["rrule"], "from": rule["from"]}) == (parsed["recurrence"] or None)
    preview = client.post("/api/v1/tasks/quick/preview", {"text": text}, format="json")
    assert preview.status_code == 200
    assert preview.json() == {"parsed": parsed}


def test_labels_match_the_owners_existing_ones_and_new_ones_are_created(client, owner, project):
    Label.objects.create(owner=owner, name="Home")

    body = quick(client, project, "Fix tap #home #Plumbing").json()

    assert body["labels"] == ["Home", "Plumbing"]
    assert body["parsed"]["labels"] == ["home", "Plumbing"]  # as typed
    assert sorted(Label.objects.filter(owner=owner).values_list("name", flat=True)) == ["Home", "Plumbing"]


def test_the_preview_creates_nothing(client):
    response = client.post("/api/v1/tasks/quick/preview", {"text": "Shop #errands tomorrow"}, format="json")

    assert response.status_code == 200
    assert response.json()["parsed"]["due_on"] == "2026-12-03"
    assert not Task.objects.exists()
    assert not Label.objects.exists()


@pytest.mark.parametrize(
    "text",
    [
        "tomorrow !high",
        "   ",
        "x" * 201,
        "Task #" + "l" * 51,
        "Task " + " ".join(f"#l{i}" for i in range(21)),
    ],
)
def test_text_that_cannot_make_a_task_is_a_400_on_text(client, project, text):
    created = quick(client, project, text)
    previewed = client.post("/api/v1/tasks/quick/preview", {"text": text}, format="json")

    assert (created.status_code, previewed.status_code) == (400, 400)
    assert list(created.json()["errors"]) == list(previewed.json()["errors"]) == ["text"]
    assert not Task.objects.exists()
    assert not Label.objects.exists()


@pytest.mark.parametrize("body", [{}, {"text": 5}, {"text": None}, {"text": "x" * 1001}])
def test_a_bad_body_is_a_400(client, project, body):
    response = client.post(f"/api/v1/projects/{project.pk}/tasks/quick", body, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["text"]


def test_another_users_project_is_a_403_an_unknown_one_a_404_and_no_token_a_401(client, api_client):
    theirs = ProjectFactory(owner=UserFactory())

    assert quick(client, theirs, "Sneak in").status_code == 403
    assert (
        client.post(f"/api/v1/projects/{uuid.uuid4()}/tasks/quick", {"text": "x"}, format="json").status_code
        == 404
    )
    assert api_client.post("/api/v1/tasks/quick/preview", {"text": "x"}, format="json").status_code == 401
    assert not Task.objects.exists()

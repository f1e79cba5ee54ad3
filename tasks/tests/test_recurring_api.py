"""Recurring tasks through HTTP (SPEC §12): the rule's echo, completing (the advance), skip
and the completions, with time frozen."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from accounts.tests.factories import UserFactory
from accounts.tests.helpers import bearer_client
from projects.tests.factories import ProjectFactory
from tasks.models import Status, Task, TaskCompletion
from tasks.schema_examples import CREATE_EXAMPLES, UPDATE_EXAMPLES
from tasks.tests.factories import make_task

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)


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


def url(task: Task, tail: str = "") -> str:
    return f"/api/v1/tasks/{task.pk}{tail}"


def test_a_rule_is_echoed_normalised_with_its_start_and_next_dues(client, project):
    response = client.post(
        f"/api/v1/projects/{project.pk}/tasks",
        {
            "title": "Stand-up",
            "due_date": "2026-12-03T08:00:00Z",
            "recurrence": {"rrule": "rrule:freq=daily;interval=1"},
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["recurrence"] == {
        "rrule": "FREQ=DAILY",
        "from": "due",
        "start": "2026-12-03T08:00:00Z",
        "next": ["2026-12-04T08:00:00Z", "2026-12-05T08:00:00Z", "2026-12-06T08:00:00Z"],
    }


def test_an_all_day_rule_gives_days(client, project):
    task = make_task(project=project, due_on=date(2026, 12, 31))

    response = client.patch(
        url(task), {"recurrence": {"rrule": "FREQ=MONTHLY", "from": "due"}}, format="json"
    )

    assert response.json()["recurrence"]["start"] == "2026-12-31"
    assert response.json()["recurrence"]["next"] == ["2027-01-31", "2027-03-31", "2027-05-31"]


@pytest.mark.parametrize(
    ("recurrence", "message"),
    [
        ({"rrule": "FREQ=DAILY;BYSETPOS=1"}, "BYSETPOS is not supported"),
        (
            {"rrule": "FREQ=WEEKLY;BYDAY=-1FR"},
            "BYDAY ordinals (-1FR) are only allowed with FREQ=MONTHLY or YEARLY",
        ),
    ],
)
def test_an_unsupported_rule_is_a_400_naming_the_part(client, project, recurrence, message):
    task = make_task(project=project, due_on=date(2026, 12, 31))

    response = client.patch(url(task), {"recurrence": recurrence}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {"recurrence": [message]}
    task.refresh_from_db()
    assert (task.recurrence, task.version) == (None, 1)


def test_a_recurring_task_must_have_a_due(client, project):
    undated = make_task(project=project)
    dated = make_task(project=project, due_on=date(2026, 12, 31))
    client.patch(url(dated), {"recurrence": {"rrule": "FREQ=DAILY"}}, format="json")

    for response in (
        client.patch(url(undated), {"recurrence": {"rrule": "FREQ=DAILY"}}, format="json"),
        client.patch(url(dated), {"due_on": None}, format="json"),
    ):
        assert response.status_code == 400
        assert list(response.json()["errors"]) == ["recurrence"]
    dated.refresh_from_db()
    assert dated.due_on == date(2026, 12, 31)


def test_completing_a_recurring_task_advances_it_to_the_end_of_todo(client, project):
    make_task(project=project, title="other")
    task = make_task(
        project=project, title="Water plants", status=Status.IN_PROGRESS, due_on=date(2026, 12, 1)
    )
    client.patch(url(task), {"recurrence": {"rrule": "FREQ=DAILY"}}, format="json")

    response = client.patch(url(task), {"status": "DONE", "version": 2}, format="json")

    assert response.status_code == 200
    body = response.json()
    # Due on the 1st, completed at noon on the 2nd: the 2nd (still open) is the next due.
    assert (body["status"], body["position"], body["due_on"], body["version"], body["completed_at"]) == (
        "TODO",
        1,
        "2026-12-02",
        3,
        None,
    )
    assert body["recurrence"]["next"] == ["2026-12-03", "2026-12-04", "2026-12-05"]
    completions = client.get(url(task, "/completions")).json()
    assert completions["count"] == 1
    assert completions["results"][0]["due"] == "2026-12-01"
    assert completions["results"][0]["completed_at"] == "2026-12-02T12:00:00Z"


def test_the_last_occurrence_completes_the_task(client, project):
    task = make_task(project=project, due_on=date(2026, 12, 2))
    client.patch(url(task), {"recurrence": {"rrule": "FREQ=DAILY;COUNT=1"}}, format="json")

    response = client.patch(url(task), {"status": "DONE"}, format="json")

    assert (response.json()["status"], response.json()["recurrence"]["next"]) == ("DONE", [])
    assert response.json()["completed_at"] == "2026-12-02T12:00:00Z"
    assert TaskCompletion.objects.filter(task=task).count() == 1


def test_skip_moves_to_the_next_occurrence_without_a_completion(client, project):
    task = make_task(
        project=project, status=Status.IN_PROGRESS, due_date=datetime(2026, 12, 3, 8, tzinfo=UTC)
    )
    client.patch(url(task), {"recurrence": {"rrule": "FREQ=WEEKLY"}}, format="json")

    response = client.post(url(task, "/skip"))

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["due_date"]) == ("IN_PROGRESS", "2026-12-10T08:00:00Z")
    assert not TaskCompletion.objects.filter(task=task).exists()


def test_skip_without_a_rule_is_a_400_and_another_users_task_a_403(client, project):
    plain = make_task(project=project, due_on=date(2026, 12, 2))
    theirs = make_task(project=ProjectFactory(), due_on=date(2026, 12, 2))

    assert client.post(url(plain, "/skip")).status_code == 400
    assert client.post(url(theirs, "/skip")).status_code == 403
    assert client.get(url(theirs, "/completions")).status_code == 403


def test_from_completion_restarts_on_the_completion_day(client, project):
    task = make_task(project=project, due_date=datetime(2026, 11, 20, 8, tzinfo=UTC))
    client.patch(
        url(task), {"recurrence": {"rrule": "FREQ=DAILY;INTERVAL=3", "from": "completion"}}, format="json"
    )

    response = client.patch(url(task), {"status": "DONE"}, format="json")

    # Done on 2 December: three days later, at the task's 09:00 in Berlin.
    assert response.json()["due_date"] == "2026-12-05T08:00:00Z"


def test_a_new_time_zone_keeps_the_current_due_and_recurs_on_the_new_clock(owner, project):
    with time_machine.travel(datetime(2026, 3, 26, 12, tzinfo=UTC), tick=False):
        client = bearer_client(owner)
        task = make_task(project=project, due_date=datetime(2026, 3, 27, 8, tzinfo=UTC))  # 09:00 in Berlin
        client.patch(url(task), {"recurrence": {"rrule": "FREQ=DAILY"}}, format="json")
        # On Berlin's clock 09:00 would be 07:00Z from 29 March; Kolkata has no daylight saving.
        assert client.get(url(task)).json()["recurrence"]["next"][1] == "2026-03-29T07:00:00Z"

        client.patch("/api/v1/users/me/preferences", {"timezone": "Asia/Kolkata"}, format="json")

        body = client.get(url(task)).json()
    assert body["due_date"] == "2026-03-27T08:00:00Z"
    assert body["recurrence"]["next"] == [f"2026-03-{day}T08:00:00Z" for day in (28, 29, 30)]


def test_a_bulk_done_advances_each_recurring_task_and_completes_the_others(client, project):
    daily = make_task(project=project, title="daily", due_on=date(2026, 12, 2))
    weekly = make_task(project=project, title="weekly", due_date=datetime(2026, 12, 2, 8, tzinfo=UTC))
    plain = make_task(project=project, title="plain", due_on=date(2026, 12, 2))
    client.patch(url(daily), {"recurrence": {"rrule": "FREQ=DAILY"}}, format="json")
    client.patch(url(weekly), {"recurrence": {"rrule": "FREQ=WEEKLY"}}, format="json")

    response = client.post(
        "/api/v1/tasks/bulk-update",
        {"updates": [{"id": str(task.pk), "status": "DONE"} for task in (daily, weekly, plain)]},
        format="json",
    )

    assert response.status_code == 200, response.content
    answered = {task["title"]: task for task in response.json()["tasks"]}
    assert (answered["daily"]["status"], answered["daily"]["due_on"]) == ("TODO", "2026-12-03")
    assert (answered["weekly"]["status"], answered["weekly"]["due_date"]) == ("TODO", "2026-12-09T08:00:00Z")
    assert answered["plain"]["status"] == "DONE"
    for task in (daily, weekly):
        stored = client.get(url(task)).json()
        assert stored == answered[task.title]
        assert TaskCompletion.objects.filter(task=task).count() == 1
    assert [
        t["title"] for t in client.get(f"/api/v1/projects/{project.pk}/tasks?status=TODO").json()["results"]
    ] == [
        "daily",
        "weekly",
    ]


def test_the_openapi_examples_are_what_the_api_answers(owner, project):
    def example(examples, name):
        return next(e.value for e in examples if e.name == name)

    ignored = {"id", "project_id", "position"}
    with time_machine.travel(datetime(2026, 12, 2, 9, tzinfo=UTC), tick=False):
        created = bearer_client(owner).post(
            f"/api/v1/projects/{project.pk}/tasks",
            example(CREATE_EXAMPLES, "A recurring task with reminders"),
            format="json",
        )
    with time_machine.travel(datetime(2026, 12, 7, 9, 10, tzinfo=UTC), tick=False):
        advanced = bearer_client(owner).patch(
            url(Task.objects.get()), example(UPDATE_EXAMPLES, "Complete a recurring task"), format="json"
        )

    for response, expected in (
        (created, example(CREATE_EXAMPLES, "The recurring task created")),
        (advanced, example(UPDATE_EXAMPLES, "The recurring task advanced")),
    ):
        answer = response.json()
        assert {k: v for k, v in answer.items() if k not in ignored} == {
            k: v for k, v in expected.items() if k not in ignored
        }


@pytest.mark.parametrize("recurrence", [{}, {"from": "due"}])
def test_a_patch_with_a_rule_without_its_rrule_is_a_400(client, project, recurrence):
    task = make_task(project=project, due_on=date(2026, 12, 7))

    response = client.patch(
        url(task), {"status": "DONE", "version": 1, "recurrence": recurrence}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"recurrence": {"rrule": ["This field is required."]}}
    assert Task.objects.get(pk=task.pk).version == 1

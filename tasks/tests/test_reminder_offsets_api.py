"""``reminder_offsets`` through HTTP (SPEC §12): echoed sorted, default [], allowed without a
due, a change bumps the version and re-arms; every bad list is a 400 on the field."""

import pytest

from accounts.tests.factories import UserFactory
from accounts.tests.helpers import bearer_client
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
def project(owner):
    return ProjectFactory(owner=owner)


def test_offsets_are_echoed_sorted_and_allowed_without_a_due(client, project):
    response = client.post(
        f"/api/v1/projects/{project.pk}/tasks",
        {"title": "Call", "reminder_offsets": [1440, 0, 40320, 15]},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["reminder_offsets"] == [0, 15, 1440, 40320]
    assert Task.objects.get().reminder_offsets == [0, 15, 1440, 40320]


def test_a_change_bumps_the_version_and_arms_again_and_the_same_list_does_not(client, project):
    task = make_task(project=project, reminder_offsets=[10])
    armed = Task.objects.get(pk=task.pk).reminders_armed_at

    same = client.patch(f"/api/v1/tasks/{task.pk}", {"reminder_offsets": [10]}, format="json")
    changed = client.patch(f"/api/v1/tasks/{task.pk}", {"reminder_offsets": [30, 10]}, format="json")
    cleared = client.patch(f"/api/v1/tasks/{task.pk}", {"reminder_offsets": []}, format="json")

    assert (same.json()["version"], changed.json()["version"], cleared.json()["version"]) == (1, 2, 3)
    assert changed.json()["reminder_offsets"] == [10, 30]
    assert cleared.json()["reminder_offsets"] == []
    assert Task.objects.get(pk=task.pk).reminders_armed_at > armed


@pytest.mark.parametrize(
    "offsets",
    [
        [1, 2, 3, 4, 5, 6],  # more than 5
        [10, 10],  # not distinct
        [-1],
        [40321],
        ["10"],
        [True],
        [1.5],
        None,
        10,
        "10",
    ],
)
def test_a_bad_list_is_a_400_on_the_field_and_changes_nothing(client, project, offsets):
    task = make_task(project=project, reminder_offsets=[5])

    response = client.patch(f"/api/v1/tasks/{task.pk}", {"reminder_offsets": offsets}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert list(response.json()["errors"]) == ["reminder_offsets"]
    stored = Task.objects.get(pk=task.pk)
    assert (stored.reminder_offsets, stored.version) == ([5], 1)

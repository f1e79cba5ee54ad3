"""The label admin: listed with their task counts; a rename there reaches every task."""

import pytest

from accounts.tests.factories import UserFactory
from labels.models import Label
from labels.selectors import task_label_names
from projects.tests.factories import ProjectFactory
from tasks.tests.factories import make_task

pytestmark = pytest.mark.django_db


def test_labels_are_listed_with_task_counts_and_renamed_on_every_task(staff_client):
    owner = UserFactory()
    task = make_task(project=ProjectFactory(owner=owner), labels=["Home"])
    label = Label.objects.get()

    listed = staff_client.get("/admin/labels/label/")
    saved = staff_client.post(
        f"/admin/labels/label/{label.pk}/change/", {"name": "House", "color": "#FF0000"}
    )

    assert listed.status_code == 200
    assert "Home" in listed.content.decode()
    assert saved.status_code == 302
    assert task_label_names(task) == ["House"]
    assert staff_client.get("/admin/labels/label/add/").status_code == 403

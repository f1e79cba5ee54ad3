"""The checklist admin: items listed with their tasks; a change or a deletion there goes
through the services, so positions stay dense and the task's counts and version follow."""

import pytest

from checklists.models import ChecklistItem
from checklists.services import item_create
from tasks.models import Task
from tasks.tests.factories import make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def items():
    task = make_task(title="Move house")
    return [item_create(task=task, text=text) for text in ("Book the van", "Pack", "Clean")]


def test_items_are_listed_and_ticked_through_the_services(staff_client, items):
    listed = staff_client.get("/admin/checklists/checklistitem/", {"q": "van"})
    saved = staff_client.post(
        f"/admin/checklists/checklistitem/{items[1].pk}/change/", {"text": "Pack the books", "done": "on"}
    )

    assert listed.status_code == 200
    assert "Book the van" in listed.content.decode() and "Move house" in listed.content.decode()
    assert saved.status_code == 302
    task = Task.objects.get(pk=items[0].task_id)
    assert (task.checklist_total, task.checklist_done, task.version) == (3, 1, 5)
    assert ChecklistItem.objects.get(pk=items[1].pk).text == "Pack the books"
    assert staff_client.get("/admin/checklists/checklistitem/add/").status_code == 403


def test_deleting_in_the_admin_closes_the_gap(staff_client, items):
    one = staff_client.post(f"/admin/checklists/checklistitem/{items[0].pk}/delete/", {"post": "yes"})
    bulk = staff_client.post(
        "/admin/checklists/checklistitem/",
        {"action": "delete_selected", "_selected_action": [str(items[2].pk)], "post": "yes"},
    )

    assert one.status_code == bulk.status_code == 302
    assert list(ChecklistItem.objects.values_list("text", "position")) == [("Pack", 0)]
    assert Task.objects.get(pk=items[0].task_id).checklist_total == 1

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from accounts.tests.helpers import bearer_client
from projects.models import Project
from projects.tests.factories import ProjectFactory
from tasks.models import Status
from tasks.tests.factories import make_task

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:projects_project_changelist"


def listed_names(response):
    return sorted(project.name for project in response.context["cl"].result_list)


def test_changelist_shows_projects_with_their_task_count(staff_client):
    owner = UserFactory(email="owner@example.com")
    busy = ProjectFactory(owner=owner, name="Busy")
    make_task(project=busy, title="a")
    make_task(project=busy, title="b", status=Status.DONE)
    ProjectFactory(owner=owner, name="Idle")

    response = staff_client.get(reverse(CHANGELIST))

    assert response.status_code == 200
    counts = {project.name: project.task_count for project in response.context["cl"].result_list}
    assert counts == {"Busy": 2, "Idle": 0}
    page = response.content.decode()
    assert "column-task_count" in page
    assert '<td class="field-task_count">2</td>' in page
    assert '<td class="field-task_count">0</td>' in page
    assert "owner@example.com" in page


def test_changelist_searches_by_name(staff_client):
    ProjectFactory(name="Garden plans")
    ProjectFactory(name="Kitchen")

    response = staff_client.get(reverse(CHANGELIST), {"q": "GARDEN"})

    assert response.status_code == 200
    assert listed_names(response) == ["Garden plans"]


def test_changelist_searches_by_owner_email(staff_client):
    ProjectFactory(owner=UserFactory(email="alice@example.com"), name="Alice's")
    ProjectFactory(owner=UserFactory(email="bob@example.com"), name="Bob's")

    response = staff_client.get(reverse(CHANGELIST), {"q": "alice@"})

    assert response.status_code == 200
    assert listed_names(response) == ["Alice's"]


@pytest.mark.parametrize(("flag", "expected"), [("1", ["Old"]), ("0", ["Current"])])
def test_changelist_filters_by_archived(staff_client, flag, expected):
    ProjectFactory(name="Old", archived=True)
    ProjectFactory(name="Current", archived=False)

    response = staff_client.get(reverse(CHANGELIST), {"archived__exact": flag})

    assert response.status_code == 200
    assert listed_names(response) == expected


def test_changelist_orders_by_task_count(staff_client):
    few = ProjectFactory(name="Few")
    make_task(project=few)
    many = ProjectFactory(name="Many")
    for title in "abc":
        make_task(project=many, title=title)
    ProjectFactory(name="None")

    # Column 4 of list_display is task_count.
    response = staff_client.get(reverse(CHANGELIST), {"o": "-4"})

    assert response.status_code == 200
    assert [project.name for project in response.context["cl"].result_list] == ["Many", "Few", "None"]


def _changelist_query_count(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    return len(queries), response.context["cl"].result_count


def test_changelist_makes_a_fixed_number_of_queries(staff_client):
    for _ in range(2):
        make_task(project=ProjectFactory())
    two = _changelist_query_count(staff_client)

    for _ in range(8):
        project = ProjectFactory()
        make_task(project=project, title="a")
        make_task(project=project, title="b")
    ten = _changelist_query_count(staff_client)

    assert two[1] == 2
    assert ten[1] == 10
    assert ten[0] == two[0]


def test_change_page_shows_and_saves_a_project(staff_client):
    project = ProjectFactory(name="Before", color="#000000")
    url = reverse("admin:projects_project_change", args=[project.pk])

    page = staff_client.get(url)
    saved = staff_client.post(
        url,
        {
            "owner": str(project.owner_id),
            "name": "After",
            "description": "",
            "color": "#112233",
            "archived": "on",
        },
    )

    assert page.status_code == 200
    assert str(project.pk) in page.content.decode()
    assert saved.status_code == 302
    project.refresh_from_db()
    assert (project.name, project.color, project.archived) == ("After", "#112233", True)


def test_change_form_refuses_an_invalid_color(staff_client):
    project = ProjectFactory(name="Keep", color="#000000")

    response = staff_client.post(
        reverse("admin:projects_project_change", args=[project.pk]),
        {"owner": str(project.owner_id), "name": "Changed", "description": "", "color": "blue"},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    project.refresh_from_db()
    assert (project.name, project.color) == ("Keep", "#000000")


def test_the_owner_cannot_be_changed_in_the_admin(staff_client):
    # Tasks carry their project's owner, so the admin shows the owner read-only on change.
    old_owner, new_owner = UserFactory(), UserFactory()
    project = ProjectFactory(owner=old_owner, name="Handover")
    task = make_task(project=project)

    response = staff_client.post(
        reverse("admin:projects_project_change", args=[project.pk]),
        {"owner": str(new_owner.pk), "name": "Handover", "description": "", "color": "#3B82F6"},
    )

    assert response.status_code == 302
    project.refresh_from_db()
    assert project.owner_id == old_owner.pk
    assert bearer_client(old_owner).get(f"/api/v1/tasks/{task.pk}").status_code == 200
    assert bearer_client(new_owner).get(f"/api/v1/tasks/{task.pk}").status_code == 403


def test_add_page_opens(staff_client):
    response = staff_client.get(reverse("admin:projects_project_add"))

    assert response.status_code == 200
    assert Project.objects.count() == 0

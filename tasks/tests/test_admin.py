from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.tests.factories import ProjectFactory
from tasks.models import Priority, Status, Task
from tasks.services import task_update
from tasks.tests.factories import make_task

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:tasks_task_changelist"


def column(project, status):
    return list(
        Task.objects.filter(project=project, status=status)
        .order_by("place__position")
        .values_list("title", "place__position")
    )


def listed_titles(response):
    return sorted(task.title for task in response.context["cl"].result_list)


def change_form(task, **overrides):
    """The admin change form as a browser posts it, with ``overrides`` applied."""
    data = {
        "title": task.title,
        "description": task.description,
        "status": str(task.status),
        "priority": str(task.priority),
        "due_date_0": "",
        "due_date_1": "",
        "due_on": "",
        "remind_at_0": "",
        "remind_at_1": "",
        # The completions inline's management form (no completions here).
        "completions-TOTAL_FORMS": "0",
        "completions-INITIAL_FORMS": "0",
        "completions-MIN_NUM_FORMS": "0",
        "completions-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    return {**data, **overrides}


# --- changelist --------------------------------------------------------------------------------


def test_changelist_lists_tasks(staff_client):
    project = ProjectFactory(name="Home")
    make_task(project=project, title="Dishes")
    make_task(project=project, title="Laundry", status=Status.DONE)

    response = staff_client.get(reverse(CHANGELIST))

    assert response.status_code == 200
    assert listed_titles(response) == ["Dishes", "Laundry"]
    page = response.content.decode()
    assert "Home" in page
    assert project.owner.email in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status__exact": str(Status.IN_PROGRESS)}, ["Doing"]),
        ({"status__exact": str(Status.DONE)}, ["Done"]),
        ({"priority__exact": str(Priority.URGENT)}, ["Done"]),
        ({"priority__exact": str(Priority.LOW)}, ["Todo"]),
        ({"project__archived__exact": "1"}, ["Done"]),
        ({"project__archived__exact": "0"}, ["Doing", "Todo"]),
        ({"q": "DOI"}, ["Doing"]),
        ({"q": "nothing matches"}, []),
    ],
)
def test_changelist_filters_and_searches(staff_client, query, expected):
    active = ProjectFactory(archived=False)
    archived = ProjectFactory(archived=True)
    make_task(project=active, title="Todo", priority=Priority.LOW)
    make_task(project=active, title="Doing", status=Status.IN_PROGRESS, priority=Priority.HIGH)
    make_task(project=archived, title="Done", status=Status.DONE, priority=Priority.URGENT)

    response = staff_client.get(reverse(CHANGELIST), query)

    assert response.status_code == 200
    assert listed_titles(response) == expected


def _changelist_query_count(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    return len(queries), response.context["cl"].result_count


def test_changelist_makes_a_fixed_number_of_queries(staff_client):
    make_task(project=ProjectFactory(), title="first")
    make_task(project=ProjectFactory(), title="second")
    two = _changelist_query_count(staff_client)

    for index in range(10):
        make_task(project=ProjectFactory(), title=f"task {index}", status=Status.IN_PROGRESS)
    twelve = _changelist_query_count(staff_client)

    assert two[1] == 2
    assert twelve[1] == 12
    assert twelve[0] == two[0]


def test_add_page_is_forbidden(staff_client):
    project = ProjectFactory()

    page = staff_client.get(reverse("admin:tasks_task_add"))
    posted = staff_client.post(reverse("admin:tasks_task_add"), {"title": "x", "project": str(project.pk)})

    assert page.status_code == 403
    assert posted.status_code == 403
    assert Task.objects.count() == 0


# --- change form -------------------------------------------------------------------------------


def test_change_page_opens(staff_client):
    task = make_task(title="Open me")

    response = staff_client.get(reverse("admin:tasks_task_change", args=[task.pk]))

    assert response.status_code == 200
    assert "Open me" in response.content.decode()


def test_changing_status_moves_the_task_to_the_end_of_the_new_column(staff_client):
    project = ProjectFactory()
    a, b, c = (make_task(project=project, title=title) for title in "abc")
    x = make_task(project=project, title="x", status=Status.DONE)
    y = make_task(project=project, title="y", status=Status.DONE)

    response = staff_client.post(
        reverse("admin:tasks_task_change", args=[b.pk]), change_form(b, status=str(Status.DONE))
    )

    assert response.status_code == 302
    assert column(project, Status.TODO) == [("a", 0), ("c", 1)]
    assert column(project, Status.DONE) == [("x", 0), ("y", 1), ("b", 2)]
    b.refresh_from_db()
    assert b.version == 2
    assert b.completed_at is not None
    for neighbour in (a, c, x, y):
        neighbour.refresh_from_db()
        assert neighbour.version == 1


def test_changing_status_back_clears_completed_at(staff_client):
    project = ProjectFactory()
    make_task(project=project, title="a")
    done = make_task(project=project, title="done", status=Status.DONE)

    response = staff_client.post(
        reverse("admin:tasks_task_change", args=[done.pk]), change_form(done, status=str(Status.TODO))
    )

    assert response.status_code == 302
    assert column(project, Status.TODO) == [("a", 0), ("done", 1)]
    assert column(project, Status.DONE) == []
    done.refresh_from_db()
    assert done.completed_at is None
    assert done.version == 2


def test_changing_a_plain_field_keeps_the_place_and_bumps_version(staff_client):
    project = ProjectFactory()
    make_task(project=project, title="a")
    task = make_task(project=project, title="b")

    response = staff_client.post(
        reverse("admin:tasks_task_change", args=[task.pk]),
        change_form(task, title="b renamed", priority=str(Priority.URGENT)),
    )

    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.title, task.priority, task.position, task.version) == ("b renamed", Priority.URGENT, 1, 2)


def test_setting_a_due_date_and_leaving_it_alone(staff_client):
    task = make_task(title="Dated")
    url = reverse("admin:tasks_task_change", args=[task.pk])

    dated = staff_client.post(url, change_form(task, due_date_0="2030-05-01", due_date_1="09:30:00"))
    task.refresh_from_db()
    due_date = task.due_date
    retitled = staff_client.post(
        url, change_form(task, title="Retitled", due_date_0="2030-05-01", due_date_1="09:30:00")
    )

    assert dated.status_code == 302
    assert retitled.status_code == 302
    assert due_date == datetime(2030, 5, 1, 9, 30, tzinfo=UTC)
    task.refresh_from_db()
    assert (task.title, task.due_date, task.version) == ("Retitled", due_date, 3)


def test_a_due_date_with_microseconds_survives_an_unrelated_edit(staff_client):
    due_date = datetime(2030, 5, 1, 9, 30, 15, 123456, tzinfo=UTC)
    task = make_task(title="Precise", due_date=due_date)

    response = staff_client.post(
        reverse("admin:tasks_task_change", args=[task.pk]),
        change_form(task, priority=str(Priority.HIGH), due_date_0="2030-05-01", due_date_1="09:30:15"),
    )

    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.priority, task.due_date, task.version) == (Priority.HIGH, due_date, 2)


def test_saving_without_changes_keeps_the_version(staff_client):
    task = make_task(title="Same")

    response = staff_client.post(reverse("admin:tasks_task_change", args=[task.pk]), change_form(task))

    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.title, task.position, task.version) == ("Same", 0, 1)


# --- delete ------------------------------------------------------------------------------------


def test_deleting_a_task_closes_the_gap(staff_client):
    project = ProjectFactory()
    tasks = [make_task(project=project, title=title) for title in "abcd"]
    make_task(project=project, title="done", status=Status.DONE)

    response = staff_client.post(reverse("admin:tasks_task_delete", args=[tasks[1].pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not Task.objects.filter(pk=tasks[1].pk).exists()
    assert column(project, Status.TODO) == [("a", 0), ("c", 1), ("d", 2)]
    assert column(project, Status.DONE) == [("done", 0)]


def test_delete_selected_action_closes_the_gaps(staff_client):
    project = ProjectFactory()
    todo = [make_task(project=project, title=f"t{index}") for index in range(5)]
    done = [make_task(project=project, title=f"d{index}", status=Status.DONE) for index in range(3)]
    other_project = ProjectFactory()
    untouched = [make_task(project=other_project, title=f"o{index}") for index in range(2)]
    selected = [todo[0], todo[2], todo[3], done[1]]

    response = staff_client.post(
        reverse(CHANGELIST),
        {
            "action": "delete_selected",
            "_selected_action": [str(task.pk) for task in selected],
            "post": "yes",
        },
    )

    assert response.status_code == 302
    assert Task.objects.filter(pk__in=[task.pk for task in selected]).count() == 0
    assert column(project, Status.TODO) == [("t1", 0), ("t4", 1)]
    assert column(project, Status.DONE) == [("d0", 0), ("d2", 1)]
    assert column(other_project, Status.TODO) == [("o0", 0), ("o1", 1)]
    assert len(untouched) == 2


def test_delete_selected_asks_for_confirmation_first(staff_client):
    task = make_task(title="Keep")

    response = staff_client.post(
        reverse(CHANGELIST), {"action": "delete_selected", "_selected_action": [str(task.pk)]}
    )

    assert response.status_code == 200
    assert Task.objects.filter(pk=task.pk).exists()


def test_an_all_day_due_set_in_the_admin_ends_at_midnight_in_the_owners_zone(staff_client):
    project = ProjectFactory(owner__preferences={"timezone": "Asia/Kolkata"})
    task = make_task(project=project, title="Timed", due_date=datetime(2030, 5, 1, 9, 30, tzinfo=UTC))

    response = staff_client.post(
        reverse("admin:tasks_task_change", args=[task.pk]), change_form(task, due_on="2030-05-02")
    )

    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.due_on, task.due_date, task.due_at) == (
        date(2030, 5, 2),
        None,
        datetime(2030, 5, 2, 18, 30, tzinfo=UTC),
    )
    page = staff_client.get(reverse("admin:tasks_task_change", args=[task.pk])).content.decode()
    assert 'name="due_on" value="2030-05-02"' in page


def test_the_admin_refuses_a_moment_and_a_day_together(staff_client):
    task = make_task(title="Dated")

    response = staff_client.post(
        reverse("admin:tasks_task_change", args=[task.pk]),
        change_form(task, due_on="2030-05-02", due_date_0="2030-05-01", due_date_1="09:30:00"),
    )

    assert response.status_code == 200
    assert "not both" in response.content.decode()
    task.refresh_from_db()
    assert (task.due_on, task.due_at, task.version) == (None, None, 1)


def test_the_change_page_shows_the_rule_and_the_completions(staff_client):
    task = make_task(title="Water plants", due_on=date(2030, 5, 1))
    task_update(task=task, changes={"recurrence": {"rrule": "FREQ=WEEKLY"}})
    task_update(task=task, changes={"status": Status.DONE})

    page = staff_client.get(reverse("admin:tasks_task_change", args=[task.pk])).content.decode()

    assert "FREQ=WEEKLY (from due, start 2030-05-01); next: 2030-05-15" in page
    assert "May 1, 2030" in page  # the completed occurrence's day

"""Labels through HTTP (SPEC §13): CRUD with task_count, names on tasks (created when new,
matched case-insensitively, trimmed, in order, once, at most 20), rename and delete reaching
every task without touching it, and the label filter on both task lists."""

import uuid

import pytest

from accounts.tests.factories import UserFactory
from accounts.tests.helpers import bearer_client
from labels.models import Label
from projects.tests.factories import ProjectFactory
from tasks.models import Status, Task
from tasks.tests.factories import make_task

pytestmark = pytest.mark.django_db

URL = "/api/v1/labels"


@pytest.fixture
def owner():
    return UserFactory()


@pytest.fixture
def client(owner):
    return bearer_client(owner)


@pytest.fixture
def project(owner):
    return ProjectFactory(owner=owner)


def create_task(client, project, **body):
    response = client.post(f"/api/v1/projects/{project.pk}/tasks", {"title": "T", **body}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [task["title"] for task in response.json()["results"]]


# --- /labels -----------------------------------------------------------------------------


def test_create_answers_the_label_with_defaults_and_an_upper_case_colour(client):
    plain = client.post(URL, {"name": "  Home  "}, format="json")
    coloured = client.post(URL, {"name": "Work", "color": "#3b82f6"}, format="json")

    assert plain.status_code == coloured.status_code == 201
    assert {k: v for k, v in plain.json().items() if k not in ("id", "created_at")} == {
        "name": "Home",
        "color": "#6B7280",
        "task_count": 0,
    }
    assert coloured.json()["color"] == "#3B82F6"


@pytest.mark.parametrize(
    "body",
    [
        {"name": ""},
        {"name": "   "},
        {"name": "a" * 51},
        {"name": "a,b"},
        {"name": "a#b"},
        {"name": 5},
        {},
        {"name": "ok", "color": "red"},
        {"name": "ok", "color": "#12345G"},
        {"name": "ok", "color": "#1234567"},
    ],
)
def test_a_bad_label_is_a_400(client, body):
    response = client.post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert not Label.objects.exists()


def test_a_name_taken_whatever_the_case_is_a_409_and_another_users_name_is_free(client, owner):
    client.post(URL, {"name": "Home"}, format="json")
    other = client.post(URL, {"name": "Other"}, format="json").json()

    duplicate = client.post(URL, {"name": "HOME"}, format="json")
    renamed_onto = client.patch(f"{URL}/{other['id']}", {"name": "home"}, format="json")
    theirs = bearer_client(UserFactory()).post(URL, {"name": "home"}, format="json")

    assert (duplicate.status_code, renamed_onto.status_code, theirs.status_code) == (409, 409, 201)
    assert duplicate.json()["code"] == "conflict"
    assert list(duplicate.json()["errors"]) == ["name"]
    assert Label.objects.filter(owner=owner).count() == 2


def test_the_list_is_by_name_case_insensitively_and_paginated(client):
    for name in ("beta", "Alpha", "gamma", "Delta"):
        client.post(URL, {"name": name}, format="json")

    page = client.get(URL, {"page_size": 3}).json()

    assert [label["name"] for label in page["results"]] == ["Alpha", "beta", "Delta"]
    assert page["count"] == 4
    assert page["next"] is not None


def test_task_count_counts_the_tasks_carrying_it_whatever_their_status(client, project):
    create_task(client, project, labels=["Home"])
    create_task(client, project, labels=["home"], status="DONE")
    create_task(client, project, labels=["Work"])
    label = Label.objects.get(name="Home")

    detail = client.get(f"{URL}/{label.pk}").json()
    listed = {row["name"]: row["task_count"] for row in client.get(URL).json()["results"]}

    assert detail["task_count"] == 2
    assert listed == {"Home": 2, "Work": 1}


def test_another_users_label_is_a_403_and_an_unknown_one_a_404(client):
    theirs = Label.objects.create(owner=UserFactory(), name="Theirs")

    assert client.get(f"{URL}/{theirs.pk}").status_code == 403
    assert client.patch(f"{URL}/{theirs.pk}", {"name": "Mine"}, format="json").status_code == 403
    assert client.delete(f"{URL}/{theirs.pk}").status_code == 403
    assert client.get(f"{URL}/{uuid.uuid4()}").status_code == 404
    assert Label.objects.get(pk=theirs.pk).name == "Theirs"


def test_without_credentials_it_is_a_401(api_client):
    assert api_client.get(URL).status_code == 401


# --- labels on tasks ---------------------------------------------------------------------


def test_a_task_keeps_the_order_given_each_name_once_and_new_names_create_labels(client, owner, project):
    client.post(URL, {"name": "Work"}, format="json")

    task = create_task(client, project, labels=["errands", " work ", "Errands", "Home"])

    assert task["labels"] == ["errands", "Work", "Home"]
    assert sorted(Label.objects.filter(owner=owner).values_list("name", flat=True)) == [
        "Home",
        "Work",
        "errands",
    ]


def test_changing_the_labels_bumps_the_version_and_the_same_list_does_not(client, project):
    task = create_task(client, project, labels=["a", "b"])
    url = f"/api/v1/tasks/{task['id']}"

    same = client.patch(url, {"labels": ["A", "b"]}, format="json").json()
    reordered = client.patch(url, {"labels": ["b", "a"]}, format="json").json()
    cleared = client.patch(url, {"labels": []}, format="json").json()

    assert (same["version"], same["labels"]) == (1, ["a", "b"])
    assert (reordered["version"], reordered["labels"]) == (2, ["b", "a"])
    assert (cleared["version"], cleared["labels"]) == (3, [])
    assert Label.objects.count() == 2  # a label lives until it is deleted


@pytest.mark.parametrize(
    "labels",
    [[f"l{i}" for i in range(21)], [""], ["  "], ["a,b"], ["#a"], ["x" * 51], [3], "home", None],
)
def test_bad_labels_on_a_task_are_a_400_on_labels_and_change_nothing(client, project, labels):
    task = create_task(client, project, labels=["keep"])

    response = client.patch(f"/api/v1/tasks/{task['id']}", {"labels": labels}, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["labels"]
    stored = client.get(f"/api/v1/tasks/{task['id']}").json()
    assert (stored["labels"], stored["version"]) == (["keep"], 1)
    assert list(Label.objects.values_list("name", flat=True)) == ["keep"]


def test_twenty_labels_and_duplicates_beyond_them_are_allowed(client, project):
    names = [f"l{i}" for i in range(20)]

    task = create_task(client, project, labels=[*names, "L0"])

    assert task["labels"] == names


def test_renaming_or_deleting_a_label_reaches_every_task_without_touching_it(client, project):
    first = create_task(client, project, labels=["home", "work"])
    second = create_task(client, project, labels=["home"])
    before = {row.pk: (row.version, row.updated_at) for row in Task.objects.all()}
    home = Label.objects.get(name="home")

    renamed = client.patch(f"{URL}/{home.pk}", {"name": "House", "color": "#ff0000"}, format="json")
    after_rename = [client.get(f"/api/v1/tasks/{t['id']}").json()["labels"] for t in (first, second)]
    deleted = client.delete(f"{URL}/{home.pk}")
    after_delete = [client.get(f"/api/v1/tasks/{t['id']}").json()["labels"] for t in (first, second)]

    assert renamed.status_code == 200
    assert renamed.json()["color"] == "#FF0000"
    assert after_rename == [["House", "work"], ["House"]]
    assert deleted.status_code == 204
    assert after_delete == [["work"], []]
    assert {row.pk: (row.version, row.updated_at) for row in Task.objects.all()} == before


def test_a_list_page_reads_its_labels_in_one_query(client, project, django_assert_max_num_queries):
    for index in range(30):
        make_task(project=project, title=f"t{index}", labels=["a", "b", "c"])
    client.get("/api/v1/tasks")  # warm: the throttle and the caller

    with django_assert_max_num_queries(8) as captured:
        body = client.get("/api/v1/tasks").json()

    assert all(task["labels"] == ["a", "b", "c"] for task in body["results"])
    assert sum("labels_tasklabel" in query["sql"] for query in captured.captured_queries) == 1


# --- the label filter ----------------------------------------------------------------------


@pytest.fixture
def labelled(client, project):
    """Four tasks: one with home, one with errands, one with both (DONE), one with none."""
    make_task(project=project, title="h", labels=["Home"])
    make_task(project=project, title="e", labels=["errands"])
    make_task(project=project, title="he", labels=["errands", "Home"], status=Status.DONE)
    make_task(project=project, title="none")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"label": "home"}, ["h", "he"]),
        ({"label": "HOME,errands"}, ["e", "h", "he"]),
        ({"label": ["home", "errands"]}, ["e", "h", "he"]),
        ({"label": "nobody"}, []),
        ({"label": "nobody,home"}, ["h", "he"]),
        ({"label": "home", "status": "TODO"}, ["h"]),
        ({"label": "errands", "sort_by": "created_at", "sort_order": "desc"}, ["he", "e"]),
        ({"label": "errands", "search": "h"}, ["he"]),
    ],
)
def test_the_label_filter_matches_any_name_case_insensitively(client, project, labelled, query, expected):
    across = client.get("/api/v1/tasks", query)
    in_project = client.get(f"/api/v1/projects/{project.pk}/tasks", query)

    assert sorted(titles(across)) == sorted(expected)
    assert sorted(titles(in_project)) == sorted(expected)
    assert across.json()["count"] == len(expected)
    if "sort_by" in query:
        assert titles(across) == expected


def test_the_filter_names_only_the_callers_labels(client, labelled):
    stranger = bearer_client(UserFactory())
    make_task(project=ProjectFactory(owner=UserFactory()), title="theirs", labels=["home"])

    assert titles(stranger.get("/api/v1/tasks", {"label": "home"})) == []
    assert sorted(titles(client.get("/api/v1/tasks", {"label": "home"}))) == ["h", "he"]


@pytest.mark.parametrize("value", ["", "home,", " "])
def test_an_empty_label_name_in_the_filter_is_a_400(client, labelled, value):
    response = client.get("/api/v1/tasks", {"label": value})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["label"]

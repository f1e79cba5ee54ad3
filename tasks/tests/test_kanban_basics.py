import pytest

from projects.tests.factories import ProjectFactory
from tasks.models import Status, Task
from tasks.services import task_create, task_delete, task_update

pytestmark = pytest.mark.django_db


def column(project, status):
    return list(
        Task.objects.filter(project=project, status=status)
        .order_by("place__position")
        .values_list("title", "place__position")
    )


def titles(project, status):
    return [title for title, _ in column(project, status)]


def test_create_move_and_delete_keep_columns_dense():
    project = ProjectFactory()
    a, b, c = (task_create(project=project, title=t) for t in "abc")
    d = task_create(project=project, title="d", position=1)
    assert titles(project, Status.TODO) == ["a", "d", "b", "c"]

    task_update(task=a, changes={"position": 2})
    assert titles(project, Status.TODO) == ["d", "b", "a", "c"]

    task_update(task=c, changes={"position": 0})
    assert titles(project, Status.TODO) == ["c", "d", "b", "a"]

    task_update(task=d, changes={"status": Status.DONE})
    assert titles(project, Status.TODO) == ["c", "b", "a"]
    assert titles(project, Status.DONE) == ["d"]
    d.refresh_from_db()
    assert d.completed_at is not None

    task_update(task=b, changes={"status": Status.DONE, "position": 0})
    assert titles(project, Status.DONE) == ["b", "d"]

    task_update(task=d, changes={"status": Status.TODO, "position": 99})
    d.refresh_from_db()
    assert d.completed_at is None
    assert titles(project, Status.TODO) == ["c", "a", "d"]

    task_delete(task=a)
    assert column(project, Status.TODO) == [("c", 0), ("d", 1)]
    assert column(project, Status.DONE) == [("b", 0)]


def test_version_counts_own_changes_only():
    project = ProjectFactory()
    a = task_create(project=project, title="a")
    b = task_create(project=project, title="b")

    moved = task_update(task=b, changes={"position": 0})
    a.refresh_from_db()

    assert moved.version == 2
    assert a.version == 1
    assert a.position == 1
    unchanged = task_update(task=b, changes={"position": 0, "title": "b"})
    assert unchanged.version == 2

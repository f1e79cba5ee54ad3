"""A task's board place has the task's status, held by the database itself (deferred
constraint triggers, migration tasks/0009), not only by the services."""

import pytest
from django.db import IntegrityError, connection, transaction

from projects.tests.factories import ProjectFactory
from tasks.models import Status, Task, TaskPosition
from tasks.services import task_update
from tasks.tests.factories import make_task

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_place_written_with_another_status_than_its_task_is_refused_at_commit():
    task = make_task(project=ProjectFactory(), title="Write report")

    with pytest.raises(IntegrityError, match="different statuses"), transaction.atomic():
        TaskPosition.objects.filter(pk=task.pk).update(status=Status.DONE)

    assert TaskPosition.objects.get(pk=task.pk).status == Status.TODO


def test_a_task_status_written_without_its_place_is_refused_at_commit():
    task = make_task(project=ProjectFactory(), title="Write report")

    with pytest.raises(IntegrityError, match="different statuses"), transaction.atomic():
        Task.objects.filter(pk=task.pk).update(status=Status.IN_PROGRESS)

    assert Task.objects.get(pk=task.pk).status == Status.TODO


def test_both_written_in_one_transaction_in_either_order_pass():
    task = make_task(project=ProjectFactory(), title="Write report")

    with transaction.atomic():
        Task.objects.filter(pk=task.pk).update(status=Status.IN_PROGRESS)
        TaskPosition.objects.filter(pk=task.pk).update(status=Status.IN_PROGRESS, position=0)

    moved = task_update(task=Task.objects.get(pk=task.pk), changes={"status": Status.DONE})
    assert (moved.status, TaskPosition.objects.get(pk=task.pk).status) == (Status.DONE, Status.DONE)


def test_the_checks_are_queued_only_when_a_status_changes():
    """A write that lists ``status`` with its old value (every ``task.save()``, the places a
    bulk move shifts) queues no check for the commit: the update triggers have a WHEN."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
            "WHERE tgname LIKE 'tasks_place_status_matches%%' ORDER BY tgname"
        )
        triggers = dict(cursor.fetchall())

    assert sorted(triggers) == [
        "tasks_place_status_matches_on_place",
        "tasks_place_status_matches_on_place_insert",
        "tasks_place_status_matches_on_task",
    ]
    for name in ("tasks_place_status_matches_on_place", "tasks_place_status_matches_on_task"):
        assert "WHEN ((old.status IS DISTINCT FROM new.status))" in triggers[name]
    insert_trigger = triggers["tasks_place_status_matches_on_place_insert"]
    assert "AFTER INSERT ON public.tasks_taskposition" in insert_trigger

"""Two clients complete the same occurrence of a recurring task at once, on PostgreSQL with real
threads (SPEC §12, §5): one advance, one completion recorded, the other a 409 with the
version; without versions, the second completion completes the next occurrence."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tasks.models import Status, Task, TaskCompletion
from tasks.services import TaskVersionConflict, task_update
from tasks.tests.factories import make_task
from tasks.tests.test_concurrency import run_together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def recurring_task() -> Task:
    task = make_task(due_on=timezone.localdate() + timedelta(days=1))
    return task_update(task=task, changes={"recurrence": {"rrule": "FREQ=DAILY"}})


@pytest.mark.parametrize("attempt", range(3))
def test_one_of_two_completions_with_the_same_version_advances_the_other_is_a_409(attempt):
    task = recurring_task()
    outcomes: list[object] = []

    def complete() -> None:
        try:
            outcomes.append(
                task_update(task=task, changes={"status": Status.DONE}, expected_version=task.version)
            )
        except TaskVersionConflict as conflict:
            outcomes.append(conflict)

    assert run_together([complete, complete]) == []

    conflicts = [o for o in outcomes if isinstance(o, TaskVersionConflict)]
    assert len(conflicts) == 1
    assert conflicts[0].task.version == task.version + 1
    stored = Task.objects.select_related("place").get(pk=task.pk)
    assert (stored.status, stored.version, stored.due_on) == (
        Status.TODO,
        task.version + 1,
        task.due_on + timedelta(days=1),
    )
    assert TaskCompletion.objects.filter(task=task).count() == 1


def test_two_completions_without_versions_complete_two_occurrences_in_turn():
    task = recurring_task()

    assert run_together([lambda: task_update(task=task, changes={"status": Status.DONE})] * 2) == []

    stored = Task.objects.get(pk=task.pk)
    assert stored.due_on == task.due_on + timedelta(days=2)
    assert stored.version == task.version + 2
    assert sorted(TaskCompletion.objects.filter(task=task).values_list("due_on", flat=True)) == [
        task.due_on,
        task.due_on + timedelta(days=1),
    ]
    assert isinstance(stored.due_on, date)

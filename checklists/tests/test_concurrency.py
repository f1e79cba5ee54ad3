"""Concurrent checklist writes on PostgreSQL with real threads: positions stay 0..n-1, the
limit of 100 holds, every change is exactly one version of the task, and checklist writers
and board writers of the same task never deadlock."""

import random

import pytest
from django.core.exceptions import ValidationError

from checklists import services
from checklists.models import ChecklistItem
from projects.tests.factories import ProjectFactory
from tasks.models import Status, Task
from tasks.services import task_update
from tasks.tests.factories import make_task
from tasks.tests.test_concurrency import run_together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def positions(task: Task) -> list[int]:
    return list(
        ChecklistItem.objects.filter(task=task).order_by("position").values_list("position", flat=True)
    )


def test_concurrent_adds_moves_and_deletes_keep_the_checklist_dense_and_count_every_change():
    task = make_task(project=ProjectFactory())
    seeded = [services.item_create(task=task, text=f"seed {n}") for n in range(10)]

    def adder(n: int):
        def run() -> None:
            for k in range(5):
                services.item_create(task=task, text=f"{n}.{k}", position=random.randrange(0, 20))

        return run

    def mover(item: ChecklistItem):
        def run() -> None:
            for k in range(5):
                # A new text too, so that every call is a change even when the item stays.
                changes = {"text": f"moved {k}", "position": random.randrange(0, 30)}
                services.item_update(task=task, item_id=item.pk, changes=changes)

        return run

    def deleter(item: ChecklistItem):
        def run() -> None:
            services.item_delete(task=task, item_id=item.pk)

        return run

    start_version = Task.objects.get(pk=task.pk).version
    errors = run_together(
        [adder(n) for n in range(4)]
        + [mover(item) for item in seeded[:3]]
        + [deleter(item) for item in seeded[6:]]
    )

    assert errors == []
    stored = Task.objects.get(pk=task.pk)
    assert positions(task) == list(range(10 + 20 - 4))
    assert (stored.checklist_total, stored.checklist_done) == (26, 0)
    assert stored.version == start_version + 20 + 15 + 4  # one per call: no update lost


def test_the_limit_of_100_holds_under_concurrent_adds():
    task = make_task(project=ProjectFactory())
    ChecklistItem.objects.bulk_create(ChecklistItem(task=task, text=f"s{n}", position=n) for n in range(95))
    refused: list[int] = []

    def adder() -> None:
        try:
            services.item_create(task=task, text="one more")
        except ValidationError:
            refused.append(1)

    errors = run_together([adder for _ in range(8)])

    assert errors == []
    assert len(refused) == 3
    assert positions(task) == list(range(100))


def test_board_moves_and_checklist_writes_of_one_task_never_deadlock():
    project = ProjectFactory()
    tasks = [make_task(project=project, title=f"t{n}") for n in range(3)]

    def board_writer() -> None:
        for n in range(10):
            for task in tasks:
                task_update(task=task, changes={"status": random.choice(list(Status)), "position": n % 3})

    def checklist_writer(task: Task):
        def run() -> None:
            for n in range(10):
                services.item_create(task=task, text=f"step {n}", position=0)

        return run

    errors = run_together([board_writer, board_writer, *(checklist_writer(task) for task in tasks)])

    assert errors == []
    for task in tasks:
        assert positions(task) == list(range(10))
        assert Task.objects.get(pk=task.pk).checklist_total == 10

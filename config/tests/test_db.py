"""config/db.py: ``bulk_set`` writes exactly the given fields of exactly the given rows."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.db import bulk_set
from projects.tests.factories import ProjectFactory
from tasks.models import Priority, Task
from tasks.tests.factories import make_task

pytestmark = pytest.mark.django_db

DUE = datetime(2026, 12, 24, 17, 0, tzinfo=UTC)


def test_bulk_set_writes_the_fields_of_each_row_in_one_statement_and_leaves_the_rest():
    project = ProjectFactory()
    first = make_task(project=project, title="First", due_date=DUE)
    second = make_task(project=project, title="Second")
    untouched = make_task(project=project, title="Untouched")

    with CaptureQueriesContext(connection) as queries:
        bulk_set(
            Task,
            ["title", "priority", "due_at"],
            [
                (first.pk, 'It\'s "quoted"', Priority.URGENT, None),
                (second.pk, "Zweite ✓", Priority.LOW, DUE),
            ],
        )

    assert len(queries) == 1
    rows = {task.pk: task for task in Task.objects.all()}
    assert (rows[first.pk].title, rows[first.pk].priority, rows[first.pk].due_date) == (
        'It\'s "quoted"',
        Priority.URGENT,
        None,
    )
    assert (rows[second.pk].title, rows[second.pk].priority, rows[second.pk].due_date) == (
        "Zweite ✓",
        Priority.LOW,
        DUE,
    )
    assert (rows[untouched.pk].title, rows[untouched.pk].priority) == ("Untouched", untouched.priority)
    assert rows[first.pk].description == first.description and rows[first.pk].version == first.version


def test_bulk_set_with_every_value_null_and_with_no_rows():
    project = ProjectFactory()
    tasks = [make_task(project=project, title=f"Task {n}", due_date=DUE) for n in range(3)]

    bulk_set(Task, ["due_at", "remind_at"], [(task.pk, None, None) for task in tasks])
    with CaptureQueriesContext(connection) as queries:
        bulk_set(Task, ["title"], [])

    assert list(Task.objects.values_list("due_at", flat=True)) == [None, None, None]
    assert len(queries) == 0


def test_bulk_set_within_writes_only_the_rows_that_meet_it():
    inside, outside = ProjectFactory(), ProjectFactory()
    kept = make_task(project=inside, title="Inside")
    other = make_task(project=outside, title="Outside")

    bulk_set(Task, ["title"], [(kept.pk, "Renamed"), (other.pk, "Renamed")], within=("project", [inside.pk]))

    assert dict(Task.objects.values_list("pk", "title")) == {kept.pk: "Renamed", other.pk: "Outside"}

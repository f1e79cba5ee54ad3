from datetime import UTC, datetime, timedelta, timezone

import pytest
from rest_framework import serializers

from tasks.models import Priority, Status
from tasks.serializers import TaskSerializer
from tasks.tests.factories import make_task

pytestmark = pytest.mark.django_db


def declared_fields_output(task):
    """What DRF's per-field machinery makes of the declared fields."""
    return serializers.ModelSerializer.to_representation(TaskSerializer(), task)


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {
            "status": Status.DONE,
            "priority": Priority.URGENT,
            "due_date": datetime(2026, 5, 1, 9, 30, 15, 123456, tzinfo=UTC),
            "remind_at": datetime(2026, 4, 30, 23, 0, tzinfo=timezone(timedelta(hours=2))),
            "description": "Notes",
        },
        {
            "status": Status.IN_PROGRESS,
            "priority": Priority.LOW,
            "due_date": datetime(2026, 1, 1, tzinfo=UTC),
        },
    ],
)
def test_fast_output_equals_the_declared_fields(fields):
    task = make_task(title="Same JSON", **fields)
    task.refresh_from_db()

    assert TaskSerializer(task).data == declared_fields_output(task)

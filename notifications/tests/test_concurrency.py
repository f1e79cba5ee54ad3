"""Two generation runs at the same moment (real threads, separate PostgreSQL connections)
never create a duplicate: the unique (task, type, due_at) and (task, due_at, offset) indexes
decide."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from notifications.models import Notification, NotificationRun, Snooze
from notifications.services import notifications_generate
from notifications.tests.factories import make_task, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ROUNDS = 3


def run_together(count: int, kind: str = NotificationRun.Kind.HOURLY) -> list[NotificationRun]:
    barrier = threading.Barrier(count)
    runs: list[NotificationRun] = []
    failures: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=10)
            runs.append(notifications_generate(kind=kind))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    return runs


def test_concurrent_runs_never_duplicate(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    now = timezone.now()
    users = [make_user(deadline_threshold="1w") for _ in range(4)]
    expected = 0
    for round_number in range(ROUNDS):
        for index, user in enumerate(users):
            make_task(
                user=user, title=f"soon {round_number}.{index}", due_date=now + timedelta(hours=1 + index)
            )
            make_task(
                user=user, title=f"late {round_number}.{index}", due_date=now - timedelta(hours=1 + index)
            )
        expected += 2 * len(users)

        runs = run_together(2)

        assert Notification.objects.count() == expected
        assert sum(run.created_count for run in runs) == 2 * len(users)
        assert all(run.status == "succeeded" and run.error_count == 0 for run in runs)
    keys = list(Notification.objects.values_list("task_id", "type", "due_at"))
    assert len(keys) == len(set(keys)) == expected


def test_concurrent_reminder_runs_make_each_offset_and_snooze_reminder_once(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    now = timezone.now()
    users = [make_user() for _ in range(4)]
    for index, user in enumerate(users):
        # Armed now, moments already passed: every offset is due at the next run.
        make_task(
            user=user,
            title=f"offsets {index}",
            due_date=now + timedelta(minutes=30),
            reminder_offsets=[60, 90],
        )
        snoozed = make_task(user=user, title=f"snoozed {index}", due_date=now + timedelta(days=1))
        Snooze.objects.create(task=snoozed, fire_at=now - timedelta(seconds=1))

    runs = run_together(2, kind=NotificationRun.Kind.REMINDERS)

    made = list(Notification.objects.values_list("task_id", "due_at", "reminder_offset"))
    assert len(made) == len(set(made)) == 3 * len(users)
    assert sum(run.created_count for run in runs) == 3 * len(users)
    assert not Snooze.objects.exists()

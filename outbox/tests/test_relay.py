"""The relay claims its batch in a short transaction and publishes with no row lock held
(real threads on PostgreSQL), finds tasks by their registered name, and gives back what it
did not reach."""

import threading
from datetime import timedelta

import pytest
from celery import shared_task
from django.db import connection, transaction
from django.utils import timezone

from outbox.models import OutboxMessage
from outbox.services import outbox_relay

RUNNING = threading.Event()
RELEASE = threading.Event()


@shared_task(name="outbox.tests.test_relay.blocking_task")
def blocking_task() -> None:
    """Runs inline (eager): holds the relay mid-publish until the test releases it."""
    RUNNING.set()
    assert RELEASE.wait(10)


@shared_task(name="outbox.tests.test_relay.quick_task")
def quick_task() -> None:
    return None


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_the_relay_holds_no_row_lock_while_it_publishes():
    RUNNING.clear()
    RELEASE.clear()
    blocking = OutboxMessage.objects.create(task_name=blocking_task.name)
    waiting = OutboxMessage.objects.create(task_name=quick_task.name)
    results: list[object] = []

    def relay() -> None:
        try:
            results.append(outbox_relay(min_age=timedelta(0)))
        finally:
            connection.close()

    thread = threading.Thread(target=relay)
    thread.start()
    try:
        assert RUNNING.wait(10)  # the relay is publishing the first message
        with transaction.atomic():
            locked = list(
                OutboxMessage.objects.select_for_update(nowait=True).filter(pk__in=[blocking.pk, waiting.pk])
            )
        assert len(locked) == 2  # NOWAIT found no lock on either row
        # A second relay meanwhile takes nothing: both rows are claimed.
        assert outbox_relay(min_age=timedelta(0)) == 0
    finally:
        RELEASE.set()
        thread.join(30)

    assert results == [2]
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 0


@pytest.mark.django_db
def test_a_message_for_an_unregistered_task_waits_and_blocks_nothing(caplog):
    unknown = OutboxMessage.objects.create(task_name="os.system", args=["true"])
    known = OutboxMessage.objects.create(task_name=quick_task.name)

    assert outbox_relay(min_age=timedelta(0)) == 1

    unknown.refresh_from_db()
    known.refresh_from_db()
    assert known.sent_at is not None
    assert (unknown.sent_at, unknown.attempts, unknown.claimed_until) == (None, 1, None)
    assert unknown.last_error == "no task registered as os.system"
    assert "outbox: no task registered as os.system" in caplog.text


@pytest.mark.django_db
def test_a_claim_left_by_a_dead_relay_is_taken_again_after_its_lease(clock):
    message = OutboxMessage.objects.create(
        task_name=quick_task.name, claimed_until=timezone.now() + timedelta(minutes=5)
    )

    assert outbox_relay(min_age=timedelta(0)) == 0
    clock.shift(5 * 60 + 1)
    assert outbox_relay(min_age=timedelta(0)) == 1
    message.refresh_from_db()
    assert message.sent_at is not None and message.claimed_until is None

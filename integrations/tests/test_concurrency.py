"""Real threads on PostgreSQL: two workers syncing one user at once create no duplicate events
(the per-user lock); concurrent push notifications queue one sync for a burst, and one more
while a sync runs (conditional UPDATEs); a release at Google leaves a link connected again
meanwhile alone."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from config.celery import app as celery_app
from integrations.models import EventMapping, GoogleIntegration, IntegrationStatus
from integrations.sync import calendar_sync, channel_start, integration_release
from integrations.tasks import sync_user_calendar_task
from integrations.tests.conftest import connect
from integrations.tests.helpers import notify, task_for
from outbox.models import OutboxMessage


def _in_thread(action: Callable[[], object]) -> tuple[threading.Thread, list[BaseException]]:
    """Starts ``action`` in a thread with its own database connection; what it raises is
    collected for the test to assert on."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            action()
        except BaseException as exc:  # noqa: BLE001 - reported by the test's assertion
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_two_concurrent_syncs_of_one_user_create_each_event_once(fake_google):
    user = UserFactory()
    connect(user, fake_google)
    tasks = [task_for(user, title=f"Task {n}", hours=n + 1) for n in range(6)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            calendar_sync(user_id=user.pk)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    assert sorted(e["id"] for e in fake_google.live_events()) == sorted(t.pk.hex for t in tasks)
    # the second worker waited and found nothing left to do: no 409, no second insert
    assert fake_google.calls.count("POST", "/calendar/v3/calendars/primary/events") == len(tasks)
    assert EventMapping.objects.filter(user=user).count() == len(tasks)


@pytest.fixture
def broker_without_worker(settings):
    """Tasks are published to the real Redis broker and nobody consumes them: a queued sync
    stays queued. Needs ``django_db(transaction=True)``."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()
    try:
        yield
    finally:
        celery_app.control.purge()
        celery_app.conf.task_always_eager = True


def _queued_syncs() -> int:
    return OutboxMessage.objects.filter(task_name=sync_user_calendar_task.name).count()


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
@pytest.mark.parametrize("numbers", ["all different", "all the same"])
def test_a_burst_of_concurrent_notifications_queues_one_sync(fake_google, broker_without_worker, numbers):
    user = UserFactory()
    connect(user, fake_google)
    assert channel_start(user_id=user.pk)
    integration = GoogleIntegration.objects.get(user=user)
    senders = 8
    barrier = threading.Barrier(senders)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def deliver(number: int) -> None:
        try:
            client = APIClient()
            barrier.wait()
            response = notify(client, integration.channel_id, integration.channel_token, number=str(number))
            statuses.append(response.status_code)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    message_numbers = range(2, 2 + senders) if numbers == "all different" else [2] * senders
    threads = [threading.Thread(target=deliver, args=(number,)) for number in message_numbers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    assert statuses == [204] * senders
    assert _queued_syncs() == 1
    assert GoogleIntegration.objects.get(pk=integration.pk).channel_message_number == max(message_numbers)


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_notifications_while_a_sync_runs_queue_one_more(api_client, fake_google, broker_without_worker):
    user = UserFactory()
    connect(user, fake_google)
    assert channel_start(user_id=user.pk)
    integration = GoogleIntegration.objects.get(user=user)
    channel_id, token = integration.channel_id, integration.channel_token
    assert notify(api_client, channel_id, token, number="2").status_code == 204
    assert notify(api_client, channel_id, token, number="3").status_code == 204
    assert _queued_syncs() == 1  # queued, not started
    listing = fake_google.hold("GET", "/events")

    running, errors = _in_thread(lambda: calendar_sync(user_id=user.pk))  # the worker takes the queued sync
    try:
        assert listing.reached.wait(10)  # the sync is pulling from Google
        for number in range(4, 9):
            assert notify(api_client, channel_id, token, number=str(number)).status_code == 204
    finally:
        listing.release()
        running.join(30)

    assert errors == []
    assert _queued_syncs() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_a_link_connected_again_while_the_release_calls_google_is_kept(fake_google):
    user = UserFactory()
    connect(user, fake_google)
    GoogleIntegration.objects.filter(user=user).update(status=IntegrationStatus.DISCONNECTED)
    revoking = fake_google.hold("POST", "/revoke")

    releasing, errors = _in_thread(lambda: integration_release(user_id=user.pk))
    try:
        assert revoking.reached.wait(10)
        access, refresh, _ = fake_google.issue_tokens()  # the user connects again meanwhile
        GoogleIntegration.objects.filter(user=user).update(
            status=IntegrationStatus.CONNECTED, access_token=access, refresh_token=refresh
        )
    finally:
        revoking.release()
        releasing.join(30)

    assert errors == []
    kept = GoogleIntegration.objects.get(user=user)
    assert (kept.status, kept.refresh_token) == (IntegrationStatus.CONNECTED, refresh)

"""Retries through the real broker: the notification e-mail task runs in a Celery worker
(thread, real Redis) and posts with the real anymail SES backend to the fake SES server;
transient failures are retried with exponential backoff, 3 attempts in all."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from config.tests.helpers import wait_for
from notifications.models import EmailStatus, Notification
from notifications.services import notifications_generate
from notifications.tasks import send_notification_email_task
from notifications.tests.factories import make_task, make_user
from notifications.tests.fake_ses import FakeSESServer, Outbox, ses_anymail_settings

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

SES_BACKEND = "anymail.backends.amazon_ses.EmailBackend"


@pytest.fixture
def ses():
    outbox = Outbox()
    server = FakeSESServer(outbox)
    server.start()
    with override_settings(EMAIL_BACKEND=SES_BACKEND, ANYMAIL=ses_anymail_settings(server.url)):
        yield outbox
    server.stop()


@pytest.fixture
def fast_backoff(monkeypatch):
    # Backoff of up to 1 s, 2 s (jitter) instead of 5 s, 10 s: the same policy, a shorter test.
    monkeypatch.setattr(send_notification_email_task, "retry_backoff", 1)


def status_of(notification: Notification) -> int:
    notification.refresh_from_db()
    return notification.email_status


def test_a_transient_failure_is_retried_until_delivered(ses, fast_backoff, real_worker):
    ses.failures = 2
    make_task(user=make_user(), due_date=timezone.now() + timedelta(hours=3))

    notifications_generate()

    notification = Notification.objects.get()
    assert wait_for(lambda: status_of(notification) == EmailStatus.SENT, timeout=20), (
        notification.email_reason
    )
    assert ses.attempts == 3
    assert len(ses.delivered) == 1
    assert notification.email_attempts == 3
    assert notification.sent_at is not None
    assert notification.email_reason == ""


def test_delivery_gives_up_after_three_attempts_and_records_why(ses, fast_backoff, real_worker):
    ses.always_fail = True
    make_task(user=make_user(), due_date=timezone.now() - timedelta(hours=3))

    notifications_generate()

    notification = Notification.objects.get()
    assert wait_for(lambda: status_of(notification) == EmailStatus.FAILED, timeout=20)
    assert not wait_for(lambda: ses.attempts > 3, timeout=3), f"attempts: {ses.attempts}"
    assert ses.attempts == 3
    assert ses.delivered == []
    assert (notification.email_attempts, notification.sent_at) == (3, None)
    assert notification.email_reason.startswith("attempt 3: AnymailAPIError: ")
    assert "InternalFailure" in notification.email_reason


def test_an_unreachable_ses_is_transient_and_recorded(fast_backoff, real_worker):
    with override_settings(EMAIL_BACKEND=SES_BACKEND, ANYMAIL=ses_anymail_settings("http://127.0.0.1:1")):
        make_task(user=make_user(), due_date=timezone.now() + timedelta(hours=3))
        notifications_generate()
        notification = Notification.objects.get()
        assert wait_for(lambda: status_of(notification) == EmailStatus.FAILED, timeout=20)

    assert notification.email_attempts == 3
    assert "Could not connect" in notification.email_reason

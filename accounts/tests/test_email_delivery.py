"""E-mail delivery through Django's real SMTP backend to a fake SMTP server on 127.0.0.1 and
a real worker: transient refusals are retried with backoff, three attempts in all; a permanent
refusal is not retried (one classification for every e-mail: config/email_failures.py)."""

import threading

import pytest

from accounts.tasks import send_password_reset_email_task
from accounts.tests.factories import UserFactory
from accounts.tests.fake_smtp import FakeSMTPServer, Mailbox
from config.tests.helpers import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def smtp(settings):
    mailbox = Mailbox()
    server = FakeSMTPServer(mailbox)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_TIMEOUT = 5
    yield mailbox
    server.shutdown()
    server.server_close()


@pytest.fixture
def fast_backoff(monkeypatch):
    # Backoff of 1 s, 2 s (with jitter) instead of 5 s, 10 s: same policy, shorter test.
    monkeypatch.setattr(send_password_reset_email_task, "retry_backoff", 1)


def test_a_transient_refusal_is_retried_until_delivered(smtp, fast_backoff, real_worker):
    user = UserFactory(email="kim@example.com")
    smtp.failures = 2

    send_password_reset_email_task.delay(user.email)

    assert wait_for(lambda: len(smtp.delivered) == 1, timeout=20), f"attempts: {smtp.attempts}"
    assert smtp.attempts == 3
    assert "kim@example.com" in smtp.delivered[0]
    assert "/reset-password?token=" in smtp.delivered[0]


def test_delivery_gives_up_after_three_attempts(smtp, fast_backoff, real_worker):
    user = UserFactory(email="kim@example.com")
    smtp.failures = 10

    send_password_reset_email_task.delay(user.email)

    assert wait_for(lambda: smtp.attempts >= 3, timeout=20), f"attempts: {smtp.attempts}"
    assert not wait_for(lambda: smtp.attempts > 3, timeout=4), f"attempts: {smtp.attempts}"
    assert smtp.delivered == []


def test_a_permanent_refusal_is_not_retried(smtp, fast_backoff, real_worker, caplog):
    user = UserFactory(email="kim@example.com")
    smtp.failures, smtp.refusal = 10, "550 no such mailbox"

    send_password_reset_email_task.delay(user.email)

    assert wait_for(lambda: smtp.attempts >= 1, timeout=20)
    assert not wait_for(lambda: smtp.attempts > 1, timeout=4), f"attempts: {smtp.attempts}"
    assert smtp.delivered == []
    assert wait_for(lambda: "password reset e-mail failed user_id=" in caplog.text, timeout=5)

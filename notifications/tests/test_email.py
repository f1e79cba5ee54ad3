"""Notification e-mails through the real anymail Amazon SES backend (boto3 ``sesv2``) posting
over HTTP to a fake SES server on 127.0.0.1: content and headers, retries, recorded failures,
and never a second copy."""

import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import override_settings

from accounts.models import User
from notifications.models import EmailStatus, Notification
from notifications.services import notifications_generate, user_unsubscribe
from notifications.tasks import send_notification_email_task
from notifications.tests.conftest import NOW
from notifications.tests.factories import make_notification, make_task, make_user
from notifications.tests.fake_ses import FakeSESServer, Outbox, parts, ses_anymail_settings
from notifications.tokens import unsubscribe_token_make

pytestmark = pytest.mark.django_db

SES_BACKEND = "anymail.backends.amazon_ses.EmailBackend"
API = "https://api.taskflow.test"


@pytest.fixture
def ses():
    outbox = Outbox()
    server = FakeSESServer(outbox)
    server.start()
    with override_settings(
        EMAIL_BACKEND=SES_BACKEND, ANYMAIL=ses_anymail_settings(server.url), API_PUBLIC_URL=API
    ):
        yield outbox
    server.stop()


@pytest.fixture
def generate(frozen, django_capture_on_commit_callbacks):
    """One generation run whose e-mail tasks run (eagerly) once it commits."""

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return notifications_generate()

    return run


def test_the_email_has_both_parts_the_unsubscribe_headers_and_link(ses, generate, api_client):
    user = make_user(timezone="Europe/Berlin")
    task = make_task(user=user, due_date=NOW + timedelta(hours=3))

    generate()

    assert ses.attempts == 1
    assert ses.requests[0]["headers"]["Authorization"].startswith("AWS4-HMAC-SHA256 ")
    message = ses.delivered[0]
    assert message["To"] == user.email
    assert message["From"] == "Taskflow <no-reply@taskflow.local>"
    assert message["Subject"] == "Due soon: Write report"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header_link = re.fullmatch(r"<(https://\S+)>", str(message["List-Unsubscribe"]).strip()).group(1)
    link = urlparse(header_link)
    assert (link.scheme, link.netloc, link.path) == (
        "https",
        "api.taskflow.test",
        "/api/v1/notifications/unsubscribe",
    )
    body = parts(message)
    assert set(body) == {"text/plain", "text/html"}
    expected = '"Write report" in Work is due Mon 7 Dec 12:00 CET.'
    assert expected in body["text/plain"]
    assert expected.replace('"', "&quot;") in body["text/html"]
    assert header_link in body["text/plain"]
    assert f'href="{header_link}"' in body["text/html"]
    assert f"http://localhost:5173/tasks/{task.pk}" in body["text/plain"]
    notification = Notification.objects.get()
    assert (notification.email_status, notification.email_attempts, notification.sent_at) == (
        EmailStatus.SENT,
        1,
        NOW,
    )

    # The link works without login: one-click POST turns e-mail notifications off.
    token = parse_qs(link.query)["token"][0]
    response = api_client.post(
        f"{link.path}?token={token}",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.preferences["email_notifications"] is False


def test_an_all_day_due_is_shown_as_its_day_in_the_subject_and_both_parts(ses, generate):
    # Given a user in Los Angeles, where NOW (08:00 UTC) is midnight starting Monday 7 December,
    # and a task due all that day: its due moment is 24 hours away
    user = make_user(timezone="America/Los_Angeles")
    make_task(user=user, title="Pay rent", due_on=date(2026, 12, 7))

    generate()

    message = ses.delivered[0]
    assert message["Subject"] == "Due soon: Pay rent"
    body = parts(message)
    expected = '"Pay rent" in Work is due Mon 7 Dec.'
    assert expected in body["text/plain"]
    assert expected.replace('"', "&quot;") in body["text/html"]


def test_a_permanent_refusal_is_not_retried(ses, generate):
    ses.always_fail, ses.fail_status = True, 400
    make_task(user=make_user(), due_date=NOW - timedelta(hours=3))

    generate()

    assert ses.attempts == 1
    notification = Notification.objects.get()
    assert notification.email_status == EmailStatus.FAILED
    assert "MessageRejected" in notification.email_reason


def test_an_email_is_never_sent_twice(ses, generate):
    make_task(user=make_user(), due_date=NOW + timedelta(hours=3))
    generate()
    notification = Notification.objects.get()

    send_notification_email_task.delay(str(notification.pk))  # a duplicate or redelivered message

    assert ses.attempts == 1


def test_a_claimed_email_is_not_sent_again_when_the_task_is_redelivered(ses, frozen):
    # The worker claimed the row (pending → sending), then died; the broker redelivers.
    make_task(user=make_user(), due_date=NOW + timedelta(hours=3))
    notifications_generate()
    notification = Notification.objects.get()
    Notification.objects.filter(pk=notification.pk).update(email_status=EmailStatus.SENDING, email_attempts=1)

    send_notification_email_task.delay(str(notification.pk))

    assert ses.attempts == 0
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.SENDING


def test_unsubscribing_before_the_send_skips_the_email(ses, frozen):
    user = make_user()
    make_task(user=user, due_date=NOW + timedelta(hours=3))
    notifications_generate()
    user_unsubscribe(token=unsubscribe_token_make(user=user))
    notification = Notification.objects.get()
    send_notification_email_task.delay(str(notification.pk))

    assert ses.attempts == 0
    notification.refresh_from_db()
    assert (notification.email_status, notification.email_reason) == (
        EmailStatus.SKIPPED,
        "e-mail notifications are off",
    )


def test_a_gone_notification_is_a_quiet_no_op(ses, db):
    send_notification_email_task.delay("00000000-0000-0000-0000-000000000000")

    assert ses.attempts == 0


def test_a_timeout_after_the_request_went_out_is_final_never_a_second_copy(frozen, generate):
    outbox = Outbox(delay=1.5)
    server = FakeSESServer(outbox)
    server.start()
    try:
        with override_settings(
            EMAIL_BACKEND=SES_BACKEND, ANYMAIL=ses_anymail_settings(server.url, read_timeout=0.5)
        ):
            make_task(user=make_user(), due_date=NOW + timedelta(hours=3))
            generate()
    finally:
        server.stop()

    assert outbox.attempts == 1  # SES got it (and may have sent it): not tried again
    notification = Notification.objects.get()
    assert (notification.email_status, notification.email_attempts) == (EmailStatus.FAILED, 1)
    assert notification.email_reason.startswith(
        "attempt 1 (delivery unknown: the ESP may have accepted it): "
    )
    assert "Read timeout" in notification.email_reason


def test_hand_edited_preferences_skip_the_email_with_the_reason(ses, frozen):
    user = make_user()
    make_task(user=user, due_date=NOW + timedelta(hours=3))
    notifications_generate()
    User.objects.filter(pk=user.pk).update(preferences={"timezone": "Mars/Olympus"})
    notification = Notification.objects.get()

    send_notification_email_task.delay(str(notification.pk))

    assert ses.attempts == 0
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.SKIPPED
    assert notification.email_reason.startswith("preferences invalid: timezone")


def test_a_user_deactivated_before_the_send_skips_the_email(ses, frozen):
    user = make_user()
    make_task(user=user, due_date=NOW + timedelta(hours=3))
    notifications_generate()
    User.objects.filter(pk=user.pk).update(is_active=False)
    notification = Notification.objects.get()

    send_notification_email_task.delay(str(notification.pk))

    assert ses.attempts == 0
    notification.refresh_from_db()
    assert (notification.email_status, notification.email_reason) == (EmailStatus.SKIPPED, "user inactive")


def test_the_hourly_run_sends_emails_whose_queue_message_was_lost(ses, generate):
    user = make_user()
    lost = make_notification(user=user, created_at=NOW - timedelta(hours=2), message="lost")
    stale = make_notification(user=user, created_at=NOW - timedelta(days=2), message="stale")
    retried = make_notification(user=user, created_at=NOW - timedelta(hours=2), message="retried")
    recent = make_notification(user=user, created_at=NOW - timedelta(minutes=30), message="recent")
    Notification.objects.filter(pk__in=[lost.pk, stale.pk, retried.pk, recent.pk]).update(
        email_status=EmailStatus.PENDING
    )
    Notification.objects.filter(pk=retried.pk).update(email_attempts=1)

    run = generate()

    assert run.emails_queued == 1
    assert [str(message["Subject"]) for message in ses.delivered] == ["Overdue: a task"]
    statuses = dict(Notification.objects.values_list("message", "email_status"))
    assert statuses == {
        "lost": EmailStatus.SENT,
        "stale": EmailStatus.PENDING,
        "retried": EmailStatus.PENDING,
        "recent": EmailStatus.PENDING,
    }

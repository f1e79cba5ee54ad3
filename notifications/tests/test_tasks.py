"""The Celery tasks as beat calls them, which failures count as transient, and a run that
fails as a whole being recorded."""

import smtplib
from datetime import timedelta

import pytest
from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from django.conf import settings

from config.email_failures import is_transient
from notifications.models import Notification, NotificationRun, NotificationType
from notifications.services import notifications_generate
from notifications.tasks import generate_notifications_task, generate_reminders_task
from notifications.tests.conftest import NOW
from notifications.tests.factories import make_task, make_user

pytestmark = pytest.mark.django_db


def test_beat_declares_the_hourly_and_reminder_jobs():
    schedule = settings.CELERY_BEAT_SCHEDULE
    hourly = schedule["notifications-generate"]
    reminders = schedule["notifications-reminders"]

    assert hourly["task"] == "notifications.tasks.generate_notifications_task"
    assert (hourly["schedule"].minute, hourly["schedule"].hour) == ({0}, set(range(24)))
    assert reminders["task"] == "notifications.tasks.generate_reminders_task"
    assert reminders["schedule"].minute == set(range(5, 60, 5))


def test_the_beat_tasks_run_generation(frozen):
    user = make_user()
    make_task(user=user, due_date=NOW + timedelta(hours=1), remind_at=NOW - timedelta(minutes=1))

    assert generate_reminders_task.delay().get() == 1
    assert generate_notifications_task.delay().get() == 1

    assert sorted(Notification.objects.values_list("type", flat=True)) == [
        NotificationType.DEADLINE_APPROACHING,
        NotificationType.REMINDER,
    ]
    assert list(NotificationRun.objects.order_by("started_at", "pk").values_list("kind", flat=True)) == [
        "reminders",
        "hourly",
    ]


def test_a_run_that_fails_as_a_whole_is_recorded_and_raised(frozen):
    with pytest.raises(KeyError):
        notifications_generate(kind="weekly")

    run = NotificationRun.objects.get()
    assert (run.status, run.finished_at, run.error_count) == ("failed", NOW, 1)
    assert "KeyError" in run.errors[0]["error"]


@pytest.mark.parametrize(
    ("exc", "transient"),
    [
        (ConnectionRefusedError(), True),
        (TimeoutError(), False),  # may have been accepted: never risk a second copy
        (smtplib.SMTPServerDisconnected("gone"), True),
        (smtplib.SMTPResponseException(451, b"try later"), True),
        (smtplib.SMTPResponseException(550, b"no such user"), False),
        (AnymailAPIError("SendGrid 503", status_code=503), True),
        (AnymailAPIError("SendGrid 429", status_code=429), True),
        (AnymailAPIError("SendGrid 400", status_code=400), False),
        (AnymailAPIError("no answer"), True),
        (AnymailRecipientsRefused("bounced"), False),
        (ValueError("a bug"), False),
    ],
)
def test_which_failures_are_transient(exc, transient):
    assert is_transient(exc) is transient


@pytest.mark.django_db(transaction=True)
def test_the_database_scheduler_installs_the_schedule_declared_in_code():
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import DatabaseScheduler

    from config.celery import app

    DatabaseScheduler(app=app, lazy=False)

    hourly = PeriodicTask.objects.select_related("crontab").get(name="notifications-generate")
    reminders = PeriodicTask.objects.select_related("crontab").get(name="notifications-reminders")
    assert (hourly.task, hourly.enabled) == ("notifications.tasks.generate_notifications_task", True)
    assert (hourly.crontab.minute, hourly.crontab.hour) == ("0", "*")
    assert (reminders.task, reminders.crontab.minute) == (
        "notifications.tasks.generate_reminders_task",
        "5-55/5",
    )

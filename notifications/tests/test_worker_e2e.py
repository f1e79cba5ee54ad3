"""End to end through real processes: a ``celery -A config worker`` subprocess on the real
Redis broker runs the hourly job from the queue, writes notifications into the test
database, and sends their e-mails with the real anymail SES backend to the fake SES server."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from config.celery import app as celery_app
from config.tests.helpers import wait_for
from notifications.models import EmailStatus, Notification, NotificationType
from notifications.tasks import generate_notifications_task
from notifications.tests.factories import make_task, make_user
from notifications.tests.fake_ses import FakeSESServer, Outbox, parts

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

BASE_DIR = Path(settings.BASE_DIR)


@pytest.fixture
def ses():
    outbox = Outbox()
    server = FakeSESServer(outbox)
    server.start()
    yield outbox, server.url
    server.stop()


@pytest.fixture
def worker_process(ses, tmp_path):
    _, ses_url = ses
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "notifications.tests.worker_settings",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "EMAIL_BACKEND": "anymail.backends.amazon_ses.EmailBackend",
        "AWS_SES_ENDPOINT_URL": ses_url,
        "AWS_ACCESS_KEY_ID": "AKIDTEST",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
        "AWS_MAX_ATTEMPTS": "1",
        "API_PUBLIC_URL": "https://api.taskflow.test",
    }
    celery_app.control.purge()
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    celery_app.conf.task_always_eager = False
    try:
        yield process, tmp_path / "worker.log"
    finally:
        celery_app.conf.task_always_eager = True
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def test_the_hourly_job_runs_in_a_worker_process_and_emails_arrive(ses, worker_process):
    outbox, _ = ses
    process, log_path = worker_process
    now = timezone.now()
    user = make_user(timezone="Europe/Berlin")
    make_task(user=user, title="Soon", due_date=now + timedelta(hours=2))
    make_task(user=user, title="Late", due_date=now - timedelta(hours=1))
    silent = make_user(email_notifications=False)
    make_task(user=silent, title="Quiet", due_date=now - timedelta(hours=1))

    generate_notifications_task.delay()

    def delivered() -> bool:
        assert process.poll() is None, log_path.read_text()
        return (
            len(outbox.delivered) == 2
            and Notification.objects.filter(email_status=EmailStatus.SENT).count() == 2
        )

    assert wait_for(delivered, timeout=90), log_path.read_text()
    assert sorted(Notification.objects.values_list("task__title", "type", "email_status")) == [
        ("Late", NotificationType.OVERDUE, EmailStatus.SENT),
        ("Quiet", NotificationType.OVERDUE, EmailStatus.SKIPPED),
        ("Soon", NotificationType.DEADLINE_APPROACHING, EmailStatus.SENT),
    ]
    assert {message["To"] for message in outbox.delivered} == {user.email}
    assert sorted(message["Subject"] for message in outbox.delivered) == ["Due soon: Soon", "Overdue: Late"]
    for message in outbox.delivered:
        assert (
            "https://api.taskflow.test/api/v1/notifications/unsubscribe?token="
            in parts(message)["text/plain"]
        )
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "notification run done" in log_path.read_text()

"""The outbox on PostgreSQL, with the suite's eager Celery and, for outages, a broker address
where nothing listens (a real refused connection, not a mock)."""

import re
import socket
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from accounts.tasks import send_password_changed_email_task
from accounts.tests.factories import UserFactory
from config.celery import app as celery_app
from outbox.models import OutboxMessage
from outbox.selectors import outbox_backlog
from outbox.services import outbox_enqueue, outbox_enqueue_many, outbox_publish, outbox_purge, outbox_relay
from outbox.tasks import relay_outbox_task

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def broker_down(settings, monkeypatch) -> Iterator[None]:
    """Publishing for real (not eager) to a Redis address that refuses connections."""
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)  # Celery prefers it to its conf
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_app.conf.task_always_eager = False
    original = celery_app.conf.broker_url
    pools = (celery_app._pool, celery_app.amqp._producer_pool)
    celery_app.conf.broker_url = f"redis://127.0.0.1:{closed_port()}/0"
    celery_app._pool = celery_app.amqp._producer_pool = None  # fresh pools on the dead address
    try:
        yield
    finally:
        celery_app.conf.broker_url = original
        celery_app._pool, celery_app.amqp._producer_pool = pools
        celery_app.conf.task_always_eager = True


def test_a_message_is_published_only_after_the_commit(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outbox_enqueue(send_password_changed_email_task, str(user.pk))
    message = OutboxMessage.objects.get()
    assert (message.task_name, message.args, message.sent_at) == (
        "accounts.tasks.send_password_changed_email_task",
        [str(user.pk)],
        None,
    )
    assert mail.outbox == []

    callbacks[0]()  # the commit

    message.refresh_from_db()
    assert message.sent_at is not None
    assert (message.attempts, message.last_error) == (1, "")
    assert [m.to for m in mail.outbox] == [[user.email]]


def test_a_rolled_back_change_leaves_no_message(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        outbox_enqueue(send_password_changed_email_task, str(user.pk))
        raise RuntimeError("the business change failed")
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


def test_enqueue_many_writes_one_row_per_call_and_nothing_for_none(django_capture_on_commit_callbacks):
    users = UserFactory.create_batch(2)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        outbox_enqueue_many(send_password_changed_email_task, [])
        outbox_enqueue_many(send_password_changed_email_task, [[str(u.pk)] for u in users])
    assert len(callbacks) == 1
    assert OutboxMessage.objects.filter(sent_at__isnull=False).count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)


def test_with_the_broker_down_the_message_stays_unsent_and_the_relay_sends_it_later(
    broker_down, django_capture_on_commit_callbacks, caplog
):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        outbox_enqueue(send_password_changed_email_task, str(user.pk))
        outbox_enqueue(send_password_changed_email_task, str(user.pk))
    messages = list(OutboxMessage.objects.all())
    assert [(m.sent_at, m.attempts) for m in messages] == [(None, 1), (None, 1)]
    assert re.fullmatch(
        r"OperationalError: Error 111 connecting to 127\.0\.0\.1:\d+\. Connection refused\.",
        messages[0].last_error,
    ), messages[0].last_error
    assert "broker unavailable, message kept for the relay" in caplog.text
    # the relay, with the broker still down, stops at the first failure
    assert outbox_relay(min_age=timedelta(0)) == 0
    assert list(OutboxMessage.objects.values_list("attempts", flat=True)) == [2, 1]


def test_the_relay_leaves_young_messages_to_their_publisher_and_sends_old_ones(clock):
    user = UserFactory()
    OutboxMessage.objects.create(task_name=send_password_changed_email_task.name, args=[str(user.pk)])

    assert outbox_relay() == 0  # younger than OUTBOX_RELAY_MIN_AGE
    clock.shift(31)
    assert outbox_relay() == 1

    assert OutboxMessage.objects.get().sent_at == timezone.now()
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert outbox_relay(min_age=timedelta(0)) == 0  # sent once


def test_publish_skips_what_is_already_sent():
    user = UserFactory()
    sent = OutboxMessage.objects.create(
        task_name=send_password_changed_email_task.name, args=[str(user.pk)], sent_at=timezone.now()
    )
    assert outbox_publish(ids=[sent.pk]) == 0
    assert mail.outbox == []


def test_purge_forgets_old_sent_messages_only(clock):
    old_sent = OutboxMessage.objects.create(task_name="t", sent_at=timezone.now())
    old_unsent = OutboxMessage.objects.create(task_name="t")
    clock.shift(8 * 24 * 3600)
    recent_sent = OutboxMessage.objects.create(task_name="t", sent_at=timezone.now())

    assert outbox_purge() == 1
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {old_unsent.pk, recent_sent.pk}
    assert not OutboxMessage.objects.filter(pk=old_sent.pk).exists()


def test_relay_task_and_command_publish_unsent_messages(clock, capsys):
    user = UserFactory()
    OutboxMessage.objects.create(task_name=send_password_changed_email_task.name, args=[str(user.pk)])
    call_command("relay_outbox")
    assert "Published 0 outbox message(s)." in capsys.readouterr().out
    call_command("relay_outbox", "--min-age", "0")
    assert "Published 1 outbox message(s)." in capsys.readouterr().out

    OutboxMessage.objects.create(task_name=send_password_changed_email_task.name, args=[str(user.pk)])
    clock.shift(60)
    assert relay_outbox_task.delay().get() == 1
    assert len(mail.outbox) == 2


def test_backlog_report_counts_unsent_messages_and_the_oldest_age(clock):
    assert outbox_backlog(now=timezone.now()) == {"status": "ok", "unsent": 0, "oldest_seconds": None}
    OutboxMessage.objects.create(task_name="t")
    OutboxMessage.objects.create(task_name="t", sent_at=timezone.now())
    clock.shift(90)
    OutboxMessage.objects.create(task_name="t")
    assert outbox_backlog(now=timezone.now()) == {"status": "pending", "unsent": 2, "oldest_seconds": 90}


def test_admin_lists_messages_read_only(staff_client):
    OutboxMessage.objects.create(task_name="accounts.tasks.send_password_changed_email_task", args=["x"])
    response = staff_client.get("/admin/outbox/outboxmessage/")
    assert response.status_code == 200
    assert b"send_password_changed_email_task" in response.content
    assert staff_client.get("/admin/outbox/outboxmessage/add/").status_code == 403

"""Writes of the outbox: enqueue in the caller's transaction, publish after commit, relay what
the broker missed.

``outbox_enqueue(task, *args)`` replaces ``transaction.on_commit(lambda: task.delay(*args))``.
The row is written in the caller's transaction (rolled back with it, committed with it); after
the commit the publisher hands it to the broker and marks it sent. When the broker is down the
row stays unsent and the relay (beat, every ``OUTBOX_RELAY_EVERY_SECONDS``; or
``manage.py relay_outbox``) publishes it once the broker is back. Delivery is at least once:
a crash between the broker's acceptance and the ``sent_at`` update publishes a message again,
so every task sent through the outbox is idempotent. In eager mode (tests, development without
a broker) publishing runs the task inline after the commit, as ``.delay()`` did."""

import logging
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

import kombu.exceptions
import redis.exceptions
from celery import Task
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from outbox.models import OutboxMessage

logger = logging.getLogger(__name__)

# What a publish raises when the broker cannot take the message.
BROKER_ERRORS = (kombu.exceptions.OperationalError, redis.exceptions.RedisError, OSError)


def outbox_enqueue(task: Task, *args: Any) -> None:
    """One message for ``task(*args)``, published once the current transaction commits (at
    once outside a transaction). Arguments must be JSON-serialisable (ids, not rows)."""
    outbox_enqueue_many(task, [args])


def outbox_enqueue_many(task: Task, args_list: Iterable[Sequence[Any]], *, robust: bool = False) -> None:
    """One message per argument tuple, in one INSERT. ``robust``: a task that raises in eager
    mode is logged instead of propagating (for callers whose commit must not fail)."""
    messages = [OutboxMessage(task_name=task.name, args=list(args)) for args in args_list]
    if not messages:
        return
    ids = [message.pk for message in OutboxMessage.objects.bulk_create(messages)]
    transaction.on_commit(lambda: outbox_publish(ids=ids), robust=robust)


def _publish(message: OutboxMessage) -> bool:
    """Hands one message to the broker (runs it, in eager mode); True once it is sent."""
    task: Task = import_string(message.task_name)
    try:
        # retry=False: fail fast when the broker is down; the relay retries later.
        task.apply_async(args=message.args, retry=False)
    except BROKER_ERRORS as exc:
        OutboxMessage.objects.filter(pk=message.pk).update(
            attempts=message.attempts + 1, last_error=f"{type(exc).__name__}: {exc}"[:500]
        )
        logger.warning(
            "outbox: broker unavailable, message kept for the relay outbox_id=%s task=%s error=%s",
            message.pk,
            message.task_name,
            exc,
        )
        return False
    OutboxMessage.objects.filter(pk=message.pk).update(
        sent_at=timezone.now(), attempts=message.attempts + 1, last_error=""
    )
    return True


def outbox_publish(*, ids: Sequence[int]) -> int:
    """Publishes the unsent messages among ``ids`` (after the commit that wrote them); stops at
    the first broker failure. Returns how many were sent."""
    sent = 0
    for message in OutboxMessage.objects.filter(pk__in=ids, sent_at__isnull=True).order_by("pk"):
        if not _publish(message):
            break
        sent += 1
    return sent


def outbox_relay(*, min_age: timedelta | None = None, limit: int = 1000) -> int:
    """Publishes unsent messages at least ``min_age`` old (younger ones are still in the hands
    of their publisher), oldest first. Rows are locked with SKIP LOCKED, so two relays never
    publish the same row; stops at the first broker failure. Returns how many were sent."""
    min_age = settings.OUTBOX_RELAY_MIN_AGE if min_age is None else min_age
    sent = 0
    with transaction.atomic():
        pending = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(sent_at__isnull=True, created_at__lte=timezone.now() - min_age)
            .order_by("pk")[:limit]
        )
        for message in pending:
            if not _publish(message):
                break
            sent += 1
    if sent:
        logger.info("outbox: relay published %d message(s)", sent)
    return sent


def outbox_purge(*, older_than: timedelta | None = None) -> int:
    """Deletes sent messages older than ``older_than`` (default ``OUTBOX_KEEP_SENT``)."""
    older_than = settings.OUTBOX_KEEP_SENT if older_than is None else older_than
    deleted, _ = OutboxMessage.objects.filter(sent_at__lt=timezone.now() - older_than).delete()
    return deleted

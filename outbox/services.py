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
from celery import Task, current_app
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

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


def _publish(message: OutboxMessage) -> bool | None:
    """Hands one message to the broker (runs it, in eager mode): True once it is sent, False
    when the broker is down, None when no task is registered under its name (a newer release
    wrote it: it stays unsent for a worker that knows it)."""
    # By the name Celery registered it under: no import of a path stored in a table.
    task: Task | None = current_app.tasks.get(message.task_name)
    if task is None:
        OutboxMessage.objects.filter(pk=message.pk).update(
            attempts=message.attempts + 1, last_error=f"no task registered as {message.task_name}"[:500]
        )
        logger.error("outbox: no task registered as %s outbox_id=%s", message.task_name, message.pk)
        return None
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
        sent_at=timezone.now(), attempts=message.attempts + 1, last_error="", claimed_until=None
    )
    return True


def _publish_in_order(messages: Iterable[OutboxMessage]) -> int:
    """Publishes ``messages`` one after the other, stopping at the first broker failure;
    returns how many were sent."""
    sent = 0
    for message in messages:
        published = _publish(message)
        if published is False:
            break
        if published:
            sent += 1
    return sent


def outbox_publish(*, ids: Sequence[int]) -> int:
    """Publishes the unsent messages among ``ids`` (after the commit that wrote them); stops at
    the first broker failure. Returns how many were sent."""
    return _publish_in_order(OutboxMessage.objects.filter(pk__in=ids, sent_at__isnull=True).order_by("pk"))


def _claim(*, min_age: timedelta, limit: int) -> list[OutboxMessage]:
    """Takes up to ``limit`` unsent, unclaimed messages at least ``min_age`` old for one lease,
    in a short transaction of its own (SKIP LOCKED: two relays never take the same row)."""
    now = timezone.now()
    with transaction.atomic():
        messages = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(sent_at__isnull=True, created_at__lte=now - min_age)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
            .order_by("pk")[:limit]
        )
        OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).update(
            claimed_until=now + settings.OUTBOX_RELAY_LEASE
        )
    return messages


def outbox_relay(*, min_age: timedelta | None = None, limit: int = 1000) -> int:
    """Publishes unsent messages at least ``min_age`` old (younger ones are still in the hands
    of their publisher), oldest first. The batch is claimed first, then published with no row
    lock held; stops at the first broker failure and gives back what it did not reach.
    Returns how many were sent."""
    min_age = settings.OUTBOX_RELAY_MIN_AGE if min_age is None else min_age
    claimed = _claim(min_age=min_age, limit=limit)
    sent = _publish_in_order(claimed)
    # What the loop did not send goes back at once, not after the lease.
    OutboxMessage.objects.filter(pk__in=[m.pk for m in claimed], sent_at__isnull=True).update(
        claimed_until=None
    )
    if sent:
        logger.info("outbox: relay published %d message(s)", sent)
    return sent


def outbox_purge(*, older_than: timedelta | None = None) -> int:
    """Deletes sent messages older than ``older_than`` (default ``OUTBOX_KEEP_SENT``)."""
    older_than = settings.OUTBOX_KEEP_SENT if older_than is None else older_than
    deleted, _ = OutboxMessage.objects.filter(sent_at__lt=timezone.now() - older_than).delete()
    return deleted

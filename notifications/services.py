"""Writes of the notifications app: generation, read state, unsubscribing, e-mail status."""

import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.preferences import THRESHOLD_DELTAS, effective_preferences
from accounts.services import user_preferences_update
from config.email import render_plain_text
from config.errors import Conflict
from notifications import reminders
from notifications.models import EmailStatus, Notification, NotificationRun, NotificationType, Snooze
from notifications.selectors import Candidate, notification_candidates, notification_emails_stalled
from notifications.tokens import unsubscribe_token_user
from outbox.services import outbox_enqueue_many
from tasks import dues
from tasks.models import Status, Task

logger = logging.getLogger(__name__)

INSERT_BATCH_SIZE = 1000
MAX_RECORDED_ERRORS = 100
TYPES_BY_KIND: dict[str, tuple[int, ...]] = {
    NotificationRun.Kind.HOURLY: tuple(NotificationType.values),
    NotificationRun.Kind.REMINDERS: (NotificationType.REMINDER,),
}


# --- Generation ---------------------------------------------------------------------------


def notification_message(*, task: Task, notification_type: int, zone: ZoneInfo, now: datetime) -> str:
    """The text of a notification, from ``templates/notifications/messages/<type>.txt``, with
    the task's due as SPEC §11 shows it on the owner's calendar (``dues.due_display``)."""
    name = NotificationType(notification_type).label.lower()
    context = {
        "task": task.title,
        "project": task.project.name,
        "due": dues.due_display(due_at=task.due_at, due_on=task.due_on, zone=zone, now=now),
    }
    return " ".join(render_plain_text(f"notifications/messages/{name}.txt", context).split())


def _notifications_for_user(*, user: User, items: list[Candidate], now: datetime) -> list[Notification]:
    preferences = effective_preferences(user.preferences)
    zone = ZoneInfo(preferences["timezone"])
    horizon = now + THRESHOLD_DELTAS[preferences["deadline_threshold"]]
    enabled = preferences["notification_types"]
    email_reason = notification_email_skip_reason(user=user)
    email_status = EmailStatus.SKIPPED if email_reason else EmailStatus.PENDING
    notifications = []
    for task, notification_type, key, offset, _ in items:
        if not enabled[NotificationType(notification_type).label]:
            continue
        # The user's threshold is on the due moment, not on the key (an all-day task's day).
        if (
            notification_type == NotificationType.DEADLINE_APPROACHING
            and cast(datetime, task.due_at) > horizon
        ):
            continue
        notifications.append(
            Notification(
                id=uuid.uuid4(),
                user=user,
                task=task,
                type=notification_type,
                due_at=key,
                reminder_offset=offset,
                message=notification_message(
                    task=task, notification_type=notification_type, zone=zone, now=now
                ),
                created_at=now,
                email_status=email_status,
                email_reason=email_reason,
            )
        )
    return notifications


def _error_entry(*, user_id: Any, task_ids: Iterable[Any], exc: Exception) -> dict[str, Any]:
    return {"user_id": str(user_id), "task_ids": [str(pk) for pk in task_ids], "error": repr(exc)[:500]}


def _insert(rows: list[Notification], errors: list[dict[str, Any]]) -> list[Notification]:
    """Inserts, skipping what another run already made (ON CONFLICT DO NOTHING); returns the
    rows this call created. Runs inside the caller's transaction, with foreign keys checked
    immediately. When the set-based insert fails, rows whose task was deleted meanwhile are
    dropped (nothing left to notify about) and the rest go in user by user, so any other bad
    row costs only its user's notifications, logged and recorded."""
    if not rows:
        return []
    try:
        with transaction.atomic():
            Notification.objects.bulk_create(rows, batch_size=INSERT_BATCH_SIZE, ignore_conflicts=True)
    except IntegrityError:
        existing = set(Task.objects.filter(pk__in={row.task_id for row in rows}).values_list("pk", flat=True))
        vanished = [row.task_id for row in rows if row.task_id not in existing]
        if vanished:
            logger.info("tasks deleted during the notification run task_ids=%s", vanished)
        by_user: dict[Any, list[Notification]] = defaultdict(list)
        for row in rows:
            if row.task_id in existing:
                by_user[row.user_id].append(row)
        rows = []
        for user_id, user_rows in by_user.items():
            try:
                with transaction.atomic():
                    Notification.objects.bulk_create(user_rows, ignore_conflicts=True)
            except IntegrityError as exc:
                task_ids = [row.task_id for row in user_rows]
                logger.exception("notification insert failed user_id=%s task_ids=%s", user_id, task_ids)
                errors.append(_error_entry(user_id=user_id, task_ids=task_ids, exc=exc))
            else:
                rows.extend(user_rows)
    ids = [row.id for row in rows]
    inserted: set[uuid.UUID] = set()
    for start in range(0, len(ids), INSERT_BATCH_SIZE):
        chunk = ids[start : start + INSERT_BATCH_SIZE]
        inserted.update(Notification.objects.filter(id__in=chunk).values_list("id", flat=True))
    return [row for row in rows if row.id in inserted]


def _insert_checked(rows: list[Notification], errors: list[dict[str, Any]]) -> list[Notification]:
    """``_insert`` with foreign keys checked at the insert, not at commit, so a row whose task
    was deleted meanwhile fails where ``_insert`` can set it aside. Every deferrable constraint
    of the schema is initially deferred: they are deferred again after, for whatever else the
    transaction holds (a caller's outer transaction, a test's)."""
    if connection.vendor != "postgresql":
        return _insert(rows, errors)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        created = _insert(rows, errors)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # (a failure above rolls it all back)
    return created


def notifications_generate(
    *, now: datetime | None = None, kind: str = NotificationRun.Kind.HOURLY
) -> NotificationRun:
    """One generation run (SPEC §7), recorded as a ``NotificationRun``. Safe to run twice at
    once: the unique (task, type, due_at) constraint lets each notification in only once.
    A failure for one user is logged with its ids, recorded on the run, and the rest go on."""
    from notifications.tasks import send_notification_email_task  # the tasks module imports this one

    now = now or timezone.now()
    run = NotificationRun.objects.create(kind=kind, started_at=now)
    errors: list[dict[str, Any]] = []
    try:
        by_user: dict[Any, list[Candidate]] = defaultdict(list)
        for item in _candidates(now=now, kind=kind):
            by_user[item.task.owner_id].append(item)
        rows: list[Notification] = []
        fired_snoozes: list[Candidate] = []
        for user_id, items in by_user.items():
            try:
                rows.extend(_notifications_for_user(user=items[0].task.owner, items=items, now=now))
                fired_snoozes += [item for item in items if item.snoozed]
            # Whatever fails for one user (e.g. preferences edited by hand) must not stop the run.
            except Exception as exc:
                task_ids = [item.task.pk for item in items]
                logger.exception("notification generation failed user_id=%s task_ids=%s", user_id, task_ids)
                errors.append(_error_entry(user_id=user_id, task_ids=task_ids, exc=exc))
        with transaction.atomic():
            created = _insert_checked(rows, errors)
            _snoozes_done(fired_snoozes, now=now, kind=kind)
            to_email = [row.id for row in created if row.email_status == EmailStatus.PENDING]
            if kind == NotificationRun.Kind.HOURLY:
                to_email += notification_emails_stalled(now=now)
            # Through the outbox, in the run's transaction: a broker outage loses no e-mail,
            # and (robust) an e-mail that fails in eager mode does not fail the committed run.
            outbox_enqueue_many(send_notification_email_task, [[str(pk)] for pk in to_email], robust=True)
    except Exception as exc:
        NotificationRun.objects.filter(pk=run.pk).update(
            status=NotificationRun.Status.FAILED,
            finished_at=timezone.now(),
            error_count=len(errors) + 1,
            errors=[*errors, {"error": repr(exc)[:500]}][:MAX_RECORDED_ERRORS],
        )
        logger.exception("notification run failed run_id=%s", run.pk)
        raise
    run.status = NotificationRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.created_count = len(created)
    run.emails_queued = len(to_email)
    run.error_count = len(errors)
    run.errors = errors[:MAX_RECORDED_ERRORS]
    run.save()
    logger.info(
        "notification run done run_id=%s kind=%s created=%d emails=%d errors=%d",
        run.pk,
        kind,
        run.created_count,
        run.emails_queued,
        run.error_count,
    )
    return run


def _candidates(*, now: datetime, kind: str) -> list[Candidate]:
    types = TYPES_BY_KIND[kind]
    candidates = notification_candidates(now=now, types=types)
    if NotificationType.REMINDER in types:
        oldest: datetime = now - settings.NOTIFICATIONS_LOOKBACK
        candidates += reminders.offset_candidates(now=now, oldest=oldest)
        candidates += reminders.snooze_candidates(now=now, oldest=oldest)
    return candidates


def _snoozes_done(fired: list[Candidate], *, now: datetime, kind: str) -> None:
    """Deletes the snoozes this run fired, in its transaction (one snoozed again meanwhile has
    a new moment and stays); the hourly run also drops those past the lookback."""
    for start in range(0, len(fired), INSERT_BATCH_SIZE):
        done = Q()
        for item in fired[start : start + INSERT_BATCH_SIZE]:
            done |= Q(task_id=item.task.pk, fire_at=item.key)
        Snooze.objects.filter(done).delete()
    if kind == NotificationRun.Kind.HOURLY:
        Snooze.objects.filter(fire_at__lt=now - settings.NOTIFICATIONS_LOOKBACK).delete()


# --- Snoozing -----------------------------------------------------------------------------

SNOOZE_MINUTES_MIN, SNOOZE_MINUTES_MAX = 5, 10080


def notification_snooze(*, notification: Notification, minutes: int, now: datetime | None = None) -> Snooze:
    """``POST /notifications/{id}/snooze`` (SPEC §7): one more REMINDER for the notification's
    task after ``minutes``, replacing the task's pending snooze (one statement, so two at once
    leave one). A deleted or DONE task has nothing left to remind of: Conflict."""
    task = (
        Task.objects.filter(pk=notification.task_id).only("status").first() if notification.task_id else None
    )
    if task is None:
        raise Conflict("The task of this notification was deleted: there is nothing to remind of.")
    if task.status == Status.DONE:
        raise Conflict("The task of this notification is done: there is nothing to remind of.")
    now = now or timezone.now()
    snooze = Snooze(task_id=task.pk, notification=notification, fire_at=now + timedelta(minutes=minutes))
    snooze.created_at = now
    Snooze.objects.bulk_create(
        [snooze],
        update_conflicts=True,
        unique_fields=["task"],
        update_fields=["notification", "fire_at", "created_at"],
    )
    logger.info(
        "notification snoozed notification_id=%s task_id=%s minutes=%d", notification.pk, task.pk, minutes
    )
    return snooze


# --- Read state ---------------------------------------------------------------------------


def notification_mark_read(*, notification: Notification) -> Notification:
    if not notification.read:
        Notification.objects.filter(pk=notification.pk).update(read=True)
        notification.read = True
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read=False).update(read=True)


# --- Unsubscribing ------------------------------------------------------------------------


def user_unsubscribe(*, token: str) -> User:
    """Turns ``email_notifications`` off for the token's user (idempotent)."""
    user = unsubscribe_token_user(token=token)
    user_preferences_update(user=user, changes={"email_notifications": False})
    logger.info("unsubscribed from notification e-mails user_id=%s", user.pk)
    return user


# --- E-mail status ------------------------------------------------------------------------


def notification_email_skip_reason(*, user: User) -> str:
    """Why no notification e-mail may go to ``user`` now, or "" when one may. The one rule,
    applied when a notification is made and again when its e-mail is claimed."""
    if not user.is_active:
        return "user inactive"
    try:
        email_on = effective_preferences(user.preferences)["email_notifications"]
    except ValueError as exc:
        return f"preferences invalid: {exc}"
    if not email_on:
        return "e-mail notifications are off"
    if not user.email_verified:
        return "e-mail address not verified"
    return ""


@transaction.atomic
def notification_email_claim(*, notification_id: Any) -> Notification | None:
    """Claims a pending e-mail for one attempt (pending → sending) and returns the row, or
    None when there is nothing to send: gone, already claimed, sent, failed or skipped — or
    the user has since turned e-mail off or lost the verified address (then skipped)."""
    notification = (
        Notification.objects.select_for_update(of=("self",))
        .select_related("user", "task", "task__project")
        .filter(pk=notification_id)
        .first()
    )
    if notification is None or notification.email_status != EmailStatus.PENDING:
        logger.info(
            "notification e-mail not claimed notification_id=%s status=%s",
            notification_id,
            notification and EmailStatus(notification.email_status).label,
        )
        return None
    reason = notification_email_skip_reason(user=notification.user)
    if reason:
        notification.email_status, notification.email_reason = EmailStatus.SKIPPED, reason
    else:
        notification.email_status = EmailStatus.SENDING
        notification.email_attempts += 1
    notification.save(update_fields=["email_status", "email_reason", "email_attempts"])
    return None if reason else notification


def notification_email_sent(*, notification_id: Any) -> None:
    Notification.objects.filter(pk=notification_id, email_status=EmailStatus.SENDING).update(
        email_status=EmailStatus.SENT, sent_at=timezone.now(), email_reason=""
    )


def notification_email_failed(*, notification_id: Any, reason: str, final: bool) -> None:
    """A failed attempt: back to pending for the next one, or failed for good."""
    Notification.objects.filter(pk=notification_id, email_status=EmailStatus.SENDING).update(
        email_status=EmailStatus.FAILED if final else EmailStatus.PENDING, email_reason=reason[:500]
    )

"""Background work of the notifications app: generation (beat, hourly and every few minutes
for reminders) and one e-mail per notification.

E-mail is at-most-once: a worker claims the row (pending → sending) in a committed
transaction before it calls the ESP, so a redelivered or duplicated message finds it claimed
and sends nothing. A worker that dies between the claim and the ESP's answer leaves the row
in ``sending`` (visible in the admin) rather than risking a second copy. Transient failures
(config/email_failures.py: no connection, HTTP 429/5xx) put the row back to pending and are
retried with exponential backoff, 3 attempts in all; anything else (a permanent refusal, or
a timeout after the request went out, when the ESP may have accepted it) or the third
failure marks it failed with the reason."""

import logging

from celery import shared_task

from config.email_failures import TransientDeliveryError, is_ambiguous, is_transient
from notifications import emails, services
from notifications.models import NotificationRun

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    # Redelivered when the worker dies mid-task; the claim (pending -> sending) keeps it from
    # sending twice.
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(TransientDeliveryError,),
    retry_backoff=5,
    retry_jitter=True,
    max_retries=2,
)
def send_notification_email_task(self, notification_id: str) -> None:  # type: ignore[no-untyped-def]
    notification = services.notification_email_claim(notification_id=notification_id)
    if notification is None:
        return
    attempt = notification.email_attempts
    try:
        emails.notification_email_send(notification=notification)
    except Exception as exc:
        transient = is_transient(exc)
        final = not transient or self.request.retries >= self.max_retries
        unknown = " (delivery unknown: the ESP may have accepted it)" if is_ambiguous(exc) else ""
        reason = f"attempt {attempt}{unknown}: {type(exc).__name__}: {exc}"
        services.notification_email_failed(notification_id=notification_id, reason=reason, final=final)
        if final:
            logger.error(
                "notification e-mail failed notification_id=%s user_id=%s attempts=%d reason=%s",
                notification_id,
                notification.user_id,
                attempt,
                reason,
            )
            return
        logger.warning("notification e-mail attempt failed, will retry notification_id=%s", notification_id)
        raise TransientDeliveryError(reason) from exc
    services.notification_email_sent(notification_id=notification_id)
    logger.info(
        "notification e-mail sent notification_id=%s user_id=%s attempts=%d",
        notification_id,
        notification.user_id,
        attempt,
    )


# acks_late + reject_on_worker_lost: a run cut short by a dead worker is redelivered and runs
# again; the (task, type, due_at) constraint lets each notification in once (docs/OPERATIONS.md).
GENERATION_POLICY = {"acks_late": True, "reject_on_worker_lost": True}


@shared_task(**GENERATION_POLICY)
def generate_notifications_task() -> int:
    """The hourly run (beat, on the hour): every type."""
    return services.notifications_generate(kind=NotificationRun.Kind.HOURLY).created_count


@shared_task(**GENERATION_POLICY)
def generate_reminders_task() -> int:
    """Reminders between hourly runs (beat, every few minutes), so one fires near its time."""
    return services.notifications_generate(kind=NotificationRun.Kind.REMINDERS).created_count

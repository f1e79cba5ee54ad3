"""Background work of the accounts app. Tasks take ids (the reset job an address), re-fetch,
and return quietly when the row is gone. Delivery failures are classified once, for every
e-mail (config/email_failures.py): a transient one is retried with backoff (3 attempts in
all); a permanent refusal, or a timeout after the request went out (the ESP may have sent the
e-mail: a second reset link must not follow), is logged and not retried."""

import logging
from collections.abc import Callable
from typing import Any

from celery import Task, shared_task

from accounts import emails
from accounts.addresses import email_key
from accounts.models import User
from accounts.tokens import expired_tokens_purge
from config.email_failures import TransientDeliveryError, is_ambiguous, is_transient

logger = logging.getLogger(__name__)

RETRY_POLICY = {
    "bind": True,
    "autoretry_for": (TransientDeliveryError,),
    "retry_backoff": 5,
    "retry_jitter": True,
    "max_retries": 2,
}


def _deliver(task: Task, send: Callable[[], None], *, what: str, user_id: Any) -> None:
    """Sends and logs it. A transient failure with attempts left raises
    TransientDeliveryError (Celery retries); any other failure is logged and ends the job."""
    try:
        send()
    except Exception as exc:
        if is_transient(exc) and task.request.retries < (task.max_retries or 0):
            logger.warning("%s e-mail attempt failed, will retry user_id=%s", what, user_id)
            raise TransientDeliveryError(f"{type(exc).__name__}: {exc}") from exc
        unknown = " (delivery unknown: the ESP may have accepted it)" if is_ambiguous(exc) else ""
        reason = f"{type(exc).__name__}: {exc}"
        logger.error("%s e-mail failed user_id=%s%s error=%s", what, user_id, unknown, reason)
        return
    logger.info("%s e-mail sent user_id=%s", what, user_id)


def _active_user(user_id: str) -> User | None:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        logger.info("e-mail skipped: user gone or inactive user_id=%s", user_id)
    return user


@shared_task(**RETRY_POLICY)
def send_verification_email_task(self: Task, user_id: str) -> None:
    user = _active_user(user_id)
    if user is None or user.email_verified:
        return
    _deliver(self, lambda: emails.verification_email_send(user=user), what="verification", user_id=user_id)


@shared_task(**RETRY_POLICY)
def send_password_reset_email_task(self: Task, email: str) -> None:
    """The lookup happens here, not in the request, so a known and an unknown address cost
    the request the same (SPEC §3). A look-alike address finds no one."""
    key = email_key(email)
    user = User.objects.filter(email__lower=key, is_active=True).first() if key else None
    if user is None:
        logger.info("password reset requested for an unknown or inactive e-mail")
        return
    _deliver(
        self, lambda: emails.password_reset_email_send(user=user), what="password reset", user_id=user.pk
    )


@shared_task(**RETRY_POLICY)
def send_password_changed_email_task(self: Task, user_id: str) -> None:
    user = _active_user(user_id)
    if user is None:
        return
    _deliver(
        self, lambda: emails.password_changed_email_send(user=user), what="password changed", user_id=user_id
    )


@shared_task
def purge_expired_tokens_task() -> int:
    removed = expired_tokens_purge()
    logger.info("purged %d expired tokens", removed)
    return removed

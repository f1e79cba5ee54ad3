"""Background work of the accounts app. Tasks take ids, re-fetch, and return quietly when
the row is gone; transient SMTP/ESP failures are retried with backoff (3 attempts in all)."""

import logging
import smtplib

from anymail.exceptions import AnymailAPIError
from celery import shared_task

from accounts import emails
from accounts.addresses import email_key
from accounts.models import User
from accounts.tokens import expired_tokens_purge

logger = logging.getLogger(__name__)

# SMTP errors, network errors and ESP API errors (anymail: SES, SendGrid) are retried.
RETRY_POLICY = {
    "autoretry_for": (smtplib.SMTPException, AnymailAPIError, ConnectionError, TimeoutError),
    "retry_backoff": 5,
    "retry_jitter": True,
    "max_retries": 2,
}


def _active_user(user_id: str) -> User | None:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        logger.info("e-mail skipped: user gone or inactive user_id=%s", user_id)
    return user


@shared_task(**RETRY_POLICY)
def send_verification_email_task(user_id: str) -> None:
    user = _active_user(user_id)
    if user is None or user.email_verified:
        return
    emails.verification_email_send(user=user)
    logger.info("verification e-mail sent user_id=%s", user_id)


@shared_task(**RETRY_POLICY)
def send_password_reset_email_task(email: str) -> None:
    """The lookup happens here, not in the request, so a known and an unknown address cost
    the request the same (SPEC §3). A look-alike address finds no one."""
    key = email_key(email)
    user = User.objects.filter(email__lower=key, is_active=True).first() if key else None
    if user is None:
        logger.info("password reset requested for an unknown or inactive e-mail")
        return
    emails.password_reset_email_send(user=user)
    logger.info("password reset e-mail sent user_id=%s", user.pk)


@shared_task(**RETRY_POLICY)
def send_password_changed_email_task(user_id: str) -> None:
    user = _active_user(user_id)
    if user is None:
        return
    emails.password_changed_email_send(user=user)
    logger.info("password changed e-mail sent user_id=%s", user_id)


@shared_task
def purge_expired_tokens_task() -> int:
    removed = expired_tokens_purge()
    logger.info("purged %d expired tokens", removed)
    return removed

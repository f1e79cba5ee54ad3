"""The account e-mails. Tokens are created here, in the worker, so no raw token ever travels
through the broker."""

from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings

from accounts.models import OneTimeToken, User
from accounts.tokens import one_time_token_create
from config.email import send_templated_email


def _send_token_email(*, user: User, purpose: str, lifetime: timedelta, template: str, path: str) -> None:
    """A fresh one-time token, mailed as ``{FRONTEND_URL}/{path}?token=…``."""
    token = one_time_token_create(user=user, purpose=purpose, lifetime=lifetime)
    send_templated_email(
        template=template,
        to=[user.email],
        context={
            "user": user,
            "link": f"{settings.FRONTEND_URL}/{path}?{urlencode({'token': token})}",
            "hours": int(lifetime.total_seconds() // 3600),
        },
    )


def verification_email_send(*, user: User) -> None:
    _send_token_email(
        user=user,
        purpose=OneTimeToken.Purpose.VERIFY_EMAIL,
        lifetime=settings.EMAIL_VERIFICATION_TOKEN_LIFETIME,
        template="verify_email",
        path="verify-email",
    )


def password_reset_email_send(*, user: User) -> None:
    _send_token_email(
        user=user,
        purpose=OneTimeToken.Purpose.RESET_PASSWORD,
        lifetime=settings.PASSWORD_RESET_TOKEN_LIFETIME,
        template="password_reset",
        path="reset-password",
    )


def password_changed_email_send(*, user: User) -> None:
    send_templated_email(template="password_changed", to=[user.email], context={"user": user})

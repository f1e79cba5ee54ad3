"""The account e-mails. Tokens are created here, in the worker, so no raw token ever travels
through the broker."""

from urllib.parse import urlencode

from django.conf import settings

from accounts.models import OneTimeToken, User
from accounts.tokens import one_time_token_create
from config.email import send_templated_email


def _frontend_link(path: str, token: str) -> str:
    return f"{settings.FRONTEND_URL}/{path}?{urlencode({'token': token})}"


def verification_email_send(*, user: User) -> None:
    token = one_time_token_create(
        user=user,
        purpose=OneTimeToken.Purpose.VERIFY_EMAIL,
        lifetime=settings.EMAIL_VERIFICATION_TOKEN_LIFETIME,
    )
    send_templated_email(
        template="verify_email",
        to=[user.email],
        context={
            "user": user,
            "link": _frontend_link("verify-email", token),
            "hours": int(settings.EMAIL_VERIFICATION_TOKEN_LIFETIME.total_seconds() // 3600),
        },
    )


def password_reset_email_send(*, user: User) -> None:
    token = one_time_token_create(
        user=user,
        purpose=OneTimeToken.Purpose.RESET_PASSWORD,
        lifetime=settings.PASSWORD_RESET_TOKEN_LIFETIME,
    )
    send_templated_email(
        template="password_reset",
        to=[user.email],
        context={"user": user, "link": _frontend_link("reset-password", token)},
    )


def password_changed_email_send(*, user: User) -> None:
    send_templated_email(template="password_changed", to=[user.email], context={"user": user})

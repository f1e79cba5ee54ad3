"""Unsubscribe tokens: signed (no row stored), naming the user, valid for
``NOTIFICATIONS_UNSUBSCRIBE_TOKEN_MAX_AGE``."""

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError

from accounts.models import User

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
INVALID_TOKEN_MESSAGE = "This unsubscribe link is invalid or has expired."  # noqa: S105 - a message


class InvalidUnsubscribeToken(Exception):
    pass


def unsubscribe_token_make(*, user: User) -> str:
    return signing.dumps({"user": str(user.pk)}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_token_user(*, token: str) -> User:
    """The user a token was made for; ``InvalidUnsubscribeToken`` when forged, expired or the
    user is gone."""
    try:
        payload = signing.loads(
            token, salt=UNSUBSCRIBE_SALT, max_age=settings.NOTIFICATIONS_UNSUBSCRIBE_TOKEN_MAX_AGE
        )
        user = User.objects.filter(pk=payload["user"], is_active=True).first()
    except (signing.BadSignature, KeyError, TypeError, ValueError, ValidationError) as exc:
        raise InvalidUnsubscribeToken(INVALID_TOKEN_MESSAGE) from exc
    if user is None:
        raise InvalidUnsubscribeToken(INVALID_TOKEN_MESSAGE)
    return user

"""E-mail verification and password reset tokens: random, stored only as a SHA-256 hash."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import OneTimeToken, RefreshSession, TokenFamily, User

INVALID_TOKEN_MESSAGE = "Invalid, expired or already used token."  # noqa: S105 - a message


def _hash_token(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


def one_time_token_create(*, user: User, purpose: str, lifetime: timedelta) -> str:
    """Stores a new token's hash and returns the raw token, which only the e-mail carries."""
    raw_token = secrets.token_urlsafe(32)
    OneTimeToken.objects.create(
        user=user,
        purpose=purpose,
        token_hash=_hash_token(raw_token),
        expires_at=timezone.now() + lifetime,
    )
    return raw_token


def one_time_token_consume(*, raw_token: str, purpose: str) -> OneTimeToken:
    """Marks a live token used, under a row lock so that it is single-use even when raced.
    Call inside a transaction."""
    token = (
        OneTimeToken.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(token_hash=_hash_token(raw_token), purpose=purpose)
        .first()
    )
    now = timezone.now()
    if token is None or token.used_at is not None or token.expires_at <= now:
        raise ValidationError({"token": [INVALID_TOKEN_MESSAGE]})
    token.used_at = now
    token.save(update_fields=["used_at"])
    return token


def expired_tokens_purge() -> int:
    """Deletes expired refresh sessions and one-time tokens, and the logins left without a
    session (their access tokens, shorter-lived than any refresh token, have expired too);
    returns how many rows."""
    now = timezone.now()
    sessions, _ = RefreshSession.objects.filter(expires_at__lt=now).delete()
    one_time, _ = OneTimeToken.objects.filter(expires_at__lt=now).delete()
    families, _ = (
        TokenFamily.objects.filter(created_at__lt=now - settings.ACCESS_TOKEN_LIFETIME)
        .exclude(Exists(RefreshSession.objects.filter(family=OuterRef("pk"))))
        .delete()
    )
    return sessions + one_time + families

"""Pending authorizations between ``authorize`` and ``callback``: the state is signed and names
the user and a single-use nonce; the PKCE code verifier waits here, encrypted, under that
nonce. A state is good once, for GOOGLE_OAUTH_STATE_MAX_AGE seconds."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from integrations.models import OAuthState

STATE_SALT = "integrations.google.oauth-state"


class InvalidState(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def oauth_state_sign(*, user: User) -> tuple[str, str]:
    """(state, nonce) for a new authorization of ``user``."""
    nonce = secrets.token_urlsafe(24)
    return signing.dumps({"u": str(user.pk), "n": nonce}, salt=STATE_SALT), nonce


def oauth_state_store(*, user: User, nonce: str, code_verifier: str) -> None:
    OAuthState.objects.create(user=user, nonce=nonce, code_verifier=code_verifier)


def oauth_state_consume(*, state: str) -> tuple[str, str]:
    """(user id, code verifier) of a valid, unexpired, unused state, which is used up;
    else InvalidState with the reason ``expired_state`` or ``invalid_state``."""
    try:
        payload = signing.loads(state, salt=STATE_SALT, max_age=settings.GOOGLE_OAUTH_STATE_MAX_AGE)
    except signing.SignatureExpired:
        raise InvalidState("expired_state") from None
    except signing.BadSignature:
        raise InvalidState("invalid_state") from None
    if not (
        isinstance(payload, dict) and isinstance(payload.get("u"), str) and isinstance(payload.get("n"), str)
    ):
        raise InvalidState("invalid_state")
    with transaction.atomic():
        pending = (
            OAuthState.objects.select_for_update()
            .filter(nonce=payload["n"], user_id=payload["u"], user__is_active=True)
            .first()
        )
        if pending is None:
            raise InvalidState("invalid_state")
        code_verifier = pending.code_verifier
        pending.delete()
    return payload["u"], code_verifier


def oauth_states_purge() -> int:
    """Removes states older than their lifetime (abandoned consents)."""
    limit = timezone.now() - timedelta(seconds=settings.GOOGLE_OAUTH_STATE_MAX_AGE)
    removed, _ = OAuthState.objects.filter(created_at__lt=limit).delete()
    return removed

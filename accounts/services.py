"""Account writes: registration, tokens, verification, password reset and change, profile."""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.addresses import InvalidEmailAddress, email_key, email_normalize
from accounts.authentication import FAMILY_CLAIM, GENERATION_CLAIM
from accounts.models import OneTimeToken, RefreshSession, TokenFamily, User
from accounts.preferences import merge_preferences
from accounts.signals import timezone_changed
from accounts.tasks import (
    send_password_changed_email_task,
    send_password_reset_email_task,
    send_verification_email_task,
)
from accounts.tokens import INVALID_TOKEN_MESSAGE, one_time_token_consume
from config.errors import Conflict, Unauthenticated
from outbox.services import outbox_enqueue

logger = logging.getLogger(__name__)


class CurrentPasswordIncorrect(ValidationError):
    """A wrong ``current_password``: the view counts it like a failed login (SPEC §3)."""


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    token_type: str = "Bearer"  # noqa: S105 - the OAuth token type, not a secret

    @property
    def expires_in(self) -> int:
        return int(settings.ACCESS_TOKEN_LIFETIME.total_seconds())


# --- tokens -------------------------------------------------------------------------------


def _issue_token_pair(*, user: User, family: TokenFamily | None = None) -> TokenPair:
    """A refresh token (and its access token) in ``family``, or in a new one: a new login."""
    if family is None:
        family = TokenFamily.objects.create(user=user)
    refresh = RefreshToken.for_user(user)
    refresh["email"] = user.email
    refresh[GENERATION_CLAIM] = user.token_generation
    refresh[FAMILY_CLAIM] = str(family.pk)
    RefreshSession.objects.create(
        jti=refresh["jti"],
        user=user,
        family=family,
        expires_at=datetime.fromtimestamp(refresh["exp"], tz=UTC),
    )
    return TokenPair(access_token=str(refresh.access_token), refresh_token=str(refresh))


def _claim_refresh_session(*, raw_token: str) -> tuple[RefreshSession | None, str]:
    """The live session of a refresh token, row-locked, or None and why it is refused. A token
    rotated longer than ``REFRESH_REUSE_GRACE_SECONDS`` ago is taken for a stolen copy: its
    whole family is revoked here, so call inside a transaction that commits even then."""
    try:
        token = RefreshToken(raw_token)  # type: ignore[arg-type]
    except TokenError:
        return None, "Refresh token is invalid or expired."
    session = (
        RefreshSession.objects.select_for_update(of=("self",))
        .select_related("user", "family")
        .filter(jti=token.get("jti", ""))
        .first()
    )
    if session is None or session.ended_at is not None:
        if session is not None and session.family is not None and _is_reuse_after_grace(session):
            _family_revoke(family=session.family)
        return None, "Refresh token has been used or revoked."
    user = session.user
    if not user.is_active or token.get(GENERATION_CLAIM) != user.token_generation:
        return None, "Refresh token has been revoked."
    return session, ""


def _is_reuse_after_grace(session: RefreshSession) -> bool:
    if session.rotated_at is None or session.family is None or session.family.revoked_at is not None:
        return False
    grace = timedelta(seconds=settings.REFRESH_REUSE_GRACE_SECONDS)
    return timezone.now() - session.rotated_at > grace


def _family_revoke(*, family: TokenFamily) -> None:
    """Every access and refresh token of the login stops working."""
    now = timezone.now()
    TokenFamily.objects.filter(pk=family.pk).update(revoked_at=now)
    RefreshSession.objects.filter(family=family, ended_at__isnull=True).update(ended_at=now)
    logger.warning(
        "refresh token reused after rotation: login revoked user_id=%s family_id=%s",
        family.user_id,
        family.pk,
    )


def user_login(*, email: str, password: str, client_ip: str) -> TokenPair:
    user = authenticate(username=email, password=password)
    if user is None:
        logger.info("login failed email=%s ip=%s", email, client_ip)
        raise Unauthenticated("Invalid e-mail or password.", code="not_authenticated")
    logger.info("login succeeded email=%s ip=%s user_id=%s", email, client_ip, user.pk)
    return _issue_token_pair(user=user)  # type: ignore[arg-type]


def token_refresh(*, refresh_token: str) -> TokenPair:
    """Rotates the refresh token: the one sent ends, a new one of the same login is issued."""
    with transaction.atomic():
        session, refusal = _claim_refresh_session(raw_token=refresh_token)
        if session is not None:
            session.ended_at = session.rotated_at = timezone.now()
            session.save(update_fields=["ended_at", "rotated_at"])
            return _issue_token_pair(user=session.user, family=session.family)
    raise Unauthenticated(refusal)


def user_logout(*, refresh_token: str) -> None:
    with transaction.atomic():
        session, refusal = _claim_refresh_session(raw_token=refresh_token)
        if session is not None:
            session.ended_at = timezone.now()
            session.save(update_fields=["ended_at"])
            return
    raise Unauthenticated(refusal)


def _end_all_sessions(*, user: User) -> None:
    """Every access and refresh token issued so far stops working."""
    User.objects.filter(pk=user.pk).update(token_generation=F("token_generation") + 1)
    user.refresh_from_db(fields=["token_generation"])
    RefreshSession.objects.filter(user=user, ended_at__isnull=True).update(ended_at=timezone.now())


# --- registration and e-mail verification -------------------------------------------------


def _check_password(*, password: str, user: User, field: str) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None


def _check_identity_free(*, email: str | None, username: str, exclude: User | None = None) -> None:
    """Conflict naming the field(s) another user holds; ``email`` in canonical form."""
    query = Q(username__lower=username.lower())
    if email is not None:
        query |= Q(email__lower=email.lower())
    taken = User.objects.filter(query)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    errors: dict[str, list[str]] = {}
    for other in taken.only("email", "username"):
        if email is not None and email_key(other.email) == email.lower():
            errors["email"] = ["A user with this e-mail already exists."]
        if other.username.lower() == username.lower():
            errors["username"] = ["A user with this username already exists."]
    if errors:
        raise Conflict("E-mail or username already taken.", errors=errors)


def _save_identity(*, user: User, update_fields: list[str] | None = None) -> None:
    """Saves a new user (or a renamed one, with ``update_fields``); a clash only the unique
    indexes saw (a concurrent registration) is the same 409 as one found before, never a 500."""
    try:
        with transaction.atomic():
            user.save(update_fields=update_fields)
    except IntegrityError:
        if update_fields is None:
            _check_identity_free(email=user.email, username=user.username)
        else:
            _check_identity_free(email=None, username=user.username, exclude=user)
        raise Conflict("E-mail or username already taken.") from None


def user_register(*, email: str, username: str, password: str) -> User:
    try:
        email = email_normalize(email)
    except InvalidEmailAddress as exc:
        raise ValidationError({"email": [str(exc)]}) from None
    user = User(email=email, username=username)
    _check_password(password=password, user=user, field="password")
    _check_identity_free(email=email, username=username)
    user.set_password(password)
    with transaction.atomic():
        _save_identity(user=user)
        outbox_enqueue(send_verification_email_task, str(user.pk))
    logger.info("user registered user_id=%s", user.pk)
    return user


def verification_email_resend(*, user: User) -> None:
    if user.email_verified:
        raise ValidationError({"email": ["This e-mail address is already verified."]})
    outbox_enqueue(send_verification_email_task, str(user.pk))


@transaction.atomic
def email_verify(*, raw_token: str) -> User:
    token = one_time_token_consume(raw_token=raw_token, purpose=OneTimeToken.Purpose.VERIFY_EMAIL)
    user = token.user
    if user.email_verified is False:
        user.email_verified = True
        user.save(update_fields=["email_verified", "updated_at"])
    logger.info("email verified user_id=%s", user.pk)
    return user


# --- passwords ----------------------------------------------------------------------------


def password_reset_request(*, email: str) -> None:
    """Queues the reset job for any address, known or not: the request does the same work
    for both (no lookup, no hashing), and the job finds the account (SPEC §3)."""
    outbox_enqueue(send_password_reset_email_task, email.strip())
    logger.info("password reset requested")


def _set_password(*, user: User, new_password: str) -> None:
    user.set_password(new_password)
    user.save(update_fields=["password", "updated_at"])
    _end_all_sessions(user=user)
    OneTimeToken.objects.filter(
        user=user, purpose=OneTimeToken.Purpose.RESET_PASSWORD, used_at__isnull=True
    ).update(used_at=timezone.now())
    outbox_enqueue(send_password_changed_email_task, str(user.pk))


def _end_grants_of_other_apps(*, user: User) -> None:
    """A reset also ends what other apps granted (the Google link, later feeds and tokens):
    each names a function in ``ACCOUNTS_PASSWORD_RESET_HOOKS``, called in the reset's
    transaction, so accounts imports none of them."""
    for path in settings.ACCOUNTS_PASSWORD_RESET_HOOKS:
        import_string(path)(user_id=user.pk)


@transaction.atomic
def password_reset_confirm(*, raw_token: str, new_password: str) -> User:
    token = one_time_token_consume(raw_token=raw_token, purpose=OneTimeToken.Purpose.RESET_PASSWORD)
    user = token.user
    if not user.is_active:
        raise ValidationError({"token": [INVALID_TOKEN_MESSAGE]})
    _check_password(password=new_password, user=user, field="new_password")
    _set_password(user=user, new_password=new_password)
    _end_grants_of_other_apps(user=user)
    logger.info("password reset user_id=%s", user.pk)
    return user


@transaction.atomic
def password_change(*, user: User, current_password: str, new_password: str) -> TokenPair:
    """Changes the password, ends every other session and returns a fresh token pair."""
    if not user.check_password(current_password):
        raise CurrentPasswordIncorrect({"current_password": ["Current password is incorrect."]})
    _check_password(password=new_password, user=user, field="new_password")
    _set_password(user=user, new_password=new_password)
    logger.info("password changed user_id=%s", user.pk)
    return _issue_token_pair(user=user)


# --- profile and administration -----------------------------------------------------------


def user_update(*, user: User, username: str) -> User:
    if username != user.username:
        _check_identity_free(email=None, username=username, exclude=user)
        user.username = username
        _save_identity(user=user, update_fields=["username", "updated_at"])
    return user


def user_preferences_update(*, user: User, changes: dict[str, Any]) -> dict[str, Any]:
    """Merges ``changes`` into the stored preferences. A new time zone is announced
    (``accounts.signals.timezone_changed``) within the same transaction: the due moments of the
    user's all-day tasks move with it, or nothing changes."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        old_zone = merge_preferences(locked.preferences, {})["timezone"]
        locked.preferences = merge_preferences(locked.preferences, changes)
        locked.save(update_fields=["preferences", "updated_at"])
        if locked.preferences["timezone"] != old_zone:
            timezone_changed.send(sender=User, user=locked, old=old_zone, new=locked.preferences["timezone"])
            logger.info(
                "user time zone changed user_id=%s from=%s to=%s",
                locked.pk,
                old_zone,
                locked.preferences["timezone"],
            )
    user.preferences = locked.preferences
    return locked.preferences


@transaction.atomic
def user_set_active(*, user: User, active: bool) -> None:
    """Activates or deactivates a user; deactivation ends every session at once."""
    user.is_active = active
    user.save(update_fields=["is_active", "updated_at"])
    if not active:
        _end_all_sessions(user=user)
    logger.info("user %s user_id=%s", "activated" if active else "deactivated", user.pk)

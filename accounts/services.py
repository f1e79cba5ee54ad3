"""Account writes: registration, tokens, verification, password reset and change, profile."""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.authentication import GENERATION_CLAIM
from accounts.models import OneTimeToken, RefreshSession, User
from accounts.preferences import merge_preferences
from accounts.tasks import (
    send_password_changed_email_task,
    send_password_reset_email_task,
    send_verification_email_task,
)
from accounts.tokens import INVALID_TOKEN_MESSAGE, one_time_token_consume
from config.api.errors import AuthenticationError, ConflictError
from outbox.services import outbox_enqueue

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    token_type: str = "Bearer"  # noqa: S105 - the OAuth token type, not a secret

    @property
    def expires_in(self) -> int:
        return int(settings.ACCESS_TOKEN_LIFETIME.total_seconds())


# --- tokens -------------------------------------------------------------------------------


def _issue_token_pair(*, user: User) -> TokenPair:
    refresh = RefreshToken.for_user(user)
    refresh["email"] = user.email
    refresh[GENERATION_CLAIM] = user.token_generation
    RefreshSession.objects.create(
        jti=refresh["jti"],
        user=user,
        expires_at=datetime.fromtimestamp(refresh["exp"], tz=UTC),
    )
    return TokenPair(access_token=str(refresh.access_token), refresh_token=str(refresh))


def _locked_refresh_session(*, raw_token: str) -> RefreshSession:
    """The live session of a refresh token, row-locked; 401 for anything else."""
    try:
        token = RefreshToken(raw_token)  # type: ignore[arg-type]
    except TokenError:
        raise AuthenticationError("Refresh token is invalid or expired.") from None
    session = (
        RefreshSession.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(jti=token.get("jti", ""))
        .first()
    )
    if session is None or session.ended_at is not None:
        raise AuthenticationError("Refresh token has been used or revoked.")
    user = session.user
    if not user.is_active or token.get(GENERATION_CLAIM) != user.token_generation:
        raise AuthenticationError("Refresh token has been revoked.")
    return session


def user_login(*, email: str, password: str, client_ip: str) -> TokenPair:
    user = authenticate(username=email, password=password)
    if user is None:
        logger.info("login failed email=%s ip=%s", email, client_ip)
        raise AuthenticationError("Invalid e-mail or password.", code="not_authenticated")
    logger.info("login succeeded email=%s ip=%s user_id=%s", email, client_ip, user.pk)
    return _issue_token_pair(user=user)  # type: ignore[arg-type]


@transaction.atomic
def token_refresh(*, refresh_token: str) -> TokenPair:
    session = _locked_refresh_session(raw_token=refresh_token)
    session.ended_at = timezone.now()
    session.save(update_fields=["ended_at"])
    return _issue_token_pair(user=session.user)


@transaction.atomic
def user_logout(*, refresh_token: str) -> None:
    session = _locked_refresh_session(raw_token=refresh_token)
    session.ended_at = timezone.now()
    session.save(update_fields=["ended_at"])


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
    query = Q(username__lower=username.lower())
    if email is not None:
        query |= Q(email__lower=email.lower())
    taken = User.objects.filter(query)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    errors: dict[str, list[str]] = {}
    for other in taken.only("email", "username"):
        if email is not None and other.email.lower() == email.lower():
            errors["email"] = ["A user with this e-mail already exists."]
        if other.username.lower() == username.lower():
            errors["username"] = ["A user with this username already exists."]
    if errors:
        raise ConflictError("E-mail or username already taken.", errors=errors)


def user_register(*, email: str, username: str, password: str) -> User:
    email = User.objects.normalize_email(email.strip())
    user = User(email=email, username=username)
    _check_password(password=password, user=user, field="password")
    _check_identity_free(email=email, username=username)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            outbox_enqueue(send_verification_email_task, str(user.pk))
    except IntegrityError:
        # A concurrent registration won the race for the same e-mail or username.
        _check_identity_free(email=email, username=username)
        raise
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
    """Queues a reset e-mail for an active account; says nothing about unknown e-mails."""
    user = User.objects.filter(email__lower=email.strip().lower(), is_active=True).first()
    if user is None:
        logger.info("password reset requested for an unknown e-mail")
        return
    logger.info("password reset requested user_id=%s", user.pk)
    outbox_enqueue(send_password_reset_email_task, str(user.pk))


def _set_password(*, user: User, new_password: str) -> None:
    user.set_password(new_password)
    user.save(update_fields=["password", "updated_at"])
    _end_all_sessions(user=user)
    OneTimeToken.objects.filter(
        user=user, purpose=OneTimeToken.Purpose.RESET_PASSWORD, used_at__isnull=True
    ).update(used_at=timezone.now())
    outbox_enqueue(send_password_changed_email_task, str(user.pk))


@transaction.atomic
def password_reset_confirm(*, raw_token: str, new_password: str) -> User:
    token = one_time_token_consume(raw_token=raw_token, purpose=OneTimeToken.Purpose.RESET_PASSWORD)
    user = token.user
    if not user.is_active:
        raise ValidationError({"token": [INVALID_TOKEN_MESSAGE]})
    _check_password(password=new_password, user=user, field="new_password")
    _set_password(user=user, new_password=new_password)
    logger.info("password reset user_id=%s", user.pk)
    return user


@transaction.atomic
def password_change(*, user: User, current_password: str, new_password: str) -> TokenPair:
    """Changes the password, ends every other session and returns a fresh token pair."""
    if not user.check_password(current_password):
        raise ValidationError({"current_password": ["Current password is incorrect."]})
    _check_password(password=new_password, user=user, field="new_password")
    _set_password(user=user, new_password=new_password)
    logger.info("password changed user_id=%s", user.pk)
    return _issue_token_pair(user=user)


# --- profile and administration -----------------------------------------------------------


def user_update(*, user: User, username: str) -> User:
    if username != user.username:
        _check_identity_free(email=None, username=username, exclude=user)
        user.username = username
        try:
            with transaction.atomic():
                user.save(update_fields=["username", "updated_at"])
        except IntegrityError:
            _check_identity_free(email=None, username=username, exclude=user)
            raise
    return user


def user_preferences_update(*, user: User, changes: dict[str, Any]) -> dict[str, Any]:
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.preferences = merge_preferences(locked.preferences, changes)
        locked.save(update_fields=["preferences", "updated_at"])
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

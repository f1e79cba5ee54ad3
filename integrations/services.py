"""Connecting and disconnecting Google Calendar, and receiving Google's push notifications.
The sync itself lives in ``integrations.sync``."""

import hmac
import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from config.errors import Forbidden, Unavailable
from integrations.google import client
from integrations.models import EventMapping, GoogleIntegration, IntegrationStatus
from integrations.oauth_states import InvalidState, oauth_state_consume, oauth_state_sign, oauth_state_store
from integrations.sync import integration_release
from integrations.tasks import (
    release_google_link_task,
    start_google_calendar_task,
    sync_user_calendar_task,
)
from outbox.services import outbox_enqueue

logger = logging.getLogger(__name__)

# A sync queued by a notification longer ago than this and still not started counts as lost
# (its message dropped by the broker): the next notification queues another. The beat's sync
# every 5 minutes clears the mark anyway.
SYNC_REQUEST_STALE_AFTER = timedelta(minutes=10)
# X-Goog-Message-Number is stored in a bigint.
MESSAGE_NUMBER_MAX = 2**63 - 1


class EmailNotVerified(Forbidden):
    """403 ``email_not_verified``: connecting Google needs a verified address (SPEC §8)."""

    default_message = "Verify your e-mail address before connecting Google Calendar."
    code = "email_not_verified"


class OAuthCallbackError(Exception):
    """The callback connects nothing; ``reason`` goes to the front end."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _require_configuration() -> None:
    if not (settings.GOOGLE_CLIENT_ID and settings.GOOGLE_CLIENT_SECRET and settings.GOOGLE_REDIRECT_URI):
        raise Unavailable("Google Calendar is not configured on this server.")


def google_authorization_start(*, user: User) -> str:
    """The consent URL; the PKCE code verifier stays server-side until the callback. The
    caller's address must be verified (EmailNotVerified)."""
    if not user.email_verified:
        raise EmailNotVerified()
    _require_configuration()
    state, nonce = oauth_state_sign(user=user)
    url, code_verifier = client.authorization_url(state=state)
    oauth_state_store(user=user, nonce=nonce, code_verifier=code_verifier)
    logger.info("google authorization started user_id=%s", user.pk)
    return url


def google_connect_from_callback(*, code: str, state: str, error: str = "") -> GoogleIntegration:
    """Exchanges the code for tokens and stores them encrypted. The state is consumed first,
    so it never works twice, whatever happens next."""
    if not state:
        raise OAuthCallbackError("invalid_state")
    try:
        user_id, code_verifier = oauth_state_consume(state=state)
    except InvalidState as exc:
        raise OAuthCallbackError(exc.reason) from None
    if error:
        raise OAuthCallbackError("access_denied" if error == "access_denied" else "google_error")
    if not code:
        raise OAuthCallbackError("missing_code")
    try:
        tokens = client.exchange_code(code=code, state=state, code_verifier=code_verifier, user_id=user_id)
    except client.GoogleApiError as exc:
        logger.warning("google code exchange failed user_id=%s error=%s", user_id, exc.reason)
        # The user may untick the calendar permission on Google's consent screen.
        raise OAuthCallbackError(
            "scope_denied" if exc.reason == "scope_changed" else "token_exchange_failed"
        ) from None
    if not tokens.refresh_token:
        raise OAuthCallbackError("no_refresh_token")
    try:
        account = client.account_from_id_token(id_token=tokens.id_token)
    except client.InvalidIdToken as exc:
        logger.warning("google id token refused user_id=%s error=%s", user_id, exc)
        raise OAuthCallbackError("id_token_invalid") from None
    if not account.email_verified:
        raise OAuthCallbackError("google_email_unverified")
    email = account.email
    with transaction.atomic():
        integration, _ = GoogleIntegration.objects.select_for_update().get_or_create(user_id=user_id)
        if integration.google_email and integration.google_email != email:
            # Another Google account: the old account's events are not this calendar's.
            EventMapping.objects.filter(user_id=user_id).delete()
            integration.sync_token = ""
        integration.status = IntegrationStatus.CONNECTED
        integration.google_email = email
        integration.access_token = tokens.access_token
        integration.refresh_token = tokens.refresh_token
        integration.token_expiry = tokens.expiry
        integration.scopes = tokens.scopes
        integration.last_error = ""
        integration.connected_at = timezone.now()
        integration.save()
        outbox_enqueue(start_google_calendar_task, user_id)
    logger.info("google calendar connected user_id=%s", user_id)
    return integration


def _integration_mark_disconnected(*, user_id: Any) -> bool:
    """From the commit on, no sync runs and the webhook refuses the channel; the grant and the
    channel are still held, for ``integration_release`` to end at Google."""
    marked = GoogleIntegration.objects.filter(user_id=user_id).update(
        status=IntegrationStatus.DISCONNECTED, last_error="", updated_at=timezone.now()
    )
    return marked > 0


def google_disconnect(*, user: User) -> None:
    """DELETE disconnect: marks the integration disconnected, then at once revokes the grant
    and stops the push channel (best effort: a Google outage does not keep the user
    connected) and forgets tokens, channel, sync state and mappings. The events already in
    the calendar stay there."""
    if _integration_mark_disconnected(user_id=user.pk):
        integration_release(user_id=user.pk)
        logger.info("google calendar disconnected user_id=%s", user.pk)


def google_link_end(*, user_id: Any) -> None:
    """A password reset ends the Google link (SPEC §3), disconnected as DELETE disconnect
    does. Called inside the reset's transaction, it makes no call to Google: it marks the
    integration disconnected (from the commit on, no sync runs and the webhook refuses the
    channel) and queues, through the outbox, the job that revokes the grant, stops the
    channel and forgets tokens and mappings after the commit. No integration: nothing."""
    if _integration_mark_disconnected(user_id=user_id):
        outbox_enqueue(release_google_link_task, str(user_id))
        logger.info("google link ended, release queued user_id=%s", user_id)


def _message_number(header: str) -> int | None:
    """X-Goog-Message-Number, or None when it is missing or not a number we can store."""
    value = header.strip()
    if not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if number <= MESSAGE_NUMBER_MAX else None


def google_webhook_receive(
    *, channel_id: str, channel_token: str, resource_state: str, message_number: str = ""
) -> Any:
    """A push notification: the channel id must be a live channel and the token its token
    (compared in constant time), else Forbidden. Google's first "sync" message only
    confirms the channel. A message number at or below the highest one accepted on the
    channel is a replay and triggers nothing. Otherwise a sync is queued after commit unless
    one is queued already (not yet started): a burst of notifications queues one sync, and
    one more while a sync runs. Both checks are conditional UPDATEs, safe under concurrent
    deliveries."""
    if not channel_id or not channel_token:
        raise Forbidden("Unknown channel.")
    integration = GoogleIntegration.objects.filter(
        channel_id=channel_id, status=IntegrationStatus.CONNECTED
    ).first()
    if integration is None or not hmac.compare_digest(
        integration.channel_token.encode(), channel_token.encode()
    ):
        logger.warning("webhook refused channel_id=%s", channel_id[:64])
        raise Forbidden("Unknown channel or wrong token.")
    user_id = str(integration.user_id)
    number = _message_number(message_number)
    # The channel as it was checked: a renewal or a disconnect in between matches no row.
    live = GoogleIntegration.objects.filter(
        pk=integration.pk, channel_id=channel_id, status=IntegrationStatus.CONNECTED
    )
    queued = False
    with transaction.atomic():
        if number is not None and not _message_number_advance(live, number):
            logger.info("webhook replay ignored user_id=%s message_number=%s", user_id, number)
            return integration.user_id
        if resource_state != "sync" and _sync_request(live):
            outbox_enqueue(sync_user_calendar_task, user_id)
            queued = True
    logger.info(
        "webhook accepted user_id=%s state=%s message_number=%s sync_queued=%s",
        user_id, resource_state[:32], number, queued,
    )  # fmt: skip
    return integration.user_id


def _message_number_advance(live: QuerySet[GoogleIntegration], number: int) -> bool:
    """Records ``number`` as the channel's highest; False when it is not higher (a replay)."""
    newer = Q(channel_message_number__isnull=True) | Q(channel_message_number__lt=number)
    return live.filter(newer).update(channel_message_number=number) > 0


def _sync_request(live: QuerySet[GoogleIntegration]) -> bool:
    """Marks a sync as queued; False when one is queued already (and not lost)."""
    now = timezone.now()
    not_queued = Q(sync_requested_at__isnull=True) | Q(sync_requested_at__lt=now - SYNC_REQUEST_STALE_AFTER)
    return live.filter(not_queued).update(sync_requested_at=now) > 0

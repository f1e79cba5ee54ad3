"""Connecting and disconnecting Google Calendar, and receiving Google's push notifications.
The sync itself lives in ``integrations.sync``."""

import hmac
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from config.api.errors import ServiceUnavailable
from integrations.google import client
from integrations.models import EventMapping, GoogleIntegration, IntegrationStatus
from integrations.oauth_states import InvalidState, oauth_state_consume, oauth_state_sign, oauth_state_store
from integrations.sync import client_for, user_sync_lock
from integrations.tasks import start_google_calendar_task, sync_user_calendar_task
from outbox.services import outbox_enqueue

logger = logging.getLogger(__name__)


class OAuthCallbackError(Exception):
    """The callback connects nothing; ``reason`` goes to the front end."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _require_configuration() -> None:
    if not (settings.GOOGLE_CLIENT_ID and settings.GOOGLE_CLIENT_SECRET and settings.GOOGLE_REDIRECT_URI):
        raise ServiceUnavailable("Google Calendar is not configured on this server.")


def google_authorization_start(*, user: User) -> str:
    """The consent URL; the PKCE code verifier stays server-side until the callback."""
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
        email = client.fetch_email(access_token=tokens.access_token, user_id=user_id)
    except (client.GoogleError, OSError, ValueError) as exc:
        logger.warning("google userinfo failed user_id=%s error=%s", user_id, type(exc).__name__)
        raise OAuthCallbackError("userinfo_failed") from None
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


def google_disconnect(*, user: User) -> None:
    """Revokes the grant and stops the push channel (best effort: a Google outage does not
    keep the user connected), then forgets tokens, channel, sync state and mappings. The
    events already in the calendar stay there."""
    with user_sync_lock(user.pk):
        integration = GoogleIntegration.objects.filter(user=user).first()
        if integration is None:
            return
        if integration.connected:
            _release_at_google(integration)
        with transaction.atomic():
            EventMapping.objects.filter(user=user).delete()
            integration.status = IntegrationStatus.DISCONNECTED
            integration.access_token = ""
            integration.refresh_token = ""
            integration.token_expiry = None
            integration.sync_token = ""
            integration.last_error = ""
            integration.channel_id = ""
            integration.channel_token = ""
            integration.channel_resource_id = ""
            integration.channel_expiration = None
            integration.save()
    logger.info("google calendar disconnected user_id=%s", user.pk)


def _release_at_google(integration: GoogleIntegration) -> None:
    if integration.channel_id:
        try:
            client_for(integration).stop_channel(
                channel_id=integration.channel_id, resource_id=integration.channel_resource_id
            )
        except client.GoogleError as exc:
            logger.warning("channel stop failed at disconnect user_id=%s error=%s", integration.user_id, exc)
    token = integration.refresh_token or integration.access_token
    if token:
        try:
            client.revoke_token(token=token, user_id=integration.user_id)
        except client.GoogleError as exc:
            logger.warning("token revoke failed at disconnect user_id=%s error=%s", integration.user_id, exc)


def google_webhook_receive(*, channel_id: str, channel_token: str, resource_state: str) -> Any:
    """A push notification: the channel id must be a live channel and the token its token
    (compared in constant time), else PermissionDenied. Schedules a sync after commit;
    Google's first "sync" message only confirms the channel."""
    if not channel_id or not channel_token:
        raise PermissionDenied("Unknown channel.")
    integration = GoogleIntegration.objects.filter(
        channel_id=channel_id, status=IntegrationStatus.CONNECTED
    ).first()
    if integration is None or not hmac.compare_digest(
        integration.channel_token.encode(), channel_token.encode()
    ):
        logger.warning("webhook refused channel_id=%s", channel_id[:64])
        raise PermissionDenied("Unknown channel or wrong token.")
    user_id = str(integration.user_id)
    if resource_state != "sync":
        outbox_enqueue(sync_user_calendar_task, user_id)
    logger.info("webhook accepted user_id=%s state=%s", user_id, resource_state[:32])
    return integration.user_id

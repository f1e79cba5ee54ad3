"""Google through its own client libraries: google-auth-oauthlib's ``Flow`` for the consent
and the code exchange (PKCE), google-auth for the ID token's claims and for refreshes,
google-api-python-client for Calendar v3, plain ``requests`` for revoke. Every endpoint comes
from settings (SPEC §10), so tests point them all at a fake Google on 127.0.0.1; the Google
account's e-mail comes from the ID token, so no userinfo endpoint is needed.

Every call is logged with the user id and, where there is one, the task id; tokens never are.
Rate-limit (429, 403 rateLimitExceeded/userRateLimitExceeded), 5xx and network failures are
retried here with exponential backoff and jitter; what is still failing after
``GOOGLE_RETRY_ATTEMPTS`` becomes ``GoogleTransientError``: recorded, and left to the next run."""

import json
import logging
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import google.auth.jwt
import google.auth.transport.requests
import google_auth_httplib2
import httplib2
import requests
from django.conf import settings
from django.utils import timezone
from google.auth.exceptions import GoogleAuthError, RefreshError, TransportError
from google.oauth2.credentials import Credentials
from google_auth_oauthlib.flow import Flow
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError
from oauthlib.oauth2.rfc6749.errors import OAuth2Error

logger = logging.getLogger(__name__)

SCOPES = [
    "openid",
    "https://www.googleapis.com/auth/userinfo.email",
    "https://www.googleapis.com/auth/calendar.events",
]
RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
# The ``iss`` of Google's ID tokens (Google documents both spellings).
ID_TOKEN_ISSUERS = frozenset({"https://accounts.google.com", "accounts.google.com"})
# The longest address GoogleIntegration.google_email holds.
EMAIL_MAX_LENGTH = 254

T = TypeVar("T")


class GoogleError(Exception):
    """Base of every failure talking to Google."""


class GrantRevoked(GoogleError):
    """The refresh token was refused (invalid_grant): the user must connect again."""


class GoogleTransientError(GoogleError):
    """Still failing after every retry (rate limit, 5xx, network): try again later."""


class GoogleApiError(GoogleError):
    """A refusal that a retry will not change (400, 403 forbidden, 404, 409, 410, ...)."""

    def __init__(self, status: int, reason: str, message: str = "") -> None:
        super().__init__(f"Google answered {status} {reason} {message}".strip())
        self.status = status
        self.reason = reason


class InvalidIdToken(GoogleError):
    """The token endpoint's ID token is missing, malformed, or not Google's token for us."""


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    refresh_token: str
    expiry: datetime | None
    scopes: str = ""
    # Only from the code exchange (the openid scope): names the Google account.
    id_token: str = ""


@dataclass(frozen=True)
class GoogleAccount:
    email: str
    email_verified: bool


# --- OAuth --------------------------------------------------------------------------------


def _client_config() -> dict[str, Any]:
    return {
        "web": {
            "client_id": settings.GOOGLE_CLIENT_ID,
            "client_secret": settings.GOOGLE_CLIENT_SECRET,
            "auth_uri": settings.GOOGLE_AUTH_URI,
            "token_uri": settings.GOOGLE_TOKEN_URI,
            "redirect_uris": [settings.GOOGLE_REDIRECT_URI],
        }
    }


def _flow(**kwargs: Any) -> Flow:
    return Flow.from_client_config(
        _client_config(), scopes=SCOPES, redirect_uri=settings.GOOGLE_REDIRECT_URI, **kwargs
    )


def authorization_url(*, state: str) -> tuple[str, str]:
    """The consent URL (offline access, consent prompt so Google sends a refresh token every
    time) and the PKCE code verifier to keep until the callback."""
    flow = _flow(state=state)
    url, _ = flow.authorization_url(prompt="consent", include_granted_scopes="true")
    return url, str(flow.code_verifier)


def _aware(expiry: datetime | None) -> datetime | None:
    """google-auth keeps naive UTC datetimes."""
    return expiry.replace(tzinfo=UTC) if expiry is not None and expiry.tzinfo is None else expiry


def exchange_code(*, code: str, state: str, code_verifier: str, user_id: Any) -> TokenSet:
    flow = _flow(state=state, code_verifier=code_verifier)
    logger.info("google call op=oauth.token user_id=%s", user_id)
    try:
        response = flow.fetch_token(code=code)
    except Warning as exc:
        # oauthlib warns (raises) when Google granted other scopes than asked for.
        raise GoogleApiError(400, "scope_changed", str(exc)) from None
    except (OAuth2Error, requests.RequestException, ValueError) as exc:
        raise GoogleApiError(400, getattr(exc, "error", "") or type(exc).__name__) from None
    credentials = flow.credentials
    id_token = response.get("id_token")
    return TokenSet(
        access_token=credentials.token,
        refresh_token=credentials.refresh_token or "",
        expiry=_aware(credentials.expiry),
        scopes=" ".join(credentials.granted_scopes or SCOPES),
        id_token=id_token if isinstance(id_token, str) else "",
    )


def account_from_id_token(*, id_token: str) -> GoogleAccount:
    """The Google account that consented, from the ID token the token endpoint returned with
    the access token. Received directly from the token endpoint over TLS, its signature needs
    no check against Google's keys (OpenID Connect Core §3.1.3.7); its claims do: Google is
    the issuer, our client id the audience, and it has not expired."""
    if not id_token:
        raise InvalidIdToken("no id_token in the token response")
    try:
        claims = google.auth.jwt.decode(id_token, verify=False)  # type: ignore[no-untyped-call]
    except (ValueError, GoogleAuthError) as exc:
        raise InvalidIdToken(f"malformed id_token: {type(exc).__name__}") from None
    if claims.get("iss") not in ID_TOKEN_ISSUERS:
        raise InvalidIdToken("id_token not issued by Google")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    # With more than one audience, the authorized party must be us (OpenID Connect Core §3.1.3.7).
    if settings.GOOGLE_CLIENT_ID not in audiences or (
        len(audiences) > 1 and claims.get("azp") != settings.GOOGLE_CLIENT_ID
    ):
        raise InvalidIdToken("id_token issued to another client")
    expiry = claims.get("exp")
    if not isinstance(expiry, int | float) or isinstance(expiry, bool):
        raise InvalidIdToken("id_token without an expiry")
    if expiry <= timezone.now().timestamp():
        raise InvalidIdToken("id_token expired")
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email or len(email) > EMAIL_MAX_LENGTH:
        raise InvalidIdToken("id_token without an e-mail address")
    verified = claims.get("email_verified")
    return GoogleAccount(email=email, email_verified=verified is True or verified == "true")


def revoke_token(*, token: str, user_id: Any) -> None:
    """Revokes the grant (a refresh token revokes the access tokens made from it too).
    A token Google no longer knows (400) counts as revoked."""
    logger.info("google call op=oauth.revoke user_id=%s", user_id)
    try:
        # In the form body, not the query string: URLs end up in access and debug logs.
        response = requests.post(
            settings.GOOGLE_REVOKE_URI, data={"token": token}, timeout=settings.GOOGLE_HTTP_TIMEOUT
        )
    except requests.RequestException as exc:
        raise GoogleTransientError(f"revoke failed: {type(exc).__name__}") from None
    if response.status_code >= 500:
        raise GoogleTransientError(f"revoke answered {response.status_code}")


def _credentials(tokens: TokenSet) -> Credentials:
    expiry = tokens.expiry.astimezone(UTC).replace(tzinfo=None) if tokens.expiry else None
    return Credentials(  # type: ignore[no-untyped-call]
        token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        token_uri=settings.GOOGLE_TOKEN_URI,
        client_id=settings.GOOGLE_CLIENT_ID,
        client_secret=settings.GOOGLE_CLIENT_SECRET,
        scopes=SCOPES,
        expiry=expiry,
    )


def _refresh_error(exc: RefreshError) -> GoogleError:
    if "invalid_grant" in str(exc):
        return GrantRevoked("invalid_grant: the grant was revoked or expired")
    if getattr(exc, "retryable", False):
        return GoogleTransientError("token refresh failed, retryable")
    return GoogleApiError(400, "refresh_failed")


def refresh_if_needed(*, tokens: TokenSet, user_id: Any) -> TokenSet | None:
    """New tokens when the access token expires within ``GOOGLE_TOKEN_REFRESH_MARGIN``
    seconds (or its expiry is unknown), else None."""
    margin = timedelta(seconds=settings.GOOGLE_TOKEN_REFRESH_MARGIN)
    if tokens.access_token and tokens.expiry is not None and tokens.expiry - timezone.now() > margin:
        return None
    if not tokens.refresh_token:
        raise GrantRevoked("no refresh token")
    credentials = _credentials(tokens)
    logger.info("google call op=oauth.refresh user_id=%s", user_id)
    session = requests.Session()
    try:
        credentials.refresh(google.auth.transport.requests.Request(session))  # type: ignore[no-untyped-call]
    except RefreshError as exc:
        raise _refresh_error(exc) from None
    except TransportError:
        raise GoogleTransientError("token endpoint unreachable") from None
    finally:
        session.close()
    return TokenSet(
        access_token=str(credentials.token or ""),
        refresh_token=credentials.refresh_token or tokens.refresh_token,
        expiry=_aware(credentials.expiry),
        scopes=tokens.scopes,
    )


# --- Calendar v3 ----------------------------------------------------------------------------


def _reason(error: HttpError) -> str:
    try:
        body = json.loads(error.content)
        return str(body["error"]["errors"][0]["reason"])
    except (ValueError, KeyError, IndexError, TypeError):
        return ""


def _retryable(error: HttpError) -> bool:
    status = int(error.resp.status)
    return status == 429 or status >= 500 or (status == 403 and _reason(error) in RATE_LIMIT_REASONS)


def backoff_delay(attempt: int) -> float:
    """Exponential backoff with full jitter around it: base * 2**attempt * [0.5, 1.5)."""
    base = float(settings.GOOGLE_RETRY_BASE_DELAY) * (2**attempt)
    return base * (0.5 + random.random())  # noqa: S311 - jitter, not a secret


class CalendarClient:
    """Calendar v3 for one user, built once per sync run."""

    def __init__(self, *, tokens: TokenSet, user_id: Any, calendar_id: str = "primary") -> None:
        self.user_id = user_id
        self.calendar_id = calendar_id
        http = google_auth_httplib2.AuthorizedHttp(
            _credentials(tokens), http=httplib2.Http(timeout=settings.GOOGLE_HTTP_TIMEOUT)
        )
        self.service = build(
            "calendar",
            "v3",
            http=http,
            client_options={"api_endpoint": settings.GOOGLE_CALENDAR_API_URL.rstrip("/") + "/"},
            static_discovery=True,
            cache_discovery=False,
        )

    def _execute(self, op: str, make_request: Callable[[], Any], *, task_id: Any = None) -> Any:
        attempts = max(1, int(settings.GOOGLE_RETRY_ATTEMPTS))
        for attempt in range(attempts):
            try:
                result = make_request().execute(num_retries=0)
            except HttpError as error:
                status, reason = int(error.resp.status), _reason(error)
                logger.info(
                    "google call op=%s user_id=%s task_id=%s status=%s reason=%s attempt=%d",
                    op, self.user_id, task_id, status, reason, attempt + 1,
                )  # fmt: skip
                if not _retryable(error):
                    raise GoogleApiError(status, reason) from None
                failure = f"{status} {reason}".strip()
            except RefreshError as exc:
                raise _refresh_error(exc) from None
            except (OSError, httplib2.HttpLib2Error, TransportError) as exc:
                logger.info(
                    "google call op=%s user_id=%s task_id=%s error=%s attempt=%d",
                    op, self.user_id, task_id, type(exc).__name__, attempt + 1,
                )  # fmt: skip
                failure = type(exc).__name__
            else:
                logger.info(
                    "google call op=%s user_id=%s task_id=%s status=ok attempt=%d",
                    op, self.user_id, task_id, attempt + 1,
                )  # fmt: skip
                return result
            if attempt + 1 < attempts:
                time.sleep(backoff_delay(attempt))
        raise GoogleTransientError(f"{op} still failing after {attempts} attempts: {failure}")

    def insert_event(self, *, body: dict[str, Any], task_id: Any) -> dict[str, Any]:
        events = self.service.events()
        return self._execute(
            "events.insert", lambda: events.insert(calendarId=self.calendar_id, body=body), task_id=task_id
        )

    def patch_event(self, *, event_id: str, body: dict[str, Any], task_id: Any) -> dict[str, Any]:
        events = self.service.events()
        return self._execute(
            "events.patch",
            lambda: events.patch(calendarId=self.calendar_id, eventId=event_id, body=body),
            task_id=task_id,
        )

    def delete_event(self, *, event_id: str, task_id: Any) -> None:
        """Deleting an event that is already gone (404, 410) is a success."""
        events = self.service.events()
        try:
            self._execute(
                "events.delete",
                lambda: events.delete(calendarId=self.calendar_id, eventId=event_id),
                task_id=task_id,
            )
        except GoogleApiError as error:
            if error.status not in (404, 410):
                raise

    def list_events(self, *, sync_token: str) -> Iterator[tuple[list[dict[str, Any]], str]]:
        """Pages of changed events (all of them without a sync token), each with the next
        sync token ('' until the last page). A stale sync token raises GoogleApiError(410)."""
        events = self.service.events()
        page_token = ""
        while True:
            params: dict[str, Any] = {"calendarId": self.calendar_id, "showDeleted": True, "maxResults": 250}
            if sync_token:
                params["syncToken"] = sync_token
            if page_token:
                params["pageToken"] = page_token
            page = self._execute("events.list", lambda p=params: events.list(**p))  # type: ignore[misc]
            yield page.get("items", []), page.get("nextSyncToken", "")
            page_token = page.get("nextPageToken", "")
            if not page_token:
                return

    def watch(self, *, channel_id: str, token: str, address: str, ttl: int) -> dict[str, Any]:
        events = self.service.events()
        body = {
            "id": channel_id,
            "type": "web_hook",
            "address": address,
            "token": token,
            "params": {"ttl": str(ttl)},
        }
        return self._execute("events.watch", lambda: events.watch(calendarId=self.calendar_id, body=body))

    def stop_channel(self, *, channel_id: str, resource_id: str) -> None:
        """Stopping a channel Google no longer knows (404) is a success."""
        channels = self.service.channels()
        try:
            self._execute(
                "channels.stop", lambda: channels.stop(body={"id": channel_id, "resourceId": resource_id})
            )
        except GoogleApiError as error:
            if error.status != 404:
                raise

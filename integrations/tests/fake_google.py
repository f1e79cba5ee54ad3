"""A fake Google on 127.0.0.1 for tests, spoken to by the real client libraries over HTTP:
OAuth consent (auto-approves, or refuses), token (authorization_code with PKCE check and an
ID token, refresh_token), revoke, and Calendar v3 events (insert, get, patch, update, delete,
list with sync tokens and 410, watch) and channels.stop.

Event times are checked as Google checks them on insert, update and patch (``check_event_times``):
a start and an end, each with exactly one of ``date`` (all-day) and ``dateTime``, both of one
kind, the end after the start, ``timeZone`` an IANA name, a ``dateTime`` without an offset only
with a ``timeZone``; anything else is a 400, so a sync sending a bad shape fails its test. A
patch merges objects key by key and a null removes a key, as Google's patch semantics do (an
event switching kinds must clear the other kind's keys). Events keep the shape they were given.

``fail(...)`` makes the next matching requests answer an error (optionally after doing the
work, as when an answer is lost on the way back); ``hold(...)`` keeps matching requests
waiting until released (a call in progress); ``id_token_claims`` / ``id_token_raw`` bend the
ID token; ``edit_event`` / ``delete_event_in_google`` play a user changing the calendar in
Google (``edit_event`` replaces ``start`` and ``end`` whole, so it switches kinds, and refuses a
shape Google would refuse)."""

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

CLIENT_ID = "test-client-id.apps.googleusercontent.com"
CLIENT_SECRET = "test-client-secret"
REDIRECT_URI = "http://testserver/api/v1/integrations/google/callback"
EVENT_ID = re.compile(r"^[a-v0-9]{5,1024}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?$")


class BadEventTimes(ValueError):
    """Times Google refuses (400 with ``reason``)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _when(event: dict[str, Any], which: str) -> tuple[str, date | datetime]:
    """The kind ("date" or "dateTime") and value of an event's ``start`` or ``end``."""
    value = event.get(which)
    if not isinstance(value, dict):
        raise BadEventTimes("required", f"Missing {which} time.")
    zone_name = value.get("timeZone")
    zone = None
    if zone_name is not None:
        try:
            zone = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise BadEventTimes("invalid", f"Invalid time zone definition for {which} time.") from None
    if ("date" in value) == ("dateTime" in value):
        raise BadEventTimes("invalid", f"The {which} time must have exactly one of date and dateTime.")
    text = value.get("date", value.get("dateTime"))
    kind, pattern = ("date", DATE) if "date" in value else ("dateTime", DATE_TIME)
    malformed = BadEventTimes("invalid", f"Invalid {which} {kind}.")
    if not isinstance(text, str) or not pattern.match(text):
        raise malformed
    try:
        parsed: date | datetime = (date if kind == "date" else datetime).fromisoformat(text)
    except ValueError:  # the pattern's shape, but no such day or time (2026-02-30)
        raise malformed from None
    if isinstance(parsed, datetime) and parsed.tzinfo is None:
        if zone is None:
            raise BadEventTimes("required", f"Missing time zone definition for {which} time.")
        parsed = parsed.replace(tzinfo=zone)
    return kind, parsed


def check_event_times(event: dict[str, Any]) -> None:
    """Raises BadEventTimes for times Google refuses; an all-day end is exclusive, so it must be
    after the start; a timed end may equal its start."""
    start_kind, start = _when(event, "start")
    end_kind, end = _when(event, "end")
    if start_kind != end_kind:
        raise BadEventTimes("invalid", "Start and end times must either both be date or both be dateTime.")
    if end < start or (start_kind == "date" and end == start):  # type: ignore[operator]
        raise BadEventTimes("timeRangeEmpty", "The specified time range is empty.")


def _without_nulls(value: Any) -> Any:
    """What Google keeps of a body: a null is no value."""
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    return value


def _merged(target: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Google's patch semantics: objects merge key by key, a null removes the key, anything else
    (arrays included) replaces."""
    result = dict(target)
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = _merged(result[key], value)
        else:
            result[key] = _without_nulls(value)
    return result


@dataclass
class Fault:
    method: str
    path: str
    status: int
    reason: str
    times: int
    after_work: bool


@dataclass
class Hold:
    """Requests matching ``method`` and ``path`` wait, once ``reached`` is set, for ``release``."""

    method: str
    path: str
    reached: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)

    def matches(self, method: str, path: str) -> bool:
        return method == self.method and self.path in path and not self.released.is_set()

    def release(self) -> None:
        self.released.set()


@dataclass
class Calls:
    log: list[tuple[str, str]] = field(default_factory=list)

    def count(self, method: str, fragment: str = "") -> int:
        return sum(1 for m, p in self.log if m == method and fragment in p)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _now_rfc3339() -> str:
    now = datetime.fromtimestamp(time.time(), tz=UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


class FakeGoogle:
    def __init__(self, *, email: str = "someone@gmail.com") -> None:
        self.email = email
        self.lock = threading.RLock()
        self.calls = Calls()
        self.deny_consent = False
        self.granted_scope: str | None = None  # None: every scope asked for
        self.access_token_lifetime = 3600
        self.codes: dict[str, dict[str, Any]] = {}
        self.refresh_tokens: dict[str, bool] = {}  # token -> still valid
        self.access_tokens: dict[str, tuple[str, float]] = {}  # token -> (refresh token, expiry)
        self.revoked: list[str] = []
        self.events: dict[str, dict[str, Any]] = {}
        # Every refusal of an event's times (the messages): the fixture fails a test that
        # leaves one here, so a sync sending a bad shape cannot pass unnoticed.
        self.refused_times: list[str] = []
        self.seq = 0
        self.stale_sync_tokens = False
        self.channels: dict[str, dict[str, Any]] = {}
        self.stopped_channels: list[str] = []
        self.faults: list[Fault] = []
        self.holds: list[Hold] = []
        self.last_auth_query: dict[str, str] = {}
        self.subject = "110169484474386276334"
        # Claims of the ID token the code exchange returns, over the defaults (None removes
        # one); ``id_token_raw`` (any JSON value) is sent instead when set ("" leaves it out).
        self.id_token_claims: dict[str, Any] = {}
        self.id_token_raw: Any = None
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.fake = self  # type: ignore[attr-defined]
        # A short poll: shutdown() waits up to one interval, at every test's teardown.
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    # --- life cycle and settings ----------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def start(self) -> "FakeGoogle":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def settings(self) -> dict[str, Any]:
        return {
            "GOOGLE_CLIENT_ID": CLIENT_ID,
            "GOOGLE_CLIENT_SECRET": CLIENT_SECRET,
            "GOOGLE_REDIRECT_URI": REDIRECT_URI,
            "GOOGLE_AUTH_URI": f"{self.url}/o/oauth2/auth",
            "GOOGLE_TOKEN_URI": f"{self.url}/token",
            "GOOGLE_REVOKE_URI": f"{self.url}/revoke",
            "GOOGLE_CALENDAR_API_URL": f"{self.url}/calendar/v3",
            "GOOGLE_WEBHOOK_URL": "https://taskflow.example.com/api/v1/webhooks/google-calendar",
            "GOOGLE_RETRY_BASE_DELAY": 0.001,
        }

    # --- test controls --------------------------------------------------------------------
    def fail(
        self,
        method: str,
        path: str,
        *,
        status: int,
        reason: str = "",
        times: int = 1,
        after_work: bool = False,
    ) -> None:
        with self.lock:
            self.faults.append(Fault(method, path, status, reason, times, after_work))

    def hold(self, method: str, path: str) -> Hold:
        with self.lock:
            held = Hold(method, path)
            self.holds.append(held)
            return held

    def id_token(self) -> Any:
        """The ID token for a code exchange: HS256 with the client secret (OpenID Connect's
        symmetric option), which the client does not check (it came from the token endpoint)."""
        if self.id_token_raw is not None:
            return self.id_token_raw or None
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": "https://accounts.google.com",
            "azp": CLIENT_ID,
            "aud": CLIENT_ID,
            "sub": self.subject,
            "email": self.email,
            "email_verified": True,
            "iat": now,
            "exp": now + 3600,
        }
        claims.update(self.id_token_claims)
        claims = {key: value for key, value in claims.items() if value is not None}
        signing_input = ".".join(
            _b64url(json.dumps(part).encode()) for part in ({"alg": "HS256", "typ": "JWT"}, claims)
        )
        signature = hmac.new(CLIENT_SECRET.encode(), signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{_b64url(signature)}"

    def issue_tokens(self, *, lifetime: int | None = None) -> tuple[str, str, float]:
        """A grant as if the user had consented: (access token, refresh token, expiry)."""
        with self.lock:
            refresh = f"1//refresh-{secrets.token_hex(8)}"
            self.refresh_tokens[refresh] = True
            access, expiry = self._new_access_token(refresh, lifetime)
            return access, refresh, expiry

    def revoke_refresh_token(self, refresh: str) -> None:
        with self.lock:
            self.refresh_tokens[refresh] = False
            for access, (owner, _) in list(self.access_tokens.items()):
                if owner == refresh:
                    del self.access_tokens[access]

    def live_events(self) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(e) for e in self.events.values() if e["status"] != "cancelled"]

    def edit_event(self, event_id: str, **changes: Any) -> dict[str, Any]:
        """Top-level fields replaced (``start``/``end`` whole); BadEventTimes for times Google's
        own UI could not produce."""
        with self.lock:
            event = self.events[event_id]
            edited = {**event, **_without_nulls(changes)}
            check_event_times(edited)
            event.update(edited)
            return self._touch(event)

    def delete_event_in_google(self, event_id: str) -> None:
        with self.lock:
            event = self.events[event_id]
            event["status"] = "cancelled"
            self._touch(event)

    # --- internals ------------------------------------------------------------------------
    def _new_access_token(self, refresh: str, lifetime: int | None = None) -> tuple[str, float]:
        access = f"ya29.access-{secrets.token_hex(8)}"
        expiry = time.time() + (self.access_token_lifetime if lifetime is None else lifetime)
        self.access_tokens[access] = (refresh, expiry)
        return access, expiry

    def _touch(self, event: dict[str, Any]) -> dict[str, Any]:
        self.seq += 1
        event["seq"] = self.seq
        event["etag"] = f'"{self.seq}-{secrets.token_hex(4)}"'
        event["updated"] = _now_rfc3339()
        return event

    def authorized(self, header: str) -> bool:
        token = header.removeprefix("Bearer ").strip()
        entry = self.access_tokens.get(token)
        return entry is not None and entry[1] > time.time() and self.refresh_tokens.get(entry[0], False)


def _public(event: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "calendar#event", **{k: v for k, v in event.items() if k != "seq"}}


def _error(status: int, reason: str, message: str = "") -> tuple[int, dict[str, Any]]:
    return status, {"error": {"code": status, "message": message or reason, "errors": [{"reason": reason}]}}


class _Handler(BaseHTTPRequestHandler):
    server: ThreadingHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        return

    @property
    def fake(self) -> FakeGoogle:
        return self.server.fake  # type: ignore[attr-defined]

    def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        payload = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if body is not None:
            self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        url = urlparse(self.path)
        query = {key: values[-1] for key, values in parse_qs(url.query).items()}
        raw = self._body()
        fake = self.fake
        with fake.lock:
            held = next((h for h in fake.holds if h.matches(method, url.path)), None)
        if held is not None:
            held.reached.set()
            held.released.wait(30)
        with fake.lock:
            fake.calls.log.append((method, url.path))
            fault = next(
                (f for f in fake.faults if f.method == method and f.path in url.path and f.times > 0), None
            )
            if fault is not None:
                fault.times -= 1
            if fault is not None and not fault.after_work:
                status, body = _error(fault.status, fault.reason)
                self._send(status, body)
                return
            status, body, headers = self._route(method, url.path, query, raw)
            if fault is not None:
                status, body = _error(fault.status, fault.reason)
                headers = {}
        self._send(status, body, headers)

    def _route(
        self, method: str, path: str, query: dict[str, str], raw: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        fake = self.fake
        if path == "/o/oauth2/auth" and method == "GET":
            return self._consent(query)
        if path == "/token" and method == "POST":
            return (*self._token(raw), {})
        if path == "/revoke" and method == "POST":
            form = {k: v[-1] for k, v in parse_qs(raw.decode()).items()}
            token = query.get("token") or form.get("token", "")
            if token in fake.refresh_tokens:
                fake.revoke_refresh_token(token)
            elif token in fake.access_tokens:
                del fake.access_tokens[token]
            else:
                return 400, {"error": "invalid_token"}, {}
            fake.revoked.append(token)
            return 200, {}, {}
        if not fake.authorized(self.headers.get("Authorization", "")):
            return (*_error(401, "authError", "Invalid Credentials"), {})
        if path == "/calendar/v3/channels/stop" and method == "POST":
            body = json.loads(raw or b"{}")
            channel = fake.channels.pop(body.get("id", ""), None)
            if channel is None or channel["resourceId"] != body.get("resourceId"):
                return (*_error(404, "notFound", "Channel not found"), {})
            fake.stopped_channels.append(body["id"])
            return 204, None, {}
        match = re.fullmatch(r"/calendar/v3/calendars/([^/]+)/events(?:/([^/]+))?", path)
        if match is None:
            return (*_error(404, "notFound"), {})
        event_id = unquote(match.group(2) or "")
        body = json.loads(raw) if raw else {}
        if event_id == "watch" and method == "POST":
            return (*self._watch(body), {})
        if not event_id:
            if method == "GET":
                return (*self._list(query), {})
            if method == "POST":
                return (*self._insert(body), {})
        event = fake.events.get(event_id)
        if event is None:
            return (*_error(404, "notFound", "Not Found"), {})
        if method == "GET":
            return 200, _public(event), {}
        if method in ("PATCH", "PUT"):
            fields = {k: v for k, v in body.items() if k != "id"}
            if method == "PATCH":
                edited = _merged(event, fields)
            else:  # update: the body is the whole event
                kept: dict[str, Any] = {k: event[k] for k in ("id", "created") if k in event}
                edited = {**kept, "status": "confirmed", **_without_nulls(fields)}
            refusal = self._times_refused(edited)
            if refusal is not None:
                return (*refusal, {})
            event.clear()
            event.update(edited)
            return 200, _public(fake._touch(event)), {}
        if method == "DELETE":
            if event["status"] == "cancelled":
                return (*_error(410, "deleted", "Resource has been deleted"), {})
            event["status"] = "cancelled"
            fake._touch(event)
            return 204, None, {}
        return (*_error(405, "methodNotAllowed"), {})

    def _consent(self, query: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        fake = self.fake
        fake.last_auth_query = dict(query)
        redirect = query.get("redirect_uri", "")
        if fake.deny_consent:
            target = {"error": "access_denied", "state": query.get("state", "")}
        else:
            code = f"4/code-{secrets.token_hex(8)}"
            fake.codes[code] = {
                "client_id": query.get("client_id"),
                "redirect_uri": redirect,
                "challenge": query.get("code_challenge"),
                "scope": query.get("scope", ""),
            }
            target = {"code": code, "state": query.get("state", "")}
        return 302, None, {"Location": f"{redirect}?{urlencode(target)}"}

    def _client_credentials(self, form: dict[str, str]) -> tuple[str, str]:
        header = self.headers.get("Authorization", "")
        if header.startswith("Basic "):
            client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            return unquote(client_id), unquote(secret)
        return form.get("client_id", ""), form.get("client_secret", "")

    def _token(self, raw: bytes) -> tuple[int, Any]:
        fake = self.fake
        form = {k: v[-1] for k, v in parse_qs(raw.decode()).items()}
        client_id, secret = self._client_credentials(form)
        if (client_id, secret) != (CLIENT_ID, CLIENT_SECRET):
            return 401, {"error": "invalid_client"}
        grant = form.get("grant_type")
        if grant == "authorization_code":
            pending = fake.codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "")
            challenge = (
                base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
            )
            if (
                pending is None
                or pending["challenge"] != challenge
                or pending["redirect_uri"] != form.get("redirect_uri")
            ):
                return 400, {"error": "invalid_grant", "error_description": "Bad code or code verifier."}
            refresh = f"1//refresh-{secrets.token_hex(8)}"
            fake.refresh_tokens[refresh] = True
            access, _ = fake._new_access_token(refresh)
            answer = {
                "access_token": access,
                "expires_in": fake.access_token_lifetime,
                "refresh_token": refresh,
                "scope": fake.granted_scope if fake.granted_scope is not None else pending["scope"],
                "token_type": "Bearer",
            }
            id_token = fake.id_token()
            if id_token is not None:
                answer["id_token"] = id_token
            return 200, answer
        if grant == "refresh_token":
            refresh = form.get("refresh_token", "")
            if not fake.refresh_tokens.get(refresh, False):
                return 400, {
                    "error": "invalid_grant",
                    "error_description": "Token has been expired or revoked.",
                }
            access, _ = fake._new_access_token(refresh)
            return 200, {
                "access_token": access,
                "expires_in": fake.access_token_lifetime,
                "token_type": "Bearer",
            }
        return 400, {"error": "unsupported_grant_type"}

    def _insert(self, body: dict[str, Any]) -> tuple[int, Any]:
        fake = self.fake
        event_id = body.get("id") or secrets.token_hex(16)
        if not EVENT_ID.match(event_id):
            return _error(400, "invalid", "Invalid resource id value.")
        if event_id in fake.events:
            return _error(409, "duplicate", "The requested identifier already exists.")
        body = _without_nulls(body)
        refusal = self._times_refused(body)
        if refusal is not None:
            return refusal
        event = {**body, "id": event_id, "status": body.get("status", "confirmed"), "created": _now_rfc3339()}
        fake.events[event_id] = event
        return 200, _public(fake._touch(event))

    def _times_refused(self, event: dict[str, Any]) -> tuple[int, Any] | None:
        try:
            check_event_times(event)
        except BadEventTimes as bad:
            self.fake.refused_times.append(str(bad))
            return _error(400, bad.reason, str(bad))
        return None

    def _list(self, query: dict[str, str]) -> tuple[int, Any]:
        fake = self.fake
        sync_token = query.get("syncToken", "")
        if sync_token:
            if fake.stale_sync_tokens or not sync_token.startswith("sync-"):
                return _error(
                    410, "fullSyncRequired", "Sync token is no longer valid, a full sync is required."
                )
            since = int(sync_token.removeprefix("sync-"))
            items = [e for e in fake.events.values() if e["seq"] > since]
        else:
            show_deleted = query.get("showDeleted") == "true"
            items = [e for e in fake.events.values() if show_deleted or e["status"] != "cancelled"]
        items.sort(key=lambda e: e["seq"])
        page_size = min(int(query.get("maxResults", "250")), 2)
        offset = int(query.get("pageToken", "0") or 0)
        page = items[offset : offset + page_size]
        answer: dict[str, Any] = {"kind": "calendar#events", "items": [_public(e) for e in page]}
        if offset + page_size < len(items):
            answer["nextPageToken"] = str(offset + page_size)
        else:
            answer["nextSyncToken"] = f"sync-{fake.seq}"
        return 200, answer

    def _watch(self, body: dict[str, Any]) -> tuple[int, Any]:
        fake = self.fake
        ttl = int((body.get("params") or {}).get("ttl", "604800"))
        channel = {
            "id": body["id"],
            "resourceId": f"resource-{secrets.token_hex(6)}",
            "token": body.get("token"),
            "address": body.get("address"),
            "expiration": str(int((time.time() + ttl) * 1000)),
        }
        fake.channels[body["id"]] = channel
        return 200, {
            "kind": "api#channel",
            **{k: v for k, v in channel.items() if k not in ("token", "address")},
        }

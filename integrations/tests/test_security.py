"""Issue 12, the attack cases, through the real endpoints against the fake Google: each table
is a list of named cases (the case name is the test id), each case one request or sequence an
attacker (or a careless client) could send, with what must come of it.

- Connecting needs a verified e-mail address: ``authorize`` answers 403
  ``email_not_verified`` otherwise (SPEC §8).
- The Google account is the one the token endpoint's ID token names: its issuer, audience and
  expiry are checked; a bad or missing one connects nothing (``id_token_invalid``), and no
  userinfo endpoint is called (SPEC §10 lists none).
- Webhook replays: a message number already seen on the channel triggers nothing; a burst of
  notifications while a sync is queued queues nothing more (SPEC §8).
"""

from dataclasses import dataclass, field
from typing import Any

import pytest

from accounts.tests.factories import UserFactory
from accounts.tests.helpers import bearer_client
from integrations.models import GoogleIntegration, IntegrationStatus, OAuthState
from integrations.tasks import sync_user_calendar_task
from integrations.tests.fake_google import CLIENT_ID
from integrations.tests.helpers import (
    AUTHORIZE_URL,
    FRONTEND,
    authorize,
    callback,
    consent,
    notify,
)
from outbox.models import OutboxMessage


@pytest.fixture(autouse=True)
def _frontend(settings):
    settings.FRONTEND_URL = FRONTEND


def _queued_syncs() -> int:
    return OutboxMessage.objects.filter(task_name=sync_user_calendar_task.name).count()


# --- Connecting needs a verified address ----------------------------------------------------


@dataclass(frozen=True)
class AuthorizeCase:
    name: str
    email_verified: bool
    status: int
    code: str = ""


AUTHORIZE_CASES = [
    AuthorizeCase("an unverified caller is refused", False, status=403, code="email_not_verified"),
    AuthorizeCase("a verified caller gets the consent url", email_verified=True, status=200),
]


@pytest.mark.django_db
@pytest.mark.parametrize("case", AUTHORIZE_CASES, ids=lambda case: case.name)
def test_authorize_needs_a_verified_email_address(case, fake_google):
    caller = UserFactory(email_verified=case.email_verified)

    response = bearer_client(caller).get(AUTHORIZE_URL)

    assert response.status_code == case.status, response.content
    if case.code:
        body = response.json()
        assert body == {"code": case.code, "detail": body["detail"], "errors": {}}
        assert "verif" in body["detail"].lower()
        assert not OAuthState.objects.filter(user=caller).exists()  # no state to consume later
    else:
        assert response.json()["authorization_url"].startswith(fake_google.url)


# --- The Google account comes from the ID token ---------------------------------------------


@dataclass(frozen=True)
class IdTokenCase:
    name: str
    claims: dict[str, Any] = field(default_factory=dict)  # over the fake's defaults; None drops
    raw: Any = None  # sent instead of a token; "" leaves id_token out of the answer
    reason: str = ""  # "" : connected


ID_TOKEN_CASES = [
    IdTokenCase("no id token in the token response", raw="", reason="id_token_invalid"),
    IdTokenCase(
        "an id token of another client",
        claims={"aud": "another.apps.googleusercontent.com"},
        reason="id_token_invalid",
    ),
    IdTokenCase("an id token without an audience", claims={"aud": None}, reason="id_token_invalid"),
    IdTokenCase(
        "several audiences, another authorized party",
        claims={"aud": [CLIENT_ID, "another.apps.googleusercontent.com"], "azp": "another"},
        reason="id_token_invalid",
    ),
    IdTokenCase(
        "an issuer that is not google",
        claims={"iss": "https://accounts.example.com"},
        reason="id_token_invalid",
    ),
    IdTokenCase("an expired id token", claims={"exp": 1_000_000_000}, reason="id_token_invalid"),
    IdTokenCase("an id token without an expiry", claims={"exp": None}, reason="id_token_invalid"),
    IdTokenCase("an expiry that is not a number", claims={"exp": "tomorrow"}, reason="id_token_invalid"),
    IdTokenCase("an id token without an e-mail", claims={"email": None}, reason="id_token_invalid"),
    IdTokenCase("an e-mail that is no address", claims={"email": "nobody"}, reason="id_token_invalid"),
    IdTokenCase(
        "an e-mail too long to store", claims={"email": "a" * 250 + "@gmail.com"}, reason="id_token_invalid"
    ),
    IdTokenCase("not a jwt", raw="not-a-jwt", reason="id_token_invalid"),
    IdTokenCase("a payload that is not json", raw="e30.bm90IGpzb24.c2ln", reason="id_token_invalid"),
    IdTokenCase("a payload that is a list", raw="e30.WzFd.c2ln", reason="id_token_invalid"),
    IdTokenCase("an id token that is not a string", raw=12345, reason="id_token_invalid"),
    IdTokenCase(
        "an unverified google address", claims={"email_verified": False}, reason="google_email_unverified"
    ),
    IdTokenCase("email_verified missing", claims={"email_verified": None}, reason="google_email_unverified"),
    # The controls: what Google really sends connects.
    IdTokenCase("the short issuer spelling", claims={"iss": "accounts.google.com"}),
    IdTokenCase(
        "several audiences, we are the authorized party",
        claims={"aud": [CLIENT_ID, "another.apps.googleusercontent.com"], "azp": CLIENT_ID},
    ),
    IdTokenCase("email_verified as a string", claims={"email_verified": "true"}),
]


@pytest.mark.django_db
@pytest.mark.parametrize("case", ID_TOKEN_CASES, ids=lambda case: case.name)
def test_the_callback_takes_the_google_account_from_a_checked_id_token(
    case, api_client, auth_client, user, fake_google, django_capture_on_commit_callbacks
):
    fake_google.id_token_claims = dict(case.claims)
    fake_google.id_token_raw = case.raw
    query = consent(authorize(auth_client))

    redirect = callback(api_client, query, django_capture_on_commit_callbacks)

    if case.reason:
        assert redirect == {"google": ["error"], "reason": [case.reason]}
        assert not GoogleIntegration.objects.exists()
        assert fake_google.channels == {}
    else:
        assert redirect == {"google": ["connected"]}
        assert GoogleIntegration.objects.get(user=user).google_email == fake_google.email


@pytest.mark.django_db
@pytest.mark.parametrize("userinfo", ["unset", "dead address"])
def test_connecting_needs_no_userinfo_endpoint(
    userinfo, api_client, auth_client, user, fake_google, settings, django_capture_on_commit_callbacks
):
    """A deployment configured with exactly SPEC §10's variables connects."""
    if userinfo == "unset":
        if hasattr(settings, "GOOGLE_USERINFO_URI"):
            del settings.GOOGLE_USERINFO_URI
    else:
        settings.GOOGLE_USERINFO_URI = "http://127.0.0.1:9/v1/userinfo"  # nothing listens there
    fake_google.id_token_claims = {"email": "ada.lovelace@gmail.com"}
    query = consent(authorize(auth_client))

    redirect = callback(api_client, query, django_capture_on_commit_callbacks)

    assert redirect == {"google": ["connected"]}
    integration = GoogleIntegration.objects.get(user=user)
    assert integration.status == IntegrationStatus.CONNECTED
    assert integration.google_email == "ada.lovelace@gmail.com"
    assert not [path for _, path in fake_google.calls.log if "userinfo" in path]


# --- Webhook replays --------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplayCase:
    name: str
    # (X-Goog-Message-Number or None for no header, X-Goog-Resource-State), sent in order,
    # each one's sync run before the next is sent.
    messages: list[tuple[str | None, str]]
    syncs: int


REPLAY_CASES = [
    ReplayCase("the same message five times", [("2", "exists")] * 5, syncs=1),
    ReplayCase("an older number after a newer one", [("7", "exists"), ("3", "exists")], syncs=1),
    ReplayCase("the first sync message triggers nothing", [("1", "sync")], syncs=0),
    ReplayCase("the sync message replayed as a change", [("1", "sync"), ("1", "exists")], syncs=0),
    ReplayCase(
        "a replay of the sync message after changes", [("1", "sync"), ("4", "exists"), ("1", "sync")], syncs=1
    ),
    ReplayCase(
        "numbers that grow, not one by one", [("1", "sync"), ("5", "exists"), ("12", "exists")], syncs=2
    ),
    ReplayCase("a number too large to store counts as none", [(str(2**64), "exists")], syncs=1),
    ReplayCase("a garbled number counts as none", [("-3", "exists"), ("²", "exists")], syncs=2),
    ReplayCase(
        "a replay of a garbled number does not lower the mark",
        [("9", "exists"), ("x", "exists"), ("9", "exists")],
        syncs=2,
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize("case", REPLAY_CASES, ids=lambda case: case.name)
def test_a_message_number_already_seen_triggers_nothing(
    case, api_client, watched, fake_google, django_capture_on_commit_callbacks
):
    lists_before = fake_google.calls.count("GET", "/events")

    for number, state in case.messages:
        with django_capture_on_commit_callbacks(execute=True):
            response = notify(api_client, watched.channel_id, watched.channel_token, state, number)
        assert response.status_code == 204  # a replay is answered like any notification

    assert _queued_syncs() == case.syncs
    assert fake_google.calls.count("GET", "/events") - lists_before == case.syncs


@pytest.mark.django_db
def test_a_burst_while_a_sync_is_queued_queues_nothing_more(
    api_client, watched, fake_google, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as first_burst:  # the sync stays queued
        for number in range(2, 7):
            response = notify(api_client, watched.channel_id, watched.channel_token, number=str(number))
            assert response.status_code == 204
    assert _queued_syncs() == 1

    for run_queued_sync in first_burst:
        run_queued_sync()
    assert GoogleIntegration.objects.get(pk=watched.pk).sync_requested_at is None

    with django_capture_on_commit_callbacks():
        for number in range(7, 10):
            response = notify(api_client, watched.channel_id, watched.channel_token, number=str(number))
            assert response.status_code == 204
    assert _queued_syncs() == 2

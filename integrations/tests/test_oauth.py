"""OAuth connect through the real google-auth-oauthlib Flow (PKCE) against the fake Google:
the consent URL, the callback's redirects, state checks, status and disconnect."""

import logging
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

import pytest
from django.core import signing

from accounts.tests.factories import UserFactory
from integrations.models import EventMapping, GoogleIntegration, IntegrationStatus, OAuthState
from integrations.oauth_states import STATE_SALT, oauth_states_purge
from integrations.sync import calendar_sync, channel_start
from integrations.tests.conftest import connect
from integrations.tests.fake_google import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI
from integrations.tests.helpers import (
    AUTHORIZE_URL,
    CALLBACK_URL,
    DISCONNECT_URL,
    FRONTEND,
    STATUS_URL,
    authorize,
    callback,
    consent,
    task_for,
)

# Under their old names for config/tests/test_secrets_not_logged.py, which imports them here.
_authorize, _consent, _callback = authorize, consent, callback


@pytest.fixture(autouse=True)
def _frontend(settings):
    settings.FRONTEND_URL = FRONTEND


@pytest.mark.django_db
def test_authorize_returns_the_consent_url_with_offline_access_scopes_pkce_and_signed_state(
    auth_client, user, fake_google
):
    url = authorize(auth_client)

    parsed = urlparse(url)
    query = {key: values[0] for key, values in parse_qs(parsed.query).items()}
    assert url.startswith(f"{fake_google.url}/o/oauth2/auth?")
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == REDIRECT_URI
    assert query["response_type"] == "code"
    assert query["access_type"] == "offline"
    assert query["prompt"] == "consent"
    assert set(query["scope"].split()) == {
        "openid",
        "https://www.googleapis.com/auth/userinfo.email",
        "https://www.googleapis.com/auth/calendar.events",
    }
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43
    payload = signing.loads(query["state"], salt=STATE_SALT)
    assert payload["u"] == str(user.pk)
    assert OAuthState.objects.get(user=user, nonce=payload["n"]).code_verifier


@pytest.mark.django_db
def test_connect_stores_encrypted_tokens_opens_a_channel_and_redirects_connected(
    api_client, auth_client, user, fake_google, django_capture_on_commit_callbacks
):
    query = consent(authorize(auth_client))

    redirect = callback(api_client, query, django_capture_on_commit_callbacks)

    assert redirect == {"google": ["connected"]}
    integration = GoogleIntegration.objects.get(user=user)
    assert integration.status == IntegrationStatus.CONNECTED
    assert integration.google_email == fake_google.email
    assert fake_google.refresh_tokens.get(integration.refresh_token) is True
    assert integration.access_token in fake_google.access_tokens
    assert integration.token_expiry > datetime.now(UTC)
    assert integration.channel_id in fake_google.channels
    assert fake_google.channels[integration.channel_id]["token"] == integration.channel_token
    assert integration.last_synced_at is not None  # the first sync ran after commit
    assert not OAuthState.objects.filter(user=user).exists()

    status = auth_client.get(STATUS_URL)
    assert status.status_code == 200
    assert status.json() == {
        "connected": True,
        "google_email": fake_google.email,
        "calendar_id": "primary",
        "last_synced_at": status.json()["last_synced_at"],
        "last_error": None,
    }
    assert integration.access_token not in status.content.decode()
    assert integration.refresh_token not in status.content.decode()


@pytest.mark.django_db
def test_a_state_works_once(api_client, auth_client, user, fake_google, django_capture_on_commit_callbacks):
    query = consent(authorize(auth_client))
    assert callback(api_client, query, django_capture_on_commit_callbacks) == {"google": ["connected"]}

    replay = callback(api_client, query, django_capture_on_commit_callbacks)

    assert replay == {"google": ["error"], "reason": ["invalid_state"]}


@pytest.mark.django_db
def test_a_forged_state_connects_nothing(
    api_client, auth_client, user, fake_google, django_capture_on_commit_callbacks
):
    query = consent(authorize(auth_client))
    query["state"] = query["state"][:-2] + ("AA" if not query["state"].endswith("AA") else "BB")

    assert callback(api_client, query, django_capture_on_commit_callbacks) == {
        "google": ["error"],
        "reason": ["invalid_state"],
    }
    assert not GoogleIntegration.objects.exists()


@pytest.mark.django_db
def test_an_expired_state_connects_nothing(
    api_client, auth_client, user, fake_google, clock, settings, django_capture_on_commit_callbacks
):
    query = consent(authorize(auth_client))
    clock.shift(settings.GOOGLE_OAUTH_STATE_MAX_AGE + 1)

    assert callback(api_client, query, django_capture_on_commit_callbacks) == {
        "google": ["error"],
        "reason": ["expired_state"],
    }
    assert not GoogleIntegration.objects.exists()


@pytest.mark.django_db
def test_another_users_state_connects_nothing(
    api_client, auth_client, user, fake_google, django_capture_on_commit_callbacks
):
    query = consent(authorize(auth_client))
    nonce = signing.loads(query["state"], salt=STATE_SALT)["n"]
    intruder = UserFactory()
    query["state"] = signing.dumps({"u": str(intruder.pk), "n": nonce}, salt=STATE_SALT)

    assert callback(api_client, query, django_capture_on_commit_callbacks) == {
        "google": ["error"],
        "reason": ["invalid_state"],
    }
    assert not GoogleIntegration.objects.exists()


@pytest.mark.django_db
def test_a_wrong_code_verifier_fails_the_exchange(
    api_client, auth_client, user, fake_google, django_capture_on_commit_callbacks
):
    query = consent(authorize(auth_client))
    OAuthState.objects.filter(user=user).update(
        code_verifier=OAuthState._meta.get_field("code_verifier").get_prep_value("x" * 64)
    )

    assert callback(api_client, query, django_capture_on_commit_callbacks) == {
        "google": ["error"],
        "reason": ["token_exchange_failed"],
    }
    assert not GoogleIntegration.objects.exists()


@pytest.mark.django_db
def test_consent_without_the_calendar_scope_connects_nothing(
    api_client, auth_client, user, fake_google, django_capture_on_commit_callbacks
):
    fake_google.granted_scope = "openid https://www.googleapis.com/auth/userinfo.email"
    query = consent(authorize(auth_client))

    assert callback(api_client, query, django_capture_on_commit_callbacks)["reason"] == ["scope_denied"]
    assert not GoogleIntegration.objects.exists()


@pytest.mark.django_db
def test_refused_consent_redirects_with_access_denied(
    api_client, auth_client, user, fake_google, django_capture_on_commit_callbacks
):
    fake_google.deny_consent = True
    query = consent(authorize(auth_client))

    assert callback(api_client, query, django_capture_on_commit_callbacks) == {
        "google": ["error"],
        "reason": ["access_denied"],
    }
    assert not GoogleIntegration.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ({}, "invalid_state"),
        ({"code": "x", "state": ""}, "invalid_state"),
        ({"code": "x", "state": "not-a-signed-value"}, "invalid_state"),
        # Over the 2048 the callback reads, under the 4096 bytes of a URL (a longer one is 414).
        ({"code": "x", "state": "s" * 3000}, "invalid_request"),
        ({"code": "x", "state": signing.dumps(["a", "list"], salt=STATE_SALT)}, "invalid_state"),
    ],
)
def test_bad_callback_input_redirects_with_a_reason_never_500(api_client, fake_google, query, reason):
    response = api_client.get(CALLBACK_URL, query)
    assert response.status_code == 302
    assert parse_qs(urlparse(response["Location"]).query) == {"google": ["error"], "reason": [reason]}


@pytest.mark.django_db
def test_a_missing_code_with_a_valid_state_is_refused(
    api_client, auth_client, fake_google, django_capture_on_commit_callbacks
):
    query = consent(authorize(auth_client))
    del query["code"]
    assert callback(api_client, query, django_capture_on_commit_callbacks)["reason"] == ["missing_code"]


@pytest.mark.django_db
def test_authorize_needs_a_token_and_a_configured_server(api_client, auth_client, settings):
    assert api_client.get(AUTHORIZE_URL).status_code == 401
    settings.GOOGLE_CLIENT_ID = ""
    response = auth_client.get(AUTHORIZE_URL)
    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"


@pytest.mark.django_db
def test_status_when_never_connected(auth_client, api_client):
    assert auth_client.get(STATUS_URL).json() == {
        "connected": False,
        "google_email": None,
        "calendar_id": None,
        "last_synced_at": None,
        "last_error": None,
    }
    assert api_client.get(STATUS_URL).status_code == 401


@pytest.mark.django_db
def test_disconnect_revokes_stops_the_channel_and_forgets_tokens_and_mappings(auth_client, user, fake_google):
    integration = connect(user, fake_google)

    assert channel_start(user_id=user.pk)
    integration.refresh_from_db()
    channel_id = integration.channel_id
    EventMapping.objects.create(user=user, task_id="00000000-0000-0000-0000-000000000001", event_id="abcde")

    response = auth_client.delete(DISCONNECT_URL)

    assert response.status_code == 204
    integration.refresh_from_db()
    assert integration.status == IntegrationStatus.DISCONNECTED
    assert (integration.access_token, integration.refresh_token, integration.channel_id) == ("", "", "")
    assert fake_google.stopped_channels == [channel_id]
    assert len(fake_google.revoked) == 1
    assert fake_google.refresh_tokens[fake_google.revoked[0]] is False
    assert not EventMapping.objects.filter(user=user).exists()
    assert auth_client.get(STATUS_URL).json()["connected"] is False


@pytest.mark.django_db
def test_disconnect_forgets_locally_even_when_google_is_down(auth_client, user, fake_google):
    connect(user, fake_google, channel_id="chan", channel_resource_id="res")
    fake_google.fail("POST", "/revoke", status=503, times=10)
    fake_google.fail("POST", "/channels/stop", status=503, times=10)

    assert auth_client.delete(DISCONNECT_URL).status_code == 204

    integration = GoogleIntegration.objects.get(user=user)
    assert integration.status == IntegrationStatus.DISCONNECTED
    assert integration.refresh_token == ""


@pytest.mark.django_db
def test_disconnect_without_an_integration_is_204(auth_client):
    assert auth_client.delete(DISCONNECT_URL).status_code == 204


@pytest.mark.django_db
def test_no_token_secret_or_code_reaches_the_logs_even_at_debug(
    api_client, auth_client, user, fake_google, django_capture_on_commit_callbacks, caplog, clock
):
    caplog.set_level(logging.DEBUG)
    task_for(user)
    query = consent(authorize(auth_client))
    callback(api_client, query, django_capture_on_commit_callbacks)
    integration = GoogleIntegration.objects.get(user=user)
    clock.shift(3600)  # forces a refresh
    calendar_sync(user_id=user.pk)
    integration.refresh_from_db()
    auth_client.delete(DISCONNECT_URL)

    secrets_seen = [
        integration.access_token,
        integration.refresh_token,
        CLIENT_SECRET,
        query["code"],
        *fake_google.access_tokens,
        *fake_google.refresh_tokens,
    ]
    assert "google call op=oauth.token" in caplog.text
    assert "google call op=events.insert" in caplog.text
    assert f"user_id={user.pk}" in caplog.text
    for secret in secrets_seen:
        assert secret not in caplog.text


@pytest.mark.django_db
def test_abandoned_states_are_purged(auth_client, user, fake_google, clock, settings):
    authorize(auth_client)
    clock.shift(settings.GOOGLE_OAUTH_STATE_MAX_AGE + 1)
    authorize(auth_client)

    assert oauth_states_purge() == 1
    assert OAuthState.objects.filter(user=user).count() == 1

"""Secrets never reach the logs (issue 8, point 4): every logger captured at DEBUG through login,
registration and e-mail verification, password change and reset, and the Google OAuth flow; each
record is rendered with its arguments and ``extra`` fields (as the JSON lines would carry them)
and searched for passwords, tokens, codes and keys."""

import logging
from collections.abc import Iterator

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from accounts.tests.helpers import token_from_last_email
from config.logging import JsonFormatter
from integrations.models import GoogleIntegration
from integrations.tests.fake_google import CLIENT_SECRET
from integrations.tests.test_oauth import FRONTEND, _authorize, _callback, _consent

PASSWORD = "Quartz-Lantern-42"
NEW_PASSWORD = "Velvet-Harbour-77"
RESET_PASSWORD = "Copper-Meadow-19"


class Everything(logging.Handler):
    """Every record of every logger, rendered whole: message, args and extra fields."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.json = JsonFormatter()

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.json.format(record))
        self.lines.append(repr(record.args))

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@pytest.fixture
def logs(caplog) -> Iterator[Everything]:
    """Every logger at DEBUG: the root and "django", which does not propagate to it."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")
    handler = Everything()
    loggers = [logging.getLogger(), logging.getLogger("django")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def assert_absent(logs: Everything, caplog: pytest.LogCaptureFixture, secrets: list[str]) -> None:
    keys = [settings.SECRET_KEY, settings.JWT_SIGNING_KEY, *settings.FIELD_ENCRYPTION_KEY]
    seen = logs.text + "\n" + caplog.text
    for secret in [*secrets, *keys]:
        assert secret, "an empty secret proves nothing"
        assert secret not in seen, f"a secret reached the logs: {secret[:6]}…"


@pytest.mark.django_db
def test_account_flows_log_no_password_or_token(api_client, django_capture_on_commit_callbacks, logs, caplog):
    with django_capture_on_commit_callbacks(execute=True):
        registered = api_client.post(
            "/api/v1/auth/register",
            {"email": "lou@example.com", "username": "lou", "password": PASSWORD},
            format="json",
        )
    assert registered.status_code == 201
    verification = token_from_last_email("lou@example.com")
    assert (
        api_client.post("/api/v1/auth/verify-email", {"token": verification}, format="json").status_code
        == 200
    )
    wrong = api_client.post("/api/v1/auth/login", {"email": "lou@example.com", "password": "Wrong-pass-99"})
    assert wrong.status_code == 401
    pair = api_client.post("/api/v1/auth/login", {"email": "lou@example.com", "password": PASSWORD}).json()
    refreshed = api_client.post("/api/v1/auth/refresh", {"refresh_token": pair["refresh_token"]}).json()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {refreshed['access_token']}")
    with django_capture_on_commit_callbacks(execute=True):
        changed = client.post(
            "/api/v1/users/me/password",
            {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
            format="json",
        )
    assert changed.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post("/api/v1/auth/reset-password/request", {"email": "lou@example.com"}, format="json")
    reset = token_from_last_email("lou@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = api_client.post(
            "/api/v1/auth/reset-password/confirm",
            {"token": reset, "new_password": RESET_PASSWORD},
            format="json",
        )
    assert confirmed.status_code == 200
    api_client.post("/api/v1/auth/logout", {"refresh_token": changed.json()["refresh_token"]}, format="json")

    for event in ("user registered", "email verified", "login failed", "login succeeded", "password changed"):
        assert event in caplog.text, f"the flow did not log {event!r}: the search below would prove nothing"
    assert "password reset requested" in caplog.text and "password reset user_id=" in caplog.text
    assert "login succeeded" in logs.text
    assert "Unauthorized: /api/v1/auth/login" in logs.text  # django.request is captured too
    assert_absent(
        logs,
        caplog,
        [
            PASSWORD,
            NEW_PASSWORD,
            RESET_PASSWORD,
            "Wrong-pass-99",
            verification,
            reset,
            pair["access_token"],
            pair["refresh_token"],
            refreshed["access_token"],
            refreshed["refresh_token"],
            changed.json()["access_token"],
            changed.json()["refresh_token"],
        ],
    )


@pytest.mark.django_db
def test_the_google_oauth_flow_logs_no_code_token_or_client_secret(
    api_client,
    auth_client,
    user,
    fake_google,
    django_capture_on_commit_callbacks,
    settings,
    logs,
    caplog,
):
    settings.FRONTEND_URL = FRONTEND
    user.email_verified = True  # connecting Google needs a verified address (SPEC §8)
    user.save(update_fields=["email_verified"])
    query = _consent(_authorize(auth_client))
    redirect = _callback(api_client, query, django_capture_on_commit_callbacks)
    assert redirect == {"google": ["connected"]}
    integration = GoogleIntegration.objects.get(user=user)
    assert auth_client.delete("/api/v1/integrations/google/disconnect").status_code == 204

    assert "google call op=oauth.token" in caplog.text
    assert "google call op=oauth.token" in logs.text
    assert_absent(
        logs,
        caplog,
        [
            query["code"],
            CLIENT_SECRET,
            integration.access_token,
            integration.refresh_token,
            integration.channel_token,
            *fake_google.access_tokens,
            *fake_google.refresh_tokens,
            auth_client._credentials["HTTP_AUTHORIZATION"].removeprefix("Bearer "),
        ],
    )

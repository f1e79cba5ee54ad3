"""Fixtures of the config tests, and those they borrow from other test modules."""

from collections.abc import Iterator

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from config.tests.test_settings import fresh_settings  # noqa: F401 - fixture
from integrations.tests.conftest import fake_google  # noqa: F401 - fixture


@pytest.fixture
def keep_test_connection() -> Iterator[None]:
    """Requests sent through the WSGI handler (schemathesis' in-process calls) end with a signal
    that would close the test's database connection, and its transaction; Django's own test
    client unhooks it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def google_configured(settings) -> None:  # type: ignore[no-untyped-def]
    """Google client settings, so that ``/integrations/google/authorize`` answers 200 (it only
    builds the consent URL; nothing is called)."""
    settings.GOOGLE_CLIENT_ID = "test-client-id"
    settings.GOOGLE_CLIENT_SECRET = "test-client-secret"
    settings.GOOGLE_REDIRECT_URI = "http://127.0.0.1:8000/api/v1/integrations/google/callback"

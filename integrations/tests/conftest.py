from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from accounts.models import User
from integrations.models import GoogleIntegration
from integrations.tests.fake_google import FakeGoogle


@pytest.fixture
def fake_google(settings, monkeypatch) -> Iterator[FakeGoogle]:
    """A fake Google on 127.0.0.1; every GOOGLE_* setting points at it."""
    fake = FakeGoogle().start()
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    for name, value in fake.settings().items():
        setattr(settings, name, value)
    yield fake
    fake.stop()


def connect(user: User, fake: FakeGoogle, **fields) -> GoogleIntegration:
    """An integration as the callback leaves it, with a grant the fake knows."""
    access, refresh, expiry = fake.issue_tokens()
    return GoogleIntegration.objects.create(
        user=user,
        google_email=fake.email,
        access_token=access,
        refresh_token=refresh,
        token_expiry=datetime.fromtimestamp(expiry, tz=UTC),
        **fields,
    )


@pytest.fixture
def integration(user, fake_google) -> GoogleIntegration:
    return connect(user, fake_google)

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import cast

import pytest

from accounts.models import User
from accounts.tests.factories import UserFactory
from integrations.models import GoogleIntegration
from integrations.sync import channel_start
from integrations.tests.fake_google import FakeGoogle


@pytest.fixture
def user(db) -> User:
    """A verified user (with ``auth_client``): connecting Google needs a verified address
    (SPEC §8). The unverified caller is explicit where it is tested (test_security)."""
    return cast(User, UserFactory(email_verified=True))


@pytest.fixture
def fake_google(settings, monkeypatch) -> Iterator[FakeGoogle]:
    """A fake Google on 127.0.0.1; every GOOGLE_* setting points at it. A test ends with no
    event times refused, unless it empties ``refused_times`` itself (the refusal tests)."""
    fake = FakeGoogle().start()
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    for name, value in fake.settings().items():
        setattr(settings, name, value)
    yield fake
    fake.stop()
    assert fake.refused_times == [], f"Google would refuse these event times: {fake.refused_times}"


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


@pytest.fixture
def watched(integration, user) -> GoogleIntegration:
    """The integration with a push channel open at the fake Google."""
    assert channel_start(user_id=user.pk)
    integration.refresh_from_db()
    return integration

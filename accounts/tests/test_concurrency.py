"""Races on PostgreSQL with real threads: each token works once, each e-mail registers once."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from accounts import services
from accounts.models import OneTimeToken, TokenFamily, User
from accounts.tests.factories import UserFactory
from accounts.tokens import one_time_token_create
from config.errors import Conflict, Unauthenticated

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

THREADS = 8


def race(action: Callable[[int], object]) -> list[object]:
    """Runs ``action(i)`` in THREADS threads released at the same moment; returns results
    or the exceptions raised."""
    barrier = threading.Barrier(THREADS)
    results: list[object] = [None] * THREADS

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = action(i)
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_a_refresh_token_rotates_once_under_concurrency():
    user = UserFactory()
    pair = services.user_login(email=user.email, password="Secret-pass1", client_ip="127.0.0.1")

    results = race(lambda i: services.token_refresh(refresh_token=pair.refresh_token))

    winners = [r for r in results if isinstance(r, services.TokenPair)]
    losers = [r for r in results if isinstance(r, Unauthenticated)]
    assert len(winners) == 1
    assert len(losers) == THREADS - 1
    assert user.refresh_sessions.filter(ended_at__isnull=True).count() == 1
    # Tabs refreshing at once are within the reuse grace: the winner's login lives on.
    assert not TokenFamily.objects.filter(user=user, revoked_at__isnull=False).exists()
    assert isinstance(services.token_refresh(refresh_token=winners[0].refresh_token), services.TokenPair)


def test_a_reset_token_is_used_once_under_concurrency():
    user = UserFactory()
    token = one_time_token_create(
        user=user,
        purpose=OneTimeToken.Purpose.RESET_PASSWORD,
        lifetime=services.settings.PASSWORD_RESET_TOKEN_LIFETIME,
    )

    results = race(lambda i: services.password_reset_confirm(raw_token=token, new_password=f"Racing-pass{i}"))

    winners = [i for i, r in enumerate(results) if isinstance(r, User)]
    assert len(winners) == 1
    assert all(type(r).__name__ == "ValidationError" for r in results if not isinstance(r, User))
    user.refresh_from_db()
    assert user.check_password(f"Racing-pass{winners[0]}")
    assert user.token_generation == 1


def test_one_registration_wins_for_the_same_email_in_any_case():
    results = race(
        lambda i: services.user_register(
            email="race@example.com" if i % 2 else "RACE@Example.com",
            username=f"racer{i}",
            password="Secret-pass1",
        )
    )

    assert sum(isinstance(r, User) for r in results) == 1
    assert sum(isinstance(r, Conflict) for r in results) == THREADS - 1
    assert User.objects.filter(email__lower="race@example.com").count() == 1

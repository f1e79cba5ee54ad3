"""Suite-wide set-up: fail fast when PostgreSQL or Redis is down; a clean cache per test."""

import socket
from datetime import UTC, datetime
from typing import cast
from urllib.parse import urlparse

import pytest
from celery.contrib.testing.worker import start_worker
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import UserFactory
from accounts.tests.helpers import bearer_client
from config.celery import app as celery_app


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=3):
            return True
    except OSError:
        return False


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    database = settings.DATABASES["default"]
    redis = urlparse(settings.REDIS_URL)
    needed = [
        ("PostgreSQL", database.get("HOST") or "127.0.0.1", int(database.get("PORT") or 5432)),
        ("Redis", redis.hostname or "127.0.0.1", redis.port or 6379),
    ]
    down = [f"{name} at {host}:{port}" for name, host, port in needed if not _reachable(host, port)]
    if down:
        pytest.exit(
            "The test suite needs "
            + " and ".join(down)
            + ", which did not answer. Start them (see README: Running the tests) or point "
            "DATABASE_URL / REDIS_URL at running servers.",
            returncode=3,
        )


@pytest.fixture(autouse=True)
def _clean_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user(db) -> User:
    return cast(User, UserFactory())


@pytest.fixture
def auth_client(user: User) -> APIClient:
    return bearer_client(user)


@pytest.fixture
def clock(time_machine):
    """Time frozen at the real now; ``clock.shift(seconds)`` moves it forward."""
    time_machine.move_to(datetime.now(UTC), tick=False)
    return time_machine


@pytest.fixture
def real_worker(settings):
    """A Celery worker (solo pool, in a thread) consuming from the real Redis broker; tasks
    are published, not run eagerly. Needs ``django_db(transaction=True)``."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield celery_app
    finally:
        celery_app.conf.task_always_eager = True


@pytest.fixture
def staff_client(db):
    """Django's test client, logged in as a staff superuser (for admin pages)."""
    from django.test import Client

    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client

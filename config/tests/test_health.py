"""Liveness and readiness probes (SPEC §2), against the real PostgreSQL, Redis and broker."""

import pytest
from django.db import connection
from django.test import Client, override_settings

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"
UNREACHABLE_CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": UNREACHABLE_REDIS,
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
    }
}


@pytest.fixture
def client() -> Client:
    return Client()


def test_healthz_answers_without_auth_or_database(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_is_get_only(client: Client) -> None:
    response = client.post("/healthz")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response.json() == {
        "code": "method_not_allowed",
        "detail": 'Method "POST" not allowed.',
        "errors": {},
    }


@pytest.mark.django_db
def test_readyz_is_200_when_everything_answers(client: Client) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_readyz_names_the_cache_when_it_is_down(client: Client) -> None:
    with override_settings(CACHES=UNREACHABLE_CACHES):
        response = client.get("/readyz")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "status": "unavailable",
        "code": "service_unavailable",
        "detail": "Unavailable: cache.",
        "checks": {"database": "ok", "cache": "down", "broker": "ok"},
    }


@pytest.mark.django_db
def test_readyz_names_the_broker_when_it_is_down(client: Client) -> None:
    with override_settings(CELERY_BROKER_URL=UNREACHABLE_REDIS):
        response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "code": "service_unavailable",
        "detail": "Unavailable: broker.",
        "checks": {"database": "ok", "cache": "ok", "broker": "down"},
    }


@pytest.mark.django_db
def test_readyz_names_everything_that_is_down(client: Client) -> None:
    with override_settings(CACHES=UNREACHABLE_CACHES, CELERY_BROKER_URL=UNREACHABLE_REDIS):
        response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["detail"] == "Unavailable: broker, cache."
    assert response.json()["checks"] == {"database": "ok", "cache": "down", "broker": "down"}


@pytest.mark.django_db(transaction=True)
def test_readyz_names_the_database_when_it_is_down(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    # A real connection attempt to a port where no server listens.
    connection.close()
    monkeypatch.setitem(connection.settings_dict, "HOST", "127.0.0.1")
    monkeypatch.setitem(connection.settings_dict, "PORT", 1)
    try:
        response = client.get("/readyz")
    finally:
        connection.close()
        monkeypatch.undo()

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "code": "service_unavailable",
        "detail": "Unavailable: database.",
        "checks": {"database": "down", "cache": "ok", "broker": "ok"},
    }


def test_readyz_is_get_only(client: Client) -> None:
    response = client.delete("/readyz")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"

"""With Redis (the cache) unreachable, throttles let requests through with a warning instead
of failing them: a real refused connection, not a mock."""

import socket

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_down(settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }


def test_login_and_api_calls_work_when_the_throttle_cache_is_down(cache_down, api_client, user, caplog):
    response = api_client.post("/api/v1/auth/login", {"email": user.email, "password": "wrong-Passw0rd!"})
    assert response.status_code == 401
    assert "cache unavailable: throttle login_ip not applied" in caplog.text
    assert "cache unavailable: throttle login_email not applied" in caplog.text


def test_throttles_still_apply_when_the_cache_is_up(api_client, user, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "login_email": "1/min",
        },
    }
    body = {"email": user.email, "password": "wrong-Passw0rd!"}
    assert api_client.post("/api/v1/auth/login", body).status_code == 401
    assert api_client.post("/api/v1/auth/login", body).status_code == 429

import pytest
from django.conf import settings
from django.core import mail
from django.test import override_settings

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login"
RESET = "/api/v1/auth/reset-password/request"


def with_rates(**rates):
    return override_settings(
        REST_FRAMEWORK={
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
        }
    )


def login(client, email, password="Wrong-pass1", ip="10.0.0.1"):
    return client.post(LOGIN, {"email": email, "password": password}, format="json", REMOTE_ADDR=ip)


def test_login_throttled_past_five_attempts_a_minute_per_email(api_client, clock):
    UserFactory(email="kim@example.com")

    answers = [login(api_client, "kim@example.com", ip=f"10.0.0.{i}").status_code for i in range(5)]
    sixth = login(api_client, "KIM@example.com", password=DEFAULT_PASSWORD, ip="10.0.0.99")

    assert answers == [401] * 5
    assert sixth.status_code == 429
    assert sixth.json()["code"] == "throttled"
    assert sixth.json()["errors"] == {}
    assert 0 < int(sixth["Retry-After"]) <= 60
    # Another e-mail is not affected.
    assert login(api_client, "other@example.com", ip="10.0.0.50").status_code == 401

    clock.shift(61)
    assert login(api_client, "kim@example.com", password=DEFAULT_PASSWORD, ip="10.0.0.99").status_code == 200


def test_login_throttled_per_client_address(api_client, clock):
    answers = [login(api_client, f"user{i}@example.com").status_code for i in range(20)]
    blocked = login(api_client, "fresh@example.com")
    other_address = login(api_client, "fresh@example.com", ip="10.0.0.2")

    assert answers == [401] * 20
    assert blocked.status_code == 429
    assert other_address.status_code == 401
    clock.shift(61)
    assert login(api_client, "fresh@example.com").status_code == 401


@with_rates(login_ip="3/min", login_email="100/min")
def test_login_rates_follow_settings(api_client, clock):
    answers = [login(api_client, f"user{i}@example.com").status_code for i in range(4)]
    assert answers == [401, 401, 401, 429]


def test_forwarded_for_is_ignored_without_trusted_proxies(api_client, clock):
    for i in range(20):
        api_client.post(
            LOGIN,
            {"email": f"u{i}@example.com", "password": "x"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"1.2.3.{i}",
        )
    blocked = api_client.post(
        LOGIN, {"email": "z@example.com", "password": "x"}, format="json", HTTP_X_FORWARDED_FOR="9.9.9.9"
    )
    assert blocked.status_code == 429


def test_reset_request_throttled_past_three_an_hour_per_email(
    api_client, clock, django_capture_on_commit_callbacks
):
    UserFactory(email="kim@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            api_client.post(
                RESET, {"email": "kim@example.com"}, format="json", REMOTE_ADDR=f"10.0.1.{i}"
            ).status_code
            for i in range(4)
        ]

    assert answers == [200, 200, 200, 429]
    assert len(mail.outbox) == 3
    clock.shift(3599)
    assert api_client.post(RESET, {"email": "kim@example.com"}, format="json").status_code == 429
    clock.shift(2)
    assert api_client.post(RESET, {"email": "kim@example.com"}, format="json").status_code == 200


def test_reset_throttle_is_the_same_for_unknown_emails(api_client, clock):
    answers = [
        api_client.post(RESET, {"email": "nobody@example.com"}, format="json").status_code for _ in range(4)
    ]
    assert answers == [200, 200, 200, 429]


@with_rates(anon="2/min")
def test_anonymous_rate(api_client, clock):
    answers = [
        api_client.post(RESET, {"email": f"u{i}@example.com"}, format="json").status_code for i in range(3)
    ]
    assert answers == [200, 200, 429]


@with_rates(user="2/min")
def test_user_rate(auth_client, clock):
    answers = [auth_client.get("/api/v1/users/me").status_code for _ in range(3)]
    assert answers == [200, 200, 429]
    clock.shift(61)
    assert auth_client.get("/api/v1/users/me").status_code == 200


def test_throttle_state_lives_in_the_shared_cache(api_client, clock):
    from django.core.cache import cache

    login(api_client, "kim@example.com")

    keys = cache.keys("throttle_*")  # django-redis: the state is in Redis, shared by processes
    assert any(key.startswith("throttle_login_email_") for key in keys)
    assert any(key.startswith("throttle_login_ip_") for key in keys)
    assert not any("kim@example.com" in key for key in keys)

"""Throttles (SPEC §2, §10): rates come from settings at request time; 429 carries Retry-After."""

from collections.abc import Iterator
from typing import Any, cast

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import User
from accounts.tests.factories import UserFactory
from accounts.tests.helpers import bearer_client
from config.api.parsers import StrictJSONParser
from config.api.throttling import BodyFieldThrottle, ClientAddressThrottle, SettingsRateMixin

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"


def configured_rates() -> dict[str, str]:
    return cast(dict[str, str], settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])


def rates(**overrides: str) -> dict[str, Any]:
    """A copy of REST_FRAMEWORK with some throttle rates changed, for override_settings."""
    return {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**configured_rates(), **overrides}}


@pytest.fixture
def anon_two_a_minute() -> Iterator[None]:
    with override_settings(REST_FRAMEWORK=rates(anon="2/min")):
        yield


def assert_throttled(response: Any) -> None:
    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 60
    assert response.json() == {
        "code": "throttled",
        "detail": f"Request was throttled. Expected available in {retry_after} seconds.",
        "errors": {},
    }


@pytest.mark.usefixtures("anon_two_a_minute")
def test_anonymous_requests_past_the_rate_are_throttled(api_client: APIClient) -> None:
    assert api_client.post(REGISTER, {}).status_code == 400
    assert api_client.post(REGISTER, {}).status_code == 400

    assert_throttled(api_client.post(REGISTER, {}))


@pytest.mark.usefixtures("anon_two_a_minute")
def test_the_anonymous_rate_is_per_client_address(api_client: APIClient) -> None:
    for _ in range(2):
        api_client.post(REGISTER, {}, REMOTE_ADDR="10.0.0.1")

    assert api_client.post(REGISTER, {}, REMOTE_ADDR="10.0.0.1").status_code == 429
    assert api_client.post(REGISTER, {}, REMOTE_ADDR="10.0.0.2").status_code == 400


@pytest.mark.usefixtures("anon_two_a_minute")
def test_forwarded_for_is_ignored_without_trusted_proxies(api_client: APIClient) -> None:
    for forged in ("1.1.1.1", "2.2.2.2"):
        api_client.post(REGISTER, {}, HTTP_X_FORWARDED_FOR=forged)

    assert api_client.post(REGISTER, {}, HTTP_X_FORWARDED_FOR="3.3.3.3").status_code == 429


def test_the_default_anonymous_rate_is_not_hit_by_a_few_requests(api_client: APIClient) -> None:
    statuses = {api_client.post(REGISTER, {}).status_code for _ in range(5)}

    assert statuses == {400}


def test_authenticated_requests_use_the_user_rate(auth_client: APIClient) -> None:
    with override_settings(REST_FRAMEWORK=rates(user="1/min", anon="1000/min")):
        assert auth_client.get("/api/v1/users/me").status_code == 200

        assert_throttled(auth_client.get("/api/v1/users/me"))


def test_user_rate_is_per_user(auth_client: APIClient) -> None:
    other = cast(User, UserFactory())
    with override_settings(REST_FRAMEWORK=rates(user="1/min")):
        auth_client.get("/api/v1/users/me")

        assert auth_client.get("/api/v1/users/me").status_code == 429
        assert bearer_client(other).get("/api/v1/users/me").status_code == 200


def test_body_field_throttle_counts_one_address_case_insensitively(api_client: APIClient) -> None:
    with override_settings(REST_FRAMEWORK=rates(login_email="2/min")):
        for email in ("Someone@Example.com", "someone@example.com"):
            assert api_client.post(LOGIN, {"email": email, "password": "wrong"}).status_code == 401

        assert_throttled(api_client.post(LOGIN, {"email": " SOMEONE@example.COM ", "password": "wrong"}))
        assert api_client.post(LOGIN, {"email": "other@example.com", "password": "wrong"}).status_code == 401


def test_client_address_throttle_counts_every_login_from_one_address(api_client: APIClient) -> None:
    with override_settings(REST_FRAMEWORK=rates(login_ip="2/min")):
        for n in range(2):
            api_client.post(LOGIN, {"email": f"user{n}@example.com", "password": "wrong"})

        assert_throttled(api_client.post(LOGIN, {"email": "fresh@example.com", "password": "wrong"}))


# --- the throttle classes on their own ------------------------------------------------------


class LoginEmail(BodyFieldThrottle):
    scope = "login_email"


class LoginAddress(ClientAddressThrottle):
    scope = "login_ip"


def json_request(data: Any) -> Request:
    return Request(APIRequestFactory().post("/", data, format="json"), parsers=[StrictJSONParser()])


def test_body_field_cache_key_hashes_the_normalised_value() -> None:
    first = LoginEmail().get_cache_key(json_request({"email": "A@Example.com"}), view=None)
    second = LoginEmail().get_cache_key(json_request({"email": " a@example.com "}), view=None)

    assert first == second
    assert first is not None
    assert first.startswith("throttle_login_email_")
    assert "example" not in first


@pytest.mark.parametrize("data", [{}, {"email": ""}, {"email": "   "}, {"email": 5}, ["a@example.com"]])
def test_body_field_throttle_skips_requests_without_the_field(data: Any) -> None:
    assert LoginEmail().get_cache_key(json_request(data), view=None) is None


def test_client_address_cache_key_uses_the_address() -> None:
    request = Request(APIRequestFactory().post("/", REMOTE_ADDR="192.0.2.7"))

    assert LoginAddress().get_cache_key(request, view=None) == "throttle_login_ip_192.0.2.7"


def test_rates_are_read_at_request_time() -> None:
    with override_settings(REST_FRAMEWORK=rates(login_ip="7/hour")):
        throttle = LoginAddress()
        assert throttle.rate == "7/hour"
        assert (vars(throttle)["num_requests"], vars(throttle)["duration"]) == (7, 3600)
    assert LoginAddress().rate == configured_rates()["login_ip"]


def test_a_scope_without_a_rate_is_a_configuration_error() -> None:
    class Unknown(SettingsRateMixin, SimpleRateThrottle):
        scope = "no_such_scope"

    with pytest.raises(ImproperlyConfigured, match="No throttle rate is set for scope 'no_such_scope'"):
        Unknown()


def test_a_rate_lowered_below_what_a_key_already_holds_still_says_when_to_retry(
    api_client: APIClient, clock: Any
) -> None:
    """DRF's wait() is None when the history is longer than the rate (here: 5 requests
    counted, then the rate lowered to 2), and its 429 had no Retry-After (SPEC §2)."""
    with override_settings(REST_FRAMEWORK=rates(anon="5/min")):
        for _ in range(5):
            api_client.post(REGISTER, {})
            clock.shift(1)
    with override_settings(REST_FRAMEWORK=rates(anon="2/min")):
        response = api_client.post(REGISTER, {})

    assert_throttled(response)
    # Let through again once the second newest of the five (2 seconds old) leaves the minute.
    assert response["Retry-After"] == "58"

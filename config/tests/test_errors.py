"""Every error answer over HTTP is JSON ``{code, detail, errors}`` (SPEC §2)."""

import json
from datetime import timedelta

import jwt
import pytest
from django.test import RequestFactory, override_settings
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.authentication import GENERATION_CLAIM
from accounts.models import User
from config import urls
from config.api.views import bad_request, not_found, server_error

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register"
ME = "/api/v1/users/me"
BEARER_CHALLENGE = 'Bearer realm="api"'


def body(code: str, detail: str, errors: dict | None = None) -> dict:
    return {"code": code, "detail": detail, "errors": errors or {}}


# --- 400 ----------------------------------------------------------------------------------


def test_serializer_field_errors_are_listed_by_field(api_client: APIClient) -> None:
    response = api_client.post(
        REGISTER, {"email": "not-an-email", "username": "alice", "password": "Secret-pass1"}
    )

    assert response.status_code == 400
    assert response.json() == body(
        "validation_error", "Invalid input.", {"email": ["Enter a valid email address."]}
    )


def test_missing_fields_are_each_reported(api_client: APIClient) -> None:
    response = api_client.post(REGISTER, {})

    assert response.status_code == 400
    assert response.json() == body(
        "validation_error",
        "Invalid input.",
        {
            "email": ["This field is required."],
            "username": ["This field is required."],
            "password": ["This field is required."],
        },
    )


def test_malformed_json_is_a_validation_error(api_client: APIClient) -> None:
    response = api_client.post(REGISTER, data='{"email": ', content_type="application/json")

    assert response.status_code == 400
    payload = response.json()
    assert set(payload) == {"code", "detail", "errors"}
    assert payload["code"] == "validation_error"
    assert payload["detail"].startswith("JSON parse error - ")
    assert payload["errors"] == {}


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        ('{"email": "\\ud800@example.com"}', "JSON parse error - strings must be valid Unicode."),
        ('{"\\udfff": "x"}', "JSON parse error - strings must be valid Unicode."),
        ('{"username": "a\\u0000b"}', "JSON parse error - strings may not contain NUL characters."),
        ('{"a": [{"b": ["\\u0000"]}]}', "JSON parse error - strings may not contain NUL characters."),
    ],
    ids=["lone-surrogate-value", "lone-surrogate-key", "nul", "nested-nul"],
)
def test_unstorable_strings_are_refused_with_400(api_client: APIClient, raw: str, detail: str) -> None:
    response = api_client.post(REGISTER, data=raw, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == body("validation_error", detail)


def test_invalid_utf8_bytes_are_refused_with_400(api_client: APIClient) -> None:
    response = api_client.post(REGISTER, data=b'{"email": "\xed\xa0\x80"}', content_type="application/json")

    assert response.status_code == 400
    payload = response.json()
    assert payload["code"] == "validation_error"
    assert payload["detail"].startswith("JSON parse error - ")
    assert payload["errors"] == {}


@pytest.mark.parametrize("depth", [65, 2_000, 100_000])
def test_deeply_nested_json_is_refused_with_400(api_client: APIClient, depth: int) -> None:
    raw = "[" * depth + "]" * depth

    response = api_client.post(REGISTER, data=raw, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == body("validation_error", "JSON parse error - nesting deeper than 64 levels.")


def test_non_finite_numbers_are_refused_with_400(api_client: APIClient) -> None:
    response = api_client.post(REGISTER, data='{"email": NaN}', content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


# --- 401 ----------------------------------------------------------------------------------


def test_missing_token_is_not_authenticated(api_client: APIClient) -> None:
    response = api_client.get(ME)

    assert response.status_code == 401
    assert response.json() == body("not_authenticated", "Authentication credentials were not provided.")
    assert response["WWW-Authenticate"] == BEARER_CHALLENGE


@pytest.mark.parametrize("header", ["Bearer garbage", "Bearer a.b.c", "Bearer " + "x" * 500])
def test_garbage_token_is_token_not_valid(api_client: APIClient, header: str) -> None:
    api_client.credentials(HTTP_AUTHORIZATION=header)

    response = api_client.get(ME)

    assert response.status_code == 401
    assert response.json() == body("token_not_valid", "Given token not valid for any token type")
    assert response["WWW-Authenticate"] == BEARER_CHALLENGE


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b"])
def test_malformed_authorization_header_is_token_not_valid(api_client: APIClient, header: str) -> None:
    api_client.credentials(HTTP_AUTHORIZATION=header)

    response = api_client.get(ME)

    assert response.status_code == 401
    assert response.json() == body(
        "token_not_valid", "Authorization header must contain two space-delimited values"
    )
    assert response["WWW-Authenticate"] == BEARER_CHALLENGE


def test_other_authorization_schemes_are_not_authenticated(api_client: APIClient) -> None:
    api_client.credentials(HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")

    response = api_client.get(ME)

    assert response.status_code == 401
    assert response.json() == body("not_authenticated", "Authentication credentials were not provided.")


def test_expired_token_is_token_not_valid(api_client: APIClient, user: User) -> None:
    refresh = RefreshToken.for_user(user)
    refresh[GENERATION_CLAIM] = user.token_generation
    access = refresh.access_token
    access.set_exp(from_time=timezone.now() - timedelta(days=2))
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")

    response = api_client.get(ME)

    assert response.status_code == 401
    assert response.json() == body("token_not_valid", "Given token not valid for any token type")
    assert response["WWW-Authenticate"] == BEARER_CHALLENGE


def test_token_signed_with_another_key_is_token_not_valid(api_client: APIClient, user: User) -> None:
    refresh = RefreshToken.for_user(user)
    refresh[GENERATION_CLAIM] = user.token_generation
    access = refresh.access_token
    forged = jwt.encode(access.payload, "another-signing-key-of-32-characters!", algorithm="HS256")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {forged}")

    response = api_client.get(ME)

    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_valid_token_passes(auth_client: APIClient, user: User) -> None:
    response = auth_client.get(ME)

    assert response.status_code == 200
    assert response.json()["email"] == user.email


# --- 404 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/nope",
        "/api/v1/nope/",
        "/api/v1/users/me/nope",
        "/api/v1/users/me/nope/",
        "/api/v2/users/me",
        "/api/",
        "/api",
    ],
)
def test_unknown_api_path_is_json_not_found(api_client: APIClient, path: str) -> None:
    response = api_client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == body("not_found", "Not found.")


def test_unknown_path_outside_the_api_is_json_not_found(api_client: APIClient) -> None:
    response = api_client.get("/no-such-page")

    assert response.status_code == 404
    assert response.json() == body("not_found", "Not found.")


def test_unknown_api_path_is_not_found_for_every_method(api_client: APIClient) -> None:
    response = api_client.post("/api/v1/nope/", {"a": 1})

    assert response.status_code == 404
    assert response.json() == body("not_found", "Not found.")


# --- 405, 406, 415 ------------------------------------------------------------------------


@pytest.mark.parametrize("path", [REGISTER, REGISTER + "/"])
def test_wrong_method_is_method_not_allowed(api_client: APIClient, path: str) -> None:
    response = api_client.get(path)

    assert response.status_code == 405
    assert response.json() == body("method_not_allowed", 'Method "GET" not allowed.')
    assert response["Allow"] == "POST, OPTIONS"


def test_unsupported_media_type(api_client: APIClient) -> None:
    response = api_client.post(REGISTER, data="email=a@example.com", content_type="text/plain")

    assert response.status_code == 415
    assert response.json() == body(
        "unsupported_media_type", 'Unsupported media type "text/plain" in request.'
    )


def test_form_bodies_are_unsupported(api_client: APIClient) -> None:
    response = api_client.post(
        REGISTER, data="email=a%40example.com", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_unacceptable_accept_header(api_client: APIClient) -> None:
    response = api_client.get(ME, HTTP_ACCEPT="text/html")

    assert response.status_code == 406
    assert response.json() == body("not_acceptable", "Could not satisfy the request Accept header.")


# --- 400 from Django itself ---------------------------------------------------------------


def test_disallowed_host_is_json_bad_request(api_client: APIClient) -> None:
    response = api_client.get("/healthz", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert response.json() == body("validation_error", "Bad request.")


def test_oversized_body_is_json_payload_too_large(api_client: APIClient) -> None:
    raw = '{"email": "' + "a" * 2_000 + '"}'

    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1_000):
        response = api_client.post(REGISTER, data=raw, content_type="application/json")

    assert response.status_code == 413
    assert response.json() == body(
        "payload_too_large", "The request body is larger than the limit of 1000 bytes."
    )


def test_server_error_handler_is_json() -> None:
    response = server_error(RequestFactory().get("/anything"))

    assert response.status_code == 500
    assert json.loads(response.content) == body("server_error", "Internal server error.")


def test_the_json_handlers_are_installed() -> None:
    assert (urls.handler400, urls.handler404, urls.handler500) == (bad_request, not_found, server_error)

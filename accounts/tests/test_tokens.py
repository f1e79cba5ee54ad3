import logging

import jwt
import pytest
from django.conf import settings
from rest_framework.test import APIClient

from accounts import services
from accounts.models import RefreshSession
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/users/me"


def login(api_client, email, password=DEFAULT_PASSWORD):
    return api_client.post(LOGIN, {"email": email, "password": password}, format="json")


def me(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client.get(ME)


def test_login_returns_token_pair_with_claims(api_client):
    user = UserFactory(email="Kim@Example.com")

    response = login(api_client, "kim@EXAMPLE.com")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 86400
    claims = jwt.decode(body["access_token"], settings.JWT_SIGNING_KEY, algorithms=["HS256"])
    assert claims["user_id"] == str(user.pk)
    assert claims["email"] == user.email == "Kim@Example.com"
    assert claims["token_type"] == "access"
    assert claims["exp"] - claims["iat"] == 86400
    refresh = jwt.decode(body["refresh_token"], settings.JWT_SIGNING_KEY, algorithms=["HS256"])
    assert refresh["token_type"] == "refresh"
    assert refresh["exp"] - refresh["iat"] == 7 * 86400
    assert me(body["access_token"]).json()["id"] == str(user.pk)


def test_wrong_password_and_unknown_email_get_the_same_401(api_client):
    UserFactory(email="kim@example.com")

    wrong_password = login(api_client, "kim@example.com", "Wrong-pass1")
    unknown_email = login(api_client, "nobody@example.com")

    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json() == unknown_email.json()
    assert wrong_password.json() == {
        "code": "not_authenticated",
        "detail": "Invalid e-mail or password.",
        "errors": {},
    }
    assert wrong_password["WWW-Authenticate"].startswith("Bearer")


def test_inactive_user_cannot_log_in(api_client):
    UserFactory(email="kim@example.com", is_active=False)
    response = login(api_client, "kim@example.com")
    assert response.status_code == 401
    assert response.json() == {
        "code": "not_authenticated",
        "detail": "Invalid e-mail or password.",
        "errors": {},
    }


def test_unverified_user_can_log_in(api_client):
    UserFactory(email="kim@example.com", email_verified=False)
    assert login(api_client, "kim@example.com").status_code == 200


def test_login_requires_both_fields(api_client):
    response = api_client.post(LOGIN, {"email": "kim@example.com"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["password"]


def test_login_attempts_are_logged_without_password(api_client, caplog):
    UserFactory(email="kim@example.com")
    caplog.set_level(logging.INFO, logger="accounts.services")

    login(api_client, "kim@example.com", "Wrong-pass1")
    login(api_client, "kim@example.com")

    lines = [r.getMessage() for r in caplog.records if r.name == "accounts.services"]
    assert lines[0] == "login failed email=kim@example.com ip=127.0.0.1"
    assert lines[1].startswith("login succeeded email=kim@example.com ip=127.0.0.1 user_id=")
    assert not any(DEFAULT_PASSWORD in line or "Wrong-pass1" in line for line in caplog.messages)


def test_expired_access_token_is_refused(api_client, clock):
    UserFactory(email="kim@example.com")
    access = login(api_client, "kim@example.com").json()["access_token"]

    clock.shift(86400 - 5)
    assert me(access).status_code == 200
    clock.shift(10)
    response = me(access)

    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_refresh_rotates_and_old_token_stops_working(api_client):
    UserFactory(email="kim@example.com")
    first = login(api_client, "kim@example.com").json()

    response = api_client.post(REFRESH, {"refresh_token": first["refresh_token"]}, format="json")

    assert response.status_code == 200
    second = response.json()
    assert set(second) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert second["refresh_token"] != first["refresh_token"]
    assert me(second["access_token"]).status_code == 200

    reused = api_client.post(REFRESH, {"refresh_token": first["refresh_token"]}, format="json")
    assert reused.status_code == 401
    assert reused.json()["code"] == "token_not_valid"
    newer = api_client.post(REFRESH, {"refresh_token": second["refresh_token"]}, format="json")
    assert newer.status_code == 200


def test_refresh_ignores_a_stale_authorization_header(api_client):
    UserFactory(email="kim@example.com")
    tokens = login(api_client, "kim@example.com").json()
    api_client.credentials(HTTP_AUTHORIZATION="Bearer expired.or.garbage")

    response = api_client.post(REFRESH, {"refresh_token": tokens["refresh_token"]}, format="json")

    assert response.status_code == 200


@pytest.mark.parametrize("field", ["access_token", "garbage"])
def test_refresh_refuses_access_tokens_and_garbage(api_client, field):
    UserFactory(email="kim@example.com")
    tokens = login(api_client, "kim@example.com").json()
    token = tokens.get(field, "not-a-jwt")

    response = api_client.post(REFRESH, {"refresh_token": token}, format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_refresh_token_expires_after_seven_days(api_client, clock):
    UserFactory(email="kim@example.com")
    tokens = login(api_client, "kim@example.com").json()

    clock.shift(7 * 86400 + 1)
    response = api_client.post(REFRESH, {"refresh_token": tokens["refresh_token"]}, format="json")

    assert response.status_code == 401
    assert response.json() == {
        "code": "token_not_valid",
        "detail": "Refresh token is invalid or expired.",
        "errors": {},
    }


def test_refresh_refused_for_deactivated_user(api_client):
    user = UserFactory(email="kim@example.com")
    tokens = login(api_client, "kim@example.com").json()
    services.user_set_active(user=user, active=False)

    refused = api_client.post(REFRESH, {"refresh_token": tokens["refresh_token"]}, format="json")
    assert refused.status_code == 401
    assert refused.json()["code"] == "token_not_valid"
    assert me(tokens["access_token"]).status_code == 401
    assert me(tokens["access_token"]).json()["code"] == "token_not_valid"


def test_logout_ends_the_refresh_token_only(api_client):
    UserFactory(email="kim@example.com")
    tokens = login(api_client, "kim@example.com").json()
    other = login(api_client, "kim@example.com").json()

    response = api_client.post(LOGOUT, {"refresh_token": tokens["refresh_token"]}, format="json")

    assert response.status_code == 204
    assert response.content == b""
    refused = api_client.post(REFRESH, {"refresh_token": tokens["refresh_token"]}, format="json")
    assert refused.status_code == 401
    assert refused.json()["detail"] == "Refresh token has been used or revoked."
    again = api_client.post(LOGOUT, {"refresh_token": tokens["refresh_token"]}, format="json")
    assert again.status_code == 401
    assert again.json()["detail"] == "Refresh token has been used or revoked."
    assert (
        api_client.post(REFRESH, {"refresh_token": other["refresh_token"]}, format="json").status_code == 200
    )


def test_logout_refuses_garbage(api_client):
    response = api_client.post(LOGOUT, {"refresh_token": "x.y.z"}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_refresh_sessions_store_no_token_text(api_client):
    UserFactory(email="kim@example.com")
    tokens = login(api_client, "kim@example.com").json()
    session = RefreshSession.objects.get()
    stored = " ".join(str(getattr(session, f.attname)) for f in RefreshSession._meta.fields)
    assert tokens["refresh_token"] not in stored
    assert tokens["refresh_token"].split(".")[2] not in stored


def test_a_session_issued_before_token_families_still_refreshes_into_a_new_family(api_client):
    user = UserFactory(email="kim@example.com")
    tokens = login(api_client, "kim@example.com").json()
    RefreshSession.objects.filter(user=user).update(family=None)

    response = api_client.post(REFRESH, {"refresh_token": tokens["refresh_token"]}, format="json")

    assert response.status_code == 200
    claims = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
    newest = RefreshSession.objects.get(user=user, ended_at__isnull=True)
    assert claims["fam"] == str(newest.family_id)
    assert me(response.json()["access_token"]).status_code == 200


def test_an_access_token_is_checked_in_one_query(api_client, django_assert_num_queries):
    UserFactory(email="kim@example.com")
    access = login(api_client, "kim@example.com").json()["access_token"]

    with django_assert_num_queries(1):
        assert me(access).status_code == 200

import pytest
from django.core import mail
from rest_framework.test import APIClient

from accounts.models import OneTimeToken, User
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from accounts.tests.helpers import token_from_last_email

pytestmark = pytest.mark.django_db

REQUEST = "/api/v1/auth/reset-password/request"
CONFIRM = "/api/v1/auth/reset-password/confirm"
LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
NEW_PASSWORD = "Another-pass2"


@pytest.fixture
def kim(db):
    return UserFactory(email="kim@example.com", username="kim")


def request_reset(api_client, capture, email):
    with capture(execute=True):
        return api_client.post(REQUEST, {"email": email}, format="json")


def tokens_for(api_client, email, password=DEFAULT_PASSWORD):
    return api_client.post(LOGIN, {"email": email, "password": password}, format="json").json()


TOKEN_REFUSED = {"token": ["Invalid, expired or already used token."]}
REVOKED = {"code": "token_not_valid", "detail": "Token has been revoked.", "errors": {}}


def status_with(access_token):
    """The status of a request with ``access_token``; a refusal must be the revoked-token body."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token}")
    response = client.get("/api/v1/users/me")
    if response.status_code == 401:
        assert response.json() == REVOKED
    return response.status_code


def test_reset_request_answers_the_same_for_known_and_unknown_emails(
    api_client, django_capture_on_commit_callbacks, kim
):
    known = request_reset(api_client, django_capture_on_commit_callbacks, "KIM@example.com")
    unknown = request_reset(api_client, django_capture_on_commit_callbacks, "nobody@example.com")

    assert known.status_code == unknown.status_code == 200
    assert known.json() == unknown.json() == {"message": "Reset email sent"}
    assert [m.to for m in mail.outbox] == [["kim@example.com"]]
    assert "/reset-password?token=" in mail.outbox[0].body


def test_reset_request_sends_nothing_to_inactive_users(api_client, django_capture_on_commit_callbacks):
    UserFactory(email="gone@example.com", is_active=False)
    response = request_reset(api_client, django_capture_on_commit_callbacks, "gone@example.com")
    assert response.status_code == 200
    assert mail.outbox == []


def test_reset_token_is_stored_only_as_a_hash(api_client, django_capture_on_commit_callbacks, kim):
    request_reset(api_client, django_capture_on_commit_callbacks, kim.email)
    token = token_from_last_email(kim.email)

    stored = OneTimeToken.objects.get(purpose=OneTimeToken.Purpose.RESET_PASSWORD)

    assert token not in stored.token_hash
    assert len(stored.token_hash) == 64
    assert (stored.expires_at - stored.created_at).total_seconds() == pytest.approx(3600, abs=1)


def test_reset_confirm_sets_password_and_ends_every_session(
    api_client, django_capture_on_commit_callbacks, kim
):
    before = tokens_for(api_client, kim.email)
    assert status_with(before["access_token"]) == 200
    request_reset(api_client, django_capture_on_commit_callbacks, kim.email)
    token = token_from_last_email(kim.email)

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(CONFIRM, {"token": token, "new_password": NEW_PASSWORD}, format="json")

    assert response.status_code == 200
    assert response.json() == {"message": "Password updated successfully"}
    kim.refresh_from_db()
    assert kim.check_password(NEW_PASSWORD)
    assert status_with(before["access_token"]) == 401
    refreshed = api_client.post(REFRESH, {"refresh_token": before["refresh_token"]}, format="json")
    assert refreshed.status_code == 401
    assert refreshed.json()["code"] == "token_not_valid"
    after = tokens_for(api_client, kim.email, NEW_PASSWORD)
    assert status_with(after["access_token"]) == 200
    assert tokens_for(api_client, kim.email)["code"] == "not_authenticated"
    assert mail.outbox[-1].subject == "Your Taskflow password was changed"


def test_reset_token_is_single_use(api_client, django_capture_on_commit_callbacks, kim):
    request_reset(api_client, django_capture_on_commit_callbacks, kim.email)
    token = token_from_last_email(kim.email)
    api_client.post(CONFIRM, {"token": token, "new_password": NEW_PASSWORD}, format="json")

    reused = api_client.post(CONFIRM, {"token": token, "new_password": "Third-pass3"}, format="json")

    assert reused.status_code == 400
    assert reused.json()["errors"] == TOKEN_REFUSED
    kim.refresh_from_db()
    assert kim.check_password(NEW_PASSWORD)


def test_a_reset_voids_other_outstanding_reset_tokens(api_client, django_capture_on_commit_callbacks, kim):
    request_reset(api_client, django_capture_on_commit_callbacks, kim.email)
    first = token_from_last_email(kim.email)
    request_reset(api_client, django_capture_on_commit_callbacks, kim.email)
    second = token_from_last_email(kim.email)
    assert first != second

    assert api_client.post(CONFIRM, {"token": second, "new_password": NEW_PASSWORD}).status_code == 200
    voided = api_client.post(CONFIRM, {"token": first, "new_password": "Third-pass3"})
    assert voided.status_code == 400
    assert voided.json()["errors"] == TOKEN_REFUSED


def test_reset_token_expires_after_one_hour(api_client, django_capture_on_commit_callbacks, kim, clock):
    request_reset(api_client, django_capture_on_commit_callbacks, kim.email)
    token = token_from_last_email(kim.email)

    clock.shift(3600 + 1)
    response = api_client.post(CONFIRM, {"token": token, "new_password": NEW_PASSWORD}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == TOKEN_REFUSED
    kim.refresh_from_db()
    assert kim.check_password(DEFAULT_PASSWORD)


def test_reset_token_still_works_just_before_one_hour(
    api_client, django_capture_on_commit_callbacks, kim, clock
):
    request_reset(api_client, django_capture_on_commit_callbacks, kim.email)
    token = token_from_last_email(kim.email)

    clock.shift(3600 - 5)
    response = api_client.post(CONFIRM, {"token": token, "new_password": NEW_PASSWORD}, format="json")

    assert response.status_code == 200


def test_reset_confirm_refuses_weak_password_and_keeps_token(
    api_client, django_capture_on_commit_callbacks, kim
):
    request_reset(api_client, django_capture_on_commit_callbacks, kim.email)
    token = token_from_last_email(kim.email)

    weak = api_client.post(CONFIRM, {"token": token, "new_password": "weak"}, format="json")

    assert weak.status_code == 400
    assert list(weak.json()["errors"]) == ["new_password"]
    kim.refresh_from_db()
    assert kim.check_password(DEFAULT_PASSWORD)
    # Nothing half-written: the token was not spent by the refused attempt.
    assert api_client.post(CONFIRM, {"token": token, "new_password": NEW_PASSWORD}).status_code == 200


def test_reset_confirm_refuses_unknown_token(api_client):
    response = api_client.post(CONFIRM, {"token": "unknown", "new_password": NEW_PASSWORD}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


def test_reset_confirm_refused_for_user_deactivated_meanwhile(
    api_client, django_capture_on_commit_callbacks, kim
):
    request_reset(api_client, django_capture_on_commit_callbacks, kim.email)
    token = token_from_last_email(kim.email)
    User.objects.filter(pk=kim.pk).update(is_active=False)

    response = api_client.post(CONFIRM, {"token": token, "new_password": NEW_PASSWORD}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == TOKEN_REFUSED


def test_password_change_ends_other_sessions_and_returns_new_tokens(
    api_client, django_capture_on_commit_callbacks, kim
):
    other_device = tokens_for(api_client, kim.email)
    mine = tokens_for(api_client, kim.email)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {mine['access_token']}")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/users/me/password",
            {"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD},
            format="json",
        )

    assert response.status_code == 200
    fresh = response.json()
    assert fresh["token_type"] == "Bearer"
    assert status_with(fresh["access_token"]) == 200
    assert status_with(mine["access_token"]) == 401
    assert status_with(other_device["access_token"]) == 401
    stale = api_client.post(REFRESH, {"refresh_token": other_device["refresh_token"]})
    assert stale.status_code == 401
    assert stale.json()["code"] == "token_not_valid"
    assert mail.outbox[-1].to == ["kim@example.com"]
    assert "password was changed" in mail.outbox[-1].subject


def test_password_change_needs_the_current_password(api_client, kim):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for(api_client, kim.email)['access_token']}")

    response = client.post(
        "/api/v1/users/me/password",
        {"current_password": "Wrong-pass9", "new_password": NEW_PASSWORD},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"current_password": ["Current password is incorrect."]}
    kim.refresh_from_db()
    assert kim.check_password(DEFAULT_PASSWORD)


def test_password_change_refuses_weak_password(api_client, kim):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for(api_client, kim.email)['access_token']}")

    response = client.post(
        "/api/v1/users/me/password",
        {"current_password": DEFAULT_PASSWORD, "new_password": "kim@example.com1A"},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["new_password"]

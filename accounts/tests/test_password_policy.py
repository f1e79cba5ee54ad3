"""Password policy (issue 8, point 5) on every path that sets a password: SPEC's complexity rules
plus Django's common-password and similarity validators; an e-mail after a change or a reset;
deactivation ends API tokens and admin sessions alike."""

from typing import cast

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import user_set_active
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from accounts.tests.helpers import bearer_client, login, token_from_last_email

pytestmark = pytest.mark.django_db

# Each passes SPEC's complexity rules (8+ characters, upper, lower, digit): only Django's
# validators can refuse them.
COMMON = "Password123"
LIKE_EMAIL = "Kimberly.Example1"  # the e-mail is kimberly.example@example.com
LIKE_USERNAME = "Kimberly_Stone1"  # the username is kimberly_stone
WEAK = [(COMMON, "too common"), (LIKE_EMAIL, "too similar"), (LIKE_USERNAME, "too similar")]


@pytest.fixture
def kim(db) -> User:
    return cast(User, UserFactory(email="kimberly.example@example.com", username="kimberly_stone"))


def test_the_validators_are_complexity_then_djangos():
    names = [validator["NAME"].rsplit(".", 1)[1] for validator in settings.AUTH_PASSWORD_VALIDATORS]

    assert names == [
        "PasswordComplexityValidator",
        "UserAttributeSimilarityValidator",
        "CommonPasswordValidator",
    ]
    similarity = settings.AUTH_PASSWORD_VALIDATORS[1]["OPTIONS"]["user_attributes"]
    assert set(similarity) == {"username", "email"}


@pytest.mark.parametrize(("password", "message"), WEAK)
def test_a_password_change_refuses_common_and_similar_passwords(kim, password, message):
    response = bearer_client(kim).post(
        "/api/v1/users/me/password",
        {"current_password": DEFAULT_PASSWORD, "new_password": password},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert any(message in text for text in response.json()["errors"]["new_password"]), response.json()
    kim.refresh_from_db()
    assert kim.check_password(DEFAULT_PASSWORD)


@pytest.mark.parametrize(("password", "message"), WEAK)
def test_a_password_reset_refuses_common_and_similar_passwords(
    api_client, django_capture_on_commit_callbacks, kim, password, message
):
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post("/api/v1/auth/reset-password/request", {"email": kim.email}, format="json")
    token = token_from_last_email(kim.email)

    response = api_client.post(
        "/api/v1/auth/reset-password/confirm", {"token": token, "new_password": password}, format="json"
    )

    assert response.status_code == 400
    assert any(message in text for text in response.json()["errors"]["new_password"]), response.json()
    kim.refresh_from_db()
    assert kim.check_password(DEFAULT_PASSWORD)


def test_a_strong_uncommon_dissimilar_password_is_accepted(kim, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = bearer_client(kim).post(
            "/api/v1/users/me/password",
            {"current_password": DEFAULT_PASSWORD, "new_password": "Quartz-Lantern-42"},
            format="json",
        )

    assert response.status_code == 200
    assert [message.to for message in mail.outbox] == [[kim.email]]
    assert mail.outbox[0].subject == "Your Taskflow password was changed"
    assert "Quartz-Lantern-42" not in mail.outbox[0].body


def test_a_reset_sends_the_changed_e_mail(api_client, django_capture_on_commit_callbacks, kim):
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post("/api/v1/auth/reset-password/request", {"email": kim.email}, format="json")
    token = token_from_last_email(kim.email)

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/v1/auth/reset-password/confirm",
            {"token": token, "new_password": "Quartz-Lantern-42"},
            format="json",
        )

    assert response.status_code == 200
    assert [message.subject for message in mail.outbox] == [
        mail.outbox[0].subject,
        "Your Taskflow password was changed",
    ]
    assert mail.outbox[-1].to == [kim.email]
    assert "Quartz-Lantern-42" not in mail.outbox[-1].body


def test_deactivation_ends_api_tokens_refresh_tokens_and_admin_sessions(kim):
    kim.is_staff = kim.is_superuser = True
    kim.save()
    pair = login(kim)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {pair.access_token}")
    admin = Client()
    admin.force_login(kim)
    assert api.get("/api/v1/users/me").status_code == 200
    assert admin.get("/admin/").status_code == 200

    user_set_active(user=kim, active=False)

    assert api.get("/api/v1/users/me").status_code == 401
    refreshed = APIClient().post("/api/v1/auth/refresh", {"refresh_token": pair.refresh_token}, format="json")
    assert refreshed.status_code == 401
    assert admin.get("/admin/").status_code == 302
    assert admin.get("/admin/")["Location"].startswith("/admin/login/")
    login_again = APIClient().post(
        "/api/v1/auth/login", {"email": kim.email, "password": DEFAULT_PASSWORD}, format="json"
    )
    assert login_again.status_code == 401


def test_reactivation_does_not_revive_old_tokens(kim):
    pair = login(kim)
    user_set_active(user=kim, active=False)

    user_set_active(user=kim, active=True)

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {pair.access_token}")
    assert api.get("/api/v1/users/me").status_code == 401
    assert bearer_client(kim).get("/api/v1/users/me").status_code == 200

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.core import mail
from django.db import IntegrityError
from django.test import override_settings

from accounts.models import User
from accounts.tests.factories import UserFactory
from accounts.tests.helpers import token_from_last_email

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register"
VERIFY = "/api/v1/auth/verify-email"
GOOD = {"email": "Ann.Lee@Example.COM", "username": "ann_lee", "password": "Secret-pass1"}


def register(api_client, django_capture_on_commit_callbacks, **overrides):
    with django_capture_on_commit_callbacks(execute=True):
        return api_client.post(REGISTER, {**GOOD, **overrides}, format="json")


def test_register_creates_user_and_sends_verification_email(
    api_client, django_capture_on_commit_callbacks, settings
):
    response = register(api_client, django_capture_on_commit_callbacks)

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "email", "username", "created_at"}
    assert body["email"] == "Ann.Lee@example.com"  # the domain is normalised, the local part kept
    assert body["username"] == "ann_lee"
    user = User.objects.get(pk=body["id"])
    assert user.email_verified is False
    assert user.check_password("Secret-pass1")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Ann.Lee@example.com"]
    assert f"{settings.FRONTEND_URL}/verify-email?token=" in message.body
    html = message.alternatives[0][0]
    assert f"{settings.FRONTEND_URL}/verify-email?token=" in html


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "ann.lee@example.com"),
        ("email", "ANN.LEE@EXAMPLE.COM"),
        ("username", "ANN_LEE"),
        ("username", "Ann_Lee"),
    ],
)
def test_register_refuses_taken_email_or_username_in_any_letter_case(
    api_client, django_capture_on_commit_callbacks, field, value
):
    UserFactory(email="ann.lee@example.com", username="ann_lee")
    other = {"email": "someone@example.com", "username": "someone"}
    other[field] = value

    response = register(api_client, django_capture_on_commit_callbacks, **other)

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict"
    assert list(body["errors"]) == [field]
    assert User.objects.count() == 1
    assert mail.outbox == []


def test_database_enforces_case_insensitive_uniqueness():
    UserFactory(email="x@example.com", username="xavier")
    with pytest.raises(IntegrityError):
        UserFactory(email="X@EXAMPLE.COM", username="other")


def test_database_enforces_case_insensitive_username_uniqueness():
    UserFactory(email="x@example.com", username="xavier")
    with pytest.raises(IntegrityError):
        UserFactory(email="y@example.com", username="XAVIER")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Short1a", "at least 8 characters"),
        ("alllowercase1", "upper-case letter"),
        ("ALLUPPERCASE1", "lower-case letter"),
        ("NoDigitsHere", "digit"),
        ("Aa1" + "x" * 126, "at most 128 characters"),
        ("Password123", "too common"),
        ("Ann_lee_1", "too similar"),
    ],
)
def test_register_refuses_weak_passwords(api_client, django_capture_on_commit_callbacks, password, message):
    response = register(api_client, django_capture_on_commit_callbacks, password=password)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert any(message in text for text in body["errors"]["password"]), body
    assert not User.objects.exists()


def test_register_accepts_128_character_password(api_client, django_capture_on_commit_callbacks):
    response = register(api_client, django_capture_on_commit_callbacks, password="Aa1" + "q" * 125)
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"email": "not-an-email"}, ["email"]),
        ({"username": "ab"}, ["username"]),
        ({"username": "a" * 31}, ["username"]),
        ({"username": "has space"}, ["username"]),
        ({"username": "bad/char"}, ["username"]),
        ({"email": None, "username": None, "password": None}, ["email", "password", "username"]),
        # Strings only, as the schema says: a number is not turned into one.
        ({"username": 12345}, ["username"]),
        ({"email": 7, "password": 12345678}, ["email", "password"]),
    ],
)
def test_register_field_errors(api_client, django_capture_on_commit_callbacks, payload, fields):
    response = register(api_client, django_capture_on_commit_callbacks, **payload)

    assert response.status_code == 400
    assert sorted(response.json()["errors"]) == fields


def test_register_with_missing_body(api_client):
    response = api_client.post(REGISTER, {}, format="json")
    assert response.status_code == 400
    assert sorted(response.json()["errors"]) == ["email", "password", "username"]


def test_registered_password_is_bcrypt_with_cost_12(api_client, django_capture_on_commit_callbacks, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.BCryptSHA256PasswordHasher"]

    register(api_client, django_capture_on_commit_callbacks)

    stored = User.objects.get().password
    assert identify_hasher(stored).algorithm == "bcrypt_sha256"
    algorithm, _empty, version, cost, _ = stored.split("$", 4)
    assert (algorithm, version, cost) == ("bcrypt_sha256", "2b", "12")


def test_verify_email_marks_user_verified_once(api_client, django_capture_on_commit_callbacks):
    register(api_client, django_capture_on_commit_callbacks)
    token = token_from_last_email("Ann.Lee@example.com")

    response = api_client.post(VERIFY, {"token": token}, format="json")

    assert response.status_code == 200
    assert response.json() == {"message": "Email verified successfully"}
    assert User.objects.get().email_verified is True

    again = api_client.post(VERIFY, {"token": token}, format="json")
    assert again.status_code == 400
    assert again.json()["errors"] == {"token": ["Invalid, expired or already used token."]}


def test_verify_email_refuses_unknown_token(api_client):
    response = api_client.post(VERIFY, {"token": "nope"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert list(response.json()["errors"]) == ["token"]


def test_verify_email_refuses_expired_token(api_client, django_capture_on_commit_callbacks, clock):
    register(api_client, django_capture_on_commit_callbacks)
    token = token_from_last_email("Ann.Lee@example.com")

    clock.shift(72 * 3600 + 1)
    response = api_client.post(VERIFY, {"token": token}, format="json")

    assert response.status_code == 400
    assert User.objects.get().email_verified is False


def test_reset_token_does_not_verify_email(api_client, django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post("/api/v1/auth/reset-password/request", {"email": user.email}, format="json")
    token = token_from_last_email(user.email)

    response = api_client.post(VERIFY, {"token": token}, format="json")

    assert response.status_code == 400


@override_settings(FRONTEND_URL="https://app.example.org")
def test_verification_link_uses_frontend_url(api_client, django_capture_on_commit_callbacks):
    register(api_client, django_capture_on_commit_callbacks)
    assert "https://app.example.org/verify-email?token=" in mail.outbox[0].body

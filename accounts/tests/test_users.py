import pytest
from django.core import mail

from accounts.models import User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ME = "/api/v1/users/me"
PREFERENCES = "/api/v1/users/me/preferences"
DEFAULTS = {
    "email_notifications": True,
    "deadline_threshold": "24h",
    "notification_types": {"DEADLINE_APPROACHING": True, "OVERDUE": True, "REMINDER": True},
    "timezone": "UTC",
}


def test_me_returns_the_callers_account(auth_client, user):
    response = auth_client.get(ME)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "id",
        "email",
        "username",
        "email_verified",
        "preferences",
        "created_at",
        "updated_at",
    }
    assert body["id"] == str(user.pk)
    assert body["preferences"] == DEFAULTS
    # ISO 8601 in UTC, as DRF renders an aware datetime with USE_TZ and TIME_ZONE = "UTC".
    assert body["created_at"] == user.created_at.isoformat().replace("+00:00", "Z")


def test_me_needs_authentication(api_client):
    response = api_client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_patch_me_changes_username(auth_client, user):
    response = auth_client.patch(ME, {"username": "new.name"}, format="json")

    assert response.status_code == 200
    assert response.json()["username"] == "new.name"
    user.refresh_from_db()
    assert user.username == "new.name"


def test_patch_me_keeps_own_username_in_other_case(auth_client, user):
    response = auth_client.patch(ME, {"username": user.username.upper()}, format="json")
    assert response.status_code == 200


def test_patch_me_refuses_taken_username_in_other_case(auth_client, user):
    UserFactory(username="taken")

    response = auth_client.patch(ME, {"username": "TAKEN"}, format="json")

    assert response.status_code == 409
    assert response.json()["errors"] == {"username": ["A user with this username already exists."]}
    user.refresh_from_db()
    assert user.username != "TAKEN"


@pytest.mark.parametrize("username", ["ab", "x" * 31, "with space", "émile", "", 12345, True])
def test_patch_me_refuses_invalid_username(auth_client, username):
    response = auth_client.patch(ME, {"username": username}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["username"]


def test_patch_me_ignores_read_only_fields(auth_client, user):
    response = auth_client.patch(ME, {"email": "evil@example.com", "email_verified": True}, format="json")

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.email != "evil@example.com"
    assert user.email_verified is False


def test_preferences_default(auth_client):
    response = auth_client.get(PREFERENCES)
    assert response.status_code == 200
    assert response.json() == DEFAULTS


def test_preferences_partial_update_keeps_other_keys(auth_client, user):
    first = auth_client.patch(
        PREFERENCES, {"deadline_threshold": "1w", "notification_types": {"OVERDUE": False}}, format="json"
    )
    second = auth_client.patch(
        PREFERENCES, {"timezone": "Europe/Berlin", "notification_types": {"REMINDER": False}}, format="json"
    )

    assert first.status_code == second.status_code == 200
    expected = {
        "email_notifications": True,
        "deadline_threshold": "1w",
        "notification_types": {"DEADLINE_APPROACHING": True, "OVERDUE": False, "REMINDER": False},
        "timezone": "Europe/Berlin",
    }
    assert second.json() == expected
    assert auth_client.get(PREFERENCES).json() == expected
    assert auth_client.get(ME).json()["preferences"] == expected
    user.refresh_from_db()
    assert user.preferences == expected


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email_notifications": "yes"}, "email_notifications"),
        ({"email_notifications": 1}, "email_notifications"),
        ({"deadline_threshold": "12h"}, "deadline_threshold"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": 5}, "timezone"),
        ({"notification_types": {"BIRTHDAY": True}}, "notification_types"),
        ({"notification_types": {"OVERDUE": "no"}}, "notification_types"),
        ({"notification_types": ["OVERDUE"]}, "notification_types"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_preferences_refuse_invalid_values(auth_client, user, payload, field):
    response = auth_client.patch(PREFERENCES, payload, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert field in response.json()["errors"]
    user.refresh_from_db()
    assert user.preferences == {}


def test_preferences_refuse_a_non_object_body(auth_client):
    response = auth_client.patch(PREFERENCES, ["x"], format="json")
    assert response.status_code == 400


def test_resend_verification(auth_client, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.post("/api/v1/users/me/resend-verification")

    assert response.status_code == 202
    assert [m.to for m in mail.outbox] == [[user.email]]


def test_resend_verification_refused_when_verified(auth_client, user):
    User.objects.filter(pk=user.pk).update(email_verified=True)

    response = auth_client.post("/api/v1/users/me/resend-verification")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["email"]

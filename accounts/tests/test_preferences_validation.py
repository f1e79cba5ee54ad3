"""Every preference is validated (SPEC §3, §7): through the API (PATCH users/me/preferences)
and by ``accounts.preferences``, which background jobs use on stored values."""

import pytest

from accounts.preferences import (
    DEFAULT_PREFERENCES,
    InvalidPreferences,
    effective_preferences,
    merge_preferences,
    preferences_errors,
)

URL = "/api/v1/users/me/preferences"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email_notifications": None}, "email_notifications"),
        ({"email_notifications": "false"}, "email_notifications"),
        ({"email_notifications": 0}, "email_notifications"),
        ({"deadline_threshold": "24H"}, "deadline_threshold"),
        ({"deadline_threshold": "2w"}, "deadline_threshold"),
        ({"deadline_threshold": 24}, "deadline_threshold"),
        ({"deadline_threshold": None}, "deadline_threshold"),
        ({"notification_types": {"OVERDUE": None}}, "notification_types"),
        ({"notification_types": {"REMINDER": 1}}, "notification_types"),
        ({"notification_types": {"overdue": True}}, "notification_types"),
        ({"notification_types": "OVERDUE"}, "notification_types"),
        ({"notification_types": None}, "notification_types"),
        ({"timezone": "utc/nowhere"}, "timezone"),
        ({"timezone": ""}, "timezone"),
        ({"timezone": None}, "timezone"),
        ({"timezone": "Europe/Berlin " * 10}, "timezone"),
        ({"timezone": ["UTC"]}, "timezone"),
    ],
)
def test_the_api_refuses_each_bad_value_and_changes_nothing(auth_client, user, payload, field):
    response = auth_client.patch(URL, payload, format="json")

    assert response.status_code == 400
    body = response.json()
    assert (body["code"], list(body["errors"])) == ("validation_error", [field])
    user.refresh_from_db()
    assert user.preferences == {}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload",
    [
        {"email_notifications": False},
        {"deadline_threshold": "24h"},
        {"deadline_threshold": "48h"},
        {"deadline_threshold": "1w"},
        {"notification_types": {"DEADLINE_APPROACHING": False, "OVERDUE": False, "REMINDER": False}},
        {"timezone": "America/Argentina/Buenos_Aires"},
        {"timezone": "UTC"},
        {},
    ],
)
def test_the_api_accepts_each_valid_value(auth_client, payload):
    response = auth_client.patch(URL, payload, format="json")

    assert response.status_code == 200
    assert response.json() == merge_preferences({}, payload)
    assert preferences_errors(response.json()) == {}


def test_the_defaults_are_valid():
    assert preferences_errors(DEFAULT_PREFERENCES) == {}
    assert effective_preferences({}) == DEFAULT_PREFERENCES


@pytest.mark.parametrize(
    ("stored", "keys"),
    [
        ({"email_notifications": "yes"}, {"email_notifications"}),
        ({"deadline_threshold": "12h"}, {"deadline_threshold"}),
        ({"notification_types": {"OVERDUE": "no"}}, {"notification_types"}),
        ({"timezone": "Mars/Olympus"}, {"timezone"}),
        ({"timezone": 5, "deadline_threshold": None}, {"timezone", "deadline_threshold"}),
    ],
)
def test_stored_values_the_api_would_refuse_are_reported(stored, keys):
    merged = merge_preferences(stored, {})

    assert set(preferences_errors(merged)) == keys
    with pytest.raises(InvalidPreferences) as raised:
        effective_preferences(stored)
    assert all(key in str(raised.value) for key in keys)


def test_notification_types_must_name_every_type():
    broken = {**DEFAULT_PREFERENCES, "notification_types": {"OVERDUE": True}}

    assert set(preferences_errors(broken)) == {"notification_types"}


@pytest.mark.parametrize("stored", [["a"], "text", 3])
def test_stored_preferences_that_are_not_an_object_are_refused(stored):
    assert preferences_errors(stored) == {"preferences": "must be an object"}
    with pytest.raises(InvalidPreferences):
        effective_preferences(stored)

"""User preferences (SPEC §7): defaults, merging a partial update, and reading them safely."""

import copy
import zoneinfo
from datetime import timedelta
from functools import cache
from typing import Any

THRESHOLD_DELTAS = {"24h": timedelta(hours=24), "48h": timedelta(hours=48), "1w": timedelta(weeks=1)}
DEADLINE_THRESHOLDS = tuple(THRESHOLD_DELTAS)
NOTIFICATION_TYPES = ("DEADLINE_APPROACHING", "OVERDUE", "REMINDER")

DEFAULT_PREFERENCES: dict[str, Any] = {
    "email_notifications": True,
    "deadline_threshold": "24h",
    "notification_types": dict.fromkeys(NOTIFICATION_TYPES, True),
    "timezone": "UTC",
}


class InvalidPreferences(ValueError):
    """Stored preferences that the API would have refused (e.g. edited by hand in the admin)."""


@cache
def available_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def merge_preferences(stored: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Defaults, then what is stored, then the changes; ``notification_types`` merges per key."""
    merged = copy.deepcopy(DEFAULT_PREFERENCES)
    for source in (stored or {}, changes):
        for key, value in source.items():
            if key not in merged:
                continue
            if key == "notification_types" and isinstance(value, dict):
                merged[key].update({k: v for k, v in value.items() if k in NOTIFICATION_TYPES})
            else:
                merged[key] = value
    return merged


def preferences_errors(preferences: Any) -> dict[str, str]:
    """What is wrong with a full set of preferences, by key (empty when they are valid)."""
    if not isinstance(preferences, dict):
        return {"preferences": "must be an object"}
    errors = {}
    if not isinstance(preferences.get("email_notifications"), bool):
        errors["email_notifications"] = "must be true or false"
    if preferences.get("deadline_threshold") not in THRESHOLD_DELTAS:
        errors["deadline_threshold"] = f"must be one of {', '.join(DEADLINE_THRESHOLDS)}"
    types = preferences.get("notification_types")
    if not isinstance(types, dict) or set(types) != set(NOTIFICATION_TYPES):
        errors["notification_types"] = f"must map each of {', '.join(NOTIFICATION_TYPES)} to a boolean"
    elif not all(isinstance(value, bool) for value in types.values()):
        errors["notification_types"] = "values must be true or false"
    timezone = preferences.get("timezone")
    if not isinstance(timezone, str) or timezone not in available_timezones():
        errors["timezone"] = "must be an IANA time zone name"
    return errors


def effective_preferences(stored: Any) -> dict[str, Any]:
    """The preferences a background job acts on: defaults filled in, and every value checked.
    Raises ``InvalidPreferences`` naming the bad keys rather than guessing what was meant."""
    if not isinstance(stored, dict):
        raise InvalidPreferences("preferences: must be an object")
    merged = merge_preferences(stored, {})
    errors = preferences_errors(merged)
    if errors:
        raise InvalidPreferences("; ".join(f"{key}: {message}" for key, message in sorted(errors.items())))
    return merged

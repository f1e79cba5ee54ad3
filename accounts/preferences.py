"""User preferences (SPEC §7): defaults, and merging a partial update."""

import copy
from typing import Any

DEADLINE_THRESHOLDS = ("24h", "48h", "1w")
NOTIFICATION_TYPES = ("DEADLINE_APPROACHING", "OVERDUE", "REMINDER")

DEFAULT_PREFERENCES: dict[str, Any] = {
    "email_notifications": True,
    "deadline_threshold": "24h",
    "notification_types": dict.fromkeys(NOTIFICATION_TYPES, True),
    "timezone": "UTC",
}


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

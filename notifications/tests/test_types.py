"""The notification types are listed once for preferences (accounts.preferences) and once as
stored choices (notifications.models); this test ties the two lists together."""

from accounts.preferences import NOTIFICATION_TYPES
from notifications.models import NotificationType


def test_the_stored_types_are_the_preference_types_in_the_same_order():
    assert tuple(NotificationType.labels) == NOTIFICATION_TYPES
    assert tuple(NotificationType.names) == NOTIFICATION_TYPES

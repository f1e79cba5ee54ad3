from typing import Any

from accounts.models import User
from integrations.models import GoogleIntegration, IntegrationStatus


def google_integration_get(*, user: User) -> GoogleIntegration | None:
    return GoogleIntegration.objects.filter(user=user).first()


def google_status(*, user: User) -> dict[str, Any]:
    """What the status endpoint shows: never a token."""
    integration = google_integration_get(user=user)
    if integration is None:
        return {
            "connected": False,
            "google_email": None,
            "calendar_id": None,
            "last_synced_at": None,
            "last_error": None,
        }
    return {
        "connected": integration.connected,
        "google_email": integration.google_email or None,
        "calendar_id": integration.calendar_id,
        "last_synced_at": integration.last_synced_at,
        "last_error": integration.last_error or None,
    }


def connected_user_ids() -> list[Any]:
    return list(
        GoogleIntegration.objects.filter(status=IntegrationStatus.CONNECTED)
        .order_by("pk")
        .values_list("user_id", flat=True)
    )

"""Reads of the outbox: what ops see in /readyz."""

from datetime import datetime
from typing import Any

from django.db.models import Min

from outbox.models import OutboxMessage


def outbox_backlog(*, now: datetime) -> dict[str, Any]:
    """Unsent messages and the age of the oldest, in seconds (a /readyz report)."""
    backlog = OutboxMessage.objects.filter(sent_at__isnull=True).aggregate(oldest=Min("created_at"))
    count = OutboxMessage.objects.filter(sent_at__isnull=True).count()
    oldest = backlog["oldest"]
    return {
        "status": "ok" if count == 0 else "pending",
        "unsent": count,
        "oldest_seconds": int((now - oldest).total_seconds()) if oldest else None,
    }

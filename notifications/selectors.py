"""Reads of the notifications app."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django_filters import rest_framework as filters

from accounts.models import User
from accounts.preferences import THRESHOLD_DELTAS
from config.api.filters import StrictBooleanFilter, validated_filterset
from notifications.models import EmailStatus, Notification, NotificationRun, NotificationType
from tasks.models import Status, Task


class NotificationFilter(filters.FilterSet):
    read = StrictBooleanFilter(field_name="read")

    class Meta:
        model = Notification
        fields: list[str] = []


def notification_list(*, user: User, params: Any) -> QuerySet[Notification]:
    """The user's notifications, newest first; ``read=true|false`` filters (else 400)."""
    queryset = Notification.objects.filter(user=user).order_by("-created_at", "-id")
    return validated_filterset(NotificationFilter(params, queryset=queryset)).qs


def notification_unread_count(*, user: User) -> int:
    """One COUNT over the partial index of unread rows."""
    return Notification.objects.filter(user=user, read=False).count()


def notification_run_last_succeeded(*, kind: str = NotificationRun.Kind.HOURLY) -> NotificationRun | None:
    return (
        NotificationRun.objects.filter(kind=kind, status=NotificationRun.Status.SUCCEEDED)
        .order_by("-finished_at")
        .first()
    )


def generation_staleness(*, now: datetime) -> dict[str, Any]:
    """For /readyz: when the last hourly run succeeded, and whether that is too long ago.
    Reported, never a reason to be unready (the web keeps serving while beat is stalled)."""
    run = notification_run_last_succeeded()
    limit: timedelta = settings.NOTIFICATIONS_STALE_AFTER
    finished = run.finished_at if run else None
    stale = finished is None or now - finished > limit
    return {
        "status": "stale" if stale else "ok",
        "last_success": finished.isoformat() if finished else None,
        "stale_after_seconds": int(limit.total_seconds()),
    }


def notification_emails_stalled(*, now: datetime) -> list[Any]:
    """Ids of e-mails still pending an hour after their notification was made: their queue
    message was lost (broker down at enqueue, a purged queue). Never claimed, so sending them
    cannot make a second copy. Older than a day they are stale news and stay pending."""
    return list(
        Notification.objects.filter(
            email_status=EmailStatus.PENDING,
            email_attempts=0,
            created_at__lt=now - timedelta(hours=1),
            created_at__gte=now - timedelta(days=1),
        ).values_list("id", flat=True)
    )


def _not_yet_notified(notification_type: int, due_field: str) -> Exists:
    return Exists(
        Notification.objects.filter(task=OuterRef("pk"), type=notification_type, due_at=OuterRef(due_field))
    )


def _open_tasks() -> QuerySet[Task]:
    """Tasks that may notify: not DONE, of an active user, in a project that is not archived."""
    return (
        Task.objects.exclude(status=Status.DONE)
        .filter(owner__is_active=True, project__archived=False)
        .select_related("owner", "project")
        .order_by()
    )


def notification_candidates(*, now: datetime, types: tuple[int, ...]) -> list[tuple[Task, int, datetime]]:
    """``(task, type, due_at)`` that may earn a notification now and have none yet for that
    due date: one query per type, whatever the number of tasks. The per-user threshold and
    the enabled types are applied by the caller (they live in each user's preferences)."""
    oldest: datetime = now - settings.NOTIFICATIONS_LOOKBACK
    widest = max(THRESHOLD_DELTAS.values())
    queries: dict[int, tuple[QuerySet[Task], str]] = {
        NotificationType.DEADLINE_APPROACHING: (
            _open_tasks().filter(due_date__gte=now, due_date__lte=now + widest),
            "due_date",
        ),
        NotificationType.OVERDUE: (_open_tasks().filter(due_date__lt=now, due_date__gte=oldest), "due_date"),
        NotificationType.REMINDER: (
            _open_tasks().filter(remind_at__lte=now, remind_at__gte=oldest),
            "remind_at",
        ),
    }
    candidates = []
    for notification_type in types:
        queryset, due_field = queries[notification_type]
        for task in queryset.exclude(_not_yet_notified(notification_type, due_field)):
            candidates.append((task, notification_type, getattr(task, due_field)))
    return candidates

"""Reads of the notifications app."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, NamedTuple, cast

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Case, DateTimeField, Exists, F, Func, OuterRef, QuerySet, When
from django.db.models.sql.compiler import SQLCompiler
from django_filters import rest_framework as filters

from accounts.models import User
from accounts.preferences import THRESHOLD_DELTAS
from config.api.filters import StrictBooleanFilter, validated_filterset
from notifications.models import EmailStatus, Notification, NotificationRun, NotificationType
from tasks import dues
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


class UtcMidnight(Func):
    """A date's 00:00 UTC as a timestamp, spelt to equal exactly what Django stores for that
    datetime: on PostgreSQL whatever the session's time zone, on SQLite (the embedded default,
    which stores datetimes as ``YYYY-MM-DD HH:MM:SS`` text) without the milliseconds that
    ``Cast`` would add."""

    output_field = DateTimeField()
    template = "((%(expressions)s)::timestamp AT TIME ZONE 'UTC')"

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, Any]:
        return self.as_sql(compiler, connection, template="(%(expressions)s || ' 00:00:00')", **extra_context)


def _due_key() -> Case:
    """``dues.notification_key`` in SQL: the day of an all-day task, the moment of a timed one."""
    return Case(When(due_on__isnull=False, then=UtcMidnight("due_on")), default=F("due_at"))


class Candidate(NamedTuple):
    """A notification a run may make: its task, type and key (``Notification.due_at``); for a
    reminder of the task's ``reminder_offsets`` the offset, for a snooze's reminder ``snoozed``."""

    task: Task
    type: int
    key: datetime
    offset: int | None = None
    snoozed: bool = False


def _not_yet_notified(notification_type: int) -> Exists:
    """No notification of that type for the task's ``notification_key`` (an alias of the outer
    query), looked up through the unique (task, type, due_at) index."""
    return Exists(
        Notification.objects.filter(
            task=OuterRef("pk"),
            type=notification_type,
            due_at=OuterRef("notification_key"),
            reminder_offset__isnull=True,
        )
    )


def open_tasks() -> QuerySet[Task]:
    """Tasks that may notify: not DONE, of an active user, in a project that is not archived."""
    return (
        Task.objects.exclude(status=Status.DONE)
        .filter(owner__is_active=True, project__archived=False)
        .select_related("owner", "project")
        .order_by()
    )


# The candidates' queries compared these columns with now: they are not null.
def _key_of_due(task: Task) -> datetime:
    return dues.notification_key(due_at=cast(datetime, task.due_at), due_on=task.due_on)


def _key_of_reminder(task: Task) -> datetime:
    return cast(datetime, task.remind_at)


def notification_candidates(*, now: datetime, types: tuple[int, ...]) -> list[Candidate]:
    """Candidates that may earn a notification now and have none yet for that key,
    the ``Notification.due_at`` to store: ``dues.notification_key`` for deadline notifications
    (SPEC §11: a time-zone change, which moves an all-day task's moment, earns no new one),
    ``remind_at`` for reminders (``notifications.reminders`` finds those of
    ``reminder_offsets`` and snoozes). Deadlines compare the due moment ``due_at`` with now, through
    the partial index on open tasks' ``due_at``. One query per type, whatever the number of
    tasks. The per-user threshold and the enabled types are applied by the caller (they live
    in each user's preferences)."""
    oldest: datetime = now - settings.NOTIFICATIONS_LOOKBACK
    widest = max(THRESHOLD_DELTAS.values())
    due_key = _due_key()
    queries: dict[int, tuple[QuerySet[Task], Callable[[Task], datetime]]] = {
        NotificationType.DEADLINE_APPROACHING: (
            open_tasks().filter(due_at__gte=now, due_at__lte=now + widest).alias(notification_key=due_key),
            _key_of_due,
        ),
        NotificationType.OVERDUE: (
            open_tasks().filter(due_at__lt=now, due_at__gte=oldest).alias(notification_key=due_key),
            _key_of_due,
        ),
        NotificationType.REMINDER: (
            open_tasks()
            .filter(remind_at__lte=now, remind_at__gte=oldest)
            .alias(notification_key=F("remind_at")),
            _key_of_reminder,
        ),
    }
    candidates = []
    for notification_type in types:
        queryset, key_of = queries[notification_type]
        for task in queryset.exclude(_not_yet_notified(notification_type)):
            candidates.append(Candidate(task, notification_type, key_of(task)))
    return candidates

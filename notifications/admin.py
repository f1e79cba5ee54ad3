from django.contrib import admin

from config.admin import ReadOnlyAdmin
from notifications.models import Notification, NotificationRun, Snooze


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """What was made for whom, and how its e-mail went (status, attempts, reason)."""

    list_display = ["user", "type", "task", "read", "email_status", "email_attempts", "sent_at", "created_at"]
    list_filter = ["type", "read", "email_status", "created_at"]
    search_fields = ["user__email", "task__title", "message"]
    list_select_related = ["user", "task"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    fields = [
        "id",
        "user",
        "task",
        "type",
        "message",
        "read",
        "due_at",
        "reminder_offset",
        "created_at",
        "email_status",
        "email_attempts",
        "email_reason",
        "sent_at",
    ]


@admin.register(Snooze)
class SnoozeAdmin(ReadOnlyAdmin):
    """Pending snoozes: the REMINDER each task gets once more, and when (fired ones are gone)."""

    list_display = ["task", "fire_at", "notification", "created_at"]
    list_select_related = ["task", "notification"]
    search_fields = ["task__title", "task__owner__email"]
    ordering = ["fire_at"]
    fields = ["task", "fire_at", "notification", "created_at"]


@admin.register(NotificationRun)
class NotificationRunAdmin(ReadOnlyAdmin):
    """Recent generation runs: a gap of more than an hour between hourly runs means beat stalled."""

    list_display = [
        "started_at",
        "kind",
        "status",
        "finished_at",
        "created_count",
        "emails_queued",
        "error_count",
    ]
    list_filter = ["kind", "status"]
    ordering = ["-started_at"]
    fields = [
        "started_at",
        "kind",
        "status",
        "finished_at",
        "created_count",
        "emails_queued",
        "error_count",
        "errors",
    ]

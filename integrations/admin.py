from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from config.admin import ReadOnlyAdmin
from integrations.models import EventMapping, GoogleIntegration
from integrations.tasks import sync_user_calendar_task
from outbox.services import outbox_enqueue


@admin.register(GoogleIntegration)
class GoogleIntegrationAdmin(ReadOnlyAdmin):
    """Status, last sync and last error per user; tokens, the channel token and the sync
    cursor are never shown (they are not among the fields)."""

    list_display = [
        "user",
        "status",
        "google_email",
        "calendar_id",
        "last_synced_at",
        "last_error",
        "channel_expiration",
    ]
    list_filter = ["status"]
    search_fields = ["user__email", "google_email"]
    list_select_related = ["user"]
    ordering = ["-updated_at"]
    fields = (
        "user",
        "status",
        "google_email",
        "calendar_id",
        "connected_at",
        "last_synced_at",
        "sync_requested_at",
        "last_error",
        "token_expiry",
        "channel_id",
        "channel_expiration",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    actions = ["sync_now"]

    @admin.action(description="Sync selected calendars now")
    def sync_now(self, request: HttpRequest, queryset: QuerySet[GoogleIntegration]) -> None:
        user_ids = list(queryset.filter(status="connected").values_list("user_id", flat=True))
        for user_id in user_ids:
            outbox_enqueue(sync_user_calendar_task, str(user_id))
        self.message_user(request, f"Sync scheduled for {len(user_ids)} calendar(s).", messages.SUCCESS)


@admin.register(EventMapping)
class EventMappingAdmin(ReadOnlyAdmin):
    list_display = [
        "task_id",
        "event_id",
        "user",
        "task_version",
        "due_date",
        "due_on",
        "unlinked",
        "updated_at",
    ]
    list_filter = ["unlinked"]
    search_fields = ["user__email", "=task_id", "=event_id"]
    list_select_related = ["user"]
    ordering = ["-updated_at"]

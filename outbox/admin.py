from django.contrib import admin

from config.admin import ReadOnlyAdmin
from outbox.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["id", "task_name", "args", "created_at", "sent_at", "attempts", "last_error"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter), "task_name"]
    search_fields = ["task_name"]
    ordering = ["-id"]
    readonly_fields = ["task_name", "args", "created_at", "sent_at", "attempts", "last_error"]

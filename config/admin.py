"""Admin plumbing shared by every app; imports no app."""

from django.contrib import admin
from django.http import HttpRequest


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by the code (sessions, logs, sync state): staff look, never add or
    edit (deleting stays possible where the app allows it)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

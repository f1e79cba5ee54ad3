from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from checklists import services
from checklists.models import ChecklistItem


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    """Tasks' checklist items, to look into a support case. Staff may change an item's text or
    tick it, and delete it; each goes through ``checklists.services``, so the task's counts
    and version follow and the positions stay dense, as through the API."""

    list_display = ["text", "task", "owner", "done", "position", "created_at"]
    list_filter = ["done"]
    search_fields = ["text", "task__title", "task__owner__email"]
    list_select_related = ["task", "task__owner"]
    ordering = ["task", "position"]
    fields = ["id", "task", "text", "done", "position", "created_at"]
    readonly_fields = ["id", "task", "position", "created_at"]

    @admin.display(description="Owner", ordering="task__owner__email")
    def owner(self, item: ChecklistItem) -> str:
        return item.task.owner.email

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # items are added by their owners, through the API, at a place in the list

    def save_model(self, request: HttpRequest, obj: ChecklistItem, form: Any, change: bool) -> None:
        changes = {field: form.cleaned_data[field] for field in form.changed_data}
        services.item_update(task=obj.task, item_id=obj.pk, changes=changes)

    def delete_model(self, request: HttpRequest, obj: ChecklistItem) -> None:
        services.item_delete(task=obj.task, item_id=obj.pk)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ChecklistItem]) -> None:
        for item in queryset.select_related("task"):
            services.item_delete(task=item.task, item_id=item.pk)

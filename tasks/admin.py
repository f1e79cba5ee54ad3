from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from tasks import services
from tasks.models import Task


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    """Edits go through the task services, so the board order and versions stay right."""

    list_display = ["title", "project", "owner", "status", "priority", "position", "due_date", "updated_at"]
    list_filter = ["status", "priority", "project__archived"]
    search_fields = ["title", "owner__email", "project__name"]
    list_select_related = ["project", "owner", "place"]
    fields = [
        "id",
        "project",
        "owner",
        "title",
        "description",
        "status",
        "priority",
        "due_date",
        "remind_at",
        "position",
        "version",
        "completed_at",
        "created_at",
        "updated_at",
    ]
    readonly_fields = [
        "id",
        "project",
        "owner",
        "position",
        "version",
        "completed_at",
        "created_at",
        "updated_at",
    ]
    ordering = ["-updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tasks are created through the API, at a place on the board

    def save_model(self, request: HttpRequest, obj: Task, form: Any, change: bool) -> None:
        changes = {field: form.cleaned_data[field] for field in form.changed_data}
        services.task_update(task=obj, changes=changes)

    def delete_model(self, request: HttpRequest, obj: Task) -> None:
        services.task_delete(task=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Task]) -> None:
        for task in queryset:
            services.task_delete(task=task)

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from labels.models import Label


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    """Users' labels with how many tasks carry each; staff may rename, recolour or delete one
    (on every task at once, as through the API)."""

    list_display = ["name", "owner", "color", "task_count", "created_at"]
    search_fields = ["name", "owner__email"]
    list_select_related = ["owner"]
    ordering = ["owner__email", "name"]
    fields = ["id", "owner", "name", "color", "task_count", "created_at"]
    readonly_fields = ["id", "owner", "task_count", "created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Label]:
        return super().get_queryset(request).annotate(task_count=Count("task_links"))

    @admin.display(description="Tasks", ordering="task_count")
    def task_count(self, label: Label) -> int:
        return label.task_count  # type: ignore[attr-defined]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # labels are made by their owners, through the API

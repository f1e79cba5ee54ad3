from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from config.change_stamps import user_data_changed
from projects.models import Project
from projects.services import project_delete


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "archived", "task_count", "updated_at"]
    list_filter = ["archived"]
    search_fields = ["name", "owner__email"]
    list_select_related = ["owner"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["id", "created_at", "updated_at"]
    ordering = ["-updated_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Project | None = None) -> list[str]:
        # Tasks carry their project's owner: an owner change would need to move them too.
        return [*self.readonly_fields, "owner"] if obj is not None else list(self.readonly_fields)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Project]:
        return super().get_queryset(request).annotate(task_count=Count("tasks"))

    def save_model(self, request: HttpRequest, obj: Project, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        user_data_changed(obj.owner_id)  # the owner's cached dashboard shows projects

    def delete_model(self, request: HttpRequest, obj: Project) -> None:
        project_delete(project=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Project]) -> None:
        for project in queryset:
            project_delete(project=project)

    @admin.display(ordering="task_count", description="tasks")
    def task_count(self, project: Project) -> int:
        return project.task_count  # type: ignore[attr-defined]

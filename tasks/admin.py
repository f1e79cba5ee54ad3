from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin import widgets
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from tasks import recurring, services
from tasks.models import Task, TaskCompletion


class TaskAdminForm(forms.ModelForm):
    """The due as the API has it: a moment (``due_date``) or a day (``due_on``); the due moment
    (``due_at``) follows from them in the services."""

    due_date = forms.SplitDateTimeField(
        required=False, widget=widgets.AdminSplitDateTime, help_text="A timed task's due moment."
    )

    class Meta:
        model = Task
        fields = ["title", "description", "status", "priority", "due_on", "remind_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial["due_date"] = self.instance.due_date

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("due_date") and cleaned.get("due_on"):
            raise forms.ValidationError("A task is due at a moment or on a day, not both.")
        return cleaned


class CompletionInline(admin.TabularInline):
    """A recurring task's completed occurrences, newest first (read-only: they are history)."""

    model = TaskCompletion
    fields = ["due_on", "due_at", "completed_at"]
    readonly_fields = ["due_on", "due_at", "completed_at"]
    ordering = ["-completed_at"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    """Edits go through the task services, so the board order and versions stay right."""

    form = TaskAdminForm
    inlines = [CompletionInline]

    list_display = [
        "title",
        "project",
        "owner",
        "status",
        "priority",
        "position",
        "due_at",
        "due_on",
        "updated_at",
    ]
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
        "due_on",
        "due_at",
        "remind_at",
        "reminder_offsets",
        "reminders_armed_at",
        "recurrence_rule",
        "checklist_total",
        "checklist_done",
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
        "due_at",
        "reminder_offsets",
        "reminders_armed_at",
        "recurrence_rule",
        "checklist_total",
        "checklist_done",
        "position",
        "version",
        "completed_at",
        "created_at",
        "updated_at",
    ]
    ordering = ["-updated_at"]

    @admin.display(description="Recurrence")
    def recurrence_rule(self, task: Task) -> str:
        """The rule, its mode and the next dues (set through the API)."""
        shown = recurring.as_json(task, timezone.now())
        if shown is None:
            return "-"
        upcoming = ", ".join(shown["next"]) or "none left"
        return f"{shown['rrule']} (from {shown['from']}, start {shown['start']}); next: {upcoming}"

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

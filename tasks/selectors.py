from typing import Any

from django.db.models import F, OrderBy, Q, QuerySet
from django_filters import rest_framework as filters

from accounts.models import User
from config.api.filters import BoundaryDateTimeFilter, MultipleNamesFilter, validated_filterset
from projects.models import Project
from tasks.models import Priority, Status, Task

SORT_FIELDS = ("created_at", "due_date", "priority", "position", "updated_at")


class TaskFilter(filters.FilterSet):
    status = MultipleNamesFilter(enum=Status)
    priority = MultipleNamesFilter(enum=Priority)
    search = filters.CharFilter(method="filter_search", max_length=200)
    due_date_from = BoundaryDateTimeFilter(field_name="due_date", lookup_expr="gte")
    due_date_to = BoundaryDateTimeFilter(field_name="due_date", lookup_expr="lte", end=True)
    project_id = filters.UUIDFilter(field_name="project_id")
    sort_by = filters.ChoiceFilter(choices=[(f, f) for f in SORT_FIELDS], method="keep")
    sort_order = filters.ChoiceFilter(choices=[("asc", "asc"), ("desc", "desc")], method="keep")

    class Meta:
        model = Task
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        # icontains compiles to UPPER(col) LIKE UPPER(%term%): the trigram indexes match it.
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))

    def keep(self, queryset: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        return queryset  # sort_by / sort_order are validated here and applied by task_list


def _ordering(sort_by: str | None, descending: bool) -> list[OrderBy]:
    """The kanban order (status TODO, IN_PROGRESS, DONE, then position) unless ``sort_by``;
    null due dates last in both directions; ties broken by id for stable pages."""
    fields = ["status", "position"] if not sort_by else [sort_by]
    # Only due_date is nullable; NULLS LAST elsewhere would keep PostgreSQL off the indexes.
    nulls_last = True if sort_by == "due_date" else None
    order = [
        F(field).desc(nulls_last=nulls_last) if descending else F(field).asc(nulls_last=nulls_last)
        for field in fields
    ]
    return [*order, F("id").asc()]


def task_list(*, user: User, params: Any, project: Project | None = None) -> QuerySet[Task]:
    """The caller's tasks (of one project, or all), filtered and sorted per SPEC §5."""
    base = Task.objects.filter(owner=user)
    if project is not None:
        base = base.filter(project=project)
    filterset = validated_filterset(TaskFilter(params, queryset=base))
    data = filterset.form.cleaned_data
    return filterset.qs.order_by(*_ordering(data.get("sort_by"), data.get("sort_order") == "desc"))

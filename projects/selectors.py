from typing import Any

from django.db.models import Count, QuerySet
from django_filters import rest_framework as filters

from accounts.models import User
from config.api.filters import StrictBooleanFilter, validated_filterset
from projects.models import Project


class ProjectFilter(filters.FilterSet):
    archived = StrictBooleanFilter(field_name="archived")
    search = filters.CharFilter(field_name="name", lookup_expr="icontains", max_length=100)
    ordering = filters.OrderingFilter(fields=("name", "created_at", "updated_at"))

    class Meta:
        model = Project
        fields: list[str] = []


def _with_task_count(queryset: QuerySet[Project]) -> QuerySet[Project]:
    return queryset.annotate(task_count=Count("tasks"))


def project_list(*, user: User, params: Any) -> QuerySet[Project]:
    """The caller's projects, filtered and ordered (default: most recently updated first)."""
    filterset = validated_filterset(ProjectFilter(params, queryset=Project.objects.filter(owner=user)))
    queryset = filterset.qs
    if not params.get("ordering"):
        queryset = queryset.order_by("-updated_at")
    return _with_task_count(queryset.order_by(*queryset.query.order_by, "id"))


def project_with_task_count(*, project_id: Any) -> Project | None:
    return _with_task_count(Project.objects.filter(pk=project_id)).first()

import hashlib
import json
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import F, OrderBy, Q, QuerySet
from django.utils import timezone
from django_filters import rest_framework as filters

from accounts.models import User
from config.api.filters import BoundaryDateTimeFilter, MultipleNamesFilter, validated_filterset
from config.change_stamps import cached_per_user
from config.errors import Forbidden
from projects.models import Project
from tasks.models import Priority, Status, Task

SORT_FIELDS = ("created_at", "due_date", "priority", "position", "updated_at")
# The filters that decide how many tasks a list holds (the page and the order do not).
COUNT_FILTERS = ("status", "priority", "search", "due_date_from", "due_date_to", "project_id")


class TaskFilter(filters.FilterSet):
    status = MultipleNamesFilter(enum=Status, method="filter_status")
    priority = MultipleNamesFilter(enum=Priority)
    search = filters.CharFilter(method="filter_search", max_length=200)
    due_date_from = BoundaryDateTimeFilter(field_name="due_date", lookup_expr="gte")
    due_date_to = BoundaryDateTimeFilter(field_name="due_date", lookup_expr="lte", end=True)
    project_id = filters.UUIDFilter(method="filter_project")
    sort_by = filters.ChoiceFilter(choices=[(f, f) for f in SORT_FIELDS], method="keep")
    sort_order = filters.ChoiceFilter(choices=[("asc", "asc"), ("desc", "desc")], method="keep")

    # Where status and project are read: the task itself (""), or its board place ("place__"),
    # which the board orders walk (see task_list).
    prefix = ""

    class Meta:
        model = Task
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        # icontains compiles to UPPER(col) LIKE UPPER(%term%): the trigram indexes match it.
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))

    def filter_status(self, queryset: QuerySet[Task], name: str, value: list[str]) -> QuerySet[Task]:
        return self.filters["status"].filter_values(queryset, value, f"{self.prefix}status")

    def filter_project(self, queryset: QuerySet[Task], name: str, value: Any) -> QuerySet[Task]:
        return queryset.filter(**{f"{self.prefix}project_id": value}) if value else queryset

    def keep(self, queryset: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        return queryset  # sort_by / sort_order are validated here and applied by task_list

    def apply(self, queryset: QuerySet[Task], prefix: str) -> QuerySet[Task]:
        self.prefix = prefix
        return self.filter_queryset(queryset)


# Positions are in TaskPosition (``place``); in the board orders ties are broken by its task_id
# (the task's id), so that the order matches its indexes column for column.
ORDER_FIELDS = {"position": "place__position"}
BOARD_ORDER = ["place__status", "place__position"]


def _ordering(sort_by: str | None, descending: bool) -> list[OrderBy]:
    """The kanban order (status TODO, IN_PROGRESS, DONE, then position) unless ``sort_by``;
    null due dates last in both directions; ties broken by id for stable pages."""
    fields = BOARD_ORDER if not sort_by else [ORDER_FIELDS.get(sort_by, sort_by)]
    # Only due_date is nullable; NULLS LAST elsewhere would keep PostgreSQL off the indexes.
    nulls_last = True if sort_by == "due_date" else None
    order = [
        F(field).desc(nulls_last=nulls_last) if descending else F(field).asc(nulls_last=nulls_last)
        for field in fields
    ]
    tie = "place__task_id" if fields[-1].startswith("place__") else "id"
    return [*order, F(tie).asc()]


class TaskQuerySet(QuerySet[Task]):
    """A page query that counts its rows with another query (``counted_by``), optionally
    through the per-user cache."""

    _count_source: QuerySet[Task] | None = None
    _count_cache: tuple[str, Any] | None = None  # (key, user id)

    def counted_by(self, source: QuerySet[Task], cache: tuple[str, Any] | None = None) -> "TaskQuerySet":
        clone = self._chain()  # type: ignore[attr-defined]
        clone._count_source, clone._count_cache = source, cache
        return clone

    def _clone(self) -> "TaskQuerySet":
        clone = super()._clone()  # type: ignore[misc]
        clone._count_source, clone._count_cache = self._count_source, self._count_cache
        return clone

    def count(self) -> int:
        source = self._count_source
        if source is None:
            return super().count()
        if self._count_cache is None:
            return source.count()
        key, user_id = self._count_cache
        seconds = timedelta(seconds=settings.SEARCH_COUNT_CACHE_SECONDS)
        return int(cached_per_user(key, user_id, lambda: (source.count(), timezone.now() + seconds)))


def _search_count_key(data: dict[str, Any], project: Project | None) -> str | None:
    """The cache key of a search's count: the filters that decide it (not the page or the
    order), or None for lists without a search, whose counts are cheap index scans."""
    if not data.get("search") or not settings.SEARCH_COUNT_CACHE_SECONDS:
        return None
    filters = {name: data.get(name) for name in COUNT_FILTERS}
    filters["project"] = project.pk if project is not None else None
    digest = hashlib.sha256(json.dumps(filters, sort_keys=True, default=str).encode()).hexdigest()
    return f"tasks-search-count:{digest[:32]}"


def task_list(*, user: User, params: Any, project: Project | None = None) -> QuerySet[Task]:
    """The caller's tasks (of one project, or all), filtered and sorted per SPEC §5.

    The board orders (the default and sort_by=position) walk TaskPosition's indexes, so their
    page is scoped by the place's owner or project, and the tasks are reached by primary key;
    the other sorts walk the task table's indexes and fetch the page's places afterwards by
    primary key. Either way the scope is on one table only: the same condition on both would
    make PostgreSQL multiply the two selectivities, expect a handful of rows, and sort every
    match where walking an index to the first page is far cheaper. The count (for pagination)
    reads the task table alone, where the search indexes lead with the owner."""
    filterset = validated_filterset(TaskFilter(params, queryset=Task.objects.all()))
    data = filterset.form.cleaned_data
    if project is not None and project.owner_id != user.pk:
        raise Forbidden()
    scope: dict[str, Any] = {"owner": user} if project is None else {"project": project}
    count_query = filterset.apply(Task.objects.filter(**scope), prefix="")
    if data.get("sort_by") in (None, "", "position"):
        places = (
            TaskQuerySet(Task).select_related("place").filter(**{f"place__{k}": v for k, v in scope.items()})
        )
        page_query = filterset.apply(places, prefix="place__")
    else:
        page_query = filterset.apply(TaskQuerySet(Task).prefetch_related("place").filter(**scope), prefix="")
    ordering = _ordering(data.get("sort_by"), data.get("sort_order") == "desc")
    key = _search_count_key(data, project)
    return page_query.order_by(*ordering).counted_by(count_query, cache=(key, user.pk) if key else None)

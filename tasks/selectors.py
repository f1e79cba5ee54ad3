import hashlib
import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Exists, F, OrderBy, OuterRef, Q, QuerySet
from django.utils import timezone
from django_filters import rest_framework as filters

from accounts.models import User
from config.api.filters import (
    BoundaryDateTimeFilter,
    MultipleNamesFilter,
    NameListFilter,
    validated_filterset,
)
from config.change_stamps import cached_per_user
from config.db import CountedRows, KeyedRows
from config.errors import Forbidden
from labels.models import TaskLabel
from labels.selectors import TASK_LABELS, label_ids_named
from projects.models import Project
from tasks import board, dues
from tasks.models import Priority, Status, Task, TaskCompletion

SORT_FIELDS = ("created_at", "due_date", "priority", "position", "updated_at")
# The filters that decide how many tasks a list holds (the page and the order do not).
COUNT_FILTERS = ("status", "priority", "search", "due_date_from", "due_date_to", "project_id", "label")


class TaskFilter(filters.FilterSet):
    """Validates the list's query and filters the task's own fields; ``status`` and
    ``project_id`` name the board's columns and are applied by ``task_list``, on the table its
    order reads (``_columns``)."""

    status = MultipleNamesFilter(enum=Status, method="keep")
    priority = MultipleNamesFilter(enum=Priority)
    search = filters.CharFilter(method="filter_search", max_length=200)
    label = NameListFilter(method="filter_label")
    due_date_from = BoundaryDateTimeFilter(method="filter_due_from")
    due_date_to = BoundaryDateTimeFilter(method="filter_due_to")
    project_id = filters.UUIDFilter(method="keep")
    sort_by = filters.ChoiceFilter(choices=[(f, f) for f in SORT_FIELDS], method="keep")
    sort_order = filters.ChoiceFilter(choices=[("asc", "asc"), ("desc", "desc")], method="keep")

    class Meta:
        model = Task
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        # icontains compiles to UPPER(col) LIKE UPPER(%term%): the trigram indexes match it.
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))

    # The owner's zone, in which a date-only bound starts or ends, and the owner whose labels
    # the label filter names (set by task_list).
    zone = dues.UTC_ZONE
    owner_id: Any = None
    label_ids: list[Any] | None = None

    def filter_label(self, queryset: QuerySet[Task], name: str, value: list[str]) -> QuerySet[Task]:
        """Tasks carrying any of the owner's labels of these names (case-insensitively); a name
        the owner has no label for matches nothing. A semi-join on TaskLabel's (task, …) index."""
        # The list and its count both filter: the ids are looked up once.
        if self.label_ids is None:
            self.label_ids = label_ids_named(owner_id=self.owner_id, names=value)
        label_ids = self.label_ids
        if not label_ids:
            return queryset.none()
        return queryset.filter(
            Exists(TaskLabel.objects.filter(task_id=OuterRef("pk"), label_id__in=label_ids))
        )

    def filter_due_from(self, queryset: QuerySet[Task], name: str, value: datetime | date) -> QuerySet[Task]:
        """Due moments from ``value``. From a day: from its start in the owner's zone, and of
        the all-day tasks those of that day on (the day before ends at the same instant)."""
        if isinstance(value, datetime):
            return queryset.filter(due_at__gte=value)
        return queryset.filter(due_at__gte=dues.day_start(value, self.zone)).exclude(due_on__lt=value)

    def filter_due_to(self, queryset: QuerySet[Task], name: str, value: datetime | date) -> QuerySet[Task]:
        """Due moments up to ``value``. To a day: to its end in the owner's zone, where that
        day's all-day tasks are due; a timed task at that instant is the next day's."""
        if isinstance(value, datetime):
            return queryset.filter(due_at__lte=value)
        end = dues.day_end(value, self.zone)
        return queryset.filter(due_at__lte=end).exclude(due_on__isnull=True, due_at=end)

    def keep(self, queryset: QuerySet[Task], name: str, value: Any) -> QuerySet[Task]:
        return queryset  # validated here, applied by task_list


def _columns(filterset: TaskFilter) -> dict[str, Any]:
    """The lookups on the board's columns (status, project) the query asks for."""
    data = filterset.form.cleaned_data
    lookups: dict[str, Any] = {}
    if data.get("status"):
        lookups["status__in"] = filterset.filters["status"].values(data["status"])
    if data.get("project_id"):
        lookups["project_id"] = data["project_id"]
    return lookups


# The orders a list walks the places' indexes for: the board (the default) and sort_by=position.
BOARD_SORTS = {None: board.BOARD_ORDER, "position": ("position",)}


def _task_ordering(sort_by: str, descending: bool) -> list[OrderBy]:
    """ORDER BY a task field, ties broken by id for stable pages. ``due_date`` orders by the due
    moment, timed and all-day tasks together, null dues last in both directions (only it is
    nullable: NULLS LAST elsewhere keeps PostgreSQL off the indexes)."""
    nulls_last = True if sort_by == "due_date" else None
    sort_by = "due_at" if sort_by == "due_date" else sort_by
    field = F(sort_by).desc(nulls_last=nulls_last) if descending else F(sort_by).asc(nulls_last=nulls_last)
    return [field, F("id").asc()]


def _search_count_key(data: dict[str, Any], project: Project | None) -> str | None:
    """The cache key of a search's count: the filters that decide it (not the page or the
    order), or None for lists without a search, whose counts are cheap index scans."""
    if not data.get("search") or not settings.SEARCH_COUNT_CACHE_SECONDS:
        return None
    filters = {name: data.get(name) for name in COUNT_FILTERS}
    filters["project"] = project.pk if project is not None else None
    digest = hashlib.sha256(json.dumps(filters, sort_keys=True, default=str).encode()).hexdigest()
    return f"tasks-search-count:{digest[:32]}"


# The filters read on the task table: with any of them, a labelled list is read as the others.
TASK_FIELD_FILTERS = ("priority", "search", "due_date_from", "due_date_to")


def _labelled_in_board_order(
    filterset: TaskFilter, scope: dict[str, Any], columns: dict[str, Any], fields: Any, descending: bool
) -> KeyedRows[Task]:
    """A ``label`` list in a board order, read on the narrow tables: the page's task ids come
    from the places semi-joined with the labels' (label, task) index, sorted and limited, and
    only those tasks are then read whole. PostgreSQL underestimates the matches (it multiplies
    the label's share of all tasks by the owner's), and reading every match whole before the
    sort was most of the request (docs/BENCHMARKS.md, "Issue 17")."""
    label_ids = label_ids_named(owner_id=filterset.owner_id, names=filterset.form.cleaned_data["label"])
    labelled = TaskLabel.objects.filter(label_id__in=label_ids).values("task_id")
    keys = board.place_keys(labelled, fields, descending=descending, **scope, **columns)

    def fetch(ids: list[Any]) -> dict[Any, Task]:
        return Task.objects.select_related("place").prefetch_related(TASK_LABELS).in_bulk(ids)

    def count() -> int:
        if not label_ids:
            return 0
        if "owner" in scope and not columns:
            # The owner's labels are on the owner's tasks only: the labels' index alone.
            return labelled.distinct().count()
        return keys.count()

    return KeyedRows(keys if label_ids else keys.none(), fetch, count)


def task_list(
    *, user: User, params: Any, project: Project | None = None
) -> CountedRows[Task] | KeyedRows[Task]:
    """The caller's tasks (of one project, or all), filtered and sorted per SPEC §5.

    The board orders (the default and sort_by=position) walk TaskPosition's indexes, so their
    page is scoped by the place's owner or project (``board.on_places``), and the tasks are
    reached by primary key; the other sorts walk the task table's indexes and fetch the page's
    places afterwards by primary key. Either way the scope is on one table only: the same
    condition on both would make PostgreSQL multiply the two selectivities, expect a handful
    of rows, and sort every match where walking an index to the first page is far cheaper.
    The count (for pagination) reads the task table alone, where the search indexes lead with
    the owner."""
    filterset = TaskFilter(params, queryset=Task.objects.all())
    filterset.zone = dues.zone_of(user)
    filterset.owner_id = user.pk
    validated_filterset(filterset)
    data = filterset.form.cleaned_data
    if project is not None and project.owner_id != user.pk:
        raise Forbidden()
    scope: dict[str, Any] = {"owner": user} if project is None else {"project": project}
    on_task = {**scope, **_columns(filterset)}
    sort_by, descending = data.get("sort_by") or None, data.get("sort_order") == "desc"
    on_tasks_only = any(data.get(name) for name in TASK_FIELD_FILTERS)
    if data.get("label") and sort_by in BOARD_SORTS and not on_tasks_only:
        columns = _columns(filterset)
        return _labelled_in_board_order(filterset, scope, columns, BOARD_SORTS[sort_by], descending)
    if sort_by in BOARD_SORTS:
        places = board.on_places(
            Task.objects.select_related("place").prefetch_related(TASK_LABELS), **on_task
        )
        rows = filterset.filter_queryset(places).order_by(
            *board.place_order(BOARD_SORTS[sort_by], descending=descending)
        )
    else:
        tasks = Task.objects.prefetch_related("place", TASK_LABELS).filter(**on_task)
        rows = filterset.filter_queryset(tasks).order_by(*_task_ordering(data["sort_by"], descending))
    counted = filterset.filter_queryset(Task.objects.filter(**on_task))
    key = _search_count_key(data, project)
    return CountedRows(rows, counted, cache=_cached_count(key, user) if key else None)


def task_completions(*, task: Task) -> QuerySet[TaskCompletion]:
    """A recurring task's completions, newest first (SPEC §12)."""
    return TaskCompletion.objects.filter(task=task).order_by("-completed_at", "-id")


def _cached_count(key: str, user: User) -> Callable[[Callable[[], int]], int]:
    """Counts through the per-user cache for SEARCH_COUNT_CACHE_SECONDS (a change to the
    user's data ends it)."""

    def cache(count: Callable[[], int]) -> int:
        until = timezone.now() + timedelta(seconds=settings.SEARCH_COUNT_CACHE_SECONDS)
        return int(cached_per_user(key, user.pk, lambda: (count(), until)))

    return cache

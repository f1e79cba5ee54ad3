"""Label reads (SPEC §13)."""

from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.db.models.functions import Lower

from accounts.models import User
from labels.models import Label, TaskLabel


def _with_task_count(queryset: QuerySet[Label]) -> QuerySet[Label]:
    return queryset.annotate(task_count=Count("task_links"))


def label_list(*, user: User) -> QuerySet[Label]:
    """The caller's labels by name, case-insensitively (the unique index's order)."""
    return _with_task_count(Label.objects.filter(owner=user)).order_by(Lower("name"), "id")


def label_with_task_count(*, label_id: Any) -> Label | None:
    return _with_task_count(Label.objects.filter(pk=label_id)).first()


def label_ids_named(*, owner_id: Any, names: list[str]) -> list[Any]:
    """The ids of the owner's labels with any of these names, case-insensitively."""
    wanted = [name.lower() for name in names]
    return list(
        Label.objects.annotate(key=Lower("name"))
        .filter(owner_id=owner_id, key__in=wanted)
        .values_list("pk", flat=True)
    )


# A page of tasks with their labels in order: one query for the page.
LINKS_IN_ORDER = TaskLabel.objects.select_related("label").order_by("position")
TASK_LABELS = Prefetch("label_links", queryset=LINKS_IN_ORDER)


def task_label_names(task: Any) -> list[str]:
    """A task's label names, in its order (from the prefetch when the page has one)."""
    cache = getattr(task, "_prefetched_objects_cache", {})
    links = cache["label_links"] if "label_links" in cache else LINKS_IN_ORDER.filter(task=task)
    return [link.label.name for link in links]

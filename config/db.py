"""Model helpers shared by every app's services; imports no app."""

from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def model_assign(*, instance: models.Model, data: dict[str, Any], fields: Iterable[str]) -> list[str]:
    """Sets each of ``fields`` that ``data`` carries with a value other than the instance's
    (HackSoft's ``model_update``, without the save: callers save with their own rules, e.g. a
    version bump or a bulk update). Returns the names of the fields it changed."""
    changed = []
    for field in fields:
        if field in data and getattr(instance, field) != data[field]:
            setattr(instance, field, data[field])
            changed.append(field)
    return changed


class CountedRows(Generic[M]):
    """Rows to page through whose total comes from another, cheaper query (``counted``), for
    instance one that reads one table where the rows join two; ``cache``, when given, is
    handed the counting function and answers the total (a cached one, say). Django's
    Paginator needs only ``count()`` and slicing."""

    def __init__(
        self,
        rows: models.QuerySet[M],
        counted: models.QuerySet[M],
        *,
        cache: Callable[[Callable[[], int]], int] | None = None,
    ) -> None:
        self.rows, self.counted, self.cache = rows, counted, cache

    def count(self) -> int:
        return self.counted.count() if self.cache is None else self.cache(self.counted.count)

    def __getitem__(self, index: slice) -> models.QuerySet[M]:
        return self.rows[index]

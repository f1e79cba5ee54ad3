"""Model helpers shared by every app's services; imports no app."""

from collections.abc import Iterable
from typing import Any

from django.db import models


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

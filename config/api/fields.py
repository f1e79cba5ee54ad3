"""Serializer fields of the API's input: each takes only the JSON type its schema declares.

DRF's own fields coerce: ``CharField`` turns ``42`` into ``"42"``, ``BooleanField`` takes
``0``, ``1``, ``"yes"`` and ``"on"``, ``IntegerField`` takes ``"5"``, ``UUIDField`` takes an
integer or 32 bare hex digits. The OpenAPI schema says ``string``, ``boolean``, ``integer`` and
``uuid``, and generated clients trust it, so every input field of the API is one of these."""

import re
from typing import Any

from rest_framework import serializers

from config.api.router import UUID_REGEX


class JSONTypeMixin:
    """Refuses a value whose JSON type is not ``json_types`` with the field's own ``invalid``
    message. ``bool`` is a subclass of ``int`` in Python but not a number in JSON, so it
    passes only where it is listed."""

    json_types: tuple[type, ...]

    def to_internal_value(self, data: Any) -> Any:
        is_bool = isinstance(data, bool)
        if is_bool != (bool in self.json_types) or not isinstance(data, self.json_types):
            self.fail("invalid")  # type: ignore[attr-defined]
        return super().to_internal_value(data)  # type: ignore[misc]


class StrictCharField(JSONTypeMixin, serializers.CharField):
    json_types = (str,)


class StrictBooleanField(JSONTypeMixin, serializers.BooleanField):
    json_types = (bool,)


class StrictIntegerField(JSONTypeMixin, serializers.IntegerField):
    """A JSON number without a fraction (``5`` or ``5.0``, as JSON Schema's ``integer``)."""

    json_types = (int, float)


class StrictUUIDField(JSONTypeMixin, serializers.UUIDField):
    """A UUID in its canonical 8-4-4-4-12 form, as path ids are."""

    json_types = (str,)
    canonical = re.compile(UUID_REGEX)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and not self.canonical.fullmatch(data):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class EnumNameField(serializers.ChoiceField):
    """An IntegerChoices value by its name in the API (``"IN_PROGRESS"``), its integer in the
    database."""

    def __init__(self, enum: Any, **kwargs: Any) -> None:
        self.enum = enum
        self.by_name = dict(zip(enum.labels, enum.values, strict=True))
        super().__init__(choices=list(enum.labels), **kwargs)

    def to_internal_value(self, data: Any) -> int:  # type: ignore[override]
        return self.by_name[super().to_internal_value(data)]

    def to_representation(self, value: Any) -> str:
        return self.enum(value).label


class StrictDateField(JSONTypeMixin, serializers.DateField):
    """A calendar day as exactly ``YYYY-MM-DD``: ``strptime`` alone would take ``2026-1-5``, and
    a date-time is not a day."""

    json_types = (str,)
    day = re.compile(r"\d{4}-\d{2}-\d{2}")
    default_error_messages = {"invalid": "Enter a date as YYYY-MM-DD."}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and not self.day.fullmatch(data):
            self.fail("invalid")
        return super().to_internal_value(data)

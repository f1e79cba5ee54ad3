from typing import Any

from rest_framework import serializers


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

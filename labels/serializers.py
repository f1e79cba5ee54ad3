from typing import Any

from rest_framework import serializers

from config.api.fields import StrictCharField
from labels.models import DEFAULT_COLOR, LABELS_PER_TASK_MAX, NAME_FORBIDDEN, NAME_MAX_LENGTH, Label


class LabelSerializer(serializers.ModelSerializer):
    task_count = serializers.IntegerField(
        read_only=True, help_text="The caller's tasks carrying the label, whatever their status."
    )

    class Meta:
        model = Label
        fields = ["id", "name", "color", "task_count", "created_at"]
        read_only_fields = fields


class LabelNameField(StrictCharField):
    """A label's name: trimmed, 1–50 characters, without `,` or `#` (they separate labels in
    the `label` filter and in quick add)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", NAME_MAX_LENGTH)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        name = super().to_internal_value(data)
        if any(character in name for character in NAME_FORBIDDEN):
            raise serializers.ValidationError("A label's name may not contain `,` or `#`.")
        return name


class ColorField(StrictCharField):
    """`#RRGGBB` in either case, stored and returned upper-case."""

    def to_internal_value(self, data: Any) -> str:
        color = super().to_internal_value(data)
        if len(color) != 7 or color[0] != "#" or any(c not in "0123456789abcdefABCDEF" for c in color[1:]):
            raise serializers.ValidationError("A color is #RRGGBB, e.g. #6B7280.")
        return color.upper()


class LabelInputSerializer(serializers.Serializer):
    name = LabelNameField(
        help_text="1–50 characters (trimmed), without `,` or `#`; unique per user whatever the case "
        "(else 409)."
    )
    color = ColorField(
        required=False, help_text=f"#RRGGBB in either case, returned upper-case; default {DEFAULT_COLOR}."
    )


class LabelNamesField(serializers.ListField):
    """A task's labels by name, in order, each name once (case-insensitively: the first
    spelling is kept); at most 20."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            child=LabelNameField(),
            help_text="Label names, in the order shown: one the caller has (whatever the case) is that "
            "label, shown with its stored name; a new one creates the label. Names are trimmed; at most 20.",
            **kwargs,
        )

    def to_internal_value(self, data: Any) -> list[str]:
        names = super().to_internal_value(data)
        distinct: dict[str, str] = {}
        for name in names:
            distinct.setdefault(name.lower(), name)
        if len(distinct) > LABELS_PER_TASK_MAX:
            raise serializers.ValidationError(f"A task carries at most {LABELS_PER_TASK_MAX} labels.")
        return list(distinct.values())

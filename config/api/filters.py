"""Query-parameter parsing shared by list endpoints: strict values, 400 on anything unknown."""

from datetime import UTC, date, datetime
from typing import Any

from django import forms
from django.utils.dateparse import parse_date, parse_datetime
from django_filters import rest_framework as filters
from rest_framework.exceptions import ValidationError

BLANK_MESSAGE = "This field may not be blank."


def validated_filterset(filterset: filters.FilterSet) -> filters.FilterSet:
    """The filter set, or a 400 naming each bad parameter. A parameter sent empty (``?sort_by=``,
    or only whitespace) is refused like any unknown value rather than read as "not sent"."""
    errors = {name: [BLANK_MESSAGE] for name in filterset.filters if _sent_blank(filterset.data, name)}
    if not filterset.is_valid():
        errors = {**filterset.errors, **errors}
    if errors:
        raise ValidationError(errors)
    return filterset


def _sent_blank(data: Any, name: str) -> bool:
    values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
    return any(isinstance(value, str) and not value.strip() for value in values)


class MultiValueCSVWidget(forms.TextInput):
    """``?status=A&status=B``, ``?status=A,B`` or a mix of both; the names are deduplicated. An
    empty name (``?status=A,``) is kept, so that the field refuses it as an unknown one."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str]:
        raw = data.getlist(name) if hasattr(data, "getlist") else [data[name]] if name in data else []
        return list(dict.fromkeys(item.strip() for chunk in raw for item in str(chunk).split(",")))


class MultipleNamesFilter(filters.MultipleChoiceFilter):
    """Names of an IntegerChoices enum in the query, its stored integers in the query set."""

    def __init__(self, *args: Any, enum: Any, **kwargs: Any) -> None:
        self.enum = enum
        kwargs.setdefault("choices", [(label, label) for label in enum.labels])
        kwargs.setdefault("widget", MultiValueCSVWidget)
        super().__init__(*args, **kwargs)

    def filter(self, qs: Any, value: list[str]) -> Any:
        return qs.filter(**{f"{self.field_name}__in": self.values(value)}) if value else qs

    def values(self, names: list[str]) -> list[Any]:
        """The stored values of these (validated) names."""
        by_label = dict(zip(self.enum.labels, self.enum.values, strict=True))
        return [by_label[name] for name in names]


class BoundaryDateTimeField(forms.Field):
    """An ISO 8601 date-time (UTC when it has no offset), or a plain date (``YYYY-MM-DD``),
    returned as a ``date``: the filter decides in whose zone that day starts and ends."""

    def to_python(self, value: Any) -> datetime | date | None:
        if value in (None, ""):
            return None
        text = str(value).strip()
        try:
            # A plain date first: parse_datetime would read "2026-05-01" as midnight.
            day = parse_date(text)
            moment = day or parse_datetime(text)
        except ValueError:
            moment = None
        if moment is None:
            raise forms.ValidationError("Enter an ISO 8601 date or date-time, e.g. 2026-05-01T09:00:00Z.")
        if isinstance(moment, datetime) and moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment


class BoundaryDateTimeFilter(filters.Filter):
    field_class = BoundaryDateTimeField


class StrictBooleanFilter(filters.ChoiceFilter):
    """``true`` or ``false`` only; anything else is a 400 instead of being ignored."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("choices", [("true", "true"), ("false", "false")])
        super().__init__(*args, **kwargs)

    def filter(self, qs: Any, value: str) -> Any:
        if value in ("", None):
            return qs
        return qs.filter(**{self.field_name: value == "true"})


class NameListField(forms.Field):
    """Free names, repeated or comma-separated (``?label=a&label=b``, ``?label=a,b``); an empty
    one (``?label=a,``) is refused."""

    widget = MultiValueCSVWidget

    def to_python(self, value: Any) -> list[str]:
        names = list(value or [])
        if any(not name for name in names):
            raise forms.ValidationError("A name may not be empty.")
        return names


class NameListFilter(filters.Filter):
    field_class = NameListField

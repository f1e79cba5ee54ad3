import re
from typing import Any

from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

# ASCII digits only: str.isdigit() also takes "²" (which int() refuses) and other scripts' digits.
POSITIVE_INTEGER = re.compile(r"[0-9]+")


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=N&page_size=M``; default 50, a larger size is clamped to 200 (SPEC §2).

    ``page`` and ``page_size`` must be positive integers (``page=last`` also works): anything
    else is a 400, like every other unknown query value. A page past the last one is 404."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        errors = {}
        for param in (self.page_query_param, self.page_size_query_param):
            raw = request.query_params.get(param)
            if raw is None or (param == self.page_query_param and raw in self.last_page_strings):
                continue
            if not POSITIVE_INTEGER.fullmatch(raw) or int(raw) < 1:
                errors[param] = ["A positive integer is required."]
        if errors:
            raise ValidationError(errors)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        """Every key is always there; ``next`` and ``previous`` are null on the last and the
        first page."""
        paginated = super().get_paginated_response_schema(schema)
        paginated["required"] = ["count", "next", "previous", "results"]
        paginated["properties"]["count"]["minimum"] = 0
        return paginated

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        positive = {"type": "integer", "minimum": 1}
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "A page number, from 1, or `last`; a page past the last is 404.",
                "schema": {"oneOf": [positive, {"type": "string", "enum": list(self.last_page_strings)}]},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Results per page, default {self.page_size}; a larger size is clamped "
                f"to {self.max_page_size}.",
                "schema": positive,
            },
        ]

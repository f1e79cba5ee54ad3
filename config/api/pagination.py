from typing import Any

from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request


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
            if not raw.isdigit() or int(raw) < 1:
                errors[param] = ["A positive integer is required."]
        if errors:
            raise ValidationError(errors)
        return super().paginate_queryset(queryset, request, view)

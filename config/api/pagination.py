from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=N&page_size=M``; default 50, a larger size is clamped to 200 (SPEC §2)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

"""Page-number pagination (SPEC §2): default 50, a larger page_size is clamped to 200."""

from typing import Any

import pytest
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.test import APIRequestFactory

from config.api.pagination import PageNumberPagination

# Any sliceable sequence paginates; a list keeps these tests free of the database.
ROWS: Any = list(range(450))


def paginate(query: dict[str, Any]) -> tuple[list[int], dict[str, Any]]:
    request = Request(APIRequestFactory().get("/api/v1/things", query))
    paginator = PageNumberPagination()
    page: list[int] | None = paginator.paginate_queryset(ROWS, request)
    assert page is not None
    return page, paginator.get_paginated_response(page).data


def test_default_page_size_is_50() -> None:
    page, body = paginate({})

    assert page == list(range(50))
    assert body == {
        "count": 450,
        "next": "http://testserver/api/v1/things?page=2",
        "previous": None,
        "results": list(range(50)),
    }


def test_page_size_over_the_maximum_is_clamped_to_200() -> None:
    page, body = paginate({"page_size": 500})

    assert page == list(range(200))
    assert body["count"] == 450
    assert body["next"] == "http://testserver/api/v1/things?page=2&page_size=500"


def test_page_size_at_the_maximum_is_kept() -> None:
    page, _ = paginate({"page_size": 200, "page": 3})

    assert page == list(range(400, 450))


def test_second_page_links_both_ways() -> None:
    page, body = paginate({"page": 2, "page_size": 10})

    assert page == list(range(10, 20))
    assert body["previous"] == "http://testserver/api/v1/things?page_size=10"
    assert body["next"] == "http://testserver/api/v1/things?page=3&page_size=10"


def test_last_page_has_no_next() -> None:
    _, body = paginate({"page": "last"})

    assert body["results"] == list(range(400, 450))
    assert body["next"] is None


@pytest.mark.parametrize("page_size", ["0", "-5", "many", "", "1.5", "²", "٣"])
def test_unusable_page_size_is_a_validation_error(page_size: str) -> None:
    with pytest.raises(ValidationError) as caught:
        paginate({"page_size": page_size})

    assert caught.value.detail == {"page_size": ["A positive integer is required."]}


@pytest.mark.parametrize("page", ["0", "x", "-1", "", "²", "١", " 1"])
def test_unusable_page_is_a_validation_error(page: str) -> None:
    with pytest.raises(ValidationError) as caught:
        paginate({"page": page})

    assert list(caught.value.detail) == ["page"]


def test_page_past_the_last_is_not_found() -> None:
    with pytest.raises(NotFound):
        paginate({"page": "99"})


def test_empty_list_has_one_empty_page() -> None:
    request = Request(APIRequestFactory().get("/api/v1/things"))
    paginator = PageNumberPagination()

    no_rows: Any = []
    page = paginator.paginate_queryset(no_rows, request)

    assert page == []
    assert paginator.get_paginated_response([]).data == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }


def test_it_is_the_default_pagination_class() -> None:
    assert api_settings.DEFAULT_PAGINATION_CLASS is PageNumberPagination
    assert api_settings.PAGE_SIZE == 50

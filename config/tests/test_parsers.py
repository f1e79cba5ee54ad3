"""StrictJSONParser: JSON the database can store, and nothing that ends in a 500."""

import io
import json
from typing import Any

import pytest
from rest_framework.exceptions import ParseError

from config.api.parsers import MAX_NESTING_DEPTH, StrictJSONParser


def parse(raw: str | bytes) -> Any:
    stream = io.BytesIO(raw.encode() if isinstance(raw, str) else raw)
    return StrictJSONParser().parse(stream, "application/json", {})


def nested(depth: int) -> Any:
    value: Any = "leaf"
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


def test_ordinary_json_passes_through() -> None:
    raw = '{"title": "Café ☕ 😀", "tags": ["a", "b"], "n": 1.5, "ok": true, "none": null}'

    assert parse(raw) == {"title": "Café ☕ 😀", "tags": ["a", "b"], "n": 1.5, "ok": True, "none": None}


def test_escaped_astral_characters_are_fine() -> None:
    assert parse('"\\ud83d\\ude00"') == "😀"


@pytest.mark.parametrize(
    "raw",
    ['"\\ud800"', '"a\\udc00b"', '{"\\ud800": 1}', '[1, ["\\udfff"]]', '{"a": {"b": "\\ud83d"}}'],
)
def test_lone_surrogates_are_refused(raw: str) -> None:
    with pytest.raises(ParseError, match="strings must be valid Unicode"):
        parse(raw)


@pytest.mark.parametrize("raw", ['"\\u0000"', '{"a\\u0000": 1}', '[["x\\u0000y"]]'])
def test_nul_characters_are_refused(raw: str) -> None:
    with pytest.raises(ParseError, match="strings may not contain NUL characters"):
        parse(raw)


def test_nesting_up_to_the_limit_is_accepted() -> None:
    value = nested(MAX_NESTING_DEPTH)

    assert parse(json.dumps(value)) == value


@pytest.mark.parametrize("depth", [MAX_NESTING_DEPTH + 1, 500, 50_000])
def test_deeper_nesting_is_refused(depth: int) -> None:
    raw = "[" * depth + "]" * depth

    with pytest.raises(ParseError, match=f"nesting deeper than {MAX_NESTING_DEPTH} levels"):
        parse(raw)


@pytest.mark.parametrize("raw", ["{", "", "NaN", "[1,]", b"\xff\xfe"])
def test_malformed_input_is_a_parse_error(raw: str | bytes) -> None:
    with pytest.raises(ParseError, match=r"^JSON parse error - "):
        parse(raw)

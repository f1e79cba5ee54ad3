from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# No request body of this API nests anywhere near this deep; without a bound, a deeply nested
# body exhausts the interpreter's recursion limit and ends as a 500.
MAX_NESTING_DEPTH = 64
TOO_DEEP_MESSAGE = f"JSON parse error - nesting deeper than {MAX_NESTING_DEPTH} levels."


class StrictJSONParser(JSONParser):
    """JSON that the database can store: lone surrogates (``"\\ud800"``) and NUL characters
    are valid JSON escapes but not storable text, so they are refused as a parse error, and so
    is nesting deeper than ``MAX_NESTING_DEPTH``."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP_MESSAGE) from None
        _check_storable(data, depth=1)
        return data


def _check_storable(value: Any, *, depth: int) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise ParseError("JSON parse error - strings may not contain NUL characters.")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ParseError("JSON parse error - strings must be valid Unicode.") from None
    elif isinstance(value, dict):
        _check_depth(depth)
        for key, item in value.items():
            _check_storable(key, depth=depth + 1)
            _check_storable(item, depth=depth + 1)
    elif isinstance(value, list):
        _check_depth(depth)
        for item in value:
            _check_storable(item, depth=depth + 1)


def _check_depth(depth: int) -> None:
    if depth > MAX_NESTING_DEPTH:
        raise ParseError(TOO_DEEP_MESSAGE)

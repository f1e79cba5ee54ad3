"""Requests too large to serve are refused first, in the API's JSON error body: a body over the
size limit (SPEC §2) with 413, a URL over ``MAX_URL_BYTES`` with 414.

Bodies: the limit is ``MAX_REQUEST_BODY_BYTES`` (1 MiB by default) on every path, API, admin, the
unsubscribe form and webhooks alike; a path prefix listed in ``LARGER_BODY_LIMITS`` has its own.
The check is on the declared ``Content-Length``: under WSGI Django never reads more of the body
than that header announces, and reads nothing at all without it (a chunked body is not read),
so refusing by the header is refusing before a byte of the body is read. Django's own limit for
what it reads into memory (``DATA_UPLOAD_MAX_MEMORY_SIZE``, the same number by default) answers
the same 413 (``config.api.views.bad_request``).
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from config.api.exceptions import error_body

PAYLOAD_TOO_LARGE = "payload_too_large"
URI_TOO_LONG = "uri_too_long"
MIB = 1024 * 1024

# Path prefixes (a whole path segment) whose bodies may be larger than MAX_REQUEST_BODY_BYTES.
# The file upload of POST /imports (SPEC §16): files up to 10 MiB, plus room for the multipart
# envelope around the file; the import endpoint itself refuses a file over 10 MiB.
LARGER_BODY_LIMITS: dict[str, int] = {
    "/api/v1/imports": 10 * MIB + 64 * 1024,
}


def body_limit_for(path: str) -> int:
    for prefix, limit in LARGER_BODY_LIMITS.items():
        if path == prefix or path.startswith(prefix + "/"):
            return limit
    return int(settings.MAX_REQUEST_BODY_BYTES)


def declared_body_length(request: HttpRequest) -> int:
    """The body length as Django will read it: a missing or malformed Content-Length reads
    nothing (gunicorn refuses a malformed one before Django sees the request)."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def payload_too_large(limit: int) -> JsonResponse:
    response = JsonResponse(
        error_body(PAYLOAD_TOO_LARGE, f"The request body is larger than the limit of {limit} bytes."),
        status=413,
    )
    # Set here, as CommonMiddleware would: the refusal comes before it.
    response["Content-Length"] = str(len(response.content))
    return response


class RequestBodyLimitMiddleware:
    """Refuses a body declared larger than the path's limit with 413, before authentication,
    CSRF's form reading or any parser. Comes after CorsMiddleware, so a browser's front end
    can read the refusal, and before everything that may read the body."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = body_limit_for(request.path_info)
        if declared_body_length(request) > limit:
            return payload_too_large(limit)
        return self.get_response(request)


def uri_too_long(limit: int) -> JsonResponse:
    response = JsonResponse(
        error_body(
            URI_TOO_LONG, f"The URL (path and query string) is longer than the limit of {limit} bytes."
        ),
        status=414,
    )
    response["Content-Length"] = str(len(response.content))
    return response


class UrlLengthLimitMiddleware:
    """Refuses a URL longer than ``MAX_URL_BYTES`` (its path and query string, percent-encoded
    as sent) with 414 in the JSON error body. gunicorn's own limit on the request line
    (``limit_request_line`` in gunicorn.conf.py, at its maximum of 8190 bytes) sits above this
    one, so only a request line longer than that gets gunicorn's plain 414 instead. Placed like
    the body limit: after CorsMiddleware, before anything else reads the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = int(settings.MAX_URL_BYTES)
        if len(request.get_full_path().encode()) > limit:
            return uri_too_long(limit)
        return self.get_response(request)

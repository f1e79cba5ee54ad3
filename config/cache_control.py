"""``Cache-Control: no-store`` on every ``/api/`` response (SPEC §2), errors and redirects
included: tokens, user data and unsubscribe pages must not be kept by a browser or a proxy
(RFC 6749 §5.1 for token responses, which also asks for ``Pragma: no-cache``).

No-store wins over a Cache-Control a view set itself; the paths that answer otherwise are the
exemptions below, listed here and nowhere else.
"""

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

API_PREFIX = "/api/"
NO_STORE = "no-store"

# Calendar feed URLs (SPEC §15: `{API_PUBLIC_URL}/api/v1/feeds/<secret>.ics`) answer
# `private, no-cache` with an ETag; the feed view sets that header itself.
CALENDAR_FEED_PATH = re.compile(r"^/api/v1/feeds/[^/]+\.ics$")
NO_STORE_EXEMPT_PATHS: tuple[re.Pattern[str], ...] = (
    re.compile(r"^/api/schema/?$"),
    re.compile(r"^/api/docs/?$"),
    CALENDAR_FEED_PATH,
)


def is_no_store_path(path: str) -> bool:
    return path.startswith(API_PREFIX) and not any(pattern.match(path) for pattern in NO_STORE_EXEMPT_PATHS)


class ApiNoStoreMiddleware:
    """Sets ``Cache-Control: no-store`` on the responses of ``/api/`` paths but the
    exemptions. Comes right after RequestIdMiddleware, so it also marks the answers other
    middleware give on their own (413, CORS preflights, redirects)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if is_no_store_path(request.path_info):
            response["Cache-Control"] = NO_STORE
            response["Pragma"] = "no-cache"
        return response

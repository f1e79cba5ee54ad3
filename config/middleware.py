"""Request id: every request gets one, logged with each record and returned to the client."""

import re
import uuid
from collections.abc import Callable

from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from config.logging import request_id_var

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's id (a proxy's or the SPA's) is kept when it is short and plain: it goes into
# every log line, so nothing that could forge a log entry or flood it.
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$")


def request_id_from(request: HttpRequest) -> str:
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    if SANE_REQUEST_ID.fullmatch(offered):
        return offered
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Takes a sane ``X-Request-ID`` or makes one, holds it in the context variable for the
    request (logs, Celery tasks published meanwhile) and sets it on the response. Comes first
    in MIDDLEWARE."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request)
        # Kept until the response is closed, not only while the middleware runs: Django logs
        # the response ("Not Found: ...", "Internal Server Error: ...") after the middleware
        # chain has returned, and that line must carry the id too.
        request_id_var.set(request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


@receiver(request_finished)
def forget_request_id(**_: object) -> None:
    """The response is closed: nothing logged later in this thread belongs to the request."""
    request_id_var.set(None)

"""The admin login, throttled like the API login (SPEC §3): every POST counts on the same
``login_ip`` and ``login_email`` counters as ``POST /auth/login``, so a password guesser gains
nothing by switching doors. A refused attempt answers 429 with the login page saying when to
try again; nothing is authenticated."""

import logging
import math

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts.throttles import LoginEmailThrottle, LoginIPThrottle

logger = logging.getLogger(__name__)


def _refusal_wait(request: HttpRequest) -> float | None:
    """Seconds until the attempt would be allowed, or None when it is allowed (and counted)."""
    drf_request = Request(request, parsers=[FormParser(), MultiPartParser()])
    # The admin's form names the e-mail field "username" (it is the USERNAME_FIELD).
    throttles = [LoginIPThrottle(), LoginEmailThrottle(field="username")]
    # Every throttle is asked (and counts the attempt), as DRF's own views do.
    refused = [throttle for throttle in throttles if not throttle.allow_request(drf_request, APIView())]
    return max((throttle.wait() or 0.0) for throttle in refused) if refused else None


def admin_login(request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
    if request.method == "POST":
        wait = _refusal_wait(request)
        if wait is not None:
            seconds = max(1, math.ceil(wait))
            logger.info("admin login throttled ip=%s", request.META.get("REMOTE_ADDR", ""))
            context = {
                **admin.site.each_context(request),
                "title": "Log in",
                "app_path": request.get_full_path(),
                "form": AdminAuthenticationForm(
                    request, initial={"username": request.POST.get("username", "")}
                ),
                "next": request.POST.get("next", ""),
                "retry_after": seconds,
            }
            response = TemplateResponse(request, "admin/login_throttled.html", context, status=429)
            response["Retry-After"] = str(seconds)
            return response
    return admin.site.login(request, extra_context)

"""Liveness and readiness probes (SPEC §2): no auth, no throttling, JSON bodies."""

import logging
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt
from kombu import Connection

from config.api.exceptions import error_body

logger = logging.getLogger(__name__)


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_cache() -> None:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=5)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return the value it stored")
    cache.delete(key)


def check_broker() -> None:
    with Connection(
        settings.CELERY_BROKER_URL,
        transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        connect_timeout=2,
    ) as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker}


def reports() -> dict[str, Any]:
    """What apps want ops to see (``settings.READYZ_REPORTS``: name -> dotted path of a
    function taking ``now``), e.g. a stalled beat. Informational: never makes /readyz fail,
    and config imports no app (the paths come from settings)."""
    results: dict[str, Any] = {}
    now = timezone.now()
    for name, path in getattr(settings, "READYZ_REPORTS", {}).items():
        try:
            results[name] = import_string(path)(now=now)
        except Exception as exc:  # noqa: BLE001 - a report must not break the probe
            logger.warning("readiness report %s failed: %s", name, exc)
            results[name] = {"status": "unknown"}
    return results


def get_only(view: Callable[[HttpRequest], JsonResponse]) -> Callable[[HttpRequest], JsonResponse]:
    """405 in the API's JSON error body for anything but GET/HEAD (CSRF-exempt, so that a
    POST gets this 405 rather than Django's HTML CSRF page)."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest) -> JsonResponse:
        if request.method not in ("GET", "HEAD"):
            response = JsonResponse(
                error_body("method_not_allowed", f'Method "{request.method}" not allowed.'), status=405
            )
            response["Allow"] = "GET, HEAD"
            return response
        return view(request)

    return wrapper


@get_only
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@get_only
def readyz(request: HttpRequest) -> JsonResponse:
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
            logger.warning("readiness check %s failed: %s", name, exc)
            results[name] = "down"
        else:
            results[name] = "ok"
    down = sorted(name for name, result in results.items() if result != "ok")
    if down:
        response = JsonResponse(
            {
                "status": "unavailable",
                "code": "service_unavailable",
                "detail": f"Unavailable: {', '.join(down)}.",
                "checks": results,
            },
            status=503,
        )
        response["Retry-After"] = "5"
        return response
    return JsonResponse({"status": "ok", "checks": results, "reports": reports()})

"""Throttles read their rates from settings at request time, so overrides apply at once, and
fail open: with the cache (Redis) down a request is let through, with a warning, rather than
failing — availability over rate limiting while Redis is away (docs/OPERATIONS.md)."""

import hashlib
import logging
from typing import Any, cast

from django.core.exceptions import ImproperlyConfigured
from rest_framework import throttling
from rest_framework.request import Request
from rest_framework.settings import api_settings

from config.change_stamps import CACHE_ERRORS

logger = logging.getLogger(__name__)


class SettingsRateMixin:
    scope: str | None

    def get_rate(self) -> str | None:
        rates = cast(dict[str, str], api_settings.DEFAULT_THROTTLE_RATES)
        if self.scope not in rates:
            raise ImproperlyConfigured(f"No throttle rate is set for scope {self.scope!r}.")
        return rates[self.scope]

    def allow_request(self, request: Request, view: Any) -> bool:
        try:
            return cast(bool, super().allow_request(request, view))  # type: ignore[misc]
        except CACHE_ERRORS as exc:
            logger.warning("cache unavailable: throttle %s not applied error=%s", self.scope, exc)
            return True


class AnonRateThrottle(SettingsRateMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(SettingsRateMixin, throttling.UserRateThrottle):
    pass


class ClientAddressThrottle(SettingsRateMixin, throttling.SimpleRateThrottle):
    """Per client address, authenticated or not; the scope is set by subclasses."""

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class BodyFieldThrottle(SettingsRateMixin, throttling.SimpleRateThrottle):
    """Per value of one request-body field (e.g. the e-mail), compared case-insensitively.
    The value is hashed so no address ends up in a cache key."""

    field = "email"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        data = request.data
        value = data.get(self.field) if isinstance(data, dict) else None
        if not isinstance(value, str) or not value.strip():
            return None
        digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": digest}

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
    # Set by SimpleRateThrottle: the rate, and the request times of the key, newest first.
    num_requests: int
    duration: int
    history: list[float]
    now: float

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

    def wait(self) -> float:
        """Seconds until a request would be let through again: the 429's ``Retry-After``
        (SPEC §2). DRF's own answer is None when the key holds more requests than the rate
        allows (a rate lowered at run time), and that 429 went out without the header."""
        wait = cast(float | None, super().wait())  # type: ignore[misc]
        if wait is not None:
            return wait
        if not self.num_requests:
            return float(self.duration)
        # Let through again once the request that fills the rate leaves the window.
        return self.history[self.num_requests - 1] + self.duration - self.now


class AnonRateThrottle(SettingsRateMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(SettingsRateMixin, throttling.UserRateThrottle):
    pass


class ClientAddressThrottle(SettingsRateMixin, throttling.SimpleRateThrottle):
    """Per client address, authenticated or not; the scope is set by subclasses."""

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class BodyFieldThrottle(SettingsRateMixin, throttling.SimpleRateThrottle):
    """Per value of one request-body field (e.g. the e-mail), folded by ``fold`` (case-
    insensitive by default). The value is hashed so no address ends up in a cache key."""

    field = "email"

    def __init__(self, *, field: str | None = None) -> None:
        super().__init__()
        if field is not None:
            self.field = field

    def fold(self, value: str) -> str:
        return value.strip().lower()

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        data = request.data
        return self.cache_key_for(data.get(self.field) if isinstance(data, dict) else None)

    def cache_key_for(self, value: object) -> str | None:
        if not isinstance(value, str) or not value.strip():
            return None
        digest = hashlib.sha256(self.fold(value).encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": digest}

    def exhausted_for(self, value: object) -> bool:
        """Whether the counter of ``value`` is past the rate, recording nothing (fails open)."""
        self.key = self.cache_key_for(value)
        self.history, self.now = [], self.timer()
        if self.key is None:
            return False
        try:
            self.history = self.cache.get(self.key, [])
        except CACHE_ERRORS as exc:
            logger.warning("cache unavailable: throttle %s not applied error=%s", self.scope, exc)
            return False
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        return len(self.history) >= self.num_requests

    def record_for(self, value: object) -> None:
        """Counts one attempt for ``value`` (a failure that happened outside this throttle)."""
        if self.exhausted_for(value) or self.key is None:
            return
        try:
            self.throttle_success()
        except CACHE_ERRORS as exc:
            logger.warning("cache unavailable: throttle %s not counted error=%s", self.scope, exc)

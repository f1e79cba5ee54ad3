"""Reading settings from the environment (12-factor), with typed helpers."""

import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def parse_throttle_rates(raw: str, defaults: dict[str, str]) -> dict[str, str]:
    """Merge ``scope=rate,scope=rate`` overrides into the default rates."""
    rates = dict(defaults)
    for item in raw.split(","):
        item = item.strip()
        if not item:
            continue
        scope, sep, rate = item.partition("=")
        scope, rate = scope.strip(), rate.strip()
        if not sep or scope not in defaults:
            raise ImproperlyConfigured(
                f"THROTTLE_RATES: unknown scope in {item!r}; known scopes: {', '.join(sorted(defaults))}."
            )
        number, _, period = rate.partition("/")
        if not number.isdigit() or not period or period[0] not in "smhd":
            raise ImproperlyConfigured(
                f"THROTTLE_RATES: {item!r} is not of the form scope=N/period (s, min, hour, day)."
            )
        rates[scope] = rate
    return rates


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL: the form CORS origins take."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        raise ImproperlyConfigured(f"{url!r} is not an absolute URL (scheme://host[:port]/...).")
    return f"{parts.scheme}://{parts.netloc}"

"""Picks the settings module from DJANGO_ENV unless DJANGO_SETTINGS_MODULE is set."""

import os

SETTINGS_BY_ENV = {
    "local": "config.settings.local",
    "test": "config.settings.test",
    "production": "config.settings.production",
}


def select_settings_module() -> str:
    if "DJANGO_SETTINGS_MODULE" not in os.environ:
        env = os.environ.get("DJANGO_ENV", "local")
        if env not in SETTINGS_BY_ENV:
            raise SystemExit(f"DJANGO_ENV must be one of {', '.join(SETTINGS_BY_ENV)}, got {env!r}.")
        os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_BY_ENV[env]
    return os.environ["DJANGO_SETTINGS_MODULE"]

"""Production: every secret from the environment; start-up stops when one is missing."""

import os

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.base import (
    DEV_FIELD_ENCRYPTION_KEY,
    DEV_JWT_SIGNING_KEY,
    DEV_SECRET_KEY,
)
from config.settings.env import env_bool, env_int, env_str

MIN_KEY_LENGTH = 32


def required_secret(name: str, dev_value: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when DJANGO_ENV=production.")
    if dev_value in value.split(","):
        raise ImproperlyConfigured(f"{name} is the development key; set a secret one.")
    if name != "FIELD_ENCRYPTION_KEY" and len(value) < MIN_KEY_LENGTH:
        raise ImproperlyConfigured(f"{name} must be at least {MIN_KEY_LENGTH} characters long.")
    return value


SECRET_KEY = required_secret("SECRET_KEY", DEV_SECRET_KEY)
JWT_SIGNING_KEY = required_secret("JWT_SIGNING_KEY", DEV_JWT_SIGNING_KEY)
FIELD_ENCRYPTION_KEY = [
    key.strip()
    for key in required_secret("FIELD_ENCRYPTION_KEY", DEV_FIELD_ENCRYPTION_KEY).split(",")
    if key.strip()
]
SIMPLE_JWT["SIGNING_KEY"] = JWT_SIGNING_KEY  # noqa: F405

DEBUG = False
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "anymail.backends.amazon_ses.EmailBackend")

# Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

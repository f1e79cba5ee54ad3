"""Production: every secret from the environment; start-up stops when one is missing."""

import os

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from config.logging import logging_config
from config.settings.base import *  # noqa: F403
from config.settings.base import (
    DATABASES,
    DEV_FIELD_ENCRYPTION_KEY,
    DEV_JWT_SIGNING_KEY,
    DEV_SECRET_KEY,
    FRONTEND_URL,
    LOG_LEVEL,
    SIMPLE_JWT,
)
from config.settings.env import env_bool, env_int, env_list, env_str, origin_of

MIN_KEY_LENGTH = 32


def required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when DJANGO_ENV=production.")
    return value


def required_secret(name: str, dev_value: str) -> str:
    value = required(name)
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
for position, key in enumerate(FIELD_ENCRYPTION_KEY, start=1):
    try:
        Fernet(key)
    except ValueError:
        raise ImproperlyConfigured(
            f"FIELD_ENCRYPTION_KEY: key {position} is not a Fernet key (32 url-safe base64-encoded "
            "bytes; make one with `python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'`)."
        ) from None
SIMPLE_JWT = {**SIMPLE_JWT, "SIGNING_KEY": JWT_SIGNING_KEY}

# Production runs on PostgreSQL and Redis: no silent fall-back to SQLite, a per-process
# cache (throttles would not hold across processes) or the filesystem broker.
required("DATABASE_URL")
required("REDIS_URL")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DJANGO_ENV=production.")

DEBUG = False
# E-mail through anymail: Amazon SES by default, SendGrid with EMAIL_ESP=sendgrid (anymail
# keeps SendGrid as community-supported). EMAIL_BACKEND, when set, wins over both.
ESP_BACKENDS = {
    "amazon_ses": "anymail.backends.amazon_ses.EmailBackend",
    "sendgrid": "anymail.backends.sendgrid.EmailBackend",
}
EMAIL_ESP = env_str("EMAIL_ESP", "amazon_ses")
if EMAIL_ESP not in ESP_BACKENDS:
    raise ImproperlyConfigured(f"EMAIL_ESP must be one of {', '.join(ESP_BACKENDS)}, got {EMAIL_ESP!r}.")
EMAIL_BACKEND = env_str("EMAIL_BACKEND", ESP_BACKENDS[EMAIL_ESP])
if EMAIL_BACKEND.startswith("anymail.backends.sendgrid."):
    required("SENDGRID_API_KEY")
# Unsubscribe links in e-mails point at this API: https, on the first allowed host by default.
_first_host = ALLOWED_HOSTS[0].lstrip("*.")
API_PUBLIC_URL = env_str("API_PUBLIC_URL", f"https://{_first_host}" if _first_host else "").rstrip("/")
if not API_PUBLIC_URL.startswith("https://"):
    raise ImproperlyConfigured("API_PUBLIC_URL must be an https:// URL when DJANGO_ENV=production.")

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
SESSION_COOKIE_HTTPONLY = True

# Persistent connections (CONN_MAX_AGE, 60 s by default; 0 behind a transaction-pooling
# PgBouncer), checked before reuse: a connection the server dropped is replaced, not an error.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# CORS: the SPA's origins; by default the front end's own origin when it is https.
_frontend_origin = origin_of(FRONTEND_URL)
CORS_ALLOWED_ORIGINS = env_list(
    "CORS_ALLOWED_ORIGINS", [_frontend_origin] if _frontend_origin.startswith("https://") else []
)
_plain_http = [origin for origin in CORS_ALLOWED_ORIGINS if not origin.startswith("https://")]
if _plain_http:
    raise ImproperlyConfigured(f"CORS_ALLOWED_ORIGINS must be https:// origins in production: {_plain_http}.")

# JSON lines with the request id, for the log collector.
LOG_FORMAT = env_str("LOG_FORMAT", "json")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, got {LOG_FORMAT!r}.")
LOGGING = logging_config(level=LOG_LEVEL, json_lines=LOG_FORMAT == "json")

"""Settings shared by every environment. Values come from the environment (SPEC §10)."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from corsheaders.defaults import default_headers as default_cors_headers
from django.core.exceptions import ImproperlyConfigured

from config.logging import logging_config
from config.settings.env import env_bool, env_int, env_list, env_str, origin_of, parse_throttle_rates

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

# Development keys: local and test settings use them; production refuses them.
DEV_SECRET_KEY = "dev-insecure-secret-key-do-not-use-in-production"  # noqa: S105 - refused in production
DEV_JWT_SIGNING_KEY = "dev-insecure-jwt-signing-key-do-not-use-in-production"
DEV_FIELD_ENCRYPTION_KEY = "ZGV2LWluc2VjdXJlLWZlcm5ldC1rZXktMzJieXRlcyE="

SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY)
JWT_SIGNING_KEY = env_str("JWT_SIGNING_KEY", DEV_JWT_SIGNING_KEY)
FIELD_ENCRYPTION_KEY = env_list("FIELD_ENCRYPTION_KEY", [DEV_FIELD_ENCRYPTION_KEY])

DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "corsheaders",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "accounts",
    "projects",
    "tasks",
    "labels",
    "checklists",
    "dashboard",
    "notifications",
    "integrations",
    "outbox",
    "demo",
]

MIDDLEWARE = [
    # First: every response and log line of the request carries its id.
    "config.middleware.RequestIdMiddleware",
    # Cache-Control: no-store on /api/ answers, the ones the middleware below give included.
    "config.cache_control.ApiNoStoreMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Oversized URLs (414) and bodies (413) before anything reads the request (CSRF's form
    # reading, auth, parsers); after CORS, so the front end can read the refusal.
    "config.http_limits.UrlLengthLimitMiddleware",
    "config.http_limits.RequestBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
# The API accepts paths with and without a trailing slash; no redirects.
APPEND_SLASH = False
# Largest request body accepted (SPEC §2); a larger one is refused with 413 before it is read
# (config/http_limits.py). Django's limit on what it reads into memory is the same number, so
# a body or form Django reads is refused alike.
MAX_REQUEST_BODY_BYTES = env_int("MAX_REQUEST_BODY_BYTES", 1024 * 1024)
if MAX_REQUEST_BODY_BYTES < 1:
    raise ImproperlyConfigured(f"MAX_REQUEST_BODY_BYTES must be at least 1, got {MAX_REQUEST_BODY_BYTES}.")
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES
# Longest URL (path and query string, percent-encoded) answered; a longer one is 414 in the JSON
# error body (config/http_limits.py). It must stay below gunicorn's request-line limit (8190
# bytes, gunicorn.conf.py), which would otherwise answer first with its own HTML 414.
MAX_URL_BYTES = 4096

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
SQLITE_DEFAULT_URL = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"


def database_from_url(url: str) -> dict[str, Any]:
    database: dict[str, Any] = dj_database_url.parse(  # type: ignore[assignment]
        url,
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # Web, worker and beat share one SQLite file: WAL lets readers run beside a writer,
        # IMMEDIATE takes the write lock up front (no upgrade deadlocks), and a 20 s busy
        # timeout waits for the lock instead of failing with "database is locked".
        database["CONN_MAX_AGE"] = 0
        database["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    elif database["ENGINE"].startswith("django.db.backends.postgresql"):
        # A database that is down answers 503 within seconds (config/api/exceptions.py)
        # instead of holding the request until the OS gives up on the connection.
        database["OPTIONS"] = {"connect_timeout": env_int("DATABASE_CONNECT_TIMEOUT", 3)}
    return database


DATABASES = {"default": database_from_url(env_str("DATABASE_URL", SQLITE_DEFAULT_URL))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache --------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 2,
                "SOCKET_TIMEOUT": 2,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# How long a user's dashboard answer may be served from the cache (0: never cached). Writes
# through the API or admin end it at once (config/change_stamps.py); this bounds anything else.
DASHBOARD_CACHE_SECONDS = env_int("DASHBOARD_CACHE_SECONDS", 60)
# The same for the count of a search's matches (the `count` of a `?search=` list page).
SEARCH_COUNT_CACHE_SECONDS = env_int("SEARCH_COUNT_CACHE_SECONDS", 60)

# --- Auth ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# ModelBackend finds users through UserManager.get_by_natural_key: e-mail, case-insensitive.
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = [
    # bcrypt, cost 12 (SPEC §3): Django's BCryptSHA256 hasher defaults to 12 rounds.
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.validators.PasswordComplexityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "email")},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

ACCESS_TOKEN_LIFETIME = timedelta(hours=24)
REFRESH_TOKEN_LIFETIME = timedelta(days=7)
EMAIL_VERIFICATION_TOKEN_LIFETIME = timedelta(hours=72)
PASSWORD_RESET_TOKEN_LIFETIME = timedelta(hours=1)
# A rotated refresh token presented again within this many seconds is only refused (a
# client's own retry, two tabs refreshing at once); later, its whole login is revoked.
REFRESH_REUSE_GRACE_SECONDS = env_int("REFRESH_REUSE_GRACE_SECONDS", 10)
# What a password reset ends besides the account's own sessions (SPEC §3): each is called
# as ``hook(user_id=...)`` in the reset's transaction; accounts imports none of these apps.
ACCOUNTS_PASSWORD_RESET_HOOKS = ["integrations.services.google_link_end"]

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": ACCESS_TOKEN_LIFETIME,
    "REFRESH_TOKEN_LIFETIME": REFRESH_TOKEN_LIFETIME,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": JWT_SIGNING_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "UPDATE_LAST_LOGIN": False,
}

# --- REST framework -----------------------------------------------------------------------
THROTTLE_RATES = parse_throttle_rates(
    env_str("THROTTLE_RATES"),
    {
        "login_ip": "20/min",
        "login_email": "5/min",
        "password_reset_email": "3/hour",
        "verification_email": "3/hour",
        "anon": "100/min",
        "user": "2000/min",
    },
)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.JWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # The Accept header alone picks the answer's media type: DRF's `?format=` override made a
    # JSON client that sent `?format=html` to the unsubscribe endpoint get HTML, and any other
    # value a 404 on every endpoint. Only /api/schema/ keeps `?format=json` (config/api/schema.py).
    "URL_FORMAT_OVERRIDE": None,
    "DEFAULT_PARSER_CLASSES": ["config.api.parsers.StrictJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": [
        "config.api.throttling.AnonRateThrottle",
        "config.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": THROTTLE_RATES,
    # Client address for throttles and logs: REMOTE_ADDR unless NUM_PROXIES trusted proxies
    # put it in X-Forwarded-For (a client can forge that header otherwise).
    "NUM_PROXIES": env_int("NUM_PROXIES", 0),
    "EXCEPTION_HANDLER": "config.api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "config.api.schema.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Taskflow API",
    "DESCRIPTION": (
        "Tasks, projects and a kanban board. Every error is JSON "
        "`{code, detail, errors}`; lists are paginated (`page`, `page_size`, default 50, "
        "larger sizes are clamped to 200); paths work with and without a trailing slash. "
        "Every operation but Google's webhook is throttled: 429 `throttled` with a `Retry-After` "
        "header (seconds). A query parameter sent empty (`?sort_by=`) is a 400 like an unknown value. "
        "The `Accept` header alone picks the media type of an answer (there is no `?format=`). "
        "On every path, before authentication: a body over MAX_REQUEST_BODY_BYTES (1 MiB) is "
        "413 `payload_too_large`, a URL (path and query string, percent-encoded) over "
        f"{MAX_URL_BYTES} bytes is 414 `uri_too_long`. Also on any operation: 405 "
        "`method_not_allowed`, 406 `not_acceptable` (an `Accept` that admits no JSON), 415 "
        "`unsupported_media_type` (a body that is not JSON) and 503 `service_unavailable` with "
        "`Retry-After` (the database is unreachable). Every /api/v1 answer carries "
        "`Cache-Control: no-store`. "
        "E-mail addresses: ASCII before the @, the domain stored as IDNA A-labels."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.schema.strip_trailing_slashes",
    ],
    # Swagger UI served from our own static files: /api/docs/ works without a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Celery -------------------------------------------------------------------------------
BROKER_DATA_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # A broker without a server for the embedded default: producer and consumer share
    # one folder of message files.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DATA_DIR / "queue"),
        "data_folder_out": str(BROKER_DATA_DIR / "queue"),
        "processed_folder": str(BROKER_DATA_DIR / "processed"),
        "control_folder": str(BROKER_DATA_DIR / "control"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith("redis"):
    # A message taken by a worker that dies without acknowledging it (acks_late tasks) goes
    # back to the queue after the visibility timeout; it must exceed the longest task's run
    # and its countdown. Unacknowledged messages are swept every interval x throttle seconds.
    CELERY_BROKER_VISIBILITY_TIMEOUT = env_int("CELERY_BROKER_VISIBILITY_TIMEOUT", 3600)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT,
        "unacked_restore_interval": max(1, min(10, CELERY_BROKER_VISIBILITY_TIMEOUT // 2)),
        "unacked_restore_throttle": 10 if CELERY_BROKER_VISIBILITY_TIMEOUT >= 600 else 1,
        "socket_connect_timeout": 2,
        # A publish to a broker that is down fails at once (the outbox keeps the message)
        # instead of holding the web request for seconds of reconnection attempts.
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.2,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# Every task is bounded (docs/ARCHITECTURE.md, the job policy): past the soft limit it gets
# SoftTimeLimitExceeded and ends through its own cleanup; past the hard one the pool kills it.
# The calendar sync declares longer limits of its own (integrations/tasks.py). Both stay well
# under the broker's visibility timeout, so a task still running is never handed out twice.
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 360)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Every periodic job, declared in code in one place; the database scheduler installs them.
CELERY_BEAT_SCHEDULE = {
    "accounts-purge-expired-tokens": {
        "task": "accounts.tasks.purge_expired_tokens_task",
        "schedule": timedelta(hours=1),
    },
    "notifications-generate": {
        "task": "notifications.tasks.generate_notifications_task",
        # On the hour; NOTIFICATIONS_GENERATE_EVERY_SECONDS (the system test) runs it every N seconds.
        "schedule": (
            timedelta(seconds=env_int("NOTIFICATIONS_GENERATE_EVERY_SECONDS", 0))
            if env_int("NOTIFICATIONS_GENERATE_EVERY_SECONDS", 0)
            else crontab(minute=0)
        ),
    },
    # Reminders fire within a few minutes of remind_at instead of at the next full hour.
    "notifications-reminders": {
        "task": "notifications.tasks.generate_reminders_task",
        "schedule": crontab(minute="5-55/5"),
    },
    "integrations-sync-calendars": {
        "task": "integrations.tasks.sync_all_calendars_task",
        "schedule": timedelta(minutes=5),
    },
    "integrations-renew-channels": {
        "task": "integrations.tasks.renew_channels_task",
        "schedule": timedelta(hours=1),
    },
    # Publishes what the broker missed (docs/OPERATIONS.md: the outbox).
    "outbox-relay": {
        "task": "outbox.tasks.relay_outbox_task",
        "schedule": timedelta(seconds=env_int("OUTBOX_RELAY_EVERY_SECONDS", 60)),
    },
}
# The outbox relay leaves younger messages to their own publisher, and forgets sent ones after a week.
OUTBOX_RELAY_MIN_AGE = timedelta(seconds=env_int("OUTBOX_RELAY_MIN_AGE_SECONDS", 30))
OUTBOX_KEEP_SENT = timedelta(days=7)
# How long a relay holds the rows it took (publishing them without row locks); a relay that
# died leaves them to the next one after this.
OUTBOX_RELAY_LEASE = timedelta(minutes=5)

# --- E-mail -------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "emails"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Taskflow <no-reply@taskflow.local>")
FRONTEND_URL = env_str("FRONTEND_URL", "http://localhost:5173").rstrip("/")
ANYMAIL = {
    "AMAZON_SES_CLIENT_PARAMS": {
        "region_name": env_str("AWS_SES_REGION", "us-east-1"),
        **({"endpoint_url": env_str("AWS_SES_ENDPOINT_URL")} if env_str("AWS_SES_ENDPOINT_URL") else {}),
        # One HTTP attempt per send: our Celery task retries (3 attempts in all, with backoff),
        # and boto3's own retries would multiply them.
        "config": {"retries": {"total_max_attempts": 1}},
    },
    "SENDGRID_API_KEY": env_str("SENDGRID_API_KEY"),
    **({"SENDGRID_API_URL": env_str("SENDGRID_API_URL")} if env_str("SENDGRID_API_URL") else {}),
}

# --- Notifications (docs/NOTIFICATIONS.md) -----------------------------------------------
# Public base URL of this API: the unsubscribe link in e-mails points at its own endpoint.
API_PUBLIC_URL = env_str("API_PUBLIC_URL", "http://localhost:8000").rstrip("/")
NOTIFICATIONS_UNSUBSCRIBE_TOKEN_MAX_AGE = timedelta(days=env_int("NOTIFICATIONS_UNSUBSCRIBE_TOKEN_DAYS", 60))
# Overdue tasks and reminders older than this earn nothing (no flood after an outage or a deploy).
NOTIFICATIONS_LOOKBACK = timedelta(days=env_int("NOTIFICATIONS_LOOKBACK_DAYS", 7))
# /readyz reports (without failing) an hourly run that last succeeded longer ago than this.
NOTIFICATIONS_STALE_AFTER = timedelta(hours=2)
READYZ_REPORTS = {
    "notification_generation": "notifications.selectors.generation_staleness",
    "outbox": "outbox.selectors.outbox_backlog",
}

# --- Google (used by the integrations app) -------------------------------------------------
GOOGLE_CLIENT_ID = env_str("GOOGLE_CLIENT_ID")
GOOGLE_CLIENT_SECRET = env_str("GOOGLE_CLIENT_SECRET")
GOOGLE_REDIRECT_URI = env_str("GOOGLE_REDIRECT_URI")
GOOGLE_AUTH_URI = env_str("GOOGLE_AUTH_URI", "https://accounts.google.com/o/oauth2/auth")
GOOGLE_TOKEN_URI = env_str("GOOGLE_TOKEN_URI", "https://oauth2.googleapis.com/token")
GOOGLE_REVOKE_URI = env_str("GOOGLE_REVOKE_URI", "https://oauth2.googleapis.com/revoke")
GOOGLE_CALENDAR_API_URL = env_str("GOOGLE_CALENDAR_API_URL", "https://www.googleapis.com/calendar/v3")
GOOGLE_WEBHOOK_URL = env_str("GOOGLE_WEBHOOK_URL")
# Seconds: OAuth state lifetime, access-token refresh margin, push-channel lifetime and how long
# before expiry the beat job renews a channel, HTTP timeout of one Google call.
GOOGLE_OAUTH_STATE_MAX_AGE = env_int("GOOGLE_OAUTH_STATE_MAX_AGE", 600)
GOOGLE_TOKEN_REFRESH_MARGIN = env_int("GOOGLE_TOKEN_REFRESH_MARGIN", 300)
GOOGLE_CHANNEL_TTL = env_int("GOOGLE_CHANNEL_TTL", 7 * 24 * 3600)
GOOGLE_CHANNEL_RENEW_BEFORE = env_int("GOOGLE_CHANNEL_RENEW_BEFORE", 24 * 3600)
GOOGLE_HTTP_TIMEOUT = env_int("GOOGLE_HTTP_TIMEOUT", 15)
# Rate-limit and 5xx answers: attempts in all, and the first backoff delay (doubled each time,
# with jitter); tests set the delay near zero.
GOOGLE_RETRY_ATTEMPTS = env_int("GOOGLE_RETRY_ATTEMPTS", 5)
GOOGLE_RETRY_BASE_DELAY = float(env_str("GOOGLE_RETRY_BASE_DELAY", "1.0"))

# --- CORS (django-cors-headers): the SPA's origins may call the API ------------------------
# Comma-separated origins (scheme://host[:port]); by default the front end's own origin. The API
# authenticates with a bearer token, never cookies: credentials stay off.
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", [origin_of(FRONTEND_URL)])
CORS_ALLOW_CREDENTIALS = False
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_HEADERS = (*default_cors_headers, "x-request-id")
CORS_EXPOSE_HEADERS = ["X-Request-ID"]

# --- Internationalisation, static files ---------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

# --- Logging ------------------------------------------------------------------------------
# Every record carries the request id (config/logging.py); LOG_FORMAT=json writes JSON lines
# (the production default), plain writes text lines.
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOG_FORMAT = env_str("LOG_FORMAT", "plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, got {LOG_FORMAT!r}.")
LOGGING = logging_config(level=LOG_LEVEL, json_lines=LOG_FORMAT == "json")

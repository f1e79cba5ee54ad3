"""Settings from the environment (SPEC §10): typed helpers, throttle overrides, the settings
modules themselves, and production refusing to start without its secrets."""

import base64
import importlib
import os
import secrets
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator
from types import ModuleType

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.settings.base import (
    DEV_FIELD_ENCRYPTION_KEY,
    DEV_JWT_SIGNING_KEY,
    DEV_SECRET_KEY,
    database_from_url,
)
from config.settings.env import env_bool, env_int, env_list, env_str, parse_throttle_rates
from config.settings_module import select_settings_module

SECRET_NAMES = ("SECRET_KEY", "JWT_SIGNING_KEY", "FIELD_ENCRYPTION_KEY")
DEFAULT_RATES = {"login_ip": "20/min", "anon": "100/min"}


def fernet_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def good_secrets() -> dict[str, str]:
    return {
        "SECRET_KEY": secrets.token_urlsafe(48),
        "JWT_SIGNING_KEY": secrets.token_urlsafe(48),
        "FIELD_ENCRYPTION_KEY": f"{fernet_key()},{fernet_key()}",
        "DATABASE_URL": "postgres://taskflow@db.internal:5432/taskflow",
        "REDIS_URL": "redis://cache.internal:6379/0",
        "ALLOWED_HOSTS": "api.example.com",
    }


# --- env helpers --------------------------------------------------------------------------


def test_env_str(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TASKFLOW_TEST_VALUE", raising=False)
    assert env_str("TASKFLOW_TEST_VALUE") == ""
    assert env_str("TASKFLOW_TEST_VALUE", "fallback") == "fallback"

    monkeypatch.setenv("TASKFLOW_TEST_VALUE", " raw ")
    assert env_str("TASKFLOW_TEST_VALUE", "fallback") == " raw "


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        (" YES ", True),
        ("On", True),
        ("0", False),
        ("false", False),
        ("no", False),
        ("off", False),
        ("", False),
    ],
)
def test_env_bool_valid(monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool) -> None:
    monkeypatch.setenv("TASKFLOW_TEST_FLAG", raw)

    assert env_bool("TASKFLOW_TEST_FLAG", not expected) is expected


def test_env_bool_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TASKFLOW_TEST_FLAG", raising=False)

    assert env_bool("TASKFLOW_TEST_FLAG") is False
    assert env_bool("TASKFLOW_TEST_FLAG", True) is True


@pytest.mark.parametrize("raw", ["maybe", "2", "truee", "y"])
def test_env_bool_invalid(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("TASKFLOW_TEST_FLAG", raw)

    with pytest.raises(ImproperlyConfigured, match=f"TASKFLOW_TEST_FLAG must be a boolean .*{raw!r}"):
        env_bool("TASKFLOW_TEST_FLAG")


@pytest.mark.parametrize(("raw", "expected"), [("42", 42), (" 7 ", 7), ("-3", -3), ("", 10), ("  ", 10)])
def test_env_int_valid(monkeypatch: pytest.MonkeyPatch, raw: str, expected: int) -> None:
    monkeypatch.setenv("TASKFLOW_TEST_NUMBER", raw)

    assert env_int("TASKFLOW_TEST_NUMBER", 10) == expected


def test_env_int_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TASKFLOW_TEST_NUMBER", raising=False)

    assert env_int("TASKFLOW_TEST_NUMBER", 10) == 10


@pytest.mark.parametrize("raw", ["ten", "1.5", "0x10"])
def test_env_int_invalid(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("TASKFLOW_TEST_NUMBER", raw)

    with pytest.raises(ImproperlyConfigured, match=f"TASKFLOW_TEST_NUMBER must be an integer, got {raw!r}"):
        env_int("TASKFLOW_TEST_NUMBER", 10)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("a,b", ["a", "b"]), (" a , b ,, ", ["a", "b"]), ("single", ["single"]), ("", []), (" , ", [])],
)
def test_env_list(monkeypatch: pytest.MonkeyPatch, raw: str, expected: list[str]) -> None:
    monkeypatch.setenv("TASKFLOW_TEST_LIST", raw)

    assert env_list("TASKFLOW_TEST_LIST", ["default"]) == expected


def test_env_list_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TASKFLOW_TEST_LIST", raising=False)

    assert env_list("TASKFLOW_TEST_LIST", ["default"]) == ["default"]


# --- THROTTLE_RATES -----------------------------------------------------------------------


def test_no_overrides_keeps_the_defaults() -> None:
    assert parse_throttle_rates("", DEFAULT_RATES) == DEFAULT_RATES
    assert parse_throttle_rates(" , ", DEFAULT_RATES) == DEFAULT_RATES


def test_overrides_replace_only_their_scope() -> None:
    rates = parse_throttle_rates(" anon = 5/s , login_ip=1000/day", DEFAULT_RATES)

    assert rates == {"login_ip": "1000/day", "anon": "5/s"}
    assert DEFAULT_RATES == {"login_ip": "20/min", "anon": "100/min"}


@pytest.mark.parametrize("raw", ["bogus=1/min", "anon", "=5/min", "anon:5/min"])
def test_unknown_scope_is_refused(raw: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=r"unknown scope .* known scopes: anon, login_ip"):
        parse_throttle_rates(raw, DEFAULT_RATES)


@pytest.mark.parametrize(
    "raw", ["anon=", "anon=fast", "anon=5", "anon=5/", "anon=5/week", "anon=-1/min", "anon=x/min"]
)
def test_bad_rate_is_refused(raw: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="is not of the form scope=N/period"):
        parse_throttle_rates(raw, DEFAULT_RATES)


def test_the_spec_defaults_are_in_force() -> None:
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] == {
        "login_ip": "20/min",
        "login_email": "5/min",
        "password_reset_email": "3/hour",
        "verification_email": "3/hour",
        "anon": "100/min",
        "user": "2000/min",
    }
    assert settings.REFRESH_REUSE_GRACE_SECONDS == 10


# --- database URL -------------------------------------------------------------------------


def test_sqlite_gets_wal_immediate_transactions_and_a_busy_timeout(tmp_path) -> None:
    database = database_from_url(f"sqlite:///{tmp_path / 'db.sqlite3'}")

    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(tmp_path / "db.sqlite3")
    assert database["CONN_MAX_AGE"] == 0
    assert database["OPTIONS"] == {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }


def test_postgres_keeps_persistent_health_checked_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONN_MAX_AGE", "5")

    database = database_from_url("postgres://app:pw@db.internal:5433/taskflow")

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"]) == ("db.internal", 5433, "taskflow")
    assert database["CONN_MAX_AGE"] == 5
    assert database["CONN_HEALTH_CHECKS"] is True


# --- the settings modules, imported afresh with a chosen environment ------------------------

FRESH_MODULES = ("config.settings.base", "config.settings.local", "config.settings.production")
EMBEDDED_DEFAULT_UNSET = (
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "THROTTLE_RATES",
    "DEBUG",
    "EMAIL_BACKEND",
    "AWS_SES_ENDPOINT_URL",
    "SENDGRID_API_URL",
    *SECRET_NAMES,
)


@pytest.fixture
def fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], ModuleType]]:
    """Imports a settings module (and base) anew; the originals are put back afterwards, so
    the running suite's settings objects are never touched."""
    package = importlib.import_module("config.settings")
    saved = {name: sys.modules.get(name) for name in FRESH_MODULES}
    for name in EMBEDDED_DEFAULT_UNSET:
        monkeypatch.delenv(name, raising=False)

    def load(name: str) -> ModuleType:
        for module_name in FRESH_MODULES:
            sys.modules.pop(module_name, None)
        return importlib.import_module(name)

    yield load

    for name, module in saved.items():
        short = name.rsplit(".", 1)[1]
        if module is None:
            sys.modules.pop(name, None)
            if hasattr(package, short):
                delattr(package, short)
        else:
            sys.modules[name] = module
            setattr(package, short, module)


def test_local_is_the_embedded_default(fresh_settings: Callable[[str], ModuleType]) -> None:
    with pytest.warns(UserWarning, match="Using the fixed development keys"):
        local = fresh_settings("config.settings.local")

    assert local.DEBUG is True
    assert local.SECRET_KEY == DEV_SECRET_KEY
    assert local.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert local.CACHES == {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert local.CELERY_BROKER_URL == "filesystem://"
    assert local.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"] == str(local.BROKER_DATA_DIR / "queue")
    assert local.CELERY_TASK_ALWAYS_EAGER is False
    assert local.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"
    assert local.FRONTEND_URL == "http://localhost:5173"
    for folder in ("queue", "processed", "control"):
        assert (local.BROKER_DATA_DIR / folder).is_dir()


def test_local_with_real_keys_does_not_warn(
    fresh_settings: Callable[[str], ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in good_secrets().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6379/0")
    monkeypatch.setenv("FRONTEND_URL", "https://app.example.com/")

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        local = fresh_settings("config.settings.local")

    assert local.CACHES["default"]["LOCATION"] == "redis://cache.internal:6379/0"
    assert local.CELERY_BROKER_URL == "redis://cache.internal:6379/0"
    assert local.CELERY_BROKER_TRANSPORT_OPTIONS == {
        "visibility_timeout": 3600,
        "unacked_restore_interval": 10,
        "unacked_restore_throttle": 10,
        "socket_connect_timeout": 2,
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.2,
    }
    assert local.FRONTEND_URL == "https://app.example.com"


def test_throttle_rates_come_from_the_environment(
    fresh_settings: Callable[[str], ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THROTTLE_RATES", "login_email=50/min")

    base = fresh_settings("config.settings.base")

    assert base.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["login_email"] == "50/min"
    assert base.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["login_ip"] == "20/min"


def test_a_bad_throttle_rate_stops_start_up(
    fresh_settings: Callable[[str], ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THROTTLE_RATES", "everything=1/min")

    with pytest.raises(ImproperlyConfigured, match="THROTTLE_RATES: unknown scope"):
        fresh_settings("config.settings.base")


def test_production_with_good_keys(
    fresh_settings: Callable[[str], ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = good_secrets()
    for name, value in keys.items():
        monkeypatch.setenv(name, value)

    production = fresh_settings("config.settings.production")

    assert keys["SECRET_KEY"] == production.SECRET_KEY
    assert keys["JWT_SIGNING_KEY"] == production.JWT_SIGNING_KEY
    assert production.SIMPLE_JWT["SIGNING_KEY"] == keys["JWT_SIGNING_KEY"]
    assert keys["FIELD_ENCRYPTION_KEY"].split(",") == production.FIELD_ENCRYPTION_KEY
    assert production.ALLOWED_HOSTS == ["api.example.com"]
    assert production.DEBUG is False
    assert production.EMAIL_BACKEND == "anymail.backends.amazon_ses.EmailBackend"
    assert production.SECURE_SSL_REDIRECT is True
    assert production.SESSION_COOKIE_SECURE is True
    assert production.CSRF_COOKIE_SECURE is True
    # The running suite's signing key is untouched.
    assert settings.SIMPLE_JWT["SIGNING_KEY"] == settings.JWT_SIGNING_KEY


@pytest.mark.parametrize("missing", SECRET_NAMES)
def test_production_refuses_a_missing_secret(
    fresh_settings: Callable[[str], ModuleType], monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    for name, value in good_secrets().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv(missing)

    with pytest.raises(ImproperlyConfigured, match=f"^{missing} must be set when DJANGO_ENV=production"):
        fresh_settings("config.settings.production")


@pytest.mark.parametrize(
    ("name", "dev_value"),
    [
        ("SECRET_KEY", DEV_SECRET_KEY),
        ("JWT_SIGNING_KEY", DEV_JWT_SIGNING_KEY),
        ("FIELD_ENCRYPTION_KEY", DEV_FIELD_ENCRYPTION_KEY),
        ("FIELD_ENCRYPTION_KEY", f"{fernet_key()},{DEV_FIELD_ENCRYPTION_KEY}"),
    ],
    ids=["secret", "jwt", "fernet", "fernet-in-rotation"],
)
def test_production_refuses_a_development_key(
    fresh_settings: Callable[[str], ModuleType], monkeypatch: pytest.MonkeyPatch, name: str, dev_value: str
) -> None:
    for key, value in good_secrets().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv(name, dev_value)

    with pytest.raises(ImproperlyConfigured, match=f"^{name} is the development key"):
        fresh_settings("config.settings.production")


@pytest.mark.parametrize("name", ["SECRET_KEY", "JWT_SIGNING_KEY"])
def test_production_refuses_a_short_key(
    fresh_settings: Callable[[str], ModuleType], monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    for key, value in good_secrets().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv(name, "x" * 31)

    with pytest.raises(ImproperlyConfigured, match=f"^{name} must be at least 32 characters long"):
        fresh_settings("config.settings.production")


@pytest.mark.parametrize("missing", ["DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS"])
def test_production_refuses_to_run_without_its_servers(
    fresh_settings: Callable[[str], ModuleType], monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    for name, value in good_secrets().items():
        if name != missing:
            monkeypatch.setenv(name, value)

    with pytest.raises(ImproperlyConfigured, match=f"^{missing} must be set when DJANGO_ENV=production"):
        fresh_settings("config.settings.production")


def test_production_refuses_a_bad_fernet_key(
    fresh_settings: Callable[[str], ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in good_secrets().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("FIELD_ENCRYPTION_KEY", f"{fernet_key()},not-a-fernet-key")

    with pytest.raises(ImproperlyConfigured, match=r"^FIELD_ENCRYPTION_KEY: key 2 is not a Fernet key"):
        fresh_settings("config.settings.production")


# --- production start-up, as a real process -----------------------------------------------


def start_production(extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {*SECRET_NAMES, "DJANGO_ENV", "DJANGO_SETTINGS_MODULE"}
    }
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.production", **extra_env})
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.slow
def test_production_process_refuses_to_start_without_secret_key() -> None:
    keys = good_secrets()
    del keys["SECRET_KEY"]

    result = start_production(keys)

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set when DJANGO_ENV=production." in result.stderr


@pytest.mark.slow
def test_production_process_refuses_to_start_with_development_keys() -> None:
    result = start_production(
        {
            "SECRET_KEY": DEV_SECRET_KEY,
            "JWT_SIGNING_KEY": DEV_JWT_SIGNING_KEY,
            "FIELD_ENCRYPTION_KEY": DEV_FIELD_ENCRYPTION_KEY,
        }
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is the development key; set a secret one." in result.stderr


@pytest.mark.slow
def test_production_process_starts_with_good_keys() -> None:
    result = start_production(good_secrets())

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


# --- DJANGO_ENV -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("django_env", "module"),
    [
        (None, "config.settings.local"),
        ("local", "config.settings.local"),
        ("test", "config.settings.test"),
        ("production", "config.settings.production"),
    ],
)
def test_django_env_picks_the_settings_module(
    monkeypatch: pytest.MonkeyPatch, django_env: str | None, module: str
) -> None:
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE")
    if django_env is None:
        monkeypatch.delenv("DJANGO_ENV", raising=False)
    else:
        monkeypatch.setenv("DJANGO_ENV", django_env)

    assert select_settings_module() == module
    assert os.environ["DJANGO_SETTINGS_MODULE"] == module


def test_unknown_django_env_stops_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE")
    monkeypatch.setenv("DJANGO_ENV", "staging")

    with pytest.raises(SystemExit, match="DJANGO_ENV must be one of local, test, production, got 'staging'"):
        select_settings_module()
    assert "DJANGO_SETTINGS_MODULE" not in os.environ


def test_an_explicit_settings_module_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "config.settings.test")
    monkeypatch.setenv("DJANGO_ENV", "production")

    assert select_settings_module() == "config.settings.test"

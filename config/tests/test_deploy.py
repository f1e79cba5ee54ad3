"""Production settings (issue 8): `manage.py check --deploy` passes with no warning, start-up
stops without a secret, persistent health-checked connections, JSON logs, https-only CORS."""

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.tests.test_settings import good_secrets

MANAGE = Path(settings.BASE_DIR) / "manage.py"


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ENV")}
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, str(MANAGE), *args],
        env={**clean, "DJANGO_ENV": "production", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_passes_with_no_warning():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **good_secrets())

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_has_teeth():
    """The same check fails when a protection is turned off: the pass above means something."""
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", **good_secrets(), SECURE_SSL_REDIRECT="false"
    )

    assert result.returncode != 0
    assert "security.W008" in result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "JWT_SIGNING_KEY", "FIELD_ENCRYPTION_KEY"])
def test_production_does_not_start_without_a_secret(missing):
    env = {**good_secrets(), missing: ""}

    result = manage("check", **env)

    assert result.returncode != 0
    assert "Traceback" in result.stderr and "ImproperlyConfigured" in result.stderr
    assert f"{missing} must be set when DJANGO_ENV=production." in result.stderr


def _production(
    fresh_settings: Callable[[str], ModuleType], monkeypatch: pytest.MonkeyPatch, **env: str
) -> ModuleType:
    for name, value in {**good_secrets(), **env}.items():
        monkeypatch.setenv(name, value)
    return fresh_settings("config.settings.production")


def test_production_security_headers_and_cookies(fresh_settings, monkeypatch):
    production = _production(fresh_settings, monkeypatch)

    assert production.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
    assert production.SECURE_SSL_REDIRECT is True
    assert production.SECURE_HSTS_SECONDS == 31536000
    assert production.SECURE_HSTS_INCLUDE_SUBDOMAINS is True
    assert production.SECURE_REFERRER_POLICY == "same-origin"
    assert production.X_FRAME_OPTIONS == "DENY"
    assert production.SESSION_COOKIE_SECURE is production.CSRF_COOKIE_SECURE is True
    assert production.DEBUG is False


def test_production_keeps_health_checked_persistent_connections(fresh_settings, monkeypatch):
    default = _production(fresh_settings, monkeypatch).DATABASES["default"]
    assert (default["CONN_MAX_AGE"], default["CONN_HEALTH_CHECKS"]) == (60, True)

    tuned = _production(fresh_settings, monkeypatch, CONN_MAX_AGE="300").DATABASES["default"]
    assert (tuned["CONN_MAX_AGE"], tuned["CONN_HEALTH_CHECKS"]) == (300, True)


def test_production_logs_json_lines(fresh_settings, monkeypatch):
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    production = _production(fresh_settings, monkeypatch)

    assert production.LOGGING["handlers"]["console"]["formatter"] == "json"
    assert production.LOGGING["formatters"]["json"] == {"()": "config.logging.JsonFormatter"}
    assert production.LOGGING["handlers"]["console"]["filters"] == ["request_id"]


def test_a_bad_log_format_stops_start_up(fresh_settings, monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="LOG_FORMAT must be plain or json, got 'xml'"):
        _production(fresh_settings, monkeypatch, LOG_FORMAT="xml")


def test_production_cors_defaults_to_the_https_front_end(fresh_settings, monkeypatch):
    monkeypatch.delenv("CORS_ALLOWED_ORIGINS", raising=False)
    production = _production(fresh_settings, monkeypatch, FRONTEND_URL="https://app.example.com/")

    assert production.CORS_ALLOWED_ORIGINS == ["https://app.example.com"]
    assert production.CORS_ALLOW_CREDENTIALS is False


def test_production_cors_allows_no_origin_for_a_plain_http_front_end(fresh_settings, monkeypatch):
    monkeypatch.delenv("CORS_ALLOWED_ORIGINS", raising=False)

    production = _production(fresh_settings, monkeypatch, FRONTEND_URL="http://localhost:5173")

    assert production.CORS_ALLOWED_ORIGINS == []


def test_production_refuses_a_plain_http_cors_origin(fresh_settings, monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="must be https:// origins in production"):
        _production(
            fresh_settings, monkeypatch, CORS_ALLOWED_ORIGINS="https://app.example.com,http://evil.example"
        )


ENV_READ = re.compile(
    r"""(?:env_(?:str|bool|int|list)|required(?:_secret)?|os\.environ\.get)\(\s*["']([A-Z][A-Z0-9_]+)["']"""
)


def test_env_example_lists_every_setting_the_settings_read():
    base = Path(settings.BASE_DIR)
    read = {
        name
        for module in (base / "config" / "settings").glob("*.py")
        for name in ENV_READ.findall(module.read_text())
    }
    listed = set(
        re.findall(r"^# ([A-Z][A-Z0-9_]+)=", (base / ".env.example").read_text(), flags=re.MULTILINE)
    )

    assert {"SECRET_KEY", "DATABASE_URL", "CORS_ALLOWED_ORIGINS", "LOG_FORMAT"} <= read
    assert not read - listed, f".env.example lacks {sorted(read - listed)}"


# --- containers (no Docker engine in CI: the files are checked as text) -------------------


def test_the_dockerfile_builds_a_slim_non_root_image_with_a_health_check():
    dockerfile = (Path(settings.BASE_DIR) / "Dockerfile").read_text()
    instructions = [line.split(" ", 1)[0] for line in dockerfile.splitlines() if line and line[0].isupper()]

    assert dockerfile.startswith("# ") and "FROM python:3.11-slim\n" in dockerfile
    assert "RUN pip install --no-compile -r requirements.txt" in dockerfile
    assert "python manage.py collectstatic --noinput" in dockerfile
    assert "USER taskflow" in dockerfile
    assert instructions.index("USER") > instructions.index("RUN")
    assert instructions[-2:] == ["HEALTHCHECK", "CMD"]
    assert "/healthz" in dockerfile and "gunicorn config.wsgi:application" in dockerfile
    ignored = (Path(settings.BASE_DIR) / ".dockerignore").read_text().split()
    assert {".env", ".venv", ".git", "var"} <= set(ignored)


def test_compose_runs_postgres_redis_release_web_worker_and_beat():
    import yaml

    compose = yaml.safe_load((Path(settings.BASE_DIR) / "docker-compose.yml").read_text())
    services = compose["services"]

    assert set(services) == {"postgres", "redis", "release", "web", "worker", "beat"}
    assert services["release"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"] == {"release": {"condition": "service_completed_successfully"}}
        assert services[name]["environment"]["DJANGO_ENV"] == "production"
        for secret in ("SECRET_KEY", "JWT_SIGNING_KEY", "FIELD_ENCRYPTION_KEY"):
            assert services[name]["environment"][secret].startswith(f"${{{secret}:?")
    assert services["release"]["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert "beat" in services["beat"]["command"] and "DatabaseScheduler" in services["beat"]["command"][-1]
    assert services["beat"]["healthcheck"] == {"disable": True}

"""Structured logs (issue 8): the request id middleware, the filter, JSON lines, and the id
travelling into Celery tasks through the real Redis broker."""

import json
import logging
import uuid
from collections.abc import Iterator

import pytest
from django.core.cache import cache

from config.celery import app as celery_app
from config.logging import JsonFormatter, RequestIdFilter, logging_config, request_id_var
from config.middleware import request_id_from
from config.tests.helpers import wait_for

CACHE_KEY = "test-logging:seen-request-id:{}"


@celery_app.task(name="config.tests.test_logging.record_request_id_task")
def record_request_id_task(marker: str) -> None:
    logging.getLogger("config.tests.task").info("task ran", extra={"marker": marker})
    cache.set(CACHE_KEY.format(marker), request_id_var.get() or "none", 60)


@pytest.fixture(autouse=True)
def _no_request_id() -> Iterator[None]:
    """Each test starts outside any request, whatever ran before it in this thread."""
    token = request_id_var.set(None)
    yield
    request_id_var.reset(token)


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.addFilter(RequestIdFilter())

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def collected() -> Iterator[Collect]:
    """Records of the root logger and of "django" (which does not propagate)."""
    handler = Collect()
    loggers = [logging.getLogger(), logging.getLogger("django")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)


def record(message: str = "hello %s", args: tuple = ("world",), **extra: object) -> logging.LogRecord:
    entry = logging.LogRecord("taskflow.test", logging.WARNING, __file__, 1, message, args, None)
    entry.__dict__.update(extra)
    return entry


# --- middleware ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_request_without_an_id_gets_a_new_one(api_client):
    first = api_client.get("/healthz")["X-Request-ID"]
    second = api_client.get("/healthz")["X-Request-ID"]

    assert len(first) == 32 and int(first, 16) >= 0
    assert first != second


@pytest.mark.django_db
def test_a_sane_request_id_is_kept(api_client):
    response = api_client.get("/api/v1/tasks", HTTP_X_REQUEST_ID="edge-4b1f0c2a.7")

    assert response.status_code == 401
    assert response["X-Request-ID"] == "edge-4b1f0c2a.7"


@pytest.mark.parametrize(
    "offered",
    [
        "",
        "short",
        "a" * 129,
        "bad id with spaces",
        "line\nbreak-forged-entry",
        "-leading-dash",
        'q"uote12345',
    ],
)
def test_an_insane_request_id_is_replaced(rf, offered):
    request = rf.get("/healthz", HTTP_X_REQUEST_ID=offered)

    request_id = request_id_from(request)

    assert request_id != offered
    assert uuid.UUID(hex=request_id).hex == request_id


@pytest.mark.django_db
def test_every_log_line_of_a_request_carries_its_id(api_client, user, collected):
    response = api_client.post(
        "/api/v1/auth/login",
        {"email": user.email, "password": "wrong-password-1A!"},
        HTTP_X_REQUEST_ID="req-0123456789",
    )

    assert response.status_code == 401
    assert response["X-Request-ID"] == "req-0123456789"
    mine = [entry for entry in collected.records if entry.name.startswith(("accounts", "django"))]
    assert mine, "the login attempt logged nothing"
    assert {entry.request_id for entry in mine} == {"req-0123456789"}  # type: ignore[attr-defined]
    assert request_id_var.get() is None, "the id must not outlive its request"


@pytest.mark.django_db
def test_djangos_own_response_log_line_carries_the_id(auth_client, collected):
    """django.request logs a 4xx/5xx after the middleware chain has returned."""
    response = auth_client.get(
        "/api/v1/tasks/0b7d1c8e-7f3a-4d0e-9a51-3c2f9d7b8e10", HTTP_X_REQUEST_ID="req-404-0000001"
    )

    assert response.status_code == 404
    logged = [entry for entry in collected.records if entry.name == "django.request"]
    assert [entry.getMessage() for entry in logged] == [
        "Not Found: /api/v1/tasks/0b7d1c8e-7f3a-4d0e-9a51-3c2f9d7b8e10"
    ]
    assert logged[0].request_id == "req-404-0000001"  # type: ignore[attr-defined]
    assert request_id_var.get() is None


def test_outside_a_request_the_id_is_a_dash(collected):
    logging.getLogger("taskflow.test").warning("no request here")

    assert collected.records[-1].request_id == "-"  # type: ignore[attr-defined]


# --- JSON lines ---------------------------------------------------------------------------


def test_json_lines_hold_the_message_level_logger_request_id_and_extra_fields():
    entry = record(request_id="req-42abcdef", user_id=uuid.UUID(int=7), count=3)

    line = JsonFormatter().format(entry)

    assert "\n" not in line
    assert json.loads(line) == {
        "time": json.loads(line)["time"],
        "level": "WARNING",
        "logger": "taskflow.test",
        "message": "hello world",
        "request_id": "req-42abcdef",
        "user_id": str(uuid.UUID(int=7)),
        "count": 3,
    }
    assert json.loads(line)["time"].endswith("+00:00")


def test_json_lines_keep_the_exception_on_the_same_line():
    try:
        raise ValueError("broken\nacross lines")
    except ValueError:
        import sys

        entry = logging.LogRecord("taskflow.test", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())

    line = JsonFormatter().format(entry)

    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["request_id"] == "-"
    assert "ValueError: broken\nacross lines" in parsed["exc_info"]


def test_json_lines_take_the_context_id_without_the_filter():
    token = request_id_var.set("ctx-12345678")
    try:
        assert json.loads(JsonFormatter().format(record()))["request_id"] == "ctx-12345678"
    finally:
        request_id_var.reset(token)


def test_the_logging_setting_uses_json_only_when_asked():
    assert logging_config(level="INFO", json_lines=True)["handlers"]["console"]["formatter"] == "json"
    plain = logging_config(level="DEBUG", json_lines=False)
    assert plain["handlers"]["console"] == {
        "class": "logging.StreamHandler",
        "formatter": "plain",
        "filters": ["request_id"],
    }
    assert plain["root"]["level"] == "DEBUG"


def test_the_configured_handler_writes_json_with_the_request_id(capsys):
    """The dictConfig the production settings build, applied for real to a private logger."""
    import logging.config

    config = logging_config(level="INFO", json_lines=True)
    config["root"] = {"handlers": [], "level": "WARNING"}
    config["loggers"] = {"taskflow.jsontest": {"handlers": ["console"], "level": "INFO", "propagate": False}}
    config["disable_existing_loggers"] = False
    logging.config.dictConfig(config)
    token = request_id_var.set("json-req-0001")
    try:
        logging.getLogger("taskflow.jsontest").info("saved %s", "task", extra={"task_id": "t-1"})
    finally:
        request_id_var.reset(token)
        from django.conf import settings

        logging.config.dictConfig(settings.LOGGING)

    line = capsys.readouterr().err.strip().splitlines()[-1]
    parsed = json.loads(line)
    assert (parsed["message"], parsed["request_id"], parsed["task_id"]) == (
        "saved task",
        "json-req-0001",
        "t-1",
    )


# --- Celery -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_request_id_travels_into_a_task_on_the_real_broker(real_worker):
    token = request_id_var.set("req-into-worker-1")
    try:
        record_request_id_task.delay("with-id")
    finally:
        request_id_var.reset(token)
    record_request_id_task.delay("without-id")

    assert wait_for(lambda: cache.get(CACHE_KEY.format("with-id")) is not None)
    assert wait_for(lambda: cache.get(CACHE_KEY.format("without-id")) is not None)
    assert cache.get(CACHE_KEY.format("with-id")) == "req-into-worker-1"
    assert cache.get(CACHE_KEY.format("without-id")) == "none", (
        "a task must not inherit the previous task's id"
    )


@pytest.mark.django_db
def test_an_eager_task_runs_with_the_requests_id(collected):
    token = request_id_var.set("req-eager-0001")
    try:
        record_request_id_task.delay("eager")
    finally:
        request_id_var.reset(token)

    assert cache.get(CACHE_KEY.format("eager")) == "req-eager-0001"
    ran = [entry for entry in collected.records if entry.name == "config.tests.task"]
    assert [entry.request_id for entry in ran] == ["req-eager-0001"]  # type: ignore[attr-defined]

"""Attacks over HTTP (issue 12), one named case a row.

- Oversized bodies (SPEC §2): a body over ``MAX_REQUEST_BODY_BYTES`` is a 413
  ``payload_too_large`` in the JSON error body, on every path, before authentication and before
  the body is read (in-process, through the WSGI handler, and through a real gunicorn).
- Overlong URLs: a path and query string over ``MAX_URL_BYTES`` (4096) is a 414
  ``uri_too_long`` in the same JSON error body, before authentication, in-process and through
  a real gunicorn (whose own request-line limit, 8190 bytes, answers only beyond that).
- Responses a browser or proxy could keep (SPEC §2): every ``/api/`` answer, errors, pages and
  redirects included, carries ``Cache-Control: no-store``; the schema and the docs do not.
"""

import io
import json
import logging
import os
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import TokenPair
from accounts.tests.factories import DEFAULT_PASSWORD
from accounts.tests.helpers import login
from config.cache_control import ApiNoStoreMiddleware
from config.http_limits import LARGER_BODY_LIMITS, MIB
from config.tests.test_logging import Collect
from config.tests.test_throttling import rates
from config.wsgi import application
from notifications.tokens import unsubscribe_token_make
from system_tests.support import Processes, django_env, start_web

LIMIT = 1024 * 1024
THREE_MB = 3_000_000
IMPORT_LIMIT = LARGER_BODY_LIMITS["/api/v1/imports"]
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
LOGIN = "/api/v1/auth/login"


def too_large(limit: int = LIMIT) -> dict[str, Any]:
    return {
        "code": "payload_too_large",
        "detail": f"The request body is larger than the limit of {limit} bytes.",
        "errors": {},
    }


def json_body(size: int, **fields: str) -> bytes:
    """A JSON object of exactly ``size`` bytes: ``fields`` and a padding field."""
    bare = json.dumps({**fields, "padding": ""}).encode()
    body = json.dumps({**fields, "padding": "x" * (size - len(bare))}).encode()
    assert len(body) == size
    return body


def form_body(size: int) -> bytes:
    bare = b"List-Unsubscribe=One-Click&padding="
    return bare + b"x" * (size - len(bare))


def client_for(user: User, auth: str) -> APIClient:
    # CSRF checks on, as a browser-less client meets them in production.
    client = APIClient(enforce_csrf_checks=True)
    if auth == "bearer":
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {login(user).access_token}")
    elif auth == "garbage":
        client.credentials(HTTP_AUTHORIZATION="Bearer garbage")
    return client


# --- oversized bodies ---------------------------------------------------------------------


@dataclass(frozen=True)
class BodyCase:
    name: str
    method: str
    path: str
    size: int
    content_type: str = JSON
    auth: str = "none"  # none | bearer | garbage
    limit: int = LIMIT


OVERSIZED = [
    BodyCase("login_3mb", "POST", LOGIN, THREE_MB),
    BodyCase("login_one_byte_over_the_limit", "POST", LOGIN, LIMIT + 1),
    BodyCase("authenticated_endpoint_with_a_token", "POST", "/api/v1/projects", THREE_MB, auth="bearer"),
    BodyCase("authenticated_endpoint_without_a_token_is_413_not_401", "POST", "/api/v1/projects", THREE_MB),
    BodyCase(
        "authenticated_endpoint_with_a_bad_token_is_413_not_401",
        "PATCH",
        "/api/v1/users/me",
        THREE_MB,
        auth="garbage",
    ),
    BodyCase("a_get_with_a_body", "GET", "/api/v1/users/me", THREE_MB, auth="bearer"),
    BodyCase("unsubscribe_form", "POST", "/api/v1/notifications/unsubscribe?token=x", THREE_MB, FORM),
    BodyCase("google_calendar_webhook", "POST", "/api/v1/webhooks/google-calendar", THREE_MB),
    BodyCase("unknown_api_path", "POST", "/api/v1/nowhere", THREE_MB),
    BodyCase("admin_login_form_is_413_not_a_csrf_403", "POST", "/admin/login/", THREE_MB, FORM),
    BodyCase("health_probe", "POST", "/healthz", THREE_MB),
    BodyCase(
        "import_upload_over_its_own_limit",
        "POST",
        "/api/v1/imports",
        IMPORT_LIMIT + 1,
        "multipart/form-data; boundary=taskflow",
        limit=IMPORT_LIMIT,
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize("case", OVERSIZED, ids=lambda case: case.name)
def test_an_oversized_body_is_refused_with_413(user: User, case: BodyCase) -> None:
    client = client_for(user, case.auth)
    body = form_body(case.size) if case.content_type == FORM else json_body(case.size, email=user.email)

    response = client.generic(case.method, case.path, data=body, content_type=case.content_type)

    assert response.status_code == 413
    assert response.json() == too_large(case.limit)
    assert response["X-Request-ID"]
    on_api = case.path.startswith("/api/")
    assert (response.get("Cache-Control") == "no-store") is on_api


@pytest.mark.django_db
def test_a_body_exactly_at_the_limit_gets_its_normal_answer(api_client: APIClient, user: User) -> None:
    body = json_body(LIMIT, email=user.email, password=DEFAULT_PASSWORD)

    response = api_client.post(LOGIN, data=body, content_type=JSON)

    assert response.status_code == 200
    assert response.json()["access_token"]


@pytest.mark.django_db
def test_the_import_upload_may_be_larger_than_the_general_limit(api_client: APIClient) -> None:
    # Until POST /imports exists the router answers 404; the point is that it is not a 413.
    response = api_client.post(
        "/api/v1/imports", data=b"x" * THREE_MB, content_type="multipart/form-data; boundary=taskflow"
    )

    assert response.status_code != 413


@pytest.mark.django_db
def test_the_limit_comes_from_the_setting_at_request_time(api_client: APIClient, user: User) -> None:
    credentials = {"email": user.email, "password": DEFAULT_PASSWORD}

    with override_settings(MAX_REQUEST_BODY_BYTES=2048):
        refused = api_client.post(LOGIN, data=json_body(2049, **credentials), content_type=JSON)
        accepted = api_client.post(LOGIN, data=json_body(2048, **credentials), content_type=JSON)

    assert refused.status_code == 413
    assert refused.json() == too_large(2048)
    assert accepted.status_code == 200


def test_the_limit_is_read_from_the_environment(
    fresh_settings: Callable[[str], ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MAX_REQUEST_BODY_BYTES", raising=False)
    assert fresh_settings("config.settings.base").MAX_REQUEST_BODY_BYTES == 1_048_576

    monkeypatch.setenv("MAX_REQUEST_BODY_BYTES", "2048")
    configured = fresh_settings("config.settings.base")

    assert configured.MAX_REQUEST_BODY_BYTES == 2048
    assert configured.DATA_UPLOAD_MAX_MEMORY_SIZE == 2048


@pytest.mark.parametrize("raw", ["lots", "0", "-1"])
def test_a_limit_that_is_not_a_positive_number_stops_start_up(
    fresh_settings: Callable[[str], ModuleType], monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv("MAX_REQUEST_BODY_BYTES", raw)

    with pytest.raises(ImproperlyConfigured, match="MAX_REQUEST_BODY_BYTES"):
        fresh_settings("config.settings.base")


@dataclass(frozen=True)
class DjangoLimitCase:
    name: str
    path: str
    content_type: str
    body: bytes
    csrf_cookie: bool = False


DJANGO_LIMIT = 1_000
READ_BY_DJANGO = [
    # DRF reads a JSON body through request.body.
    DjangoLimitCase("json_body_read_by_the_api", LOGIN, JSON, json_body(2 * DJANGO_LIMIT, email="a@b.co")),
    # CSRF middleware reads a form's fields looking for the token.
    DjangoLimitCase("form_fields_read_by_csrf", "/admin/", FORM, form_body(2 * DJANGO_LIMIT), True),
]


@pytest.mark.django_db
@pytest.mark.parametrize("case", READ_BY_DJANGO, ids=lambda case: case.name)
def test_djangos_own_memory_limit_answers_the_same_413(case: DjangoLimitCase) -> None:
    client = Client(enforce_csrf_checks=True)
    if case.csrf_cookie:
        client.cookies["csrftoken"] = "a" * 32

    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=DJANGO_LIMIT):
        response = client.post(case.path, data=case.body, content_type=case.content_type)

    assert response.status_code == 413
    assert response.json() == too_large(DJANGO_LIMIT)


class UnreadableInput:
    """A wsgi.input that fails the test if anything reads it."""

    def read(self, *args: object) -> bytes:
        raise AssertionError("the request body was read")

    readline = read


@pytest.fixture
def keep_test_connection() -> Iterator[None]:
    """The WSGI handler's end-of-request signal would close the test's database connection;
    Django's own test client unhooks it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@dataclass(frozen=True)
class UnreadCase:
    name: str
    content_length: str
    status: str
    code: str


# Straight through the WSGI handler, with a wsgi.input that fails the test if it is read.
NEVER_READ = [
    UnreadCase(
        "declared_50_mib_is_refused", str(50 * MIB), "413 Request Entity Too Large", "payload_too_large"
    ),
    # Django reads no body for a malformed length (gunicorn refuses one itself): an empty body.
    UnreadCase("malformed_length_reads_nothing", "lots", "400 Bad Request", "validation_error"),
]


@pytest.mark.django_db
@pytest.mark.usefixtures("keep_test_connection")
@pytest.mark.parametrize("case", NEVER_READ, ids=lambda case: case.name)
def test_the_body_is_not_read(case: UnreadCase) -> None:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": LOGIN,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "CONTENT_TYPE": JSON,
        "CONTENT_LENGTH": case.content_length,
        "wsgi.input": UnreadableInput(),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
    }
    started: list[str] = []

    chunks = application(environ, lambda status, headers, exc_info=None: started.append(status))
    body = b"".join(chunks)
    chunks.close()

    assert started == [case.status]
    assert json.loads(body)["code"] == case.code


@pytest.fixture
def django_request_log() -> Iterator[Collect]:
    """The records of django.request (which does not propagate to the root logger)."""
    handler = Collect()
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def test_the_refusal_is_logged_with_the_request_id(
    api_client: APIClient, django_request_log: Collect
) -> None:
    response = api_client.post(
        LOGIN, data=b"x" * THREE_MB, content_type=JSON, HTTP_X_REQUEST_ID="req-413-0000001"
    )

    assert response["X-Request-ID"] == "req-413-0000001"
    logged = [record for record in django_request_log.records if getattr(record, "status_code", 0) == 413]
    assert [record.getMessage() for record in logged] == [f"Request Entity Too Large: {LOGIN}"]
    assert logged[0].request_id == "req-413-0000001"  # type: ignore[attr-defined]


def test_a_browser_front_end_can_read_the_refusal(api_client: APIClient) -> None:
    origin = settings.CORS_ALLOWED_ORIGINS[0]

    response = api_client.post(LOGIN, data=b"x" * THREE_MB, content_type=JSON, HTTP_ORIGIN=origin)

    assert response.status_code == 413
    assert response["Access-Control-Allow-Origin"] == origin


# --- overlong URLs ------------------------------------------------------------------------

URL_LIMIT = 4096


def url_of(size: int, path: str = "/api/v1/projects") -> str:
    """``path`` with a query string making the whole URL exactly ``size`` bytes long."""
    prefix = f"{path}?search="
    return prefix + "x" * (size - len(prefix))


def uri_too_long() -> dict[str, Any]:
    return {
        "code": "uri_too_long",
        "detail": f"The URL (path and query string) is longer than the limit of {URL_LIMIT} bytes.",
        "errors": {},
    }


@pytest.mark.parametrize(
    ("path", "auth"),
    [("/api/v1/projects", "none"), ("/api/v1/projects", "bearer"), (LOGIN, "none"), ("/healthz", "none")],
    ids=["before_authentication", "authenticated", "public_endpoint", "health_probe"],
)
@pytest.mark.django_db
def test_a_url_over_the_limit_is_refused_with_a_json_414(user: User, path: str, auth: str) -> None:
    origin = settings.CORS_ALLOWED_ORIGINS[0]

    response = client_for(user, auth).get(url_of(URL_LIMIT + 1, path), HTTP_ORIGIN=origin)

    assert response.status_code == 414
    assert response.json() == uri_too_long()
    assert response["Content-Length"] == str(len(response.content))
    if path.startswith("/api/"):
        assert response["Access-Control-Allow-Origin"] == origin
        assert response["Cache-Control"] == "no-store"


def test_a_url_at_the_limit_gets_its_normal_answer(api_client: APIClient) -> None:
    assert api_client.get(url_of(URL_LIMIT)).status_code == 401


def test_the_url_is_measured_percent_encoded(api_client: APIClient) -> None:
    # 1400 "é" are 2800 bytes of UTF-8 and 8400 characters once percent-encoded, as sent.
    response = api_client.get("/api/v1/projects", {"search": "é" * 1400})

    assert response.status_code == 414


# --- through a real gunicorn --------------------------------------------------------------


@pytest.fixture
def gunicorn(tmp_path: Path) -> Iterator[str]:
    """gunicorn (one sync worker, as the Procfile runs it) on 127.0.0.1; these requests touch
    neither the database nor the broker."""
    processes = Processes(tmp_path)
    env = django_env(
        database_url=os.environ["DATABASE_URL"],
        redis_url=settings.REDIS_URL,
        broker_url=settings.CELERY_BROKER_URL,
        email_dir=tmp_path,
    )
    try:
        yield start_web(processes, env, workers=1)
    finally:
        processes.stop_all()
        print(processes.logs())  # shown when the test failed


def exchange(base: str, request: bytes, *, timeout: float = 5.0) -> tuple[bytes, float]:
    """Sends raw bytes and reads the answer until gunicorn closes the connection."""
    address = urlsplit(base)
    started = time.monotonic()
    answer = b""
    with socket.create_connection((address.hostname, address.port), timeout=timeout) as sock:
        sock.sendall(request)
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except ConnectionResetError:
            if not answer:
                raise
    return answer, time.monotonic() - started


def head_of(method: str, path: str, *lines: str) -> bytes:
    return ("\r\n".join([f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *lines, "", ""])).encode()


@pytest.mark.slow
@pytest.mark.parametrize("declared", [LIMIT + 1, 50 * MIB], ids=["one_byte_over", "50_mib"])
def test_gunicorn_answers_413_at_once_without_waiting_for_the_body(gunicorn: str, declared: int) -> None:
    request = head_of("POST", LOGIN, "Content-Type: application/json", f"Content-Length: {declared}")

    answer, seconds = exchange(gunicorn, request + b'{"email": ')

    status_line, _, rest = answer.partition(b"\r\n")
    headers, _, body = rest.partition(b"\r\n\r\n")
    assert status_line == b"HTTP/1.1 413 Request Entity Too Large"
    assert b"Cache-Control: no-store" in headers.split(b"\r\n")
    assert json.loads(body) == too_large()
    assert seconds < 3


@pytest.mark.slow
def test_gunicorn_a_chunked_body_is_never_read(gunicorn: str) -> None:
    """Without a Content-Length Django reads no body at all: an endless chunked body is
    answered at once, as an empty one (login: both fields missing)."""
    request = head_of("POST", LOGIN, "Content-Type: application/json", "Transfer-Encoding: chunked")
    first_chunk = b"%x\r\n%s\r\n" % (64 * 1024, b"x" * 64 * 1024)

    answer, seconds = exchange(gunicorn, request + first_chunk)

    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    body = json.loads(answer.partition(b"\r\n\r\n")[2])
    assert body["code"] == "validation_error"
    assert set(body["errors"]) == {"email", "password"}
    assert seconds < 3


@pytest.mark.slow
def test_gunicorn_lets_a_long_url_through_to_the_json_414(gunicorn: str) -> None:
    # Over gunicorn's default request-line limit (4094), under its maximum (8190).
    response = httpx.get(gunicorn + url_of(6000), timeout=5)

    assert response.status_code == 414
    assert response.json() == uri_too_long()
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.slow
def test_gunicorn_answers_a_request_line_over_its_maximum_itself(gunicorn: str) -> None:
    """The documented ceiling: past 8190 bytes gunicorn refuses the line before the
    application sees it, with its own (not JSON) 414."""
    answer, _ = exchange(gunicorn, head_of("GET", url_of(9000)))

    assert answer.startswith(b"HTTP/1.1 414 ")
    assert b"application/json" not in answer


# --- Cache-Control ------------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    user: User
    tokens: TokenPair
    unsubscribe_token: str


@dataclass(frozen=True)
class CacheCase:
    name: str
    method: str
    path: str  # may hold {unsubscribe_token}
    status: int
    auth: str = "none"  # none | bearer | garbage
    body: Callable[[World], dict[str, str]] | None = None
    raw_size: int = 0  # a JSON body of this many bytes instead
    headers: dict[str, str] = field(default_factory=dict)
    throttled: bool = False  # the anonymous rate is 1/min and this is the second request
    no_store: bool = True


UNSUBSCRIBE = "/api/v1/notifications/unsubscribe"
ORIGIN = "http://localhost:5173"

CACHE_CASES = [
    CacheCase(
        "login_token_response",
        "POST",
        LOGIN,
        200,
        body=lambda w: {"email": w.user.email, "password": DEFAULT_PASSWORD},
    ),
    CacheCase(
        "refresh_token_response",
        "POST",
        "/api/v1/auth/refresh",
        200,
        body=lambda w: {"refresh_token": w.tokens.refresh_token},
    ),
    CacheCase("users_me", "GET", "/api/v1/users/me", 200, auth="bearer"),
    CacheCase("a_list", "GET", "/api/v1/projects", 200, auth="bearer"),
    CacheCase("missing_token_401", "GET", "/api/v1/users/me", 401),
    CacheCase("bad_token_401", "GET", "/api/v1/users/me", 401, auth="garbage"),
    CacheCase("unknown_api_path_404", "GET", "/api/v1/nowhere", 404, auth="bearer"),
    CacheCase("wrong_method_405", "DELETE", LOGIN, 405),
    CacheCase("throttled_429", "POST", "/api/v1/auth/register", 429, body=lambda w: {}, throttled=True),
    CacheCase("oversized_413", "POST", LOGIN, 413, raw_size=THREE_MB),
    CacheCase(
        "cors_preflight",
        "OPTIONS",
        LOGIN,
        200,
        headers={"HTTP_ORIGIN": ORIGIN, "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "POST"},
    ),
    CacheCase("unsubscribe_confirmation_page", "GET", UNSUBSCRIBE + "?token={unsubscribe_token}", 200),
    CacheCase("unsubscribe_invalid_link_page", "GET", UNSUBSCRIBE + "?token=garbage", 400),
    CacheCase("unsubscribe_one_click", "POST", UNSUBSCRIBE + "?token={unsubscribe_token}", 200),
    CacheCase("google_callback_redirect", "GET", "/api/v1/integrations/google/callback", 302),
    CacheCase("schema_is_cacheable", "GET", "/api/schema/", 200, no_store=False),
    CacheCase("docs_are_cacheable", "GET", "/api/docs/", 200, no_store=False),
    CacheCase("outside_the_api_untouched", "GET", "/healthz", 200, no_store=False),
]


@pytest.fixture
def world(user: User) -> World:
    return World(user=user, tokens=login(user), unsubscribe_token=unsubscribe_token_make(user=user))


@pytest.fixture
def one_anonymous_request_a_minute() -> Iterator[None]:
    with override_settings(REST_FRAMEWORK=rates(anon="1/min")):
        yield


def send(world: World, case: CacheCase) -> Any:
    client = client_for(world.user, case.auth)
    path = case.path.format(unsubscribe_token=world.unsubscribe_token)
    if case.raw_size:
        return client.generic(case.method, path, data=b"x" * case.raw_size, content_type=JSON, **case.headers)
    data = json.dumps(case.body(world)) if case.body else ""
    return client.generic(case.method, path, data=data, content_type=JSON, **case.headers)


@pytest.mark.django_db
@pytest.mark.parametrize("case", CACHE_CASES, ids=lambda case: case.name)
def test_api_answers_are_not_stored_by_caches(world: World, case: CacheCase, request: Any) -> None:
    if case.throttled:
        request.getfixturevalue("one_anonymous_request_a_minute")
        send(world, case)

    response = send(world, case)

    assert response.status_code == case.status
    if case.no_store:
        assert response["Cache-Control"] == "no-store"
        assert response["Pragma"] == "no-cache"
    else:
        assert "no-store" not in response.get("Cache-Control", "")


@dataclass(frozen=True)
class OwnHeaderCase:
    name: str
    path: str
    expected: str


OWN_HEADER = "public, max-age=600"
OWN_HEADER_CASES = [
    OwnHeaderCase("api_no_store_wins", "/api/v1/projects", "no-store"),
    OwnHeaderCase("schema_keeps_its_own", "/api/schema/", OWN_HEADER),
    OwnHeaderCase("docs_keep_their_own", "/api/docs", OWN_HEADER),
    OwnHeaderCase("calendar_feed_keeps_its_own", "/api/v1/feeds/s3cr3t-feed-id.ics", OWN_HEADER),
    OwnHeaderCase("feed_management_is_no_store", "/api/v1/feeds", "no-store"),
    OwnHeaderCase("admin_untouched", "/admin/", OWN_HEADER),
]


@pytest.mark.parametrize("case", OWN_HEADER_CASES, ids=lambda case: case.name)
def test_no_store_replaces_a_views_own_cache_control_except_on_exempt_paths(case: OwnHeaderCase) -> None:
    def view(request: HttpRequest) -> HttpResponse:
        response = HttpResponse("body")
        response["Cache-Control"] = OWN_HEADER
        return response

    response = ApiNoStoreMiddleware(view)(RequestFactory().get(case.path))

    assert response["Cache-Control"] == case.expected

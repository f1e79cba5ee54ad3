"""CORS for the SPA (issue 8): allowed origins from the environment, credentials off, preflight."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings.env import origin_of

SPA = "https://app.example.com"
PREFLIGHT = {
    "HTTP_ORIGIN": SPA,
    "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "PATCH",
    "HTTP_ACCESS_CONTROL_REQUEST_HEADERS": "authorization, content-type",
}


@pytest.fixture(autouse=True)
def spa_origins(settings):
    settings.CORS_ALLOWED_ORIGINS = [SPA, "http://localhost:5173"]


@pytest.mark.django_db
def test_preflight_from_the_spa_is_allowed(api_client):
    response = api_client.options("/api/v1/tasks/0b7d1c8e-7f3a-4d0e-9a51-3c2f9d7b8e10", **PREFLIGHT)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == SPA
    assert "PATCH" in response["Access-Control-Allow-Methods"]
    assert {"authorization", "content-type"} <= {
        header.strip() for header in response["Access-Control-Allow-Headers"].split(",")
    }
    assert int(response["Access-Control-Max-Age"]) > 0
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.django_db
def test_preflight_from_a_foreign_origin_gets_no_cors_headers(api_client):
    response = api_client.options("/api/v1/tasks", **{**PREFLIGHT, "HTTP_ORIGIN": "https://evil.example"})

    assert not [header for header in response.headers if header.lower().startswith("access-control-")]


@pytest.mark.django_db
def test_a_simple_request_from_the_spa_gets_its_origin_and_the_request_id(auth_client):
    response = auth_client.get("/api/v1/projects", HTTP_ORIGIN=SPA)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == SPA
    assert response["Access-Control-Expose-Headers"] == "X-Request-ID"
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.django_db
def test_an_error_answer_carries_the_cors_headers_too(api_client):
    """The SPA can read a 401 body (token expired) only when the error has the headers."""
    response = api_client.get("/api/v1/projects", HTTP_ORIGIN=SPA)

    assert response.status_code == 401
    assert response["Access-Control-Allow-Origin"] == SPA


@pytest.mark.django_db
def test_a_foreign_origin_gets_no_cors_headers(auth_client):
    response = auth_client.get("/api/v1/projects", HTTP_ORIGIN="https://app.example.com.evil.example")

    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.django_db
def test_cors_covers_only_the_api(staff_client):
    response = staff_client.get("/admin/", HTTP_ORIGIN=SPA)

    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.filterwarnings("ignore:Using the fixed development keys")
def test_the_development_default_is_the_front_ends_origin(fresh_settings, monkeypatch):
    monkeypatch.delenv("CORS_ALLOWED_ORIGINS", raising=False)
    monkeypatch.setenv("FRONTEND_URL", "http://localhost:3000/app")

    local = fresh_settings("config.settings.local")

    assert local.CORS_ALLOWED_ORIGINS == ["http://localhost:3000"]
    assert local.CORS_ALLOW_CREDENTIALS is False


@pytest.mark.filterwarnings("ignore:Using the fixed development keys")
def test_the_origins_come_from_the_environment(fresh_settings, monkeypatch):
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", "https://a.example.com, https://b.example.com:8443,")

    local = fresh_settings("config.settings.local")

    assert local.CORS_ALLOWED_ORIGINS == ["https://a.example.com", "https://b.example.com:8443"]


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("http://localhost:5173", "http://localhost:5173"),
        ("https://app.example.com/some/path?x=1", "https://app.example.com"),
        ("https://app.example.com:8443/", "https://app.example.com:8443"),
    ],
)
def test_origin_of(url, origin):
    assert origin_of(url) == origin


@pytest.mark.parametrize("url", ["app.example.com", "/relative", ""])
def test_origin_of_refuses_a_url_without_scheme_or_host(url):
    with pytest.raises(ImproperlyConfigured, match="is not an absolute URL"):
        origin_of(url)

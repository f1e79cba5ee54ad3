"""Routing conventions (SPEC §2): optional trailing slash without redirects; public schema and docs."""

import json

import pytest
import yaml
from django.core.management import call_command
from rest_framework.test import APIClient

from accounts.models import User
from config.api.router import OptionalSlashRouter, router


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/users/me", "/api/v1/users/me/"])
def test_paths_resolve_with_and_without_trailing_slash(auth_client: APIClient, user: User, path: str) -> None:
    response = auth_client.get(path)

    assert response.status_code == 200
    assert response.json()["email"] == user.email


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/users/me/preferences", "/api/v1/users/me/preferences/"])
def test_nested_action_paths_resolve_with_and_without_trailing_slash(
    auth_client: APIClient, path: str
) -> None:
    assert auth_client.get(path).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/auth/register", "/api/v1/auth/register/"])
def test_posts_are_not_redirected(api_client: APIClient, path: str) -> None:
    response = api_client.post(path, {})

    assert response.status_code == 400
    assert "Location" not in response


def test_the_router_makes_the_trailing_slash_optional() -> None:
    assert isinstance(router, OptionalSlashRouter)
    assert router.trailing_slash == "/?"


@pytest.mark.parametrize("path", ["/api/schema/", "/api/schema"])
def test_schema_is_a_public_openapi_document(api_client: APIClient, path: str) -> None:
    response = api_client.get(path)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    document = yaml.safe_load(response.content)
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Taskflow API"
    assert "/api/v1/users/me" in document["paths"]
    assert "/api/v1/auth/register" in document["paths"]
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }


def test_schema_is_also_served_as_json(api_client: APIClient) -> None:
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    assert json.loads(response.content)["info"]["version"] == "1.0.0"


def test_schema_documents_the_error_body(api_client: APIClient) -> None:
    document = yaml.safe_load(api_client.get("/api/schema/").content)

    error = document["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"code", "detail", "errors"}
    assert sorted(error["required"]) == ["code", "detail", "errors"]
    register_responses = document["paths"]["/api/v1/auth/register"]["post"]["responses"]
    assert register_responses["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }


def test_schema_validates_without_warnings(tmp_path) -> None:
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    assert yaml.safe_load(target.read_text())["openapi"].startswith("3.")


@pytest.mark.parametrize("path", ["/api/docs/", "/api/docs"])
def test_docs_are_public_html(api_client: APIClient, path: str) -> None:
    response = api_client.get(path)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"swagger-ui" in response.content
    assert b'url: "/api/schema"' in response.content


def test_docs_need_no_cdn(api_client: APIClient) -> None:
    page = api_client.get("/api/docs/").content.decode()

    assert "cdn.jsdelivr.net" not in page
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert (
        api_client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js").status_code
        == 200
    )

"""Regression (found by the API fuzz test): the OpenAPI schema must describe the error bodies
the API really sends — nested field errors (preferences' ``notification_types``, bulk-update
``updates``) and the 404 of a page past the last one on paginated lists."""

from typing import Any

import jsonschema
import pytest
from rest_framework.test import APIClient

from accounts.models import User
from notifications.tests.factories import make_notification
from projects.tests.factories import ProjectFactory


@pytest.fixture
def openapi(api_client: APIClient) -> dict[str, Any]:
    return api_client.get("/api/schema/?format=json").json()


def _documented(openapi: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    return openapi["paths"][path][method]["responses"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "body", "nested_errors"),
    [
        (
            "/api/v1/users/me/preferences",
            {"notification_types": {"REMINDER": "yes"}},
            {"notification_types": {"REMINDER": ["Must be a valid boolean."]}},
        ),
        ("/api/v1/tasks/bulk-update", {"updates": [0]}, None),
    ],
)
def test_nested_field_errors_conform_to_the_documented_error_body(
    auth_client: APIClient, openapi: dict[str, Any], path: str, body: Any, nested_errors: Any
) -> None:
    method = "patch" if path.endswith("preferences") else "post"
    response = getattr(auth_client, method)(path, body, format="json")

    assert response.status_code == 400
    assert "400" in _documented(openapi, method, path)
    jsonschema.validate(response.json(), openapi["components"]["schemas"]["Error"])
    errors = response.json()["errors"]
    if nested_errors is not None:
        assert errors == nested_errors
    else:
        assert isinstance(errors["updates"], dict)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/projects", "/api/v1/notifications"])
def test_a_page_past_the_last_is_a_documented_404(
    auth_client: APIClient, user: User, openapi: dict[str, Any], path: str
) -> None:
    ProjectFactory(owner=user)
    make_notification(user=user)

    response = auth_client.get(f"{path}?page=2")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Invalid page.", "errors": {}}
    assert "404" in _documented(openapi, "get", path)


def test_the_unsubscribe_endpoint_has_no_format_parameter(openapi: dict[str, Any]) -> None:
    # The Accept header alone picks JSON or HTML (URL_FORMAT_OVERRIDE is off), so no format
    # parameter and no 404 for an unknown one.
    for method in ("get", "post"):
        operation = openapi["paths"]["/api/v1/notifications/unsubscribe"][method]
        assert [parameter["name"] for parameter in operation["parameters"]] == ["token"]
        assert "404" not in operation["responses"]


def test_the_throttled_anonymous_endpoints_document_their_429(openapi: dict[str, Any]) -> None:
    # The anon throttle (100/min by default) answers these with 429 too.
    assert "429" in _documented(openapi, "get", "/api/v1/integrations/google/callback")
    for method in ("get", "post"):
        assert set(_documented(openapi, method, "/api/v1/notifications/unsubscribe")["429"]["content"]) == {
            "application/json",
            "text/html",
        }

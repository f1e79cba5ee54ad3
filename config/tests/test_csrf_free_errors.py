"""Regression (found by the API fuzz test): the JSON answers outside DRF views — an unknown
API path or a malformed id, and a wrong method on the health probes — were Django's HTML CSRF
page (403) for POST, PUT, PATCH and DELETE. Django's test client skips CSRF checks unless told,
which hid it; a JWT client never has a CSRF token."""

import pytest
from django.test import Client


@pytest.fixture
def browserless_client() -> Client:
    return Client(enforce_csrf_checks=True)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("delete", "/api/v1/projects/not-a-uuid"),
        ("patch", "/api/v1/tasks/not-a-uuid"),
        ("put", "/api/v1/projects/%C2%84"),
        ("post", "/api/v1/no-such-endpoint"),
    ],
)
def test_an_unknown_api_path_is_a_json_404_for_every_method(
    browserless_client: Client, method: str, path: str
) -> None:
    response = getattr(browserless_client, method)(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "not_found", "detail": "Not found.", "errors": {}}


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_a_post_to_a_health_probe_is_a_json_405(browserless_client: Client, path: str) -> None:
    response = browserless_client.post(path)

    assert response.status_code == 405
    assert response.json() == {
        "code": "method_not_allowed",
        "detail": 'Method "POST" not allowed.',
        "errors": {},
    }
    assert response["Allow"] == "GET, HEAD"

"""Regression (found by the API fuzz test): OPTIONS on the webhook was a 500, because DRF's
OPTIONS metadata describes a view's serializer and the webhook has none."""

import pytest
from rest_framework.test import APIClient

WEBHOOK_URL = "/api/v1/webhooks/google-calendar"


@pytest.mark.django_db
def test_options_on_the_webhook_is_a_405_in_the_error_body(api_client: APIClient) -> None:
    response = api_client.options(WEBHOOK_URL)

    assert response.status_code == 405
    assert response.json() == {
        "code": "method_not_allowed",
        "detail": 'Method "OPTIONS" not allowed.',
        "errors": {},
    }

"""The one exception handler, called directly: every exception maps to the SPEC error body."""

from typing import Any

import pytest
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from config import errors as domain
from config.api.errors import AuthenticationError, ConflictError, ServiceUnavailable
from config.api.exceptions import error_body, exception_handler


def handle(exc: Exception) -> Response:
    response = exception_handler(exc, {})
    assert response is not None
    return response


def test_error_body_always_has_an_errors_object() -> None:
    assert error_body("conflict", "Taken.") == {"code": "conflict", "detail": "Taken.", "errors": {}}
    assert error_body("validation_error", "Invalid input.", {"a": ["b"]}) == {
        "code": "validation_error",
        "detail": "Invalid input.",
        "errors": {"a": ["b"]},
    }


def test_conflict_error_merges_extra_into_the_body() -> None:
    exc = ConflictError(
        "The task was changed by someone else.",
        errors={"version": ["Stale version."]},
        extra={"current_version": 7, "current": {"title": "New"}},
    )

    response = handle(exc)

    assert response.status_code == 409
    assert response.data == {
        "code": "conflict",
        "detail": "The task was changed by someone else.",
        "errors": {"version": ["Stale version."]},
        "current_version": 7,
        "current": {"title": "New"},
    }


def test_conflict_error_defaults() -> None:
    response = handle(ConflictError())

    assert response.status_code == 409
    assert response.data == {
        "code": "conflict",
        "detail": "The request conflicts with the current state of the resource.",
        "errors": {},
    }


def test_django_validation_error_with_fields_keeps_field_names() -> None:
    exc = DjangoValidationError(
        {
            "title": ["This field cannot be blank."],
            "due_date": [DjangoValidationError("Must be after %(start)s.", params={"start": "2024-01-01"})],
        }
    )

    response = handle(exc)

    assert response.status_code == 400
    assert response.data == {
        "code": "validation_error",
        "detail": "Invalid input.",
        "errors": {
            "title": ["This field cannot be blank."],
            "due_date": ["Must be after 2024-01-01."],
        },
    }


def test_django_non_field_errors_use_the_drf_key() -> None:
    exc = DjangoValidationError({NON_FIELD_ERRORS: ["Pick one."], "name": ["Too long."]})

    response = handle(exc)

    assert response.status_code == 400
    assert response.data["errors"] == {"non_field_errors": ["Pick one."], "name": ["Too long."]}


@pytest.mark.parametrize(
    "exc",
    [DjangoValidationError("Nope."), DjangoValidationError(["Nope."])],
    ids=["message", "list"],
)
def test_django_validation_error_without_fields_is_non_field(exc: DjangoValidationError) -> None:
    response = handle(exc)

    assert response.status_code == 400
    assert response.data == {
        "code": "validation_error",
        "detail": "Invalid input.",
        "errors": {"non_field_errors": ["Nope."]},
    }


def test_drf_validation_error_with_a_list_is_non_field() -> None:
    response = handle(exceptions.ValidationError(["First.", "Second."]))

    assert response.status_code == 400
    assert response.data == {
        "code": "validation_error",
        "detail": "Invalid input.",
        "errors": {"non_field_errors": ["First.", "Second."]},
    }


def test_drf_validation_error_with_a_bare_detail_is_non_field() -> None:
    exc = exceptions.ValidationError()
    exc.detail = exceptions.ErrorDetail("Bad.", code="invalid")  # type: ignore[assignment]

    response = handle(exc)

    assert response.data["errors"] == {"non_field_errors": ["Bad."]}


@pytest.mark.parametrize("exc", [OperationalError("server closed"), InterfaceError("connection gone")])
def test_database_failure_is_service_unavailable(exc: Exception) -> None:
    response = handle(exc)

    assert response.status_code == 503
    assert response.data == {
        "code": "service_unavailable",
        "detail": "A backing service is unavailable; try again shortly.",
        "errors": {},
    }
    assert response["Retry-After"] == "5"


def test_service_unavailable_raised_by_code_has_retry_after() -> None:
    response = handle(ServiceUnavailable("Calendar is down."))

    assert response.status_code == 503
    assert response.data == {"code": "service_unavailable", "detail": "Calendar is down.", "errors": {}}
    assert response["Retry-After"] == "5"


@pytest.mark.parametrize(
    ("exc", "status_code", "body"),
    [
        (Http404("Task 1 is not yours"), 404, {"code": "not_found", "detail": "Not found."}),
        (
            DjangoPermissionDenied("no"),
            403,
            {"code": "permission_denied", "detail": "You do not have permission to perform this action."},
        ),
        (
            exceptions.PermissionDenied(),
            403,
            {"code": "permission_denied", "detail": "You do not have permission to perform this action."},
        ),
        (
            exceptions.NotAuthenticated(),
            401,
            {"code": "not_authenticated", "detail": "Authentication credentials were not provided."},
        ),
        (
            exceptions.AuthenticationFailed(),
            401,
            {"code": "token_not_valid", "detail": "Incorrect authentication credentials."},
        ),
        (
            AuthenticationError("Invalid e-mail or password.", code="not_authenticated"),
            401,
            {"code": "not_authenticated", "detail": "Invalid e-mail or password."},
        ),
        (AuthenticationError(), 401, {"code": "token_not_valid", "detail": "Token is invalid or expired."}),
        (
            exceptions.MethodNotAllowed("DELETE"),
            405,
            {"code": "method_not_allowed", "detail": 'Method "DELETE" not allowed.'},
        ),
        (
            exceptions.UnsupportedMediaType("text/plain"),
            415,
            {"code": "unsupported_media_type", "detail": 'Unsupported media type "text/plain" in request.'},
        ),
        (
            exceptions.ParseError("JSON parse error - x"),
            400,
            {"code": "validation_error", "detail": "JSON parse error - x"},
        ),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else None,
)
def test_status_and_code(exc: Exception, status_code: int, body: dict[str, Any]) -> None:
    response = handle(exc)

    assert response.status_code == status_code
    assert response.data == {**body, "errors": {}}


def test_throttled_has_retry_after() -> None:
    response = handle(exceptions.Throttled(wait=42))

    assert response.status_code == 429
    assert response.data == {
        "code": "throttled",
        "detail": "Request was throttled. Expected available in 42 seconds.",
        "errors": {},
    }
    assert response["Retry-After"] == "42"


def test_unlisted_status_gets_a_generic_code() -> None:
    class Teapot(exceptions.APIException):
        status_code = 418
        default_detail = "I'm a teapot."

    response = handle(Teapot())

    assert response.status_code == 418
    assert response.data == {"code": "error", "detail": "I'm a teapot.", "errors": {}}


def test_structured_detail_becomes_one_message() -> None:
    with_detail = exceptions.APIException({"detail": "Token expired.", "code": "token_not_valid"})
    without_detail = exceptions.APIException({"start": ["Too early."], "end": ["Too late.", "Odd."]})

    assert handle(with_detail).data["detail"] == "Token expired."
    assert handle(without_detail).data["detail"] == "start: Too early.; end: Too late. Odd."


def test_unknown_exceptions_are_left_to_django() -> None:
    assert exception_handler(ZeroDivisionError("boom"), {}) is None


class RaisingView(APIView):
    """Stands in for a view whose service raised; the configured handler answers."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    error: Exception = RuntimeError()

    def get(self, request: Request) -> Response:
        raise self.error


def call_raising_view(error: Exception) -> Response:
    view = RaisingView.as_view(error=error)
    return view(APIRequestFactory().get("/anything"))


def test_operational_error_inside_a_view_is_503() -> None:
    response = call_raising_view(OperationalError("could not connect to server"))

    assert response.status_code == 503
    assert response.data == {
        "code": "service_unavailable",
        "detail": "A backing service is unavailable; try again shortly.",
        "errors": {},
    }
    assert response["Retry-After"] == "5"


def test_django_validation_error_inside_a_view_is_400_with_fields() -> None:
    response = call_raising_view(DjangoValidationError({"email": ["Already verified."]}))

    assert response.status_code == 400
    assert response.data == {
        "code": "validation_error",
        "detail": "Invalid input.",
        "errors": {"email": ["Already verified."]},
    }


def test_conflict_inside_a_view_is_409_with_extra() -> None:
    response = call_raising_view(ConflictError("Taken.", extra={"existing_id": "abc"}))

    assert response.status_code == 409
    assert response.data == {"code": "conflict", "detail": "Taken.", "errors": {}, "existing_id": "abc"}


# --- domain errors (config/errors.py): raised by services, mapped here, messages kept -------


@pytest.mark.parametrize(
    ("error", "status_code", "body"),
    [
        (
            domain.NotFound("No task with id 1, 2."),
            404,
            {"code": "not_found", "detail": "No task with id 1, 2.", "errors": {}},
        ),
        (domain.NotFound(), 404, {"code": "not_found", "detail": "Not found.", "errors": {}}),
        (
            domain.Forbidden("Not your project."),
            403,
            {"code": "permission_denied", "detail": "Not your project.", "errors": {}},
        ),
        (
            domain.Forbidden("Verify first.", code="email_not_verified"),
            403,
            {"code": "email_not_verified", "detail": "Verify first.", "errors": {}},
        ),
        (
            domain.Conflict("Taken.", errors={"email": ["Taken by another user."]}),
            409,
            {
                "code": "conflict",
                "detail": "Taken.",
                "errors": {"email": ["Taken by another user."]},
            },
        ),
        (
            domain.Unauthenticated("Invalid e-mail or password.", code="not_authenticated"),
            401,
            {"code": "not_authenticated", "detail": "Invalid e-mail or password.", "errors": {}},
        ),
        (
            domain.Unauthenticated("Refresh token has been revoked."),
            401,
            {"code": "token_not_valid", "detail": "Refresh token has been revoked.", "errors": {}},
        ),
        (
            domain.Unavailable("Google Calendar is not configured on this server."),
            503,
            {
                "code": "service_unavailable",
                "detail": "Google Calendar is not configured on this server.",
                "errors": {},
            },
        ),
        (
            domain.DomainError("Something odd."),
            500,
            {"code": "error", "detail": "Something odd.", "errors": {}},
        ),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else None,
)
def test_a_domain_error_inside_a_view_keeps_its_message(error, status_code, body) -> None:
    response = call_raising_view(error)

    assert response.status_code == status_code
    assert response.data == body


def test_an_unauthenticated_domain_error_carries_the_challenge_header() -> None:
    class BearerView(RaisingView):
        def get_authenticate_header(self, request: Request) -> str:
            return 'Bearer realm="api"'

    view = BearerView.as_view(
        error=domain.Unauthenticated("Invalid e-mail or password.", code="not_authenticated")
    )
    response = view(APIRequestFactory().get("/anything"))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'

"""The one DRF exception handler: every error becomes ``{code, detail, errors}`` (SPEC §2)."""

import logging
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from config.api.errors import AuthenticationError, ConflictError, ForbiddenError, ServiceUnavailable
from config.errors import Conflict, DomainError, Forbidden, NotFound, Unauthenticated, Unavailable

logger = logging.getLogger(__name__)

# The SPEC's machine-readable codes, by status; DRF's own codes are kept where they are more
# precise (token_not_valid, method_not_allowed, unsupported_media_type, ...).
CODE_BY_STATUS = {
    400: "validation_error",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "throttled",
    503: "service_unavailable",
}


def error_body(code: str, detail: str, errors: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "detail": detail, "errors": errors or {}}


def _validation_body(exc: exceptions.ValidationError) -> dict[str, Any]:
    detail = exc.detail
    if isinstance(detail, dict):
        errors = detail
    elif isinstance(detail, list):
        errors = {"non_field_errors": detail}
    else:
        errors = {"non_field_errors": [detail]}
    return error_body("validation_error", "Invalid input.", errors)


def _message(detail: Any) -> str:
    if isinstance(detail, dict):
        if "detail" in detail:
            return str(detail["detail"])
        return "; ".join(f"{key}: {_message(value)}" for key, value in detail.items())
    if isinstance(detail, list):
        return " ".join(_message(item) for item in detail)
    return str(detail)


def _code_for(exc: exceptions.APIException, status_code: int) -> str:
    if isinstance(exc, ForbiddenError):
        return str(exc.get_codes())
    if status_code == status.HTTP_401_UNAUTHORIZED:
        # No credentials (or wrong ones at login) vs. a token that was refused.
        codes = exc.get_codes()
        return "not_authenticated" if codes == "not_authenticated" else "token_not_valid"
    return CODE_BY_STATUS.get(status_code, "error")


def _from_domain(exc: DomainError, context: dict[str, Any]) -> exceptions.APIException:
    """The DRF exception that carries a domain error's status, message and code."""
    if isinstance(exc, NotFound):
        return exceptions.NotFound(exc.message)
    if isinstance(exc, Forbidden):
        return (
            ForbiddenError(exc.message, code=exc.code)
            if exc.code
            else exceptions.PermissionDenied(exc.message)
        )
    if isinstance(exc, Conflict):
        return ConflictError(exc.message, errors=exc.errors)
    if isinstance(exc, Unauthenticated):
        refused = AuthenticationError(exc.message, code=exc.code)
        # As DRF's view does for its own authentication errors: the challenge header.
        view, request = context.get("view"), context.get("request")
        if view is not None and request is not None:
            refused.auth_header = view.get_authenticate_header(request)  # type: ignore[attr-defined]
        return refused
    if isinstance(exc, Unavailable):
        return ServiceUnavailable(exc.message)
    return exceptions.APIException(exc.message)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        exc = _from_domain(exc, context)
    if isinstance(exc, (OperationalError, InterfaceError)):
        # The database went away mid-request: a clean 503, not a stack trace.
        logger.warning("database unavailable: %s", exc)
        exc = ServiceUnavailable()
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        # Services raise Django's ValidationError; field errors keep their field names, and
        # Django's "__all__" becomes "non_field_errors", the key DRF's own errors use.
        exc = exceptions.ValidationError(
            {
                ("non_field_errors" if field == NON_FIELD_ERRORS else field): messages
                for field, messages in exc.message_dict.items()
            }
            if hasattr(exc, "error_dict")
            else {"non_field_errors": exc.messages}
        )

    response = drf_exception_handler(exc, context)
    if response is None:
        return None

    if isinstance(exc, exceptions.ParseError):
        response.data = error_body("validation_error", _message(exc.detail), {})
    elif isinstance(exc, exceptions.ValidationError):
        response.data = _validation_body(exc)
    elif isinstance(exc, ConflictError):
        response.data = {**error_body("conflict", _message(exc.detail), exc.errors), **exc.extra}
    elif isinstance(exc, exceptions.APIException):
        response.data = error_body(_code_for(exc, response.status_code), _message(exc.detail))
    if response.status_code == status.HTTP_503_SERVICE_UNAVAILABLE:
        response["Retry-After"] = "5"
    return response

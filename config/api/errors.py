"""Domain errors any app may raise; the exception handler maps them to the SPEC error body."""

from typing import Any

from rest_framework import status
from rest_framework.exceptions import APIException, AuthenticationFailed, PermissionDenied


class ConflictError(APIException):
    """409: a duplicate, or a stale version. ``extra`` is merged into the body."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: dict[str, list[str]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.errors = errors or {}
        self.extra = extra or {}


class ServiceUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "A backing service is unavailable; try again shortly."
    default_code = "service_unavailable"


class AuthenticationError(AuthenticationFailed):
    """401 for a refused token or credentials; ``code`` picks the SPEC code."""

    default_detail = "Token is invalid or expired."
    default_code = "token_not_valid"


class ForbiddenError(PermissionDenied):
    """403 with a precise SPEC code of its own (``default_code``, e.g. ``email_not_verified``)
    instead of the generic ``permission_denied``."""

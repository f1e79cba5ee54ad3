"""OpenAPI pieces shared by every app: the error body, the JWT security scheme, the schema class
that declares the refusals no view states (429, 414), and the schema view's ``?format=``."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request


@extend_schema_field(
    {
        "oneOf": [
            {"type": "array", "items": {"type": "string"}},
            {
                "type": "object",
                "description": "Errors inside a nested field: by key, or by item index for a list.",
                "additionalProperties": True,
            },
        ]
    }
)
class FieldErrorsField(serializers.JSONField):
    """One field's errors: its messages, or for a nested field (preferences'
    ``notification_types``, bulk-update ``updates``) the same shape one level down."""


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable error code, e.g. validation_error.")
    detail = serializers.CharField(help_text="Human-readable message.")
    errors = serializers.DictField(  # type: ignore[assignment]
        child=FieldErrorsField(),
        help_text="Field errors for 400 (field name -> messages); empty otherwise.",
    )


def error_responses(*status_codes: int) -> dict[int, type[ErrorSerializer]]:
    return dict.fromkeys(status_codes, ErrorSerializer)


THROTTLED = "429"
URI_TOO_LONG = "414"
RETRY_AFTER_HEADER = {
    "schema": {"type": "integer", "minimum": 1},
    "required": True,
    "description": "Seconds to wait before the next attempt may succeed.",
}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema class, plus the refusals that come from no view's code:

    - an operation whose view applies a throttle (every one but Google's webhook: the anon and
      user throttles are the default of every view) declares 429 ``throttled`` with its
      ``Retry-After`` header; one that lists its own 429 in ``@extend_schema`` (per media type)
      keeps it and gets the header;
    - an operation with query parameters declares 414 ``uri_too_long``: their values can make
      the URL longer than ``MAX_URL_BYTES`` (config/http_limits.py). Without them a URL of the
      API is far shorter (ids are UUIDs)."""

    def is_throttled(self) -> bool:
        return bool(self.view.get_throttles())

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation["responses"]
        if self.is_throttled():
            throttled = responses.setdefault(THROTTLED, self._error("Too many requests: code throttled."))
            throttled.setdefault("headers", {})["Retry-After"] = RETRY_AFTER_HEADER
        if any(parameter["in"] == "query" for parameter in operation.get("parameters", [])):
            responses.setdefault(
                URI_TOO_LONG,
                self._error(f"The URL is over {settings.MAX_URL_BYTES} bytes: code uri_too_long."),
            )
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _error(self, description: str) -> dict[str, Any]:
        error = self.resolve_serializer(ErrorSerializer, "response")
        return {"content": {"application/json": {"schema": error.ref}}, "description": description}


class BearerJWTScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.JWTAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):  # type: ignore[no-untyped-def]
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}


def strip_trailing_slashes(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """Documents paths the way SPEC writes them (``/api/v1/auth/login``); both forms work."""
    result["paths"] = {path.rstrip("/") or "/": item for path, item in result["paths"].items()}
    return result


class SchemaFormatNegotiation(DefaultContentNegotiation):
    """``/api/schema/?format=json`` (or ``yaml``): drf-spectacular's documented way to choose the
    schema's format, kept for the schema view alone; the API negotiates by ``Accept`` only
    (``URL_FORMAT_OVERRIDE`` is off)."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        return super().select_renderer(
            request, renderers, format_suffix or request.query_params.get("format")
        )

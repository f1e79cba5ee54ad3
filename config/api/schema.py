"""OpenAPI pieces shared by every app: the error body and the JWT security scheme."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


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

"""Shapes of the accounts API; rules (password strength, uniqueness) live in services."""

from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.addresses import MAX_EMAIL_LENGTH, InvalidEmailAddress, email_normalize
from accounts.models import USERNAME_REGEX, User
from accounts.preferences import DEADLINE_THRESHOLDS, NOTIFICATION_TYPES, available_timezones
from accounts.selectors import user_preferences

username_field_kwargs: dict[str, Any] = {
    "min_length": 3,
    "max_length": 30,
    "validators": [
        RegexValidator(
            USERNAME_REGEX,
            "3–30 characters: letters, digits, underscore, dot or hyphen.",
        )
    ],
}


def password_field(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(
        write_only=True, trim_whitespace=False, max_length=4096, style={"input_type": "password"}, **kwargs
    )


@extend_schema_field(OpenApiTypes.EMAIL)
class EmailAddressField(serializers.CharField):
    """An e-mail address in its canonical form (accounts/addresses.py); a look-alike is 400."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", MAX_EMAIL_LENGTH)
        kwargs.setdefault("help_text", "ASCII before the @; the domain may be internationalised.")
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        try:
            return email_normalize(super().to_internal_value(data))
        except InvalidEmailAddress as exc:
            raise serializers.ValidationError(str(exc)) from None


class RegisterSerializer(serializers.Serializer):
    email = EmailAddressField()
    username = serializers.CharField(**username_field_kwargs)
    password = password_field(
        help_text="8–128 characters with an upper-case letter, a lower-case letter and a digit."
    )


class RegisteredUserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "username", "created_at"]


class LoginSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = password_field()


class TokenPairSerializer(serializers.Serializer):
    access_token = serializers.CharField()
    refresh_token = serializers.CharField()
    token_type = serializers.CharField(help_text='Always "Bearer".')
    expires_in = serializers.IntegerField(help_text="Seconds until the access token expires.")


class RefreshTokenSerializer(serializers.Serializer):
    refresh_token = serializers.CharField(max_length=4096)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=512)


class EmailSerializer(serializers.Serializer):
    # Any string shaped like an address: a look-alike gets the same 200 as every other
    # address (the job, not the request, decides that nobody has it).
    email = serializers.CharField(
        max_length=MAX_EMAIL_LENGTH,
        validators=[RegexValidator(r"^[^@\s]+@[^@\s]+$", "Enter a valid email address.")],
    )


class PasswordResetConfirmSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=512)
    new_password = password_field()


class PasswordChangeSerializer(serializers.Serializer):
    current_password = password_field()
    new_password = password_field()


class MessageSerializer(serializers.Serializer):
    message = serializers.CharField()


class UserSerializer(serializers.ModelSerializer):
    preferences = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "username", "email_verified", "preferences", "created_at", "updated_at"]
        read_only_fields = fields

    def get_preferences(self, user: User) -> dict[str, Any]:
        return user_preferences(user=user)


class UserUpdateSerializer(serializers.Serializer):
    username = serializers.CharField(**username_field_kwargs)


class StrictBooleanField(serializers.BooleanField):
    """JSON ``true``/``false`` only: no "yes", 1 or "on"."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class RejectUnknownKeysMixin:
    """Refuses keys the serializer does not declare (a typo must not pass silently)."""

    fields: Any

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({key: ["Unknown key."] for key in unknown})
        return super().to_internal_value(data)  # type: ignore[misc]


class NotificationTypesSerializer(RejectUnknownKeysMixin, serializers.Serializer):
    """One optional boolean per notification type; types not sent keep their values."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {name: StrictBooleanField(required=False) for name in NOTIFICATION_TYPES}


class PreferencesSerializer(RejectUnknownKeysMixin, serializers.Serializer):
    email_notifications = StrictBooleanField(required=False)
    deadline_threshold = serializers.ChoiceField(choices=DEADLINE_THRESHOLDS, required=False)
    notification_types = NotificationTypesSerializer(required=False)
    timezone = serializers.CharField(
        required=False, max_length=64, help_text="An IANA time zone name, e.g. Europe/Berlin."
    )

    def validate_timezone(self, value: str) -> str:
        if value not in available_timezones():
            raise serializers.ValidationError("Unknown time zone; use an IANA name such as Europe/Berlin.")
        return value

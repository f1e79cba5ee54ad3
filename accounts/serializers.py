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
from accounts.validators import (
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
    PASSWORD_PATTERN,
    PASSWORD_TOO_LONG,
    PASSWORD_TOO_SHORT,
    PasswordComplexityValidator,
)
from config.api.fields import StrictBooleanField, StrictCharField

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


class PasswordField(StrictCharField):
    """A password as typed (whitespace kept), at most 4096 characters: a bound on what is
    checked against a hash, far above any password that can be set."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 4096)
        super().__init__(write_only=True, trim_whitespace=False, style={"input_type": "password"}, **kwargs)


@extend_schema_field({"type": "string", "format": "password", "pattern": PASSWORD_PATTERN})
class NewPasswordField(PasswordField):
    """A password being set: its length here (with the password validator's messages), the
    characters it needs in the schema's pattern; the validators check those, and what no
    schema can say (common passwords, likeness to the username or e-mail), in the service."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            min_length=PASSWORD_MIN_LENGTH,
            max_length=PASSWORD_MAX_LENGTH,
            error_messages={"min_length": PASSWORD_TOO_SHORT, "max_length": PASSWORD_TOO_LONG},
            help_text=PasswordComplexityValidator().get_help_text(),
            **kwargs,
        )


@extend_schema_field(OpenApiTypes.EMAIL)
class EmailAddressField(StrictCharField):
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
    username = StrictCharField(**username_field_kwargs)
    password = NewPasswordField()


class RegisteredUserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "username", "created_at"]


class LoginSerializer(serializers.Serializer):
    email = StrictCharField(max_length=254)
    password = PasswordField()


class TokenPairSerializer(serializers.Serializer):
    access_token = serializers.CharField()
    refresh_token = serializers.CharField()
    token_type = serializers.CharField(help_text='Always "Bearer".')
    expires_in = serializers.IntegerField(help_text="Seconds until the access token expires.")


class RefreshTokenSerializer(serializers.Serializer):
    refresh_token = StrictCharField(max_length=4096)


class TokenSerializer(serializers.Serializer):
    token = StrictCharField(max_length=512)


class EmailSerializer(serializers.Serializer):
    # Any string shaped like an address: a look-alike gets the same 200 as every other
    # address (the job, not the request, decides that nobody has it).
    email = StrictCharField(
        max_length=MAX_EMAIL_LENGTH,
        validators=[RegexValidator(r"^[^@\s]+@[^@\s]+$", "Enter a valid email address.")],
    )


class PasswordResetConfirmSerializer(serializers.Serializer):
    token = StrictCharField(max_length=512)
    new_password = NewPasswordField()


class PasswordChangeSerializer(serializers.Serializer):
    current_password = PasswordField()
    new_password = NewPasswordField()


class MessageSerializer(serializers.Serializer):
    message = serializers.CharField()


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
    """One boolean per notification type."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {name: StrictBooleanField() for name in NOTIFICATION_TYPES}


class PreferencesSerializer(RejectUnknownKeysMixin, serializers.Serializer):
    """The full preferences as read (every key present), and, ``partial``, a PATCH of them:
    keys not sent keep their values, inside ``notification_types`` too."""

    email_notifications = StrictBooleanField()
    deadline_threshold = serializers.ChoiceField(choices=DEADLINE_THRESHOLDS)
    timezone = StrictCharField(
        max_length=64,
        help_text="An IANA time zone name, e.g. Europe/Berlin: the zone of the user's days (all-day tasks "
        "are due at the end of their day there; date-only filter bounds and messages use it). Changing it "
        "moves the due moments of the user's all-day tasks, which stay on their day; timed tasks keep their "
        "moment.",
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        # The nested serializer is partial with its parent. At run time the parent's partial
        # already lets the nested keys be left out; this makes the schema of the PATCH say so
        # too (drf-spectacular reads ``partial`` of each serializer).
        fields = super().get_fields()
        fields["notification_types"] = NotificationTypesSerializer(partial=self.partial)
        return fields

    def validate_timezone(self, value: str) -> str:
        if value not in available_timezones():
            raise serializers.ValidationError("Unknown time zone; use an IANA name such as Europe/Berlin.")
        return value


class UserSerializer(serializers.ModelSerializer):
    preferences = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "username", "email_verified", "preferences", "created_at", "updated_at"]
        read_only_fields = fields

    @extend_schema_field(PreferencesSerializer)
    def get_preferences(self, user: User) -> dict[str, Any]:
        return user_preferences(user=user)


class UserUpdateSerializer(serializers.Serializer):
    username = StrictCharField(**username_field_kwargs)

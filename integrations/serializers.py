from rest_framework import serializers


class GoogleStatusSerializer(serializers.Serializer):
    connected = serializers.BooleanField()
    google_email = serializers.EmailField(allow_null=True)
    calendar_id = serializers.CharField(allow_null=True)
    last_synced_at = serializers.DateTimeField(allow_null=True)
    last_error = serializers.CharField(allow_null=True)


class AuthorizationUrlSerializer(serializers.Serializer):
    authorization_url = serializers.URLField()


class CallbackQuerySerializer(serializers.Serializer):
    """Anything may arrive here (it is a browser redirect): lengths are capped, nothing is
    required; a missing or bad value becomes a redirect with a reason, never a 400 or 500."""

    code = serializers.CharField(required=False, allow_blank=True, max_length=2048, default="")
    state = serializers.CharField(required=False, allow_blank=True, max_length=2048, default="")
    error = serializers.CharField(required=False, allow_blank=True, max_length=256, default="")

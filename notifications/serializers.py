from rest_framework import serializers

from config.api.fields import EnumNameField
from notifications.models import Notification, NotificationType


class NotificationSerializer(serializers.ModelSerializer):
    type = EnumNameField(NotificationType, read_only=True)
    task_id = serializers.UUIDField(read_only=True, allow_null=True)

    class Meta:
        model = Notification
        fields = ["id", "type", "message", "read", "task_id", "created_at", "sent_at"]
        read_only_fields = fields


class UpdatedCountSerializer(serializers.Serializer):
    updated = serializers.IntegerField(help_text="How many notifications were marked read.")


class CountSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Unread notifications.")


class UnsubscribedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    email_notifications = serializers.BooleanField(help_text="Always false after unsubscribing.")

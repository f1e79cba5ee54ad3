from rest_framework import serializers

from config.api.fields import EnumNameField, StrictIntegerField
from notifications.models import Notification, NotificationType
from notifications.services import SNOOZE_MINUTES_MAX, SNOOZE_MINUTES_MIN


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


class SnoozeSerializer(serializers.Serializer):
    minutes = StrictIntegerField(
        min_value=SNOOZE_MINUTES_MIN,
        max_value=SNOOZE_MINUTES_MAX,
        help_text="Fire one more REMINDER for the task after this many minutes (5 to 10080, a week).",
    )

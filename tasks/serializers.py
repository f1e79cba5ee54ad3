from rest_framework import serializers

from config.api.fields import EnumNameField
from tasks.models import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH, Priority, Status, Task
from tasks.services import BULK_MAX_ITEMS

POSITION_MAX = 2_147_483_647


class TaskSerializer(serializers.ModelSerializer):
    project_id = serializers.UUIDField(read_only=True)
    status = EnumNameField(Status, read_only=True)
    priority = EnumNameField(Priority, read_only=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "project_id",
            "title",
            "description",
            "status",
            "priority",
            "due_date",
            "remind_at",
            "position",
            "version",
            "completed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


def position_field() -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=0,
        max_value=POSITION_MAX,
        required=False,
        help_text="0-based index in the column (project, status); past the end means the end.",
    )


def version_field() -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1,
        max_value=POSITION_MAX,
        required=False,
        help_text="The version the client last saw; a different stored version answers 409.",
    )


class TaskCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH)
    description = serializers.CharField(
        max_length=DESCRIPTION_MAX_LENGTH, allow_blank=True, required=False, trim_whitespace=False
    )
    status = EnumNameField(Status, required=False)
    priority = EnumNameField(Priority, required=False)
    due_date = serializers.DateTimeField(allow_null=True, required=False)
    remind_at = serializers.DateTimeField(allow_null=True, required=False)
    position = position_field()


class TaskUpdateSerializer(TaskCreateSerializer):
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH, required=False)
    version = version_field()


class BulkItemSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = EnumNameField(Status, required=False)
    position = position_field()
    priority = EnumNameField(Priority, required=False)
    version = version_field()


class BulkUpdateSerializer(serializers.Serializer):
    updates = serializers.ListField(child=BulkItemSerializer(), min_length=1, max_length=BULK_MAX_ITEMS)


class BulkResultSerializer(serializers.Serializer):
    tasks = TaskSerializer(many=True)


class TaskConflictSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    errors = serializers.DictField()  # type: ignore[assignment]
    current = TaskSerializer(help_text="The stored task.")

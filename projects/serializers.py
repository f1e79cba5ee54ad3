from django.core.validators import RegexValidator
from rest_framework import serializers

from config.api.fields import StrictBooleanField, StrictCharField
from projects.models import COLOR_REGEX, DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH, Project


class ProjectSerializer(serializers.ModelSerializer):
    task_count = serializers.IntegerField(read_only=True, help_text="Tasks in the project.")

    class Meta:
        model = Project
        fields = ["id", "name", "description", "color", "archived", "task_count", "created_at", "updated_at"]
        read_only_fields = fields


class ProjectInputSerializer(serializers.Serializer):
    name = StrictCharField(min_length=1, max_length=NAME_MAX_LENGTH)
    description = StrictCharField(
        max_length=DESCRIPTION_MAX_LENGTH, allow_blank=True, required=False, trim_whitespace=False
    )
    color = StrictCharField(
        required=False,
        validators=[RegexValidator(COLOR_REGEX, "A color is #RRGGBB, e.g. #3B82F6.")],
        help_text="#RRGGBB; default #3B82F6.",
    )
    archived = StrictBooleanField(required=False)

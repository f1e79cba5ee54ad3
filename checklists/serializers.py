from rest_framework import serializers

from checklists.models import ITEMS_PER_TASK_MAX, TEXT_MAX_LENGTH, ChecklistItem
from config.api.fields import StrictBooleanField, StrictCharField, StrictIntegerField
from tasks.serializers import POSITION_MAX


class ChecklistItemSerializer(serializers.ModelSerializer):
    position = serializers.IntegerField(
        read_only=True, help_text="0-based place in the task's checklist: always 0..n-1."
    )

    class Meta:
        model = ChecklistItem
        fields = ["id", "text", "done", "position", "created_at"]
        read_only_fields = fields


class ChecklistItemInputSerializer(serializers.Serializer):
    text = StrictCharField(max_length=TEXT_MAX_LENGTH, help_text=f"1–{TEXT_MAX_LENGTH} characters, trimmed.")
    done = StrictBooleanField(required=False, help_text="Default false. Ticking an item never moves it.")
    position = StrictIntegerField(
        min_value=0,
        max_value=POSITION_MAX,
        required=False,
        help_text="0-based place: the items from it on move down one. Absent or past the end: the end "
        f"(on a create), the last place (on an update). A task holds at most {ITEMS_PER_TASK_MAX} items.",
    )

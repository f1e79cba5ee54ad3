from datetime import UTC, datetime
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.fields import (
    EnumNameField,
    StrictCharField,
    StrictDateField,
    StrictIntegerField,
    StrictUUIDField,
)
from labels.selectors import task_label_names
from labels.serializers import LabelNamesField
from tasks import recurring
from tasks.models import (
    DESCRIPTION_MAX_LENGTH,
    REMINDER_OFFSET_MAX_MINUTES,
    REMINDER_OFFSETS_MAX,
    TITLE_MAX_LENGTH,
    Priority,
    Status,
    Task,
    TaskCompletion,
)
from tasks.services import BULK_MAX_ITEMS

POSITION_MAX = 2_147_483_647


class RecurrenceSerializer(serializers.Serializer):
    """A recurring task's rule as the API answers it (SPEC §12)."""

    rrule = serializers.CharField(
        help_text="The RRULE, normalised: parts in SPEC order, `INTERVAL=1` left out."
    )
    start = serializers.CharField(
        help_text="The rule's DTSTART: the due when the rule was last set or the due last edited by a client "
        "(`YYYY-MM-DD` for an all-day task, an ISO 8601 moment for a timed one); `COUNT` counts from it."
    )
    next = serializers.ListField(
        child=serializers.CharField(),
        max_length=3,
        help_text="Up to 3 dues: what completing now, and then twice more, would give; [] when none is left.",
    )


RecurrenceSerializer._declared_fields["from"] = serializers.ChoiceField(
    choices=["due", "completion"],
    help_text="From the due (missed occurrences skipped) or from the completion day.",
)


class RecurrenceInputSerializer(serializers.Serializer):
    rrule = StrictCharField(
        max_length=500,
        help_text="An RFC 5545 RRULE of SPEC §12's subset: FREQ (DAILY, WEEKLY, MONTHLY, YEARLY), INTERVAL, "
        "BYDAY (ordinals with MONTHLY/YEARLY), BYMONTHDAY, BYMONTH, COUNT or UNTIL; anything else is a 400 "
        "naming the part.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # A PATCH is partial all the way down in DRF; a rule without its RRULE is no rule.
        if "rrule" not in attrs:
            raise serializers.ValidationError({"rrule": ["This field is required."]})
        return attrs


RecurrenceInputSerializer._declared_fields["from"] = serializers.ChoiceField(
    choices=["due", "completion"], required=False, help_text="Default `due`."
)


class TaskSerializer(serializers.ModelSerializer):
    project_id = serializers.UUIDField(read_only=True)
    status = EnumNameField(Status, read_only=True)
    priority = EnumNameField(Priority, read_only=True)
    position = serializers.IntegerField(
        read_only=True, help_text="0-based index in the column (project, status)."
    )
    due_date = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="The moment a timed task is due; null for an all-day task."
    )
    recurrence = RecurrenceSerializer(
        read_only=True, allow_null=True, help_text="Null for a task that does not recur."
    )
    due_on = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="The day an all-day task is due (due at the end of that day in the owner's time zone); "
        "null for a timed task.",
    )
    labels = serializers.SerializerMethodField(
        help_text="The task's label names, in its order, as the labels are named now."
    )
    reminder_offsets = serializers.ListField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text="Minutes before the due moment, sorted ascending: one REMINDER per due for each.",
    )
    checklist_total = serializers.IntegerField(
        read_only=True, help_text="How many items the task's checklist holds (`/tasks/{id}/checklist`)."
    )
    checklist_done = serializers.IntegerField(read_only=True, help_text="How many of them are done.")

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
            "due_on",
            "recurrence",
            "labels",
            "checklist_total",
            "checklist_done",
            "remind_at",
            "reminder_offsets",
            "position",
            "version",
            "completed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_labels(self, task: Task) -> list[str]:
        return task_label_names(task)

    def to_representation(self, task: Task) -> dict[str, Any]:
        """The same JSON as the declared fields give (the schema comes from those), built
        directly: list pages and bulk answers serialise many tasks, and DRF's per-field
        machinery is most of their cost."""
        return {
            "id": str(task.id),
            "project_id": str(task.project_id),
            "title": task.title,
            "description": task.description,
            "status": STATUS_NAMES[task.status],
            "priority": PRIORITY_NAMES[task.priority],
            "due_date": _iso(task.due_date),
            "due_on": task.due_on.isoformat() if task.due_on is not None else None,
            "recurrence": recurring.as_json(task, timezone.now()) if task.recurrence else None,
            "labels": task_label_names(task),
            "checklist_total": task.checklist_total,
            "checklist_done": task.checklist_done,
            "remind_at": _iso(task.remind_at),
            "reminder_offsets": task.reminder_offsets,
            "position": task.position,
            "version": task.version,
            "completed_at": _iso(task.completed_at),
            "created_at": _iso(task.created_at),
            "updated_at": _iso(task.updated_at),
        }


STATUS_NAMES = dict(zip(Status.values, Status.labels, strict=True))
PRIORITY_NAMES = dict(zip(Priority.values, Priority.labels, strict=True))


def _iso(moment: datetime | None) -> str | None:
    """DRF's format: ISO 8601 in UTC with a ``Z``."""
    if moment is None:
        return None
    text = moment.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def position_field() -> serializers.IntegerField:
    return StrictIntegerField(
        min_value=0,
        max_value=POSITION_MAX,
        required=False,
        help_text="0-based index in the column (project, status); past the end means the end.",
    )


def version_field() -> serializers.IntegerField:
    return StrictIntegerField(
        min_value=1,
        max_value=POSITION_MAX,
        required=False,
        help_text="The version the client last saw; a different stored version answers 409.",
    )


class TaskCreateSerializer(serializers.Serializer):
    title = StrictCharField(max_length=TITLE_MAX_LENGTH)
    description = StrictCharField(
        max_length=DESCRIPTION_MAX_LENGTH, allow_blank=True, required=False, trim_whitespace=False
    )
    status = EnumNameField(Status, required=False)
    priority = EnumNameField(Priority, required=False)
    due_date = serializers.DateTimeField(
        allow_null=True,
        required=False,
        help_text="Makes the task timed (clears `due_on`); null clears only a timed due.",
    )
    due_on = StrictDateField(
        allow_null=True,
        required=False,
        help_text="`YYYY-MM-DD`: makes the task all-day (clears `due_date`); null clears only an all-day "
        "due. Sending both `due_date` and `due_on` non-null is a 400; both null clears the due.",
    )
    recurrence = RecurrenceInputSerializer(
        allow_null=True,
        required=False,
        help_text="Null (no rule) or a rule; a recurring task must have a due. Completing it moves it to its "
        "next occurrence (SPEC §12).",
    )
    labels = LabelNamesField(required=False)
    remind_at = serializers.DateTimeField(
        allow_null=True,
        required=False,
        help_text="A one-off reminder: fires once for each value it is set to.",
    )
    reminder_offsets = serializers.ListField(
        child=StrictIntegerField(min_value=0, max_value=REMINDER_OFFSET_MAX_MINUTES),
        max_length=REMINDER_OFFSETS_MAX,
        required=False,
        help_text="Up to 5 distinct minutes before the due moment (0–40320), each firing one REMINDER per "
        "due; echoed sorted. Allowed without a due (then inert). An all-day task is due at the end of its "
        "day, so 1440 is the start of that day on the owner's clock.",
    )
    position = position_field()

    def validate_reminder_offsets(self, offsets: list[int]) -> list[int]:
        if len(set(offsets)) != len(offsets):
            raise serializers.ValidationError("Each offset may appear only once.")
        return sorted(offsets)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("due_date") is not None and attrs.get("due_on") is not None:
            raise serializers.ValidationError(
                {"due_on": ["A task is due at a moment (due_date) or on a day (due_on), not both."]}
            )
        return attrs


class TaskUpdateSerializer(TaskCreateSerializer):
    title = StrictCharField(max_length=TITLE_MAX_LENGTH, required=False)
    version = version_field()


class CompletionSerializer(serializers.ModelSerializer):
    due = serializers.SerializerMethodField(
        help_text="The completed occurrence's due: `YYYY-MM-DD` or a moment."
    )

    class Meta:
        model = TaskCompletion
        fields = ["id", "due", "completed_at"]
        read_only_fields = fields

    def get_due(self, completion: TaskCompletion) -> str | None:
        if completion.due_on is not None:
            return completion.due_on.isoformat()
        return _iso(completion.due_at)


class BulkItemSerializer(serializers.Serializer):
    id = StrictUUIDField()
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


class QuickAddSerializer(serializers.Serializer):
    text = StrictCharField(
        max_length=1000, help_text="One line, e.g. `Pay rent every month on the 1st #home !high`."
    )


class ParsedRecurrenceSerializer(serializers.Serializer):
    rrule = serializers.CharField()


ParsedRecurrenceSerializer._declared_fields["from"] = serializers.ChoiceField(choices=["due", "completion"])


class ParsedSerializer(serializers.Serializer):
    """What quick add read (SPEC §13): every key is always present."""

    title = serializers.CharField()
    due_date = serializers.DateTimeField(allow_null=True)
    due_on = serializers.DateField(allow_null=True)
    recurrence = ParsedRecurrenceSerializer(allow_null=True)
    labels = serializers.ListField(child=serializers.CharField())
    priority = serializers.ChoiceField(choices=list(Priority.labels), allow_null=True)


class QuickAddedSerializer(TaskSerializer):
    parsed = ParsedSerializer(read_only=True)

    class Meta(TaskSerializer.Meta):
        fields = [*TaskSerializer.Meta.fields, "parsed"]
        read_only_fields = fields


class PreviewSerializer(serializers.Serializer):
    parsed = ParsedSerializer()

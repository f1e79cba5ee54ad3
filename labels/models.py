import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

DEFAULT_COLOR = "#6B7280"
COLOR_REGEX = r"^#[0-9A-F]{6}$"  # stored upper-case
NAME_MAX_LENGTH = 50
NAME_FORBIDDEN = ",#"  # they separate labels in the filter and in quick add
LABELS_PER_TASK_MAX = 20


class Label(models.Model):
    """A user's label (SPEC §13). Tasks carry it through ``TaskLabel``; its name is unique per
    user whatever the case, and a rename or a deletion reaches every task without touching
    the tasks themselves."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="labels", db_index=False
    )
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    color = models.CharField(max_length=7, default=DEFAULT_COLOR)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # Also the index of GET /labels (by name, case-insensitive) and of name lookups.
            models.UniqueConstraint(models.F("owner"), Lower("name"), name="labels_unique_name_per_owner"),
            models.CheckConstraint(condition=models.Q(color__regex=COLOR_REGEX), name="labels_color_format"),
            models.CheckConstraint(
                condition=models.Q(name__length__gte=1, name__length__lte=NAME_MAX_LENGTH),
                name="labels_name_length",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TaskLabel(models.Model):
    """A label on a task, at its place in the task's list (the order the client gave)."""

    id = models.BigAutoField(primary_key=True)
    task = models.ForeignKey(
        "tasks.Task", on_delete=models.CASCADE, related_name="label_links", db_index=False
    )
    label = models.ForeignKey(Label, on_delete=models.CASCADE, related_name="task_links", db_index=False)
    position = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            # A task's labels in order; also the index of a page's labels.
            models.UniqueConstraint(fields=["task", "position"], name="labels_unique_position_on_task"),
            models.UniqueConstraint(fields=["task", "label"], name="labels_unique_label_on_task"),
        ]
        indexes = [
            # The label filter and task_count: a label's tasks.
            models.Index(fields=["label", "task"], name="labels_label_task_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.label_id} on {self.task_id}"

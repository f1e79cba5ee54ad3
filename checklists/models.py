import uuid

from django.db import models

ITEMS_PER_TASK_MAX = 100
TEXT_MAX_LENGTH = 500


class ChecklistItem(models.Model):
    """A step inside a task (SPEC §13). A task's items hold positions 0..n-1, kept dense by the
    board's rules (``tasks.board.placement``, ``making_room``); the task's ``checklist_total``
    and ``checklist_done`` are kept with them (``checklists.services``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task = models.ForeignKey(
        "tasks.Task", on_delete=models.CASCADE, related_name="checklist_items", db_index=False
    )
    text = models.CharField(max_length=TEXT_MAX_LENGTH)
    done = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # Deferred, as on the board: a move shifts its neighbours in one UPDATE and the
            # uniqueness is checked at commit. Also the index GET reads the items through.
            models.UniqueConstraint(
                fields=["task", "position"],
                name="checklists_unique_position_on_task",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.CheckConstraint(
                condition=models.Q(text__length__gte=1, text__length__lte=TEXT_MAX_LENGTH),
                name="checklists_text_length",
            ),
            models.CheckConstraint(
                condition=models.Q(position__lt=ITEMS_PER_TASK_MAX), name="checklists_position_in_range"
            ),
        ]

    def __str__(self) -> str:
        return self.text

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models

from projects.models import Project

TITLE_MAX_LENGTH = 200
REMINDER_OFFSETS_MAX = 5
REMINDER_OFFSET_MAX_MINUTES = 40320  # four weeks
DESCRIPTION_MAX_LENGTH = 10000


class Status(models.IntegerChoices):
    """Stored as a small integer in kanban order, so ``ORDER BY status, position`` is the board."""

    TODO = 1, "TODO"
    IN_PROGRESS = 2, "IN_PROGRESS"
    DONE = 3, "DONE"


class Priority(models.IntegerChoices):
    """Stored as its rank, so sorting by priority is LOW < MEDIUM < HIGH < URGENT."""

    LOW = 1, "LOW"
    MEDIUM = 2, "MEDIUM"
    HIGH = 3, "HIGH"
    URGENT = 4, "URGENT"


class Task(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No single-column FK indexes: (project, status) and the (owner, …) indexes lead with these.
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tasks", db_index=False)
    # The project's owner, kept on the task so that every per-user filter and sort has an index.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tasks", db_index=False
    )
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    description = models.TextField(blank=True, default="")
    status = models.PositiveSmallIntegerField(choices=Status.choices, default=Status.TODO)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.MEDIUM)
    # The due moment (tasks.dues): ``due_date`` itself for a timed task, the end of ``due_on``
    # in the owner's time zone for an all-day one. Every rule that compares a due with a moment
    # reads this column, and its indexes serve them all.
    due_at = models.DateTimeField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True, help_text="An all-day task's day (SPEC §11).")
    remind_at = models.DateTimeField(null=True, blank=True)
    # Minutes before the due moment, each one REMINDER per due (SPEC §12): sorted, distinct.
    # The default is in the database too, for rows written in SQL (the benchmark's seed).
    reminder_offsets = models.JSONField(
        default=list, db_default=models.Value([], models.JSONField()), blank=True
    )
    # When the offsets were last armed: set with every new due or new offsets. A reminder fires
    # only for a due still ahead at that moment, and one armed late fires at the next run.
    reminders_armed_at = models.DateTimeField(null=True, blank=True)
    # A recurring task's rule (SPEC §12, tasks.recurrence): {"rrule": normalised text, "from":
    # "due" | "completion", "start": the rule's DTSTART (a day or an ISO moment), "served": the
    # occurrences served (COUNT of "completion"), "zone": the owner's zone it recurs in}.
    recurrence = models.JSONField(null=True, blank=True)
    # The checklist's size and how many of its items are done (SPEC §13), kept by
    # ``checklists.services`` in the items' transaction, so that every list shows them without
    # a query per task. The defaults are in the database too, for rows written in SQL.
    checklist_total = models.PositiveSmallIntegerField(default=0, db_default=0, editable=False)
    checklist_done = models.PositiveSmallIntegerField(default=0, db_default=0, editable=False)
    version = models.PositiveIntegerField(default=1)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The board place (status and position) lives in TaskPosition, ``task.place``.
    place: "TaskPosition"

    class Meta:
        # No default ordering: the board order is a join (``tasks.board.place_order``), which a
        # read by primary key should not pay for. The kanban position is in TaskPosition
        # (docs/ARCHITECTURE.md, "Models"). The caller's tasks across projects are read through
        # one (owner, …) index per sort; trigram indexes for `search` come from migrations
        # 0002/0006 (PostgreSQL only).
        indexes = [
            models.Index(fields=["project", "status"], name="tasks_project_status_idx"),
            models.Index(fields=["owner", "due_at"], name="tasks_owner_due_idx"),
            # sort_by=due_date&sort_order=desc puts null dues last: DESC NULLS LAST, which a
            # backward scan of the index above cannot give.
            models.Index(
                models.F("owner"), models.F("due_at").desc(nulls_last=True), name="tasks_owner_due_desc_idx"
            ),
            models.Index(fields=["owner", "priority"], name="tasks_owner_priority_idx"),
            models.Index(fields=["owner", "created_at"], name="tasks_owner_created_idx"),
            models.Index(fields=["owner", "updated_at"], name="tasks_owner_updated_idx"),
            # The hourly notification run reads open tasks by due date and reminder time across
            # all users (notifications.selectors): small partial indexes, open tasks only.
            models.Index(
                fields=["due_at"], name="tasks_open_due_idx", condition=~models.Q(status=Status.DONE)
            ),
            models.Index(
                fields=["remind_at"],
                name="tasks_open_remind_idx",
                condition=models.Q(remind_at__isnull=False) & ~models.Q(status=Status.DONE),
            ),
            # The reminder sweep every five minutes: open tasks with reminder offsets, by due.
            models.Index(
                fields=["due_at"],
                name="tasks_open_offsets_idx",
                condition=~models.Q(reminder_offsets=[]) & ~models.Q(status=Status.DONE),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=Status.values), name="tasks_status_valid"),
            models.CheckConstraint(
                condition=models.Q(priority__in=Priority.values), name="tasks_priority_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(title__length__gte=1, title__length__lte=TITLE_MAX_LENGTH),
                name="tasks_title_length",
            ),
            models.CheckConstraint(
                condition=models.Q(description__length__lte=DESCRIPTION_MAX_LENGTH),
                name="tasks_description_length",
            ),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="tasks_version_positive"),
            # An all-day task has a due moment; a timed one or one without a due has none of its own
            # beyond ``due_at`` (which is then ``due_date``).
            models.CheckConstraint(
                condition=models.Q(due_on__isnull=True) | models.Q(due_at__isnull=False),
                name="tasks_all_day_has_due_moment",
            ),
            models.CheckConstraint(
                condition=models.Q(status=Status.DONE, completed_at__isnull=False)
                | (~models.Q(status=Status.DONE) & models.Q(completed_at__isnull=True)),
                name="tasks_completed_at_follows_status",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def due_date(self) -> datetime | None:
        """The API's ``due_date``: the due moment of a timed task, None for an all-day one."""
        return None if self.due_on is not None else self.due_at

    @due_date.setter
    def due_date(self, value: datetime | None) -> None:
        """Makes the task timed at ``value``; None clears the moment of a timed task and leaves
        an all-day task as it is (SPEC §11). All-day dues are set by ``tasks.services``, which
        knows the owner's zone."""
        if value is not None:
            self.due_at, self.due_on = value, None
        elif self.due_on is None:
            self.due_at = None

    @property
    def position(self) -> int:
        """The 0-based index of the task in its column (SPEC §5)."""
        return self.place.position


class TaskCompletion(models.Model):
    """A completed occurrence of a recurring task (``GET /tasks/{id}/completions``): the due it
    had (a moment or a day) and when it was done."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="completions", db_index=False)
    due_at = models.DateTimeField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    completed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["task", "-completed_at", "-id"], name="tasks_completions_idx")]

    def __str__(self) -> str:
        return f"{self.task_id} done {self.completed_at:%Y-%m-%d %H:%M}"


class TaskPosition(models.Model):
    """Where a task sits on its project's board: one narrow row per task, the same status as
    the task. A column (project, status) holds positions 0..n-1; a move shifts the positions
    of the tasks it passes in this table only (see tasks.services)."""

    task = models.OneToOneField(Task, on_delete=models.CASCADE, primary_key=True, related_name="place")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+", db_index=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    status = models.PositiveSmallIntegerField(choices=Status.choices)
    position = models.PositiveIntegerField()

    class Meta:
        indexes = [
            # The caller's board across projects (status, then position) and sort_by=position.
            models.Index(fields=["owner", "status", "position", "task"], name="tasks_owner_board_idx"),
            models.Index(fields=["owner", "position", "task"], name="tasks_owner_position_idx"),
        ]
        constraints = [
            # Deferred: a move shifts its neighbours in one UPDATE; uniqueness is checked at
            # commit. It is also the index a project's board is read through.
            models.UniqueConstraint(
                fields=["project", "status", "position"],
                name="tasks_unique_position_in_column",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="tasks_place_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{Status(self.status).label} #{self.position}"

import uuid

from django.conf import settings
from django.db import models

from projects.models import Project

TITLE_MAX_LENGTH = 200
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
    # No single-column FK indexes: UNIQUE(project, status, position) and the (owner, …) indexes
    # lead with these columns. Every index costs on each shifted row (see Meta).
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tasks", db_index=False)
    # The project's owner, kept on the task so that every per-user filter and sort has an index.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tasks", db_index=False
    )
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    description = models.TextField(blank=True, default="")
    status = models.PositiveSmallIntegerField(choices=Status.choices, default=Status.TODO)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.MEDIUM)
    due_date = models.DateTimeField(null=True, blank=True)
    remind_at = models.DateTimeField(null=True, blank=True)
    position = models.PositiveIntegerField()
    version = models.PositiveIntegerField(default=1)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["status", "position"]
        # A move rewrites every task it shifts, and each rewritten row adds an entry to every
        # index: so only the indexes the queries need. A project's board is read through
        # UNIQUE(project, status, position) (≤ a few thousand rows, sorted in memory for other
        # orders); the caller's tasks across projects through one (owner, …) index per sort.
        # Trigram indexes for `search` come from migration 0002 (PostgreSQL only).
        indexes = [
            models.Index(fields=["owner", "status", "position"], name="tasks_owner_board_idx"),
            models.Index(fields=["owner", "position"], name="tasks_owner_position_idx"),
            models.Index(fields=["owner", "due_date"], name="tasks_owner_due_idx"),
            # sort_by=due_date&sort_order=desc puts null due dates last: DESC NULLS LAST, which
            # a backward scan of the index above cannot give.
            models.Index(
                models.F("owner"), models.F("due_date").desc(nulls_last=True), name="tasks_owner_due_desc_idx"
            ),
            models.Index(fields=["owner", "priority"], name="tasks_owner_priority_idx"),
            models.Index(fields=["owner", "created_at"], name="tasks_owner_created_idx"),
            models.Index(fields=["owner", "updated_at"], name="tasks_owner_updated_idx"),
        ]
        constraints = [
            # A column (project, status) holds positions 0..n-1. Deferred: a move shifts its
            # neighbours in one UPDATE, and uniqueness is checked at commit.
            models.UniqueConstraint(
                fields=["project", "status", "position"],
                name="tasks_unique_position_in_column",
                deferrable=models.Deferrable.DEFERRED,
            ),
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
            models.CheckConstraint(
                condition=models.Q(status=Status.DONE, completed_at__isnull=False)
                | (~models.Q(status=Status.DONE) & models.Q(completed_at__isnull=True)),
                name="tasks_completed_at_follows_status",
            ),
        ]

    def __str__(self) -> str:
        return self.title

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from tasks.models import Task


class NotificationType(models.IntegerChoices):
    """Stored as a small integer, exposed by name in the API (like a task's status)."""

    DEADLINE_APPROACHING = 1, "DEADLINE_APPROACHING"
    OVERDUE = 2, "OVERDUE"
    REMINDER = 3, "REMINDER"


class EmailStatus(models.IntegerChoices):
    """Delivery of the notification's e-mail. ``sending`` is claimed by one worker before the
    ESP is called; a row left there (worker died) is never sent again: at-most-once."""

    PENDING = 1, "pending"
    SENDING = 2, "sending"
    SENT = 3, "sent"
    FAILED = 4, "failed"
    SKIPPED = 5, "skipped"


class Notification(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    # The task may be deleted later; its notifications stay, without a task.
    task = models.ForeignKey(
        Task, on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications", db_index=False
    )
    type = models.PositiveSmallIntegerField(choices=NotificationType.choices)
    message = models.TextField()
    read = models.BooleanField(default=False)
    # The due date (or remind_at, or a snooze's moment) the notification was made for: a new
    # due date may earn a new one.
    due_at = models.DateTimeField()
    # A REMINDER of the task's ``reminder_offsets`` (SPEC §12): minutes before ``due_at``'s due.
    reminder_offset = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    email_status = models.PositiveSmallIntegerField(choices=EmailStatus.choices, default=EmailStatus.PENDING)
    email_reason = models.CharField(max_length=500, blank=True, default="")
    email_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The list: a user's notifications, newest first.
            models.Index(models.F("user"), models.F("created_at").desc(), name="notif_user_created_idx"),
            # The unread count (and read-all): only unread rows, so the index stays small.
            models.Index(fields=["user"], name="notif_user_unread_idx", condition=models.Q(read=False)),
            # The hourly sweep for e-mails whose queue message was lost: pending rows only.
            models.Index(
                fields=["created_at"],
                name="notif_pending_email_idx",
                condition=models.Q(email_status=EmailStatus.PENDING),
            ),
        ]
        constraints = [
            # One notification of each type per task and due date, whatever runs at once;
            # generation inserts with ON CONFLICT DO NOTHING (which any of these unique indexes
            # stops). Leads with task_id, so it also serves the "already notified?" lookups and
            # ON DELETE SET NULL.
            models.UniqueConstraint(
                fields=["task", "type", "due_at"],
                name="notif_unique_task_type_due",
                condition=models.Q(reminder_offset__isnull=True),
            ),
            # And one REMINDER per task, due and offset (SPEC §12).
            models.UniqueConstraint(
                fields=["task", "due_at", "reminder_offset"],
                name="notif_unique_task_due_offset",
                condition=models.Q(reminder_offset__isnull=False),
            ),
            models.CheckConstraint(
                condition=models.Q(reminder_offset__isnull=True) | models.Q(type=NotificationType.REMINDER),
                name="notif_offset_only_on_reminders",
            ),
            models.CheckConstraint(
                condition=models.Q(type__in=NotificationType.values), name="notif_type_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(email_status__in=EmailStatus.values), name="notif_email_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{NotificationType(self.type).label} for {self.user_id}"


class Snooze(models.Model):
    """One more REMINDER for a task, at ``fire_at`` (``POST /notifications/{id}/snooze``, SPEC
    §7): at most one pending per task, so snoozing again replaces it. The reminder run that
    fires it deletes it in the same transaction."""

    task = models.OneToOneField(Task, on_delete=models.CASCADE, primary_key=True, related_name="snooze")
    # The notification snoozed last (None once that notification is gone).
    notification = models.ForeignKey(
        Notification, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    fire_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["fire_at"], name="notif_snooze_fire_idx")]

    def __str__(self) -> str:
        return f"snooze of {self.task_id} until {self.fire_at:%Y-%m-%d %H:%M}"


class NotificationRun(models.Model):
    """One generation run: what it made, and what went wrong (per user or task)."""

    class Kind(models.TextChoices):
        HOURLY = "hourly", "Hourly (all types)"
        REMINDERS = "reminders", "Reminders only"

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.HOURLY)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    created_count = models.PositiveIntegerField(default=0)
    emails_queued = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(
                fields=["kind", "-finished_at"],
                name="notif_run_succeeded_idx",
                condition=models.Q(status="succeeded"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} run {self.started_at:%Y-%m-%d %H:%M} ({self.status})"

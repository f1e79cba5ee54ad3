"""Per-user Google Calendar state: the OAuth grant, the push channel, the incremental-sync
cursor, and the task <-> event mapping that makes every sync step idempotent."""

import uuid

from django.conf import settings
from django.db import models

from integrations.fields import EncryptedTextField


class IntegrationStatus(models.TextChoices):
    CONNECTED = "connected", "Connected"
    # Disconnected by the user, or Google refused the grant (invalid_grant): no syncing.
    DISCONNECTED = "disconnected", "Disconnected"


class GoogleIntegration(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="google_integration"
    )
    status = models.CharField(
        max_length=16, choices=IntegrationStatus.choices, default=IntegrationStatus.CONNECTED
    )
    google_email = models.EmailField(blank=True, default="")
    calendar_id = models.CharField(max_length=255, default="primary")
    access_token = EncryptedTextField(blank=True, default="")
    refresh_token = EncryptedTextField(blank=True, default="")
    token_expiry = models.DateTimeField(null=True, blank=True)
    scopes = models.TextField(blank=True, default="")
    # Incremental pull cursor (events.list nextSyncToken); empty means "full sync next".
    sync_token = models.TextField(blank=True, default="")
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    # The push channel (events.watch). The token is the shared secret Google echoes back.
    channel_id = models.CharField(max_length=64, blank=True, default="")
    channel_token = EncryptedTextField(blank=True, default="")
    channel_resource_id = models.CharField(max_length=255, blank=True, default="")
    channel_expiration = models.DateTimeField(null=True, blank=True)
    # The highest X-Goog-Message-Number accepted on the current channel (Google numbers the
    # messages of a channel upwards): a number at or below it is a replay and triggers nothing.
    channel_message_number = models.BigIntegerField(null=True, blank=True)
    # Set when a push notification queues a sync, cleared when a sync starts: while it is set,
    # further notifications queue nothing (the queued sync will see their changes).
    sync_requested_at = models.DateTimeField(null=True, blank=True)
    connected_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["status"], name="integ_google_status_idx"),
            models.Index(fields=["channel_id"], name="integ_google_channel_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=IntegrationStatus.values),
                name="integrations_google_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Google Calendar of user {self.user_id} ({self.status})"

    @property
    def connected(self) -> bool:
        return self.status == IntegrationStatus.CONNECTED


class OAuthState(models.Model):
    """A pending authorization: the PKCE code verifier stays here, server-side, between
    ``authorize`` and ``callback``. Single use; the signed state names the nonce."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=64, unique=True)
    code_verifier = EncryptedTextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"OAuth state of user {self.user_id}"


class EventMapping(models.Model):
    """One task's event. ``task_id`` is a plain UUID, not a foreign key: the tasks app knows
    nothing of calendars, and a deleted task leaves its mapping for the next sync to clean up
    (its event is deleted then). ``unlinked``: the event was deleted in Google; the task keeps
    living and gets no new event until its due differs from ``due_date``/``due_on`` (the task's
    own due, not its due moment: a time-zone change, which moves an all-day task's moment,
    brings no event back)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    task_id = models.UUIDField()
    event_id = models.CharField(max_length=1024)
    task_version = models.PositiveIntegerField(default=0)
    # The task's due as last synced: the moment of a timed task, or the day of an all-day one.
    due_date = models.DateTimeField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    # The owner's IANA zone the timed event was last synced in ("" for an all-day event, whose
    # dates have none): an event whose zone is not the owner's any more is rewritten.
    time_zone = models.CharField(max_length=64, blank=True, default="")
    # SHA-256 of what the event shows (title, description, due, and the zone of a timed due) as
    # last written or read; empty when the event shows other times than the task's (an end
    # edited in Google), so the next push rewrites them. A board move bumps the version without
    # touching the event.
    content_hash = models.CharField(max_length=64, blank=True, default="")
    event_etag = models.CharField(max_length=255, blank=True, default="")
    event_updated = models.DateTimeField(null=True, blank=True)
    unlinked = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task_id"], name="integrations_mapping_unique_task"),
            models.UniqueConstraint(fields=["user", "event_id"], name="integrations_mapping_unique_event"),
        ]

    def __str__(self) -> str:
        return f"task {self.task_id} -> event {self.event_id}"

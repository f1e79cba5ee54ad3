"""Two-way sync of one user's tasks with their Google Calendar, and the push channel.

One run, under a per-user lock: refresh the access token if it is about to expire, pull the
events changed in Google since the last sync token (a 410 clears the token and pulls
everything), then push the tasks whose version differs from the one last synced.

- The event id is the task id's hex digits, so a retried insert cannot create a second event:
  Google answers 409 and the event is patched instead.
- Echo suppression: the etag Google returned for our own last write is kept in the mapping; a
  pulled event with that etag is our own change and is skipped.
- Last write wins: an event changed in Google updates the task unless the task's title,
  description or due date also changed since the last sync (content hash) and later than the
  event (then the push overwrites the event).
- An event deleted in Google unlinks its task (the mapping stays, ``unlinked``) until the
  task's due date changes again.

The tasks app knows nothing of this: candidates are found by comparing ``Task.version`` with
the version stored in the mapping (one indexed query), then the content hash tells whether
anything the event shows changed (a board move costs no call to Google)."""

import hashlib
import logging
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone

from config.errors import NotFound
from integrations.google.client import (
    CalendarClient,
    GoogleApiError,
    GoogleError,
    GrantRevoked,
    TokenSet,
    refresh_if_needed,
    revoke_token,
)
from integrations.models import EventMapping, GoogleIntegration, IntegrationStatus
from tasks.models import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH, Status, Task
from tasks.services import task_update

logger = logging.getLogger(__name__)

EVENT_DURATION = timedelta(minutes=30)
# First key of the two-key advisory lock: this module's namespace; the second is the user.
SYNC_LOCK_NAMESPACE = 6_000_001


@dataclass
class SyncResult:
    pulled: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unlinked: int = 0
    skipped: bool = False


@contextmanager
def user_sync_lock(user_id: Any) -> Iterator[None]:
    """A session-level PostgreSQL advisory lock per user: a second worker syncing the same
    user waits for the first. Session-level (not a transaction), so each step commits on its
    own and no transaction stays open across calls to Google; a dead worker's connection
    closes and the lock goes with it. SQLite (the embedded default) runs one worker: no lock."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", [SYNC_LOCK_NAMESPACE, str(user_id)])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))", [SYNC_LOCK_NAMESPACE, str(user_id)])


def event_id_for(task_id: Any) -> str:
    """Google accepts ids of a–v and 0–9, 5–1024 long: a UUID's hex digits qualify."""
    return uuid.UUID(str(task_id)).hex


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _event_start(event: dict[str, Any]) -> datetime | None:
    start = event.get("start") or {}
    if start.get("dateTime"):
        return _parse_time(start["dateTime"])
    # An all-day event: midnight UTC of that day.
    return _parse_time(start.get("date"))


def content_hash(task: Task) -> str:
    """What the event shows of a task; a change elsewhere (status, position) is not a change."""
    due_date = task.due_date.astimezone(UTC).isoformat() if task.due_date else ""
    return hashlib.sha256("\x1f".join([task.title, task.description, due_date]).encode()).hexdigest()


def event_body(task: Task) -> dict[str, Any]:
    assert task.due_date is not None  # noqa: S101 - callers pick tasks with a due date
    start = task.due_date.astimezone(UTC)
    return {
        "summary": task.title,
        "description": task.description,
        "start": {"dateTime": start.isoformat(), "timeZone": "UTC"},
        "end": {"dateTime": (start + EVENT_DURATION).isoformat(), "timeZone": "UTC"},
        "extendedProperties": {"private": {"task_id": str(task.pk)}},
    }


def tokens_of(integration: GoogleIntegration) -> TokenSet:
    return TokenSet(
        access_token=integration.access_token,
        refresh_token=integration.refresh_token,
        expiry=integration.token_expiry,
        scopes=integration.scopes,
    )


def client_for(integration: GoogleIntegration) -> CalendarClient:
    """A Calendar client with a fresh access token (refreshed and stored when it expires
    within the margin). Raises GrantRevoked when Google refuses the refresh token."""
    tokens = tokens_of(integration)
    refreshed = refresh_if_needed(tokens=tokens, user_id=integration.user_id)
    if refreshed is not None:
        integration.access_token = refreshed.access_token
        integration.refresh_token = refreshed.refresh_token
        integration.token_expiry = refreshed.expiry
        integration.save(update_fields=["access_token", "refresh_token", "token_expiry", "updated_at"])
        tokens = refreshed
    return CalendarClient(tokens=tokens, user_id=integration.user_id, calendar_id=integration.calendar_id)


def _forget_grant(integration: GoogleIntegration) -> None:
    """Clears (in memory) what the grant gave: tokens, push channel and sync cursor."""
    integration.access_token = ""
    integration.refresh_token = ""
    integration.token_expiry = None
    integration.sync_token = ""
    integration.channel_id = ""
    integration.channel_token = ""
    integration.channel_resource_id = ""
    integration.channel_expiration = None
    integration.channel_message_number = None
    integration.sync_requested_at = None


def _holds_grant(integration: GoogleIntegration) -> bool:
    return bool(integration.access_token or integration.refresh_token or integration.channel_id)


def integration_mark_revoked(*, integration: GoogleIntegration, error: str) -> None:
    """Google refused the grant: stop syncing this user until they connect again."""
    integration.status = IntegrationStatus.DISCONNECTED
    integration.last_error = error[:1000]
    _forget_grant(integration)
    integration.save()
    logger.warning("google grant revoked, integration disconnected user_id=%s", integration.user_id)


def integration_release(*, user_id: Any) -> bool:
    """The second half of every disconnect (DELETE disconnect, a password reset), for an
    integration already marked disconnected: stops the push channel and revokes the grant at
    Google, then forgets tokens, channel, sync state and mappings. Google is best effort: an
    outage is logged and the local state is forgotten all the same (the events already in the
    calendar stay there). Idempotent: an integration that holds nothing any more is left alone,
    and one connected again in the meantime is a new link, not this one. Under the per-user
    lock, so a sync that is running finishes first. True when something was released."""
    with user_sync_lock(user_id):
        integration = GoogleIntegration.objects.filter(
            user_id=user_id, status=IntegrationStatus.DISCONNECTED
        ).first()
        if integration is None:
            return False
        if not _holds_grant(integration) and not EventMapping.objects.filter(user_id=user_id).exists():
            return False
        _release_at_google(integration)
        with transaction.atomic():
            locked = (
                GoogleIntegration.objects.select_for_update()
                .filter(pk=integration.pk, status=IntegrationStatus.DISCONNECTED)
                .first()
            )
            if locked is None:
                return False  # connected again while Google was being called
            EventMapping.objects.filter(user_id=user_id).delete()
            _forget_grant(locked)
            locked.save()
    logger.info("google link released user_id=%s", user_id)
    return True


def _release_at_google(integration: GoogleIntegration) -> None:
    if integration.channel_id:
        try:
            client_for(integration).stop_channel(
                channel_id=integration.channel_id, resource_id=integration.channel_resource_id
            )
        except GoogleError as exc:
            logger.warning("channel stop failed at disconnect user_id=%s error=%s", integration.user_id, exc)
    token = integration.refresh_token or integration.access_token
    if token:
        try:
            revoke_token(token=token, user_id=integration.user_id)
        except GoogleError as exc:
            logger.warning("token revoke failed at disconnect user_id=%s error=%s", integration.user_id, exc)


# --- Pull -----------------------------------------------------------------------------------


def _apply_event(integration: GoogleIntegration, event: dict[str, Any], result: SyncResult) -> None:
    mapping = EventMapping.objects.filter(
        user_id=integration.user_id, event_id=event.get("id", ""), unlinked=False
    ).first()
    if mapping is None:
        return  # not one of our events, or one we deleted ourselves
    task = Task.objects.filter(pk=mapping.task_id, owner_id=integration.user_id).first()
    if event.get("status") == "cancelled":
        mapping.unlinked = True
        mapping.event_etag = ""
        mapping.save(update_fields=["unlinked", "event_etag", "updated_at"])
        result.unlinked += 1
        logger.info(
            "event deleted in google, task unlinked user_id=%s task_id=%s",
            integration.user_id,
            mapping.task_id,
        )
        return
    if event.get("etag") == mapping.event_etag:
        return  # our own write coming back
    if task is None or task.status == Status.DONE:
        return  # the push deletes the event
    event_updated = _parse_time(event.get("updated"))
    task_changed = content_hash(task) != mapping.content_hash
    if task_changed and event_updated is not None and task.updated_at > event_updated:
        logger.info("conflict, task is newer than event user_id=%s task_id=%s", integration.user_id, task.pk)
        return
    changes: dict[str, Any] = {"description": (event.get("description") or "")[:DESCRIPTION_MAX_LENGTH]}
    title = (event.get("summary") or "").strip()[:TITLE_MAX_LENGTH]
    if title:
        changes["title"] = title
    due_date = _event_start(event)
    if due_date is not None:
        changes["due_date"] = due_date
    try:
        task = task_update(task=task, changes=changes)
    except NotFound:
        return
    mapping.task_version = task.version
    mapping.due_date = task.due_date
    mapping.content_hash = content_hash(task)
    mapping.event_etag = event.get("etag", "")
    mapping.event_updated = event_updated
    mapping.save(
        update_fields=[
            "task_version",
            "due_date",
            "content_hash",
            "event_etag",
            "event_updated",
            "updated_at",
        ]
    )
    result.pulled += 1
    logger.info("task updated from google event user_id=%s task_id=%s", integration.user_id, task.pk)


def _pull_from(integration: GoogleIntegration, client: CalendarClient, result: SyncResult) -> None:
    next_sync_token = ""
    for items, page_sync_token in client.list_events(sync_token=integration.sync_token):
        for event in items:
            _apply_event(integration, event, result)
        next_sync_token = page_sync_token or next_sync_token
    integration.sync_token = next_sync_token
    integration.save(update_fields=["sync_token", "updated_at"])


def _pull(integration: GoogleIntegration, client: CalendarClient, result: SyncResult) -> None:
    try:
        _pull_from(integration, client, result)
    except GoogleApiError as error:
        if error.status != 410 or not integration.sync_token:
            raise
        logger.info("sync token expired, full resync user_id=%s", integration.user_id)
        integration.sync_token = ""
        integration.save(update_fields=["sync_token", "updated_at"])
        _pull_from(integration, client, result)


# --- Push -----------------------------------------------------------------------------------


def _store_mapping(*, task: Task, event: dict[str, Any]) -> None:
    EventMapping.objects.update_or_create(
        task_id=task.pk,
        defaults={
            "user_id": task.owner_id,
            "event_id": event.get("id") or event_id_for(task.pk),
            "task_version": task.version,
            "due_date": task.due_date,
            "content_hash": content_hash(task),
            "event_etag": event.get("etag", ""),
            "event_updated": _parse_time(event.get("updated")),
            "unlinked": False,
        },
    )


def _create_event(client: CalendarClient, task: Task) -> dict[str, Any]:
    event_id = event_id_for(task.pk)
    body = {**event_body(task), "id": event_id}
    try:
        return client.insert_event(body=body, task_id=task.pk)
    except GoogleApiError as error:
        if error.status != 409:
            raise
    # The id exists: an earlier attempt got through (its answer was lost), or the event was
    # deleted and is now wanted again. Make it ours and visible.
    logger.info("event exists, patching instead user_id=%s task_id=%s", task.owner_id, task.pk)
    return client.patch_event(event_id=event_id, body={**body, "status": "confirmed"}, task_id=task.pk)


def _push_task(client: CalendarClient, task: Task, mapping: EventMapping | None, result: SyncResult) -> None:
    if mapping is not None and mapping.unlinked:
        if mapping.due_date == task.due_date:
            mapping.task_version = task.version
            mapping.save(update_fields=["task_version", "updated_at"])
            return
        mapping = None
    if mapping is None:
        _store_mapping(task=task, event=_create_event(client, task))
        result.created += 1
        return
    if mapping.content_hash == content_hash(task):
        mapping.task_version = task.version  # moved on the board: nothing the event shows
        mapping.save(update_fields=["task_version", "updated_at"])
        return
    try:
        event = client.patch_event(event_id=mapping.event_id, body=event_body(task), task_id=task.pk)
    except GoogleApiError as error:
        if error.status not in (404, 410):
            raise
        event = {"status": "cancelled"}
    if event.get("status") == "cancelled":
        # Deleted in Google before we pulled that change: unlink, as the pull would have.
        mapping.unlinked = True
        mapping.task_version = task.version
        mapping.save(update_fields=["unlinked", "task_version", "updated_at"])
        result.unlinked += 1
        return
    _store_mapping(task=task, event=event)
    result.updated += 1


def _delete_stale(integration: GoogleIntegration, client: CalendarClient, result: SyncResult) -> None:
    """Events of tasks that are gone, DONE or without a due date are deleted; unlinked
    mappings go only with their task."""
    user_id = integration.user_id
    syncable = Task.objects.filter(pk=OuterRef("task_id"), owner_id=user_id, due_date__isnull=False).exclude(
        status=Status.DONE
    )
    existing = Task.objects.filter(pk=OuterRef("task_id"), owner_id=user_id)
    stale = (
        EventMapping.objects.filter(user_id=user_id)
        .alias(syncable=Exists(syncable), existing=Exists(existing))
        .filter(Q(unlinked=False, syncable=False) | Q(unlinked=True, existing=False))
    )
    for mapping in stale.order_by("pk"):
        if not mapping.unlinked:
            client.delete_event(event_id=mapping.event_id, task_id=mapping.task_id)
            result.deleted += 1
        mapping.delete()


def _push(integration: GoogleIntegration, client: CalendarClient, result: SyncResult) -> None:
    _delete_stale(integration, client, result)
    mapped = EventMapping.objects.filter(task_id=OuterRef("pk"))
    changed = (
        Task.objects.filter(owner_id=integration.user_id, due_date__isnull=False)
        .exclude(status=Status.DONE)
        .annotate(synced_version=Subquery(mapped.values("task_version")[:1]))
        .filter(Q(synced_version__isnull=True) | ~Q(synced_version=F("version")))
        .order_by("due_date", "pk")
    )
    for task in changed:
        mapping = EventMapping.objects.filter(task_id=task.pk).first()
        try:
            _push_task(client, task, mapping, result)
        except GoogleApiError as error:
            # One event Google refuses (400, 403 forbidden) must not stop the others.
            integration.last_error = f"task {task.pk}: {error}"[:1000]
            logger.warning(
                "event push refused user_id=%s task_id=%s status=%s", task.owner_id, task.pk, error.status
            )


# --- One run --------------------------------------------------------------------------------


def calendar_sync(*, user_id: Any) -> SyncResult:
    """One pull-then-push run for a user. Failures that outlast the client's own retries are
    recorded in ``last_error`` and raised (the Celery task leaves them to the next run)."""
    with user_sync_lock(user_id):
        # This run sees every change notified so far: the next notification queues another.
        GoogleIntegration.objects.filter(user_id=user_id, sync_requested_at__isnull=False).update(
            sync_requested_at=None
        )
        integration = GoogleIntegration.objects.filter(
            user_id=user_id, status=IntegrationStatus.CONNECTED
        ).first()
        if integration is None:
            return SyncResult(skipped=True)
        result = SyncResult()
        integration.last_error = ""
        try:
            client = client_for(integration)
            _pull(integration, client, result)
            _push(integration, client, result)
        except GrantRevoked as error:
            integration_mark_revoked(integration=integration, error=str(error))
            result.skipped = True
            return result
        except GoogleError as error:
            integration.last_error = str(error)[:1000]
            integration.save(update_fields=["last_error", "updated_at"])
            logger.warning("calendar sync failed user_id=%s error=%s", user_id, error)
            raise
        integration.last_synced_at = timezone.now()
        integration.save(update_fields=["last_synced_at", "last_error", "updated_at"])
    logger.info(
        "calendar synced user_id=%s pulled=%d created=%d updated=%d deleted=%d unlinked=%d",
        user_id, result.pulled, result.created, result.updated, result.deleted, result.unlinked,
    )  # fmt: skip
    return result


# --- Push channels --------------------------------------------------------------------------


def channel_start(*, user_id: Any) -> bool:
    """Opens a new push channel (random id and token), then stops the old one, so no change
    goes unnoticed in between. Returns False when there is nothing to do."""
    if not settings.GOOGLE_WEBHOOK_URL:
        return False
    with user_sync_lock(user_id):
        integration = GoogleIntegration.objects.filter(
            user_id=user_id, status=IntegrationStatus.CONNECTED
        ).first()
        if integration is None:
            return False
        try:
            client = client_for(integration)
            channel_id, token = str(uuid.uuid4()), secrets.token_urlsafe(32)
            answer = client.watch(
                channel_id=channel_id,
                token=token,
                address=settings.GOOGLE_WEBHOOK_URL,
                ttl=settings.GOOGLE_CHANNEL_TTL,
            )
        except GrantRevoked as error:
            integration_mark_revoked(integration=integration, error=str(error))
            return False
        old_channel_id, old_resource_id = integration.channel_id, integration.channel_resource_id
        expiration_ms = answer.get("expiration")
        integration.channel_id = channel_id
        integration.channel_token = token
        integration.channel_message_number = None  # a new channel numbers from 1
        integration.channel_resource_id = answer.get("resourceId", "")
        integration.channel_expiration = (
            datetime.fromtimestamp(int(expiration_ms) / 1000, tz=UTC)
            if expiration_ms
            else timezone.now() + timedelta(seconds=settings.GOOGLE_CHANNEL_TTL)
        )
        integration.save(
            update_fields=[
                "channel_id",
                "channel_token",
                "channel_message_number",
                "channel_resource_id",
                "channel_expiration",
                "updated_at",
            ]
        )
        logger.info("push channel opened user_id=%s channel_id=%s", user_id, channel_id)
        if old_channel_id:
            try:
                client.stop_channel(channel_id=old_channel_id, resource_id=old_resource_id)
            except GoogleError as error:
                # It expires on its own; its notifications no longer match a channel id.
                logger.warning(
                    "old channel not stopped user_id=%s channel_id=%s error=%s",
                    user_id,
                    old_channel_id,
                    error,
                )
    return True


def channels_due_for_renewal() -> list[Any]:
    """Users whose channel expires within GOOGLE_CHANNEL_RENEW_BEFORE, or who have none."""
    if not settings.GOOGLE_WEBHOOK_URL:
        return []
    limit = timezone.now() + timedelta(seconds=settings.GOOGLE_CHANNEL_RENEW_BEFORE)
    return list(
        GoogleIntegration.objects.filter(status=IntegrationStatus.CONNECTED)
        .filter(Q(channel_id="") | Q(channel_expiration__isnull=True) | Q(channel_expiration__lt=limit))
        .order_by("pk")
        .values_list("user_id", flat=True)
    )

"""Two-way sync of one user's tasks with their Google Calendar, and the push channel.

One run, under a per-user lock: refresh the access token if it is about to expire, pull the
events changed in Google since the last sync token (a 410 clears the token and pulls
everything), then push the tasks whose version differs from the one last synced.

- The event id is the task id's hex digits, so a retried insert cannot create a second event:
  Google answers 409 and the event is patched instead.
- Echo suppression: the etag Google returned for our own last write is kept in the mapping; a
  pulled event with that etag is our own change and is skipped.
- Last write wins: an event changed in Google updates the task unless the task's title,
  description or due also changed since the last sync (content hash) and later than the
  event (then the push overwrites the event).
- Times (docs/GOOGLE_CALENDAR.md, "Times"): a timed task is an event on the owner's wall clock in
  the owner's zone, an all-day task an all-day event; the zone a timed event was written in is
  kept in the mapping, so a change of the owner's zone rewrites those events at the next sync.
- An event deleted in Google unlinks its task (the mapping stays, ``unlinked``) until the
  task's due changes again.

The tasks app knows nothing of this: candidates are found by comparing ``Task.version`` and the
owner's zone with the version and zone stored in the mapping (one indexed query), then the
content hash tells whether anything the event shows changed (a board move costs no call to
Google)."""

import hashlib
import logging
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
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
from tasks.dues import zone_named, zone_of
from tasks.models import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH, Status, Task
from tasks.services import task_update

logger = logging.getLogger(__name__)

EVENT_DURATION = timedelta(minutes=30)
ALL_DAY_DURATION = timedelta(days=1)
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


def _parse_time(value: str | None, zone: tzinfo = UTC) -> datetime | None:
    """An RFC 3339 time; one without an offset is read on the wall clock of ``zone``."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def _event_time(value: dict[str, Any]) -> datetime | None:
    """The moment of a timed start or end: its offset, else its ``timeZone``."""
    return _parse_time(value.get("dateTime"), zone_named(value.get("timeZone") or "UTC"))


def _event_due(event: dict[str, Any]) -> dict[str, Any]:
    """The due an event shows, as ``task_update`` takes it: ``{"due_on": day}`` for an all-day
    event, ``{"due_date": moment}`` for a timed one, nothing when its start does not read. The
    end is not read: a task has no end."""
    start = event.get("start") or {}
    if start.get("date"):
        try:
            return {"due_on": date.fromisoformat(start["date"])}
        except ValueError:
            return {}
    moment = _event_time(start)
    return {} if moment is None else {"due_date": moment}


def _wall_time(moment: datetime, zone: ZoneInfo) -> dict[str, str | None]:
    return {"dateTime": moment.astimezone(zone).isoformat(), "timeZone": zone.key, "date": None}


def event_times(task: Task, zone: ZoneInfo) -> dict[str, dict[str, str | None]]:
    """The event's ``start`` and ``end`` for the task's due (SPEC §8). An all-day task: its day,
    the end the next day (exclusive). A timed task: its moment on the owner's wall clock (the
    offset of that instant, so either side of a daylight-saving change is right) with the
    owner's zone, 30 minutes long (added to the instant, not to the wall clock). The other
    kind's keys are sent as null: Google's patch merges ``start`` and ``end`` key by key, so an
    event switching kinds must have them cleared."""
    if task.due_on is not None:
        return {
            "start": {"date": task.due_on.isoformat(), "dateTime": None, "timeZone": None},
            "end": {"date": (task.due_on + ALL_DAY_DURATION).isoformat(), "dateTime": None, "timeZone": None},
        }
    assert task.due_at is not None  # noqa: S101 - callers pick tasks with a due
    start = task.due_at.astimezone(UTC)
    return {"start": _wall_time(start, zone), "end": _wall_time(start + EVENT_DURATION, zone)}


def _span(times: dict[str, Any]) -> tuple[Any, ...]:
    """When an event's start and end are, whatever zone or offset they are written in."""
    start, end = times.get("start") or {}, times.get("end") or {}
    if start.get("date"):
        return ("date", start["date"], end.get("date"))
    return ("dateTime", _event_time(start), _event_time(end))


def _event_zone(task: Task, zone: ZoneInfo) -> str:
    """What ``EventMapping.time_zone`` holds for the task's event."""
    return "" if task.due_on is not None else zone.key


def content_hash(task: Task, zone: ZoneInfo) -> str:
    """What the event shows of a task: title, description and due, a timed due with the zone it
    is shown in. A change elsewhere (status, position, the due moment of an all-day task when
    its owner's zone changes) is not a change."""
    if task.due_on is not None:
        due = f"on {task.due_on.isoformat()}"
    elif task.due_at is not None:
        due = f"at {task.due_at.astimezone(UTC).isoformat()} in {zone.key}"
    else:
        due = ""
    return hashlib.sha256("\x1f".join([task.title, task.description, due]).encode()).hexdigest()


def event_body(task: Task, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "summary": task.title,
        "description": task.description,
        **event_times(task, zone),
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


def _apply_event(
    integration: GoogleIntegration, event: dict[str, Any], zone: ZoneInfo, result: SyncResult
) -> None:
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
    task_changed = content_hash(task, zone) != mapping.content_hash
    if task_changed and event_updated is not None and task.updated_at > event_updated:
        logger.info("conflict, task is newer than event user_id=%s task_id=%s", integration.user_id, task.pk)
        return
    changes: dict[str, Any] = {"description": (event.get("description") or "")[:DESCRIPTION_MAX_LENGTH]}
    title = (event.get("summary") or "").strip()[:TITLE_MAX_LENGTH]
    if title:
        changes["title"] = title
    changes.update(_event_due(event))
    try:
        # A recurring task's event is its current occurrence: moving it keeps the rule.
        task = task_update(task=task, changes=changes, occurrence_only=True)
    except NotFound:
        return
    # An end edited in Google leaves the event showing other times than the task's: an empty
    # hash has the push rewrite them (SPEC §8: events stay 30 minutes or one day).
    shows_task = task.due_at is None or _span(event) == _span(event_times(task, zone))
    mapping.task_version = task.version
    mapping.due_date = task.due_date
    mapping.due_on = task.due_on
    mapping.time_zone = _event_zone(task, zone)
    mapping.content_hash = content_hash(task, zone) if shows_task else ""
    mapping.event_etag = event.get("etag", "")
    mapping.event_updated = event_updated
    mapping.save(
        update_fields=[
            "task_version",
            "due_date",
            "due_on",
            "time_zone",
            "content_hash",
            "event_etag",
            "event_updated",
            "updated_at",
        ]
    )
    result.pulled += 1
    logger.info("task updated from google event user_id=%s task_id=%s", integration.user_id, task.pk)


def _pull_from(
    integration: GoogleIntegration, client: CalendarClient, zone: ZoneInfo, result: SyncResult
) -> None:
    next_sync_token = ""
    for items, page_sync_token in client.list_events(sync_token=integration.sync_token):
        for event in items:
            _apply_event(integration, event, zone, result)
        next_sync_token = page_sync_token or next_sync_token
    integration.sync_token = next_sync_token
    integration.save(update_fields=["sync_token", "updated_at"])


def _pull(integration: GoogleIntegration, client: CalendarClient, zone: ZoneInfo, result: SyncResult) -> None:
    try:
        _pull_from(integration, client, zone, result)
    except GoogleApiError as error:
        if error.status != 410 or not integration.sync_token:
            raise
        logger.info("sync token expired, full resync user_id=%s", integration.user_id)
        integration.sync_token = ""
        integration.save(update_fields=["sync_token", "updated_at"])
        _pull_from(integration, client, zone, result)


# --- Push -----------------------------------------------------------------------------------


def _store_mapping(*, task: Task, event: dict[str, Any], zone: ZoneInfo) -> None:
    EventMapping.objects.update_or_create(
        task_id=task.pk,
        defaults={
            "user_id": task.owner_id,
            "event_id": event.get("id") or event_id_for(task.pk),
            "task_version": task.version,
            "due_date": task.due_date,
            "due_on": task.due_on,
            "time_zone": _event_zone(task, zone),
            "content_hash": content_hash(task, zone),
            "event_etag": event.get("etag", ""),
            "event_updated": _parse_time(event.get("updated")),
            "unlinked": False,
        },
    )


def _create_event(client: CalendarClient, task: Task, zone: ZoneInfo) -> dict[str, Any]:
    event_id = event_id_for(task.pk)
    body = {**event_body(task, zone), "id": event_id}
    try:
        return client.insert_event(body=body, task_id=task.pk)
    except GoogleApiError as error:
        if error.status != 409:
            raise
    # The id exists: an earlier attempt got through (its answer was lost), or the event was
    # deleted and is now wanted again. Make it ours and visible.
    logger.info("event exists, patching instead user_id=%s task_id=%s", task.owner_id, task.pk)
    return client.patch_event(event_id=event_id, body={**body, "status": "confirmed"}, task_id=task.pk)


def _mark_in_step(mapping: EventMapping, task: Task, zone: ZoneInfo) -> None:
    """This version of the task needs no call to Google: the next push passes it by."""
    mapping.task_version = task.version
    mapping.time_zone = _event_zone(task, zone)
    mapping.content_hash = content_hash(task, zone)
    mapping.save(update_fields=["task_version", "time_zone", "content_hash", "updated_at"])


def _push_task(
    client: CalendarClient, task: Task, mapping: EventMapping | None, zone: ZoneInfo, result: SyncResult
) -> None:
    if mapping is not None and mapping.unlinked:
        if (mapping.due_date, mapping.due_on) == (task.due_date, task.due_on):
            _mark_in_step(mapping, task, zone)
            return
        mapping = None
    if mapping is None:
        _store_mapping(task=task, event=_create_event(client, task, zone), zone=zone)
        result.created += 1
        return
    if mapping.content_hash == content_hash(task, zone):
        _mark_in_step(mapping, task, zone)  # moved on the board: nothing the event shows
        return
    try:
        event = client.patch_event(event_id=mapping.event_id, body=event_body(task, zone), task_id=task.pk)
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
    _store_mapping(task=task, event=event, zone=zone)
    result.updated += 1


def _delete_stale(integration: GoogleIntegration, client: CalendarClient, result: SyncResult) -> None:
    """Events of tasks that are gone, DONE or without a due are deleted; unlinked mappings go
    only with their task."""
    user_id = integration.user_id
    syncable = Task.objects.filter(pk=OuterRef("task_id"), owner_id=user_id, due_at__isnull=False).exclude(
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


def _push(integration: GoogleIntegration, client: CalendarClient, zone: ZoneInfo, result: SyncResult) -> None:
    """Tasks with a due of either kind, not DONE, whose event is not known to show them: never
    synced, changed since (version), written in another zone than the owner's (a timed event),
    or showing other times (an empty hash)."""
    _delete_stale(integration, client, result)
    in_step = EventMapping.objects.filter(
        task_id=OuterRef("pk"), task_version=OuterRef("version"), time_zone__in=["", zone.key]
    ).exclude(content_hash="")
    changed = (
        Task.objects.filter(owner_id=integration.user_id, due_at__isnull=False)
        .exclude(status=Status.DONE)
        .exclude(Exists(in_step))
        .order_by("due_at", "pk")
    )
    for task in changed:
        mapping = EventMapping.objects.filter(task_id=task.pk).first()
        try:
            _push_task(client, task, mapping, zone, result)
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
        integration = (
            GoogleIntegration.objects.select_related("user")
            .filter(user_id=user_id, status=IntegrationStatus.CONNECTED)
            .first()
        )
        if integration is None:
            return SyncResult(skipped=True)
        result = SyncResult()
        integration.last_error = ""
        # Read once: a zone changed during the run is taken up by the next one.
        zone = zone_of(integration.user)
        try:
            client = client_for(integration)
            _pull(integration, client, zone, result)
            _push(integration, client, zone, result)
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

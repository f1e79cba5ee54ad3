"""Background work of the integrations app. Tasks take a user id, re-fetch, and return
quietly when the integration is gone or disconnected. Google failures that outlast the
client's own retries are retried here later (the sync is idempotent: mapping table, event
ids derived from task ids)."""

import logging

from celery import shared_task

from integrations import sync
from integrations.google.client import GoogleError, GoogleTransientError
from integrations.oauth_states import oauth_states_purge
from integrations.selectors import connected_user_ids
from outbox.services import outbox_enqueue_many

logger = logging.getLogger(__name__)

# acks_late: a sync is idempotent (mapping table, event ids derived from task ids), so a
# worker killed mid-sync has its message redelivered (also when only the pool child dies:
# reject_on_worker_lost) and the next run finishes the job.
RETRY_POLICY = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (GoogleTransientError,),
    "retry_backoff": 30,
    "retry_jitter": True,
    "max_retries": 3,
    # Many Google calls, each with the client's own retries and a 15 s timeout.
    "soft_time_limit": 900,
    "time_limit": 960,
}


@shared_task(**RETRY_POLICY)
def sync_user_calendar_task(user_id: str) -> None:
    sync.calendar_sync(user_id=user_id)


@shared_task(**RETRY_POLICY)
def start_google_calendar_task(user_id: str) -> None:
    """After a connect: open the push channel, then the first (full) sync."""
    sync.channel_start(user_id=user_id)
    sync.calendar_sync(user_id=user_id)


# Idempotent (it releases what is still held, once), so a redelivery is harmless; Google is
# best effort inside it, so nothing is retried.
@shared_task(acks_late=True, reject_on_worker_lost=True)
def release_google_link_task(user_id: str) -> None:
    """After a password reset committed (the integration is marked disconnected): revoke the
    grant, stop the push channel, forget tokens, channel, sync state and mappings."""
    sync.integration_release(user_id=user_id)


@shared_task
def sync_all_calendars_task() -> int:
    """Beat, every 5 minutes: one sync task per connected user (and abandoned OAuth states
    are purged)."""
    oauth_states_purge()
    user_ids = connected_user_ids()
    # Through the outbox like every enqueue: a broker hiccup leaves the rows for the relay.
    outbox_enqueue_many(sync_user_calendar_task, [(str(user_id),) for user_id in user_ids])
    logger.info("calendar sync enqueued for %d users", len(user_ids))
    return len(user_ids)


@shared_task
def renew_channels_task() -> int:
    """Beat, hourly: channels that expire soon are replaced (new one first, then the old one
    stopped). A failure for one user is logged and the others go on."""
    renewed = 0
    for user_id in sync.channels_due_for_renewal():
        try:
            renewed += int(sync.channel_start(user_id=user_id))
        except GoogleError as error:
            logger.warning("channel renewal failed user_id=%s error=%s", user_id, error)
    logger.info("renewed %d push channels", renewed)
    return renewed

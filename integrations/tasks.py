"""Background work of the integrations app. Tasks take a user id, re-fetch, and return
quietly when the integration is gone or disconnected.

One retry layer per call (docs/ARCHITECTURE.md, the job policy): the Google client retries a
rate-limited or failing call itself, with backoff (``GOOGLE_RETRY_ATTEMPTS``). What still fails
after that is recorded on the integration (``last_error``) and left to the next run (the beat's
sync every 5 minutes, the next push notification, the hourly channel renewal), not retried
again here: Celery retries on top multiplied the calls while the per-user lock was held."""

import logging
from collections.abc import Callable

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
SYNC_POLICY = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    # Many Google calls, each with the client's own retries and a 15 s timeout.
    "soft_time_limit": 900,
    "time_limit": 960,
}


def _until_the_next_run(run: Callable[[], object], *, user_id: str) -> None:
    try:
        run()
    except GoogleTransientError as error:
        logger.warning("calendar sync left to the next run user_id=%s error=%s", user_id, error)


@shared_task(**SYNC_POLICY)
def sync_user_calendar_task(user_id: str) -> None:
    _until_the_next_run(lambda: sync.calendar_sync(user_id=user_id), user_id=user_id)


@shared_task(**SYNC_POLICY)
def start_google_calendar_task(user_id: str) -> None:
    """After a connect: open the push channel, then the first (full) sync."""

    def start() -> None:
        sync.channel_start(user_id=user_id)
        sync.calendar_sync(user_id=user_id)

    _until_the_next_run(start, user_id=user_id)


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

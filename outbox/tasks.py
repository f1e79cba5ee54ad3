"""Background work of the outbox: the relay, run by beat."""

import logging

from celery import shared_task

from outbox.services import outbox_purge, outbox_relay

logger = logging.getLogger(__name__)


@shared_task
def relay_outbox_task() -> int:
    """Beat, every ``OUTBOX_RELAY_EVERY_SECONDS``: publishes what the broker missed, and
    forgets messages sent long ago."""
    sent = outbox_relay()
    purged = outbox_purge()
    if purged:
        logger.info("outbox: purged %d sent message(s)", purged)
    return sent

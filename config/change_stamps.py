"""Per-user change stamps, for answers cached per user (the dashboard).

A cached answer is stored under the user's current stamp. Every write that can change such an
answer calls ``user_data_changed``, which replaces the stamp at once and again once the write's
transaction has committed: later reads look under the new stamp, miss, and compute afresh. A
read that ran while the write was uncommitted may have stored the old data under the first new
stamp; the second replacement, after the commit, leaves that behind too. So no stale answer
outlives the write, and the one at once makes a change visible to reads inside the same
transaction (as in tests, whose transactions never commit). Redis being down never fails a
request: the read then goes to the database, and a lost stamp only means one more miss."""

import logging
import math
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

CACHE_ERRORS = (ConnectionInterrupted, RedisError, OSError)


def _stamp_key(user_id: Any) -> str:
    return f"stamp:user:{user_id}"


def _replace_stamp(user_id: Any) -> None:
    try:
        cache.set(_stamp_key(user_id), uuid.uuid4().hex, timeout=None)
    except CACHE_ERRORS:
        # The old stamp may now outlive this write for as long as its answers' timeout.
        logger.warning("cache unavailable: change stamp not replaced user_id=%s", user_id, exc_info=True)


def user_data_changed(user_id: Any) -> None:
    """Marks the user's cached answers stale, now and after the current transaction commits."""
    _replace_stamp(user_id)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _replace_stamp(user_id))


def _current_stamp(user_id: Any) -> str:
    key = _stamp_key(user_id)
    stamp = cache.get(key)
    if stamp is None:
        cache.add(key, uuid.uuid4().hex, timeout=None)  # two first readers agree on one stamp
        stamp = cache.get(key)
    return str(stamp)


def cached_per_user(name: str, user_id: Any, compute: Callable[[], tuple[Any, datetime]]) -> Any:
    """``compute()`` returns (answer, the moment it stops being right unless the data
    changes); the answer is kept under the user's current stamp and served until then."""
    try:
        key = f"{name}:{user_id}:{_current_stamp(user_id)}"
        cached = cache.get(key)
    except CACHE_ERRORS:
        logger.warning("cache unavailable: %s computed without it user_id=%s", name, user_id)
        return compute()[0]
    if cached is not None and timezone.now() < cached[1]:
        return cached[0]
    answer, valid_until = compute()
    seconds = (valid_until - timezone.now()).total_seconds()
    if seconds >= 1:
        try:
            cache.set(key, (answer, valid_until), timeout=math.ceil(seconds))
        except CACHE_ERRORS:
            logger.warning("cache unavailable: %s not stored user_id=%s", name, user_id)
    return answer

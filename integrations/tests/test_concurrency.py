"""Two workers syncing one user at once create no duplicate events (the per-user lock)."""

import threading

import pytest
from django.db import connection

from accounts.tests.factories import UserFactory
from integrations.models import EventMapping
from integrations.sync import calendar_sync
from integrations.tests.conftest import connect
from integrations.tests.helpers import task_for


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_two_concurrent_syncs_of_one_user_create_each_event_once(fake_google):
    user = UserFactory()
    connect(user, fake_google)
    tasks = [task_for(user, title=f"Task {n}", hours=n + 1) for n in range(6)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            calendar_sync(user_id=user.pk)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    assert sorted(e["id"] for e in fake_google.live_events()) == sorted(t.pk.hex for t in tasks)
    # the second worker waited and found nothing left to do: no 409, no second insert
    assert fake_google.calls.count("POST", "/calendar/v3/calendars/primary/events") == len(tasks)
    assert EventMapping.objects.filter(user=user).count() == len(tasks)

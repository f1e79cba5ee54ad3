"""``POST /notifications/{id}/snooze`` (SPEC §7): one more REMINDER for the task after the
delay, the notification left unread, a second snooze replacing the first, and the refusals
(400 bad minutes, 401, 403 another user's, 404, 409 for a deleted or DONE task)."""

import uuid
from datetime import timedelta

import pytest

from accounts.tests.helpers import bearer_client
from notifications.models import Notification, NotificationRun, NotificationType, Snooze
from notifications.services import notifications_generate
from notifications.tests.conftest import NOW
from notifications.tests.factories import make_task, make_user
from tasks.models import Status
from tasks.services import task_delete, task_update

pytestmark = pytest.mark.django_db

REMINDERS = NotificationRun.Kind.REMINDERS


def url(notification: Notification) -> str:
    return f"/api/v1/notifications/{notification.pk}/snooze"


@pytest.fixture
def user():
    return make_user()


@pytest.fixture
def client(frozen, user):
    return bearer_client(user)


@pytest.fixture
def overdue(frozen, user):
    """An OVERDUE notification of the caller's open task, as the hourly run makes it."""
    task = make_task(user=user, title="Pay rent", due_date=NOW - timedelta(hours=1))
    notifications_generate()
    return Notification.objects.get(task=task)


def run(frozen, *, at) -> int:
    frozen.move_to(at, tick=False)
    return notifications_generate(kind=REMINDERS).created_count


def test_a_snooze_fires_one_reminder_after_its_delay(frozen, client, overdue):
    response = client.post(url(overdue), {"minutes": 10}, format="json")

    counts = [
        run(frozen, at=NOW + timedelta(minutes=10) - timedelta(seconds=1)),
        run(frozen, at=NOW + timedelta(minutes=10)),
        run(frozen, at=NOW + timedelta(minutes=15)),
    ]

    assert response.status_code == 200, response.content
    assert response.json()["id"] == str(overdue.pk)
    assert response.json()["read"] is False
    assert counts == [0, 1, 0]
    reminder = Notification.objects.get(type=NotificationType.REMINDER)
    assert (reminder.task_id, reminder.due_at) == (overdue.task_id, NOW + timedelta(minutes=10))
    assert reminder.message == 'Reminder: "Pay rent" in Work (due Mon 7 Dec 07:00 UTC).'
    assert not Snooze.objects.exists()
    overdue.refresh_from_db()
    assert overdue.read is False


def test_snoozing_again_replaces_the_pending_snooze(frozen, client, overdue):
    client.post(url(overdue), {"minutes": 60}, format="json")
    frozen.shift(60)
    client.post(url(overdue), {"minutes": 5}, format="json")

    counts = [
        run(frozen, at=NOW + timedelta(minutes=6)),
        run(frozen, at=NOW + timedelta(minutes=60)),
        run(frozen, at=NOW + timedelta(minutes=65)),
    ]

    assert counts == [1, 0, 0]
    assert list(
        Notification.objects.filter(type=NotificationType.REMINDER).values_list("due_at", flat=True)
    ) == [NOW + timedelta(minutes=6)]


def test_the_snoozed_reminder_can_be_snoozed_in_turn(frozen, client, overdue):
    client.post(url(overdue), {"minutes": 5}, format="json")
    run(frozen, at=NOW + timedelta(minutes=5))
    reminder = Notification.objects.get(type=NotificationType.REMINDER)

    response = client.post(url(reminder), {"minutes": 5}, format="json")

    assert response.status_code == 200
    assert run(frozen, at=NOW + timedelta(minutes=10)) == 1
    assert Notification.objects.filter(type=NotificationType.REMINDER).count() == 2


def test_a_snooze_does_not_fire_for_a_task_done_meanwhile(frozen, client, overdue):
    client.post(url(overdue), {"minutes": 5}, format="json")
    task_update(task=overdue.task, changes={"status": Status.DONE})

    assert run(frozen, at=NOW + timedelta(minutes=5)) == 0
    assert Snooze.objects.count() == 1  # waits in case the task is reopened in time


def test_the_hourly_run_drops_snoozes_past_the_lookback(frozen, client, overdue, settings):
    client.post(url(overdue), {"minutes": 5}, format="json")
    task_update(task=overdue.task, changes={"status": Status.DONE})

    frozen.move_to(NOW + settings.NOTIFICATIONS_LOOKBACK + timedelta(minutes=6), tick=False)
    notifications_generate()

    assert not Snooze.objects.exists()


@pytest.mark.parametrize("minutes", [4, 10081, "10", 10.5, True, None])
def test_minutes_out_of_range_or_not_an_integer_is_a_400(client, overdue, minutes):
    response = client.post(url(overdue), {"minutes": minutes}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert "minutes" in response.json()["errors"]
    assert not Snooze.objects.exists()


def test_the_bounds_are_allowed(client, overdue):
    assert client.post(url(overdue), {"minutes": 5}, format="json").status_code == 200
    assert client.post(url(overdue), {"minutes": 10080}, format="json").status_code == 200
    assert Snooze.objects.get().fire_at == NOW + timedelta(minutes=10080)


def test_a_deleted_or_done_task_is_a_409(frozen, user, client, overdue):
    other = make_task(user=user, title="Other", due_date=NOW - timedelta(hours=1))
    notifications_generate()
    done_one = Notification.objects.get(task=other)
    task_update(task=other, changes={"status": Status.DONE})
    task_delete(task=overdue.task)

    deleted = client.post(url(overdue), {"minutes": 10}, format="json")
    done = client.post(url(done_one), {"minutes": 10}, format="json")

    assert (deleted.status_code, done.status_code) == (409, 409)
    assert deleted.json()["code"] == done.json()["code"] == "conflict"
    assert "deleted" in deleted.json()["detail"]
    assert "done" in done.json()["detail"]
    assert not Snooze.objects.exists()


def test_another_users_notification_is_a_403_and_an_unknown_one_a_404(overdue):
    stranger = bearer_client(make_user())

    forbidden = stranger.post(url(overdue), {"minutes": 10}, format="json")
    missing = stranger.post(f"/api/v1/notifications/{uuid.uuid4()}/snooze", {"minutes": 10}, format="json")

    assert (forbidden.status_code, missing.status_code) == (403, 404)
    assert not Snooze.objects.exists()


def test_without_credentials_it_is_a_401(api_client, overdue):
    assert api_client.post(url(overdue), {"minutes": 10}, format="json").status_code == 401


def test_deleting_the_task_drops_its_snooze(frozen, client, overdue):
    client.post(url(overdue), {"minutes": 5}, format="json")

    task_delete(task=overdue.task)

    assert not Snooze.objects.exists()
    assert run(frozen, at=NOW + timedelta(minutes=5)) == 0

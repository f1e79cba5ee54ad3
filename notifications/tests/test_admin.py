"""Admin pages for notifications (filters by type, read and e-mail status) and runs."""

import pytest
from django.utils import timezone

from notifications.models import EmailStatus, Notification, NotificationRun, NotificationType, Snooze
from notifications.tests.factories import make_notification, make_task, make_user

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/notifications/notification/"


@pytest.fixture
def rows():
    user = make_user()
    failed = make_notification(user=user, message="failed one", notification_type=NotificationType.REMINDER)
    Notification.objects.filter(pk=failed.pk).update(
        email_status=EmailStatus.FAILED, email_reason="attempt 3: boom", email_attempts=3
    )
    make_notification(user=user, message="read one", read=True)
    return user, failed


def test_the_changelist_shows_delivery_columns(staff_client, rows):
    response = staff_client.get(CHANGELIST)

    assert response.status_code == 200
    page = response.content.decode()
    for column in ("Type", "Read", "Email status", "Email attempts", "Sent at"):
        assert column in page
    assert "failed" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"email_status__exact": EmailStatus.FAILED}, 1),
        ({"type__exact": NotificationType.REMINDER}, 1),
        ({"read__exact": 1}, 1),
        ({"read__exact": 0}, 1),
        ({"q": "failed"}, 1),
    ],
)
def test_the_changelist_filters(staff_client, rows, query, expected):
    response = staff_client.get(CHANGELIST, query)

    assert response.status_code == 200
    assert response.context["cl"].result_count == expected


def test_a_notification_page_shows_the_failure_reason(staff_client, rows):
    _, failed = rows

    response = staff_client.get(f"{CHANGELIST}{failed.pk}/change/")

    assert response.status_code == 200
    assert "attempt 3: boom" in response.content.decode()


def test_notifications_are_read_only_in_the_admin(staff_client, rows):
    assert staff_client.get(f"{CHANGELIST}add/").status_code == 403


def test_recent_runs_are_listed(staff_client):
    now = timezone.now()
    run = NotificationRun.objects.create(
        started_at=now,
        finished_at=now,
        status="succeeded",
        created_count=7,
        emails_queued=3,
        error_count=1,
        errors=[{"user_id": "u1", "task_ids": ["t1"], "error": "KeyError('x')"}],
    )

    listing = staff_client.get("/admin/notifications/notificationrun/")
    detail = staff_client.get(f"/admin/notifications/notificationrun/{run.pk}/change/")

    assert listing.status_code == detail.status_code == 200
    assert listing.context["cl"].result_count == 1
    assert "KeyError" in detail.content.decode()


def test_non_staff_cannot_see_notifications(client, user):
    client.force_login(user)

    response = client.get(CHANGELIST)

    assert response.status_code == 302


def test_pending_snoozes_are_listed_and_read_only(staff_client):
    user = make_user()
    task = make_task(user=user, title="Pay rent")
    Snooze.objects.create(task=task, fire_at=timezone.now())

    listed = staff_client.get("/admin/notifications/snooze/")
    change = staff_client.get(f"/admin/notifications/snooze/{task.pk}/change/")

    assert listed.status_code == 200
    assert "Pay rent" in listed.content.decode()
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()

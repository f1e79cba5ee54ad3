"""The notifications API (SPEC §7): list, read filter and pagination, mark one read (403 for
another user's, 404 for none), read-all, unread-count, and every refusal in the error body."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.helpers import bearer_client
from notifications.models import Notification, NotificationType
from notifications.tests.factories import make_notification, make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications"
KEYS = {"id", "type", "message", "read", "task_id", "created_at", "sent_at"}


def iso(moment):
    return moment.isoformat().replace("+00:00", "Z")


@pytest.fixture
def three(user):
    """Three notifications of the caller, oldest first; the middle one is read."""
    start = timezone.now() - timedelta(hours=3)
    return [
        make_notification(user=user, created_at=start, message="first"),
        make_notification(
            user=user,
            created_at=start + timedelta(hours=1),
            read=True,
            message="second",
            notification_type=NotificationType.REMINDER,
        ),
        make_notification(
            user=user,
            created_at=start + timedelta(hours=2),
            message="third",
            notification_type=NotificationType.DEADLINE_APPROACHING,
        ),
    ]


def test_list_is_newest_first_with_the_spec_fields(auth_client, user, three):
    make_notification(user=make_user(), message="someone else's")

    response = auth_client.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (3, None, None)
    assert [item["message"] for item in body["results"]] == ["third", "second", "first"]
    third = three[2]
    assert body["results"][0] == {
        "id": str(third.pk),
        "type": "DEADLINE_APPROACHING",
        "message": "third",
        "read": False,
        "task_id": None,
        "created_at": iso(third.created_at),
        "sent_at": None,
    }
    assert all(set(item) == KEYS for item in body["results"])


@pytest.mark.parametrize(("value", "expected"), [("true", ["second"]), ("false", ["third", "first"])])
def test_list_filters_by_read(auth_client, three, value, expected):
    response = auth_client.get(URL, {"read": value})

    assert response.status_code == 200
    assert [item["message"] for item in response.json()["results"]] == expected


@pytest.mark.parametrize("value", ["yes", "1", "TRUE", "", " "])
def test_a_bad_read_value_is_a_400(auth_client, three, value):
    response = auth_client.get(f"{URL}?read={value}")

    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert list(response.json()["errors"]) == ["read"]


def test_list_is_paginated(auth_client, three):
    response = auth_client.get(URL, {"page_size": 2, "page": 2})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [item["message"] for item in body["results"]] == ["first"]
    assert body["previous"] is not None and body["next"] is None


def test_bad_pagination_is_a_400(auth_client, three):
    response = auth_client.get(URL, {"page": "zero"})

    assert response.status_code == 400
    assert response.json()["errors"] == {"page": ["A positive integer is required."]}


def test_list_uses_a_fixed_number_of_queries(auth_client, user, django_assert_max_num_queries):
    for _ in range(30):
        make_notification(user=user)

    with django_assert_max_num_queries(3):
        response = auth_client.get(URL)

    assert len(response.json()["results"]) == 30


def test_mark_one_read(auth_client, user, three):
    first = three[0]

    response = auth_client.patch(f"{URL}/{first.pk}/read")

    assert response.status_code == 200
    assert response.json()["id"] == str(first.pk)
    assert response.json()["read"] is True
    first.refresh_from_db()
    assert first.read is True
    again = auth_client.patch(f"{URL}/{first.pk}/read/")
    assert (again.status_code, again.json()["read"]) == (200, True)


def test_marking_another_users_notification_is_a_403(auth_client):
    theirs = make_notification(user=make_user())

    response = auth_client.patch(f"{URL}/{theirs.pk}/read")

    assert response.status_code == 403
    assert response.json() == {
        "code": "permission_denied",
        "detail": "You do not have permission to access this object.",
        "errors": {},
    }
    theirs.refresh_from_db()
    assert theirs.read is False


def test_marking_an_unknown_notification_is_a_404(auth_client):
    response = auth_client.patch(f"{URL}/{uuid.uuid4()}/read")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_malformed_id_is_a_404(auth_client):
    response = auth_client.patch(f"{URL}/not-a-uuid/read")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_read_all_then_unread_count(auth_client, user, three):
    theirs = make_notification(user=make_user())
    assert auth_client.get(f"{URL}/unread-count").json() == {"count": 2}

    response = auth_client.post(f"{URL}/read-all")

    assert response.status_code == 200
    assert response.json() == {"updated": 2}
    assert auth_client.get(f"{URL}/unread-count").json() == {"count": 0}
    assert auth_client.post(f"{URL}/read-all/").json() == {"updated": 0}
    theirs.refresh_from_db()
    assert theirs.read is False
    assert Notification.objects.filter(user=user, read=False).count() == 0


def test_unread_count_is_one_query_after_authentication(auth_client, user, three, django_assert_num_queries):
    auth_client.get(f"{URL}/unread-count")  # warm anything cached per process

    with django_assert_num_queries(2):  # the user (authentication) and the count
        response = auth_client.get(f"{URL}/unread-count")

    assert response.json() == {"count": 2}


def test_unread_count_uses_the_partial_index(user, three):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT COUNT(*) FROM notifications_notification WHERE user_id = %s AND NOT read",
            [user.pk],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "notif_user_unread_idx" in plan


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", URL),
        ("patch", f"{URL}/{uuid.uuid4()}/read"),
        ("post", f"{URL}/read-all"),
        ("get", f"{URL}/unread-count"),
    ],
)
def test_everything_but_unsubscribe_needs_a_token(api_client, method, path):
    response = getattr(api_client, method)(path)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_wrong_methods_are_405(auth_client, three):
    assert auth_client.get(f"{URL}/{three[0].pk}/read").status_code == 405
    assert auth_client.get(f"{URL}/read-all").status_code == 405
    assert auth_client.post(f"{URL}/unread-count").status_code == 405
    assert auth_client.delete(f"{URL}/{three[0].pk}").status_code in (404, 405)


def test_another_users_list_is_their_own(three):
    other = make_user()
    make_notification(user=other, message="mine")

    response = bearer_client(other).get(URL)

    assert [item["message"] for item in response.json()["results"]] == ["mine"]

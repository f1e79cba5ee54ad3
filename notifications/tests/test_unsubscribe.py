"""Unsubscribing without login (SPEC §7): GET shows a confirmation page, POST (one-click,
RFC 8058) turns ``email_notifications`` off; forged, expired or stale tokens are refused."""

from datetime import timedelta

import pytest
from django.core import signing

from accounts.models import User
from notifications.tests.factories import make_user
from notifications.tokens import UNSUBSCRIBE_SALT, unsubscribe_token_make

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications/unsubscribe"


@pytest.fixture
def subscriber():
    return make_user(deadline_threshold="48h")


@pytest.fixture
def token(subscriber):
    return unsubscribe_token_make(user=subscriber)


def email_notifications(user: User) -> bool:
    user.refresh_from_db()
    return user.preferences.get("email_notifications", True)


def test_get_shows_a_confirmation_page_and_changes_nothing(api_client, subscriber, token):
    response = api_client.get(URL, {"token": token})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    page = response.content.decode()
    assert "Stop e-mail notifications for <strong>" + subscriber.email in page
    assert '<form method="post" action="/api/v1/notifications/unsubscribe?token=' in page
    assert email_notifications(subscriber) is True


def test_one_click_post_unsubscribes_and_keeps_other_preferences(api_client, subscriber, token):
    response = api_client.post(
        f"{URL}?token={token}",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert response.json() == {"detail": "E-mail notifications are off.", "email_notifications": False}
    subscriber.refresh_from_db()
    assert subscriber.preferences["email_notifications"] is False
    assert subscriber.preferences["deadline_threshold"] == "48h"
    again = api_client.post(f"{URL}?token={token}")
    assert again.status_code == 200  # idempotent


def test_the_confirmation_pages_form_gets_a_page_back(api_client, subscriber, token):
    response = api_client.post(
        f"{URL}/?token={token}", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "E-mail notifications are off for <strong>" + subscriber.email in response.content.decode()
    assert email_notifications(subscriber) is False


def test_a_bearer_token_is_neither_needed_nor_used(auth_client, user, subscriber, token):
    response = auth_client.post(f"{URL}?token={token}")

    assert response.status_code == 200
    assert email_notifications(subscriber) is False
    assert email_notifications(user) is True


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "garbage",
        signing.dumps({"user": "00000000-0000-0000-0000-000000000000"}, salt=UNSUBSCRIBE_SALT),
        signing.dumps({"user": "x"}, salt="another.salt"),
        signing.dumps({"nobody": 1}, salt=UNSUBSCRIBE_SALT),
        signing.dumps({"user": "not-a-uuid"}, salt=UNSUBSCRIBE_SALT),
    ],
)
def test_a_bad_token_is_a_400_page_on_get_and_json_on_post(api_client, subscriber, bad):
    page = api_client.get(URL, {"token": bad})
    post = api_client.post(f"{URL}?token={bad}")

    assert page.status_code == 400
    assert "This unsubscribe link is invalid or has expired." in page.content.decode()
    assert post.status_code == 400
    assert post.json() == {
        "code": "validation_error",
        "detail": "Invalid input.",
        "errors": {"token": ["This unsubscribe link is invalid or has expired."]},
    }
    assert email_notifications(subscriber) is True


def test_a_bad_token_in_a_browser_form_gets_a_400_page(api_client, subscriber):
    response = api_client.post(f"{URL}?token=garbage", HTTP_ACCEPT="text/html")

    assert response.status_code == 400
    assert response["Content-Type"] == "text/html; charset=utf-8"


def test_an_expired_token_is_refused(api_client, subscriber, clock, settings):
    token = unsubscribe_token_make(user=subscriber)
    clock.shift(settings.NOTIFICATIONS_UNSUBSCRIBE_TOKEN_MAX_AGE - timedelta(seconds=1))
    assert api_client.get(URL, {"token": token}).status_code == 200
    clock.shift(timedelta(seconds=2))

    response = api_client.post(f"{URL}?token={token}")

    assert response.status_code == 400
    assert email_notifications(subscriber) is True


def test_a_deactivated_users_token_is_refused(api_client, subscriber, token):
    User.objects.filter(pk=subscriber.pk).update(is_active=False)

    assert api_client.post(f"{URL}?token={token}").status_code == 400


@pytest.mark.parametrize("value", ["html", "xml"])
def test_a_format_parameter_is_not_read(api_client, subscriber, token, value):
    # Only the Accept header picks the answer's media type: a JSON client gets JSON.
    response = api_client.post(f"{URL}?token={token}&format={value}", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert response.json() == {"detail": "E-mail notifications are off.", "email_notifications": False}


# --- mail scanners (issue 12): only POST changes anything ------------------------------------


@pytest.mark.parametrize("method", ["get", "head"])
def test_a_mail_scanner_following_the_link_changes_nothing(api_client, subscriber, token, method):
    response = getattr(api_client, method)(URL, {"token": token})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert email_notifications(subscriber) is True


def test_head_answers_as_get_without_a_body(api_client, subscriber, token):
    get = api_client.get(URL, {"token": token})
    head = api_client.head(URL, {"token": token})

    assert (head.status_code, head["Content-Type"]) == (get.status_code, get["Content-Type"])
    assert head.content == b""
    assert get.content


def test_head_with_a_bad_token_is_the_400_page_like_get(api_client, subscriber):
    head = api_client.head(URL, {"token": "garbage"})

    assert head.status_code == 400
    assert head["Content-Type"] == "text/html; charset=utf-8"


def test_after_the_scanners_the_users_post_still_unsubscribes(api_client, subscriber, token):
    api_client.head(URL, {"token": token})
    api_client.get(URL, {"token": token})

    response = api_client.post(f"{URL}?token={token}", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert email_notifications(subscriber) is False

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import OneTimeToken, RefreshSession, User
from accounts.tasks import purge_expired_tokens_task
from accounts.tests.factories import UserFactory
from accounts.tokens import one_time_token_create

pytestmark = pytest.mark.django_db


def test_user_admin_lists_searches_and_filters(staff_client, django_assert_max_num_queries):
    UserFactory(email="findme@example.com", username="findme", email_verified=True)
    UserFactory.create_batch(5)
    url = reverse("admin:accounts_user_changelist")

    with django_assert_max_num_queries(10):
        listing = staff_client.get(url)
    found = staff_client.get(url, {"q": "findme@"})
    verified = staff_client.get(url, {"email_verified__exact": "1"})

    assert listing.status_code == 200
    assert found.status_code == 200
    assert found.context["cl"].result_count == 1
    assert [u.email for u in verified.context["cl"].result_list] == ["findme@example.com"]


def test_user_admin_never_shows_the_password_hash(staff_client):
    user = UserFactory()
    page = staff_client.get(reverse("admin:accounts_user_change", args=[user.pk]))

    assert page.status_code == 200
    assert user.password not in page.content.decode()
    assert user.password.split("$")[-1] not in page.content.decode()
    assert 'name="password"' not in page.content.decode()


def test_deactivate_action_ends_sessions(staff_client, api_client):
    user = UserFactory(email="bye@example.com")
    tokens = api_client.post(
        "/api/v1/auth/login", {"email": "bye@example.com", "password": "Secret-pass1"}, format="json"
    ).json()

    response = staff_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "deactivate_users", "_selected_action": [str(user.pk)]},
        follow=True,
    )

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.is_active is False
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}")
    assert api_client.get("/api/v1/users/me").status_code == 401
    assert (
        api_client.post("/api/v1/auth/refresh", {"refresh_token": tokens["refresh_token"]}).status_code == 401
    )

    staff_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "activate_users", "_selected_action": [str(user.pk)]},
    )
    user.refresh_from_db()
    assert user.is_active is True


def test_unticking_active_in_the_change_form_ends_sessions(staff_client):
    user = UserFactory()
    generation = user.token_generation
    url = reverse("admin:accounts_user_change", args=[user.pk])

    response = staff_client.post(
        url,
        {
            "email": user.email,
            "username": user.username,
            "preferences": "{}",
            "is_staff": "",
            "is_active": "",
        },
    )

    assert response.status_code == 302, response.content
    user.refresh_from_db()
    assert user.is_active is False
    assert user.token_generation == generation + 1


def test_admin_cannot_add_users(staff_client):
    assert staff_client.get(reverse("admin:accounts_user_add")).status_code == 403


def test_token_admin_pages_show_no_hashes(staff_client):
    user = UserFactory()
    one_time_token_create(user=user, purpose=OneTimeToken.Purpose.RESET_PASSWORD, lifetime=timedelta(hours=1))
    token = OneTimeToken.objects.get()

    listing = staff_client.get(reverse("admin:accounts_onetimetoken_changelist"))
    detail = staff_client.get(reverse("admin:accounts_onetimetoken_change", args=[token.pk]))
    sessions = staff_client.get(reverse("admin:accounts_refreshsession_changelist"))

    assert listing.status_code == detail.status_code == sessions.status_code == 200
    assert token.token_hash not in listing.content.decode() + detail.content.decode()


def test_purge_removes_only_expired_tokens():
    user = UserFactory()
    now = timezone.now()
    RefreshSession.objects.create(jti="old", user=user, expires_at=now - timedelta(seconds=1))
    RefreshSession.objects.create(jti="live", user=user, expires_at=now + timedelta(days=1))
    one_time_token_create(user=user, purpose=OneTimeToken.Purpose.VERIFY_EMAIL, lifetime=timedelta(hours=1))
    one_time_token_create(user=user, purpose=OneTimeToken.Purpose.VERIFY_EMAIL, lifetime=-timedelta(hours=1))

    removed = purge_expired_tokens_task.delay().get()

    assert removed == 2
    assert list(RefreshSession.objects.values_list("jti", flat=True)) == ["live"]
    assert OneTimeToken.objects.count() == 1


def test_emails_skip_users_that_are_gone():
    from django.core import mail

    from accounts.tasks import (
        send_password_changed_email_task,
        send_password_reset_email_task,
        send_verification_email_task,
    )

    inactive = UserFactory(is_active=False)
    for task in (send_verification_email_task, send_password_changed_email_task):
        task.delay(str(inactive.pk))
        task.delay("00000000-0000-0000-0000-000000000000")
    for address in (inactive.email, "nobody@example.com", "İvy@example.com", "not an address"):
        send_password_reset_email_task.delay(address)
    assert mail.outbox == []


def test_createsuperuser_makes_a_verified_staff_account(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Admin-pass-2026")
    call_command(
        "createsuperuser", "--noinput", "--email", "Boss@Example.com", "--username", "boss", stdout=StringIO()
    )

    boss = User.objects.get(username="boss")
    assert (boss.is_staff, boss.is_superuser, boss.email_verified) == (True, True, True)
    assert boss.email == "Boss@example.com"
    assert str(boss) == "Boss@example.com"
    assert boss.check_password("Admin-pass-2026")

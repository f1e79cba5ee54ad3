"""Attacks from the security review (issue 12), each tried through HTTP as an attacker would.

The look-alike addresses are a table: every row is tried at each door that takes an address
(register, login, reset request). The other attacks are one test each, named after the point
of the issue they close; the HTTP-level ones (body size, Cache-Control, HEAD) live in
``test_security_http.py`` and the Google ones in ``integrations/tests/test_security.py``."""

from dataclasses import dataclass

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import RefreshSession, TokenFamily, User
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from accounts.tests.helpers import token_from_last_email
from integrations.models import EventMapping, GoogleIntegration, IntegrationStatus
from integrations.tests.conftest import connect
from outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
RESET_REQUEST = "/api/v1/auth/reset-password/request"
RESET_CONFIRM = "/api/v1/auth/reset-password/confirm"
ME = "/api/v1/users/me"
PASSWORD = "/api/v1/users/me/password"
RESEND = "/api/v1/users/me/resend-verification"
AUTHORIZE = "/api/v1/integrations/google/authorize"
ADMIN_LOGIN = "/admin/login/"
NEW_PASSWORD = "Another-pass2"


def register(client: APIClient, email: str, username: str, password: str = DEFAULT_PASSWORD):
    return client.post(REGISTER, {"email": email, "username": username, "password": password}, format="json")


def login(client: APIClient, email: str, password: str = DEFAULT_PASSWORD, ip: str = "10.0.0.1"):
    return client.post(LOGIN, {"email": email, "password": password}, format="json", REMOTE_ADDR=ip)


def bearer(access_token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token}")
    return client


def me_status(access_token: str) -> int:
    return bearer(access_token).get(ME).status_code


def refresh(client: APIClient, refresh_token: str):
    return client.post(REFRESH, {"refresh_token": refresh_token}, format="json")


# --- point 2: e-mail look-alikes ------------------------------------------------------------


@dataclass(frozen=True)
class LookAlike:
    name: str
    address: str  # what the attacker types
    victim: str  # the ASCII address it imitates


LOOK_ALIKES = [
    LookAlike("dotted capital I (U+0130)", "İvy@example.com", "ivy@example.com"),
    LookAlike("dotless i (U+0131)", "ıvy@example.com", "ivy@example.com"),
    LookAlike("Kelvin sign (U+212A)", "\u212aim@example.com", "kim@example.com"),
    LookAlike("long s (U+017F)", "\u017fam@example.com", "sam@example.com"),
    LookAlike("fullwidth local part", "ａda@example.com", "ada@example.com"),
]


@dataclass(frozen=True)
class SameAddress:
    name: str
    address: str  # another spelling of the stored address
    stored: str


SAME_ADDRESSES = [
    SameAddress("fullwidth domain", "ada@ｅｘａｍｐｌｅ.com", "ada@example.com"),
    SameAddress("upper-case domain", "ada@EXAMPLE.COM", "ada@example.com"),
    SameAddress("upper-case local part", "ADA@example.com", "ada@example.com"),
    SameAddress("surrounding spaces", "  ada@example.com ", "ada@example.com"),
]


@pytest.mark.parametrize("case", LOOK_ALIKES, ids=lambda c: c.name)
def test_a_look_alike_after_the_real_address_is_refused_with_400_not_500(api_client, case):
    assert register(api_client, case.victim, "victim").status_code == 201

    answer = register(api_client, case.address, "attacker")

    assert answer.status_code == 400, answer.content
    assert answer.json()["code"] == "validation_error"
    assert answer.json()["errors"] == {"email": ["The part before @ must use ASCII characters only."]}
    assert User.objects.count() == 1


@pytest.mark.parametrize("case", LOOK_ALIKES, ids=lambda c: c.name)
def test_a_look_alike_cannot_squat_the_real_address(api_client, case):
    assert register(api_client, case.address, "attacker").status_code == 400

    owner = register(api_client, case.victim, "owner")

    assert owner.status_code == 201, owner.content
    assert User.objects.get().email == case.victim


@pytest.mark.parametrize("case", LOOK_ALIKES, ids=lambda c: c.name)
def test_a_look_alike_never_logs_in_as_the_owner(api_client, case):
    UserFactory(email=case.victim)

    answer = login(api_client, case.address)

    assert answer.status_code == 401
    assert answer.json()["code"] == "not_authenticated"
    assert login(api_client, case.victim, ip="10.0.0.2").status_code == 200


@pytest.mark.parametrize("case", LOOK_ALIKES, ids=lambda c: c.name)
def test_a_reset_request_for_a_look_alike_mails_nothing(api_client, django_capture_on_commit_callbacks, case):
    UserFactory(email=case.victim)

    with django_capture_on_commit_callbacks(execute=True):
        answer = api_client.post(RESET_REQUEST, {"email": case.address}, format="json")

    assert answer.status_code == 200
    assert answer.json() == {"message": "Reset email sent"}
    assert mail.outbox == []


@pytest.mark.parametrize("case", SAME_ADDRESSES, ids=lambda c: c.name)
def test_another_spelling_of_an_address_is_the_same_account(
    api_client, django_capture_on_commit_callbacks, case
):
    assert register(api_client, case.stored, "ada").status_code == 201

    second = register(api_client, case.address, "ada2")
    logged_in = login(api_client, case.address)
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(RESET_REQUEST, {"email": case.address}, format="json")

    assert second.status_code == 409
    assert second.json()["errors"] == {"email": ["A user with this e-mail already exists."]}
    assert logged_in.status_code == 200
    assert [m.to for m in mail.outbox if "reset-password" in str(m.body)] == [[case.stored]]


def test_an_internationalised_domain_is_stored_as_a_labels(api_client):
    answer = register(api_client, "zoe@Bücher.de", "zoe")

    assert answer.status_code == 201
    assert answer.json()["email"] == "zoe@xn--bcher-kva.de"
    assert login(api_client, "zoe@BÜCHER.de").status_code == 200


@pytest.mark.parametrize("address", ["ada@exa_mple.com", "ada@-example.com", "ada@exa..mple.com", "ada@"])
def test_a_domain_that_does_not_convert_is_refused(api_client, address):
    answer = register(api_client, address, "ada")

    assert answer.status_code == 400
    assert list(answer.json()["errors"]) == ["email"]


def test_a_clash_only_the_database_sees_is_a_409(api_client):
    # A row written before addresses were canonical: only the unique index on lower(email)
    # (PostgreSQL folds U+0130 to "i") knows it clashes.
    legacy = UserFactory(email="legacy@example.com", username="legacy")
    User.objects.filter(pk=legacy.pk).update(email="İvy@example.com")

    answer = register(api_client, "ivy@example.com", "ivy")

    assert answer.status_code == 409, answer.content
    assert answer.json()["code"] == "conflict"
    assert User.objects.count() == 1


# --- point 1: account pre-hijack --------------------------------------------------------------


def test_an_unverified_address_cannot_connect_google(api_client, fake_google):
    assert register(api_client, "victim@example.com", "squatter").status_code == 201
    attacker = bearer(login(api_client, "victim@example.com").json()["access_token"])

    answer = attacker.get(AUTHORIZE)

    assert answer.status_code == 403
    assert answer.json()["code"] == "email_not_verified"


def test_a_password_reset_ends_the_squatters_sessions_and_google_link(
    api_client, fake_google, django_capture_on_commit_callbacks
):
    # The squatter registered the victim's address, logged in and linked their own Google
    # account (before the verification rule existed); the victim resets the password.
    squatter = UserFactory(email="victim@example.com", email_verified=True)
    tokens = login(api_client, "victim@example.com").json()
    integration = connect(squatter, fake_google, channel_id="chan-1", channel_token="tok-1")
    fake_google.channels["chan-1"] = {"id": "chan-1", "resourceId": "res-1", "token": "tok-1"}
    GoogleIntegration.objects.filter(pk=integration.pk).update(channel_resource_id="res-1")
    EventMapping.objects.create(user=squatter, task_id="00000000-0000-0000-0000-000000000001", event_id="e1")
    grant = integration.refresh_token

    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(RESET_REQUEST, {"email": "victim@example.com"}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = api_client.post(
            RESET_CONFIRM,
            {"token": token_from_last_email("victim@example.com"), "new_password": NEW_PASSWORD},
            format="json",
        )

    assert confirmed.status_code == 200
    assert me_status(tokens["access_token"]) == 401
    assert refresh(api_client, tokens["refresh_token"]).status_code == 401
    integration.refresh_from_db()
    assert integration.status == IntegrationStatus.DISCONNECTED
    assert (integration.access_token, integration.refresh_token, integration.channel_id) == ("", "", "")
    assert grant in fake_google.revoked
    assert fake_google.stopped_channels == ["chan-1"]
    assert not EventMapping.objects.filter(user=squatter).exists()


def test_a_password_change_keeps_the_google_link(api_client, fake_google):
    user = UserFactory(email="kim@example.com", email_verified=True)
    connect(user, fake_google)
    client = bearer(login(api_client, user.email).json()["access_token"])

    changed = client.post(
        PASSWORD, {"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD}, format="json"
    )

    assert changed.status_code == 200
    assert GoogleIntegration.objects.get(user=user).status == IntegrationStatus.CONNECTED
    assert fake_google.revoked == []


def test_a_password_reset_ends_admin_sessions(api_client, django_capture_on_commit_callbacks):
    staff = UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(staff)
    assert browser.get("/admin/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(RESET_REQUEST, {"email": staff.email}, format="json")
    api_client.post(
        RESET_CONFIRM,
        {"token": token_from_last_email(staff.email), "new_password": NEW_PASSWORD},
        format="json",
    )

    answer = browser.get("/admin/")
    assert answer.status_code == 302
    assert answer["Location"].startswith("/admin/login/")


# --- point 4: the admin login is throttled like the API login -----------------------------


def admin_login(browser: Client, email: str, password: str = "Wrong-pass1", ip: str = "10.0.0.1"):
    return browser.post(ADMIN_LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_the_admin_login_refuses_past_five_attempts_for_one_address(clock):
    UserFactory(email="boss@example.com", is_staff=True)
    browser = Client()

    answers = [admin_login(browser, "boss@example.com", ip=f"10.0.1.{i}").status_code for i in range(5)]
    refused = admin_login(browser, "BOSS@example.com", password=DEFAULT_PASSWORD, ip="10.0.1.99")

    assert answers == [200] * 5  # the login page again, with its error
    assert refused.status_code == 429
    assert "Too many login attempts. Try again later" in refused.content.decode()
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "_auth_user_id" not in browser.session
    clock.shift(61)
    assert admin_login(browser, "boss@example.com", password=DEFAULT_PASSWORD).status_code == 302


def test_the_admin_and_api_logins_share_the_per_address_counter(api_client, clock):
    UserFactory(email="boss@example.com", is_staff=True)
    browser = Client()

    api_answers = [
        login(api_client, "boss@example.com", "Wrong-pass1", ip=f"10.0.2.{i}").status_code for i in range(3)
    ]
    admin_answers = [admin_login(browser, "boss@example.com", ip=f"10.0.3.{i}").status_code for i in range(2)]

    assert api_answers == [401] * 3
    assert admin_answers == [200] * 2
    assert admin_login(browser, "boss@example.com", ip="10.0.3.9").status_code == 429
    assert login(api_client, "boss@example.com", ip="10.0.2.9").status_code == 429


def test_the_admin_login_refuses_past_the_per_address_rate(clock):
    browser = Client()

    answers = [admin_login(browser, f"guess{i}@example.com").status_code for i in range(20)]

    assert answers == [200] * 20
    assert admin_login(browser, "fresh@example.com").status_code == 429
    assert admin_login(browser, "fresh@example.com", ip="10.0.0.2").status_code == 200


# --- point 5: verification flood and the password oracle ---------------------------------


def test_verification_e_mails_are_limited_to_three_an_hour(
    api_client, django_capture_on_commit_callbacks, clock
):
    assert register(api_client, "new@example.com", "newbie").status_code == 201
    client = bearer(login(api_client, "new@example.com").json()["access_token"])

    with django_capture_on_commit_callbacks(execute=True):
        answers = [client.post(RESEND).status_code for _ in range(4)]

    assert answers == [202, 202, 202, 429]
    assert OutboxMessage.objects.filter(task_name__endswith="send_verification_email_task").count() == 1 + 3
    clock.shift(3601)
    assert client.post(RESEND).status_code == 202


def test_wrong_current_passwords_count_as_failed_logins(api_client, clock):
    user = UserFactory(email="kim@example.com")
    client = bearer(login(api_client, user.email).json()["access_token"])  # one login attempt
    wrong = {"current_password": "Guess-pass1", "new_password": NEW_PASSWORD}

    answers = [client.post(PASSWORD, wrong, format="json") for _ in range(5)]

    assert [a.status_code for a in answers] == [400, 400, 400, 400, 429]
    assert answers[0].json()["errors"] == {"current_password": ["Current password is incorrect."]}
    assert answers[-1].json()["code"] == "throttled"
    assert int(answers[-1]["Retry-After"]) > 0
    right = {"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD}
    assert client.post(PASSWORD, right, format="json").status_code == 429
    assert login(api_client, user.email, ip="10.9.9.9").status_code == 429
    clock.shift(61)
    assert client.post(PASSWORD, right, format="json").status_code == 200


# --- point 6: refresh-token reuse ends the login --------------------------------------------


def test_a_rotated_refresh_token_replayed_after_the_grace_ends_its_whole_login(api_client, clock):
    user = UserFactory(email="kim@example.com")
    stolen = login(api_client, user.email).json()
    other_login = login(api_client, user.email).json()
    rotated = refresh(api_client, stolen["refresh_token"]).json()
    clock.shift(11)

    replay = refresh(api_client, stolen["refresh_token"])

    assert replay.status_code == 401
    assert refresh(api_client, rotated["refresh_token"]).status_code == 401
    assert me_status(rotated["access_token"]) == 401
    assert me_status(stolen["access_token"]) == 401
    # The user's other login is not the stolen one's family.
    assert me_status(other_login["access_token"]) == 200
    assert refresh(api_client, other_login["refresh_token"]).status_code == 200
    assert TokenFamily.objects.filter(user=user, revoked_at__isnull=False).count() == 1


def test_a_replay_within_the_grace_is_refused_but_ends_nothing(api_client, clock):
    user = UserFactory(email="kim@example.com")
    first = login(api_client, user.email).json()
    rotated = refresh(api_client, first["refresh_token"]).json()
    clock.shift(10)

    replay = refresh(api_client, first["refresh_token"])

    assert replay.status_code == 401
    assert me_status(rotated["access_token"]) == 200
    assert refresh(api_client, rotated["refresh_token"]).status_code == 200


def test_a_logged_out_token_replayed_later_ends_nothing_else(api_client, clock):
    user = UserFactory(email="kim@example.com")
    tokens = login(api_client, user.email).json()
    rotated = refresh(api_client, tokens["refresh_token"]).json()
    assert (
        api_client.post(LOGOUT, {"refresh_token": rotated["refresh_token"]}, format="json").status_code == 204
    )
    again = login(api_client, user.email).json()
    clock.shift(60)

    assert refresh(api_client, rotated["refresh_token"]).status_code == 401
    assert me_status(again["access_token"]) == 200
    assert not TokenFamily.objects.filter(revoked_at__isnull=False).exists()


def test_refresh_sessions_carry_their_family(api_client):
    user = UserFactory(email="kim@example.com")
    tokens = login(api_client, user.email).json()
    refresh(api_client, tokens["refresh_token"])

    families = set(RefreshSession.objects.filter(user=user).values_list("family_id", flat=True))
    assert len(families) == 1 and None not in families


# --- point 7: a reset request does the same work for known and unknown addresses -----------


def _reset_request_answer(api_client, email: str):
    with CaptureQueriesContext(connection) as queries:
        answer = api_client.post(RESET_REQUEST, {"email": email}, format="json")
    headers = {name: value for name, value in answer.items() if name != "X-Request-ID"}
    return answer.status_code, answer.content, headers, [q["sql"] for q in queries.captured_queries]


def test_a_reset_request_answers_alike_before_any_lookup(api_client):
    UserFactory(email="kim@example.com")

    known = _reset_request_answer(api_client, "kim@example.com")
    unknown = _reset_request_answer(api_client, "nobody@example.com")

    assert known[:3] == unknown[:3]
    assert known[0] == 200
    assert len(known[3]) == len(unknown[3])
    assert not [sql for sql in known[3] + unknown[3] if "accounts_user" in sql]
    assert OutboxMessage.objects.filter(task_name__endswith="send_password_reset_email_task").count() == 2


# --- accepted risk: tokens in URLs must not reach the access log --------------------------


def test_the_access_log_line_leaves_out_query_strings():
    import datetime
    import runpy
    from pathlib import Path
    from types import SimpleNamespace

    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    conf = runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))
    config = Config()
    config.set("accesslog", None)
    config.set("access_log_format", conf["access_log_format"])
    environ = {
        "REMOTE_ADDR": "203.0.113.9",
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/api/v1/notifications/unsubscribe?token=SECRET-TOKEN",
        "PATH_INFO": "/api/v1/notifications/unsubscribe",
        "QUERY_STRING": "token=SECRET-TOKEN",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": "https://app.example.com/reset-password?token=OTHER-SECRET",
    }
    response = SimpleNamespace(status="200 OK", sent=42, headers=[])
    atoms = Logger(config).atoms(
        response, SimpleNamespace(headers=[]), environ, datetime.timedelta(seconds=0)
    )

    line = config.access_log_format % atoms

    assert '"GET /api/v1/notifications/unsubscribe HTTP/1.1" 200 42' in line
    assert "SECRET" not in line

"""``google_link_end``: what a password reset calls inside its transaction (SPEC §3). Nothing
reaches Google before the commit; from the commit on no sync runs and the webhook refuses the
channel; after it, the outbox job revokes the grant, stops the channel and forgets tokens,
channel, sync token and mappings, as DELETE disconnect does. The accounts side tests the reset
end to end over HTTP."""

import pytest
from django.db import transaction

from accounts.tests.factories import UserFactory
from integrations.models import EventMapping, GoogleIntegration, IntegrationStatus
from integrations.services import google_link_end
from integrations.sync import calendar_sync, channel_start
from integrations.tasks import release_google_link_task
from integrations.tests.conftest import connect
from integrations.tests.helpers import DISCONNECT_URL, STATUS_URL, notify, task_for
from outbox.models import OutboxMessage


@pytest.fixture
def linked(integration, user, fake_google, django_capture_on_commit_callbacks):
    """Connected, with a push channel, a first sync done (one event, one mapping)."""
    task_for(user)
    assert channel_start(user_id=user.pk)
    calendar_sync(user_id=user.pk)
    integration.refresh_from_db()
    assert integration.sync_token and EventMapping.objects.filter(user=user).count() == 1
    return integration


def _releases_queued() -> int:
    return OutboxMessage.objects.filter(task_name=release_google_link_task.name).count()


def _assert_forgotten(integration: GoogleIntegration) -> None:
    integration.refresh_from_db()
    assert integration.status == IntegrationStatus.DISCONNECTED
    assert (integration.access_token, integration.refresh_token, integration.token_expiry) == ("", "", None)
    assert (integration.channel_id, integration.channel_token, integration.sync_token) == ("", "", "")
    assert not EventMapping.objects.filter(user_id=integration.user_id).exists()


@pytest.mark.django_db
def test_the_link_ends_after_the_commit_token_revoked_channel_stopped_state_forgotten(
    api_client, auth_client, linked, user, fake_google, django_capture_on_commit_callbacks
):
    channel_id, channel_token, refresh_token = linked.channel_id, linked.channel_token, linked.refresh_token
    event_ids = [event["id"] for event in fake_google.live_events()]

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        google_link_end(user_id=user.pk)

    assert fake_google.revoked == [refresh_token]
    assert fake_google.refresh_tokens[refresh_token] is False
    assert fake_google.stopped_channels == [channel_id]
    assert fake_google.channels == {}
    _assert_forgotten(linked)
    assert [event["id"] for event in fake_google.live_events()] == event_ids  # the calendar keeps them
    assert auth_client.get(STATUS_URL).json()["connected"] is False
    with django_capture_on_commit_callbacks(execute=True):
        assert notify(api_client, channel_id, channel_token, number="2").status_code == 403


@pytest.mark.django_db
def test_nothing_reaches_google_inside_the_transaction_and_the_link_is_off_at_once(
    api_client, linked, user, fake_google, django_capture_on_commit_callbacks
):
    calls_before = len(fake_google.calls.log)

    with django_capture_on_commit_callbacks() as after_commit, transaction.atomic():
        google_link_end(user_id=user.pk)
        assert len(fake_google.calls.log) == calls_before

    # The reset's commit: the integration is off, the release still to come.
    assert len(fake_google.calls.log) == calls_before
    assert _releases_queued() == 1
    assert GoogleIntegration.objects.get(pk=linked.pk).status == IntegrationStatus.DISCONNECTED
    assert calendar_sync(user_id=user.pk).skipped
    assert channel_start(user_id=user.pk) is False
    with django_capture_on_commit_callbacks() as webhook_work:
        assert notify(api_client, linked.channel_id, linked.channel_token, number="2").status_code == 403
    assert webhook_work == []
    assert len(fake_google.calls.log) == calls_before

    for callback in after_commit:
        callback()
    assert fake_google.stopped_channels == [linked.channel_id]
    _assert_forgotten(linked)


@pytest.mark.django_db
def test_a_reset_that_rolls_back_ends_nothing(linked, user, fake_google, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        google_link_end(user_id=user.pk)
        raise RuntimeError("the reset failed")

    assert callbacks == []
    assert _releases_queued() == 0
    linked.refresh_from_db()
    assert linked.status == IntegrationStatus.CONNECTED
    assert linked.channel_id in fake_google.channels
    assert fake_google.revoked == []


@pytest.mark.django_db
def test_a_user_without_an_integration_gets_nothing(user, fake_google, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        google_link_end(user_id=user.pk)

    assert _releases_queued() == 0
    assert not GoogleIntegration.objects.exists()
    assert fake_google.calls.log == []


@pytest.mark.django_db
def test_a_google_outage_is_best_effort_and_the_link_is_forgotten_all_the_same(
    linked, user, fake_google, settings, django_capture_on_commit_callbacks
):
    settings.GOOGLE_RETRY_ATTEMPTS = 2
    fake_google.fail("POST", "/revoke", status=503, times=10)
    fake_google.fail("POST", "/channels/stop", status=503, times=10)

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        google_link_end(user_id=user.pk)

    assert fake_google.revoked == []
    _assert_forgotten(linked)
    assert OutboxMessage.objects.get(task_name=release_google_link_task.name).sent_at is not None


@pytest.mark.django_db
def test_a_retry_after_the_release_does_nothing(
    linked, user, fake_google, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        google_link_end(user_id=user.pk)
    calls_before = len(fake_google.calls.log)
    released = GoogleIntegration.objects.get(pk=linked.pk)

    release_google_link_task(str(user.pk))  # the message delivered again

    assert len(fake_google.calls.log) == calls_before
    assert GoogleIntegration.objects.get(pk=linked.pk).updated_at == released.updated_at  # no write

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        google_link_end(user_id=user.pk)  # a second reset
    assert len(fake_google.calls.log) == calls_before
    _assert_forgotten(linked)


@pytest.mark.django_db
def test_a_disconnect_before_the_job_releases_at_google_and_the_job_then_does_nothing(
    auth_client, linked, user, fake_google, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as after_commit, transaction.atomic():
        google_link_end(user_id=user.pk)

    assert auth_client.delete(DISCONNECT_URL).status_code == 204
    assert fake_google.revoked == [linked.refresh_token]
    assert fake_google.stopped_channels == [linked.channel_id]
    calls_before = len(fake_google.calls.log)

    for callback in after_commit:
        callback()
    assert len(fake_google.calls.log) == calls_before
    _assert_forgotten(linked)


@pytest.mark.django_db
def test_a_link_connected_again_before_the_job_runs_is_left_alone(
    linked, user, fake_google, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as after_commit, transaction.atomic():
        google_link_end(user_id=user.pk)
    access, refresh, _ = fake_google.issue_tokens()
    GoogleIntegration.objects.filter(pk=linked.pk).update(
        status=IntegrationStatus.CONNECTED, access_token=access, refresh_token=refresh
    )

    for callback in after_commit:
        callback()

    reconnected = GoogleIntegration.objects.get(pk=linked.pk)
    assert reconnected.status == IntegrationStatus.CONNECTED
    assert reconnected.refresh_token == refresh
    assert fake_google.revoked == []


@pytest.mark.django_db
def test_only_the_users_own_link_ends(linked, user, fake_google, django_capture_on_commit_callbacks):
    other = connect(UserFactory(email_verified=True), fake_google)

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        google_link_end(user_id=user.pk)

    other.refresh_from_db()
    assert other.status == IntegrationStatus.CONNECTED
    assert fake_google.refresh_tokens[other.refresh_token] is True

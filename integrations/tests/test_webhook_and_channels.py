"""Push notifications: the webhook's channel checks, the sync it schedules, and channel
renewal (new channel first, then the old one stopped)."""

from datetime import UTC, datetime, timedelta

import pytest

from accounts.tests.factories import UserFactory
from config.tests.helpers import wait_for
from integrations.models import GoogleIntegration, IntegrationStatus
from integrations.services import SYNC_REQUEST_STALE_AFTER
from integrations.sync import channel_start
from integrations.tasks import renew_channels_task, sync_all_calendars_task, sync_user_calendar_task
from integrations.tests.conftest import connect
from integrations.tests.helpers import WEBHOOK_URL, notify, task_for
from outbox.models import OutboxMessage


@pytest.mark.django_db
def test_a_notification_with_the_right_channel_and_token_schedules_a_sync(
    api_client, watched, user, fake_google, django_capture_on_commit_callbacks
):
    task = task_for(user)
    calls_before = len(fake_google.calls.log)

    with django_capture_on_commit_callbacks() as callbacks:
        response = notify(api_client, watched.channel_id, watched.channel_token)
        assert len(fake_google.calls.log) == calls_before  # answered without calling Google

    assert response.status_code == 204
    assert len(callbacks) == 1
    callbacks[0]()
    assert [e["id"] for e in fake_google.live_events()] == [task.pk.hex]


@pytest.mark.django_db
@pytest.mark.parametrize("which", ["token", "channel", "missing", "disconnected"])
def test_a_wrong_channel_or_token_is_refused_with_403(
    api_client, watched, user, fake_google, django_capture_on_commit_callbacks, which
):
    channel_id, token = watched.channel_id, watched.channel_token
    if which == "token":
        token = token[:-1] + ("x" if token[-1] != "x" else "y")
    elif which == "channel":
        channel_id = "00000000-0000-0000-0000-000000000000"
    elif which == "missing":
        channel_id = token = ""
    else:
        GoogleIntegration.objects.filter(pk=watched.pk).update(status=IntegrationStatus.DISCONNECTED)

    with django_capture_on_commit_callbacks() as callbacks:
        response = notify(api_client, channel_id, token)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert callbacks == []


@pytest.mark.django_db
def test_the_first_sync_message_only_confirms_the_channel(
    api_client, watched, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = notify(api_client, watched.channel_id, watched.channel_token, state="sync")
    assert response.status_code == 204
    assert callbacks == []


@pytest.mark.django_db
def test_the_webhook_ignores_bodies_and_needs_no_jwt(api_client, watched, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        response = api_client.post(
            WEBHOOK_URL,
            data="not json at all",
            content_type="text/plain",
            HTTP_X_GOOG_CHANNEL_ID=watched.channel_id,
            HTTP_X_GOOG_CHANNEL_TOKEN=watched.channel_token,
            HTTP_AUTHORIZATION="Bearer garbage",
        )
    assert response.status_code == 204


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_a_notification_reaches_a_real_worker_through_the_broker(api_client, fake_google, real_worker):
    user = UserFactory()
    connect(user, fake_google)
    assert channel_start(user_id=user.pk)
    integration = GoogleIntegration.objects.get(user=user)
    task = task_for(user)

    response = notify(api_client, integration.channel_id, integration.channel_token)

    assert response.status_code == 204
    assert wait_for(lambda: [e["id"] for e in fake_google.live_events()] == [task.pk.hex])


@pytest.mark.django_db
def test_channels_close_to_expiry_are_renewed_new_first_then_the_old_one_stopped(
    watched, user, fake_google, clock, settings
):
    old_channel, old_token = watched.channel_id, watched.channel_token
    clock.shift(settings.GOOGLE_CHANNEL_TTL - settings.GOOGLE_CHANNEL_RENEW_BEFORE + 60)

    assert renew_channels_task.delay().get() == 1

    watched.refresh_from_db()
    assert watched.channel_id != old_channel
    assert watched.channel_token != old_token
    assert set(fake_google.channels) == {watched.channel_id}
    assert fake_google.stopped_channels == [old_channel]
    paths = [path for method, path in fake_google.calls.log if method == "POST"]
    assert paths.index("/calendar/v3/calendars/primary/events/watch", 1) < paths.index(
        "/calendar/v3/channels/stop"
    )
    assert watched.channel_expiration > datetime.now(UTC) + timedelta(days=6)


@pytest.mark.django_db
def test_the_old_channel_stops_working_after_renewal(
    api_client, watched, user, fake_google, django_capture_on_commit_callbacks
):
    old_channel, old_token = watched.channel_id, watched.channel_token
    assert channel_start(user_id=user.pk)
    with django_capture_on_commit_callbacks():
        assert notify(api_client, old_channel, old_token).status_code == 403


@pytest.mark.django_db
def test_channels_far_from_expiry_are_left_alone(watched, fake_google):
    assert renew_channels_task() == 0
    assert list(fake_google.channels) == [watched.channel_id]


@pytest.mark.django_db
def test_a_renewal_failure_for_one_user_does_not_stop_the_others(integration, user, fake_google, settings):
    settings.GOOGLE_RETRY_ATTEMPTS = 1
    other = connect(UserFactory(), fake_google)
    fake_google.fail("POST", "/events/watch", status=500)

    assert renew_channels_task() == 1

    channels = {
        integration.user_id: GoogleIntegration.objects.get(pk=integration.pk).channel_id,
        other.user_id: GoogleIntegration.objects.get(pk=other.pk).channel_id,
    }
    assert sorted(bool(c) for c in channels.values()) == [False, True]


@pytest.mark.django_db
def test_a_stop_that_fails_keeps_the_new_channel(watched, user, fake_google, settings):
    settings.GOOGLE_RETRY_ATTEMPTS = 1
    fake_google.fail("POST", "/channels/stop", status=500)

    assert channel_start(user_id=user.pk)

    watched_now = GoogleIntegration.objects.get(pk=watched.pk)
    assert watched_now.channel_id in fake_google.channels


@pytest.mark.django_db
def test_no_webhook_url_means_no_channels(integration, user, settings, fake_google):
    settings.GOOGLE_WEBHOOK_URL = ""
    assert channel_start(user_id=user.pk) is False
    assert renew_channels_task() == 0
    assert fake_google.channels == {}


@pytest.mark.django_db
def test_a_revoked_grant_at_channel_start_disconnects(user, fake_google, clock):
    integration = connect(user, fake_google)
    fake_google.revoke_refresh_token(integration.refresh_token)
    clock.shift(3600)

    assert channel_start(user_id=user.pk) is False

    integration.refresh_from_db()
    assert integration.status == IntegrationStatus.DISCONNECTED
    assert channel_start(user_id=user.pk) is False


def _queued_syncs() -> int:
    return OutboxMessage.objects.filter(task_name=sync_user_calendar_task.name).count()


@pytest.mark.django_db
def test_a_renewed_channel_numbers_its_messages_afresh(
    api_client, watched, user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert notify(api_client, watched.channel_id, watched.channel_token, number="40").status_code == 204
    assert channel_start(user_id=user.pk)
    renewed = GoogleIntegration.objects.get(pk=watched.pk)
    assert renewed.channel_message_number is None

    with django_capture_on_commit_callbacks(execute=True):
        notify(api_client, renewed.channel_id, renewed.channel_token, state="sync", number="1")
        notify(api_client, renewed.channel_id, renewed.channel_token, number="2")

    assert _queued_syncs() == 2


@pytest.mark.django_db
def test_a_queued_sync_that_never_started_does_not_mute_the_webhook_for_good(
    api_client, watched, clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():  # queued, and its message lost
        notify(api_client, watched.channel_id, watched.channel_token, number="2")
        notify(api_client, watched.channel_id, watched.channel_token, number="3")
    assert _queued_syncs() == 1

    clock.shift(SYNC_REQUEST_STALE_AFTER.total_seconds() + 1)
    with django_capture_on_commit_callbacks():
        notify(api_client, watched.channel_id, watched.channel_token, number="4")

    assert _queued_syncs() == 2


@pytest.mark.django_db
def test_any_sync_that_starts_clears_the_queued_mark(api_client, watched, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        notify(api_client, watched.channel_id, watched.channel_token, number="2")
    assert GoogleIntegration.objects.get(pk=watched.pk).sync_requested_at is not None

    with django_capture_on_commit_callbacks(execute=True):
        sync_all_calendars_task()  # the beat's run: one more sync, through the outbox too

    assert GoogleIntegration.objects.get(pk=watched.pk).sync_requested_at is None
    with django_capture_on_commit_callbacks():
        notify(api_client, watched.channel_id, watched.channel_token, number="3")
    assert _queued_syncs() == 3

"""Two-way sync against the fake Google: push of tasks to events, incremental pull with sync
tokens, last write wins, echo suppression, unlinking, retries, token refresh and revocation."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command

from accounts.tests.factories import UserFactory
from integrations.google.client import GoogleApiError, GoogleTransientError, backoff_delay
from integrations.models import EventMapping, GoogleIntegration, IntegrationStatus
from integrations.selectors import connected_user_ids
from integrations.sync import calendar_sync, event_id_for
from integrations.tasks import sync_all_calendars_task, sync_user_calendar_task
from integrations.tests.conftest import connect
from integrations.tests.helpers import due, task_for
from outbox.models import OutboxMessage
from tasks.models import Status, Task
from tasks.services import task_delete, task_update

pytestmark = pytest.mark.django_db


def _event(fake, task):
    return fake.events[event_id_for(task.pk)]


def test_a_task_with_a_due_date_becomes_a_30_minute_event_tagged_with_the_task_id(
    integration, user, fake_google
):
    task = task_for(user, title="Dentist", description="Bring the card", hours=5)
    task_for(user, title="No due date", due_date=None)

    result = calendar_sync(user_id=user.pk)

    assert result.created == 1
    [event] = fake_google.live_events()
    assert event["id"] == task.pk.hex
    assert event["summary"] == "Dentist"
    assert event["description"] == "Bring the card"
    start = datetime.fromisoformat(event["start"]["dateTime"])
    assert start == task.due_date
    assert datetime.fromisoformat(event["end"]["dateTime"]) - start == timedelta(minutes=30)
    assert event["extendedProperties"] == {"private": {"task_id": str(task.pk)}}
    mapping = EventMapping.objects.get(task_id=task.pk)
    assert (mapping.event_id, mapping.task_version, mapping.event_etag) == (task.pk.hex, 1, event["etag"])
    integration.refresh_from_db()
    assert integration.last_synced_at is not None
    assert integration.sync_token.startswith("sync-")


def test_a_second_sync_without_changes_writes_nothing(integration, user, fake_google):
    task = task_for(user)
    calendar_sync(user_id=user.pk)
    writes = fake_google.calls.count("POST", "/events") + fake_google.calls.count("PATCH", "/events")

    result = calendar_sync(user_id=user.pk)

    assert (result.created, result.updated, result.pulled) == (0, 0, 0)
    assert fake_google.calls.count("POST", "/events") + fake_google.calls.count("PATCH", "/events") == writes
    task.refresh_from_db()
    assert task.version == 1  # our own event write was not echoed back into the task


def test_task_edits_update_the_event(integration, user, fake_google):
    task = task_for(user, title="Old")
    calendar_sync(user_id=user.pk)
    new_due = due(48)
    task_update(task=task, changes={"title": "New", "description": "More", "due_date": new_due})

    result = calendar_sync(user_id=user.pk)

    assert result.updated == 1
    event = _event(fake_google, task)
    assert (event["summary"], event["description"]) == ("New", "More")
    assert datetime.fromisoformat(event["start"]["dateTime"]) == new_due
    assert len(fake_google.events) == 1


@pytest.mark.parametrize("ending", ["done", "deleted", "due_date_removed"])
def test_done_deleted_or_undated_tasks_lose_their_event(integration, user, fake_google, ending):
    task = task_for(user)
    calendar_sync(user_id=user.pk)
    if ending == "done":
        task_update(task=task, changes={"status": Status.DONE})
    elif ending == "deleted":
        task_delete(task=task)
    else:
        task_update(task=task, changes={"due_date": None})

    result = calendar_sync(user_id=user.pk)

    assert result.deleted == 1
    assert fake_google.live_events() == []
    assert not EventMapping.objects.exists()
    # and the deletion coming back in the next pull is not mistaken for a Google-side delete
    assert calendar_sync(user_id=user.pk).unlinked == 0


def test_a_retried_insert_whose_first_answer_was_lost_creates_no_duplicate(integration, user, fake_google):
    task = task_for(user, title="Once")
    fake_google.fail("POST", "/events", status=503, after_work=True)

    calendar_sync(user_id=user.pk)

    assert [e["id"] for e in fake_google.live_events()] == [task.pk.hex]
    assert fake_google.calls.count("POST", "/calendar/v3/calendars/primary/events") == 2  # 503, then 409
    assert EventMapping.objects.get(task_id=task.pk).event_etag == _event(fake_google, task)["etag"]


def test_a_redelivered_sync_after_a_crash_before_the_mapping_was_saved_creates_no_duplicate(
    integration, user, fake_google
):
    task = task_for(user)
    calendar_sync(user_id=user.pk)
    EventMapping.objects.all().delete()  # as if the worker died between Google's answer and our commit

    calendar_sync(user_id=user.pk)

    assert len(fake_google.live_events()) == 1
    assert EventMapping.objects.get(task_id=task.pk).event_id == task.pk.hex


@pytest.mark.parametrize(
    ("status", "reason"), [(429, "rateLimitExceeded"), (403, "userRateLimitExceeded"), (503, "")]
)
def test_rate_limits_and_5xx_are_retried_with_backoff(integration, user, fake_google, status, reason):
    task = task_for(user)
    fake_google.fail("POST", "/events", status=status, reason=reason, times=2)

    calendar_sync(user_id=user.pk)

    assert fake_google.calls.count("POST", "/events") == 3
    assert fake_google.live_events()[0]["id"] == task.pk.hex


def test_retries_give_up_after_the_configured_attempts_and_record_the_error(
    integration, user, fake_google, settings
):
    settings.GOOGLE_RETRY_ATTEMPTS = 3
    task_for(user)
    fake_google.fail("POST", "/events", status=429, reason="rateLimitExceeded", times=10)

    with pytest.raises(GoogleTransientError):
        calendar_sync(user_id=user.pk)

    assert fake_google.calls.count("POST", "/events") == 3
    integration.refresh_from_db()
    assert "429" in integration.last_error
    assert not EventMapping.objects.exists()


def test_the_task_adds_no_retries_of_its_own_to_the_clients(integration, user, fake_google, settings, caplog):
    settings.GOOGLE_RETRY_ATTEMPTS = 3
    task_for(user)
    fake_google.fail("POST", "/events", status=503, reason="backendError", times=50)

    sync_user_calendar_task.delay(str(user.pk))  # ends: the next run takes it up

    assert fake_google.calls.count("POST", "/events") == 3  # one layer: the client's 3 attempts
    integration.refresh_from_db()
    assert "503" in integration.last_error
    assert "calendar sync left to the next run" in caplog.text


def test_a_403_that_is_not_a_rate_limit_is_not_retried_and_other_tasks_go_on(integration, user, fake_google):
    first = task_for(user, hours=1)
    second = task_for(user, hours=2)
    fake_google.fail("POST", "/events", status=403, reason="forbidden")

    calendar_sync(user_id=user.pk)

    assert fake_google.calls.count("POST", "/events") == 2
    assert [e["id"] for e in fake_google.live_events()] == [second.pk.hex]
    integration.refresh_from_db()
    assert str(first.pk) in integration.last_error
    # the refused task is tried again next time
    calendar_sync(user_id=user.pk)
    assert {e["id"] for e in fake_google.live_events()} == {first.pk.hex, second.pk.hex}


def test_backoff_grows_exponentially_with_jitter(settings):
    settings.GOOGLE_RETRY_BASE_DELAY = 1.0
    for attempt in range(5):
        delays = {backoff_delay(attempt) for _ in range(20)}
        assert all(0.5 * 2**attempt <= d < 1.5 * 2**attempt for d in delays)
        assert len(delays) > 1


def test_an_event_edited_in_google_updates_title_description_and_due_date(integration, user, fake_google):
    task = task_for(user, title="Mine")
    calendar_sync(user_id=user.pk)
    fake_google.edit_event(
        task.pk.hex,
        summary="Renamed in Google",
        description="Notes from Google",
        start={"dateTime": "2030-01-02T09:30:00Z"},
        end={"dateTime": "2030-01-02T10:00:00Z"},
    )

    result = calendar_sync(user_id=user.pk)

    assert result.pulled == 1
    task.refresh_from_db()
    assert (task.title, task.description) == ("Renamed in Google", "Notes from Google")
    assert task.due_date == datetime(2030, 1, 2, 9, 30, tzinfo=UTC)
    assert task.version == 2
    # applying it is not pushed back to Google, and nothing bounces on the next run
    assert fake_google.calls.count("PATCH", "/events") == 0
    assert calendar_sync(user_id=user.pk).pulled == 0
    assert fake_google.calls.count("PATCH", "/events") == 0


def test_an_all_day_event_and_an_empty_title_keep_the_task_valid(integration, user, fake_google):
    task = task_for(user, title="Keep me")
    calendar_sync(user_id=user.pk)
    fake_google.edit_event(
        task.pk.hex, summary="  ", start={"date": "2030-05-06"}, end={"date": "2030-05-07"}
    )

    calendar_sync(user_id=user.pk)

    task.refresh_from_db()
    assert task.title == "Keep me"
    assert (task.due_on, task.due_date) == (date(2030, 5, 6), None)


def test_conflict_the_later_task_edit_wins(integration, user, fake_google, clock):
    task = task_for(user, title="Original")
    calendar_sync(user_id=user.pk)
    clock.shift(10)
    fake_google.edit_event(task.pk.hex, summary="Google edit (older)")
    clock.shift(10)
    task_update(task=task, changes={"title": "Task edit (newer)"})

    calendar_sync(user_id=user.pk)

    task.refresh_from_db()
    assert task.title == "Task edit (newer)"
    assert _event(fake_google, task)["summary"] == "Task edit (newer)"


def test_conflict_the_later_google_edit_wins(integration, user, fake_google, clock):
    task = task_for(user, title="Original")
    calendar_sync(user_id=user.pk)
    clock.shift(10)
    task_update(task=task, changes={"title": "Task edit (older)"})
    clock.shift(10)
    fake_google.edit_event(task.pk.hex, summary="Google edit (newer)")

    calendar_sync(user_id=user.pk)

    task.refresh_from_db()
    assert task.title == "Google edit (newer)"
    assert _event(fake_google, task)["summary"] == "Google edit (newer)"
    assert EventMapping.objects.get(task_id=task.pk).task_version == task.version


def test_an_event_deleted_in_google_unlinks_the_task_until_its_due_date_changes(
    integration, user, fake_google
):
    task = task_for(user, title="Keep the task")
    calendar_sync(user_id=user.pk)
    fake_google.delete_event_in_google(task.pk.hex)

    result = calendar_sync(user_id=user.pk)

    assert result.unlinked == 1
    assert Task.objects.filter(pk=task.pk).exists()
    assert fake_google.live_events() == []
    # a title edit does not bring the event back
    task_update(task=task, changes={"title": "Edited"})
    calendar_sync(user_id=user.pk)
    assert fake_google.live_events() == []
    # a new due date does
    task_update(task=task, changes={"due_date": due(72)})
    calendar_sync(user_id=user.pk)
    [event] = fake_google.live_events()
    assert (event["id"], event["summary"]) == (task.pk.hex, "Edited")
    assert EventMapping.objects.get(task_id=task.pk).unlinked is False


def test_a_patch_of_an_event_deleted_in_google_unlinks_it(integration, user, fake_google):
    task = task_for(user)
    calendar_sync(user_id=user.pk)
    del fake_google.events[task.pk.hex]  # gone, and the pull will not tell
    task_update(task=task, changes={"title": "Changed"})

    result = calendar_sync(user_id=user.pk)

    assert result.unlinked == 1
    assert EventMapping.objects.get(task_id=task.pk).unlinked is True


def test_a_stale_sync_token_410_starts_a_full_resync(integration, user, fake_google):
    task = task_for(user)
    calendar_sync(user_id=user.pk)
    fake_google.edit_event(task.pk.hex, summary="Changed while the token went stale")
    fake_google.stale_sync_tokens = True

    calendar_sync(user_id=user.pk)

    task.refresh_from_db()
    assert task.title == "Changed while the token went stale"
    integration.refresh_from_db()
    assert integration.sync_token == f"sync-{fake_google.seq}"
    fake_google.stale_sync_tokens = False
    assert calendar_sync(user_id=user.pk).pulled == 0


def test_a_full_pull_pages_through_events_and_ignores_foreign_ones(integration, user, fake_google):
    tasks = [task_for(user, title=f"Task {n}", hours=n + 1) for n in range(5)]
    calendar_sync(user_id=user.pk)
    fake_google.events["foreignevent1"] = {"id": "foreignevent1", "status": "confirmed", "summary": "Lunch"}
    fake_google._touch(fake_google.events["foreignevent1"])
    for task in tasks:
        fake_google.edit_event(task.pk.hex, summary=f"{task.title} edited")
    GoogleIntegration.objects.filter(pk=integration.pk).update(sync_token="")

    result = calendar_sync(user_id=user.pk)

    assert result.pulled == 5
    assert sorted(Task.objects.values_list("title", flat=True)) == [f"Task {n} edited" for n in range(5)]


def test_another_users_tasks_never_reach_my_calendar(integration, user, fake_google):
    other = connect(UserFactory(), fake_google).user
    task_for(other, title="Not mine")
    mine = task_for(user, title="Mine")

    calendar_sync(user_id=user.pk)

    assert [e["id"] for e in fake_google.live_events()] == [mine.pk.hex]


def test_the_access_token_is_refreshed_before_it_expires(user, fake_google, clock, settings):
    integration = connect(user, fake_google)
    old_access = integration.access_token
    clock.shift(3600 - settings.GOOGLE_TOKEN_REFRESH_MARGIN + 1)
    task_for(user)

    calendar_sync(user_id=user.pk)

    integration.refresh_from_db()
    assert fake_google.calls.count("POST", "/token") == 1
    assert integration.access_token != old_access
    assert integration.access_token in fake_google.access_tokens
    assert integration.token_expiry > datetime.now(UTC) + timedelta(minutes=50)
    assert len(fake_google.live_events()) == 1


def test_invalid_grant_marks_the_integration_disconnected_and_stops_syncing(user, fake_google, clock):
    integration = connect(user, fake_google)
    fake_google.revoke_refresh_token(integration.refresh_token)
    clock.shift(3600)
    task_for(user)

    result = calendar_sync(user_id=user.pk)

    assert result.skipped
    integration.refresh_from_db()
    assert integration.status == IntegrationStatus.DISCONNECTED
    assert "invalid_grant" in integration.last_error
    assert integration.refresh_token == ""
    assert connected_user_ids() == []
    assert calendar_sync(user_id=user.pk).skipped
    assert fake_google.live_events() == []


def test_a_grant_revoked_while_the_access_token_looked_valid_disconnects_too(integration, user, fake_google):
    fake_google.revoke_refresh_token(integration.refresh_token)  # Google answers 401, the refresh fails
    task_for(user)

    calendar_sync(user_id=user.pk)

    integration.refresh_from_db()
    assert integration.status == IntegrationStatus.DISCONNECTED
    assert "invalid_grant" in integration.last_error


def test_sync_of_a_user_without_integration_is_skipped(user):
    assert calendar_sync(user_id=user.pk).skipped


def test_beat_job_and_command_sync_every_connected_user(
    integration, user, fake_google, capsys, django_capture_on_commit_callbacks
):
    task = task_for(user)
    disconnected = connect(UserFactory(), fake_google)
    GoogleIntegration.objects.filter(pk=disconnected.pk).update(status=IntegrationStatus.DISCONNECTED)

    with django_capture_on_commit_callbacks(execute=True):  # the syncs go through the outbox
        assert sync_all_calendars_task.delay().get() == 1
    assert OutboxMessage.objects.filter(task_name=sync_user_calendar_task.name).count() == 1
    assert [e["id"] for e in fake_google.live_events()] == [task.pk.hex]

    task_update(task=task, changes={"title": "Via command"})
    call_command("sync_calendars")
    assert _event(fake_google, task)["summary"] == "Via command"
    assert "Synced 1 of 1 calendars." in capsys.readouterr().out


def test_the_command_reports_a_failing_user_and_goes_on(integration, user, fake_google, capsys, settings):
    settings.GOOGLE_RETRY_ATTEMPTS = 1
    task_for(user)
    fake_google.fail("GET", "/events", status=500)

    call_command("sync_calendars")

    captured = capsys.readouterr()
    assert "Synced 0 of 1 calendars." in captured.out
    assert "events.list" in captured.err


def test_a_non_retryable_list_error_is_raised(integration, user, fake_google):
    fake_google.fail("GET", "/events", status=400, reason="badRequest")
    with pytest.raises(GoogleApiError):
        calendar_sync(user_id=user.pk)


def test_network_failures_are_retried_then_reported_as_transient(integration, user, settings):
    settings.GOOGLE_RETRY_ATTEMPTS = 2
    settings.GOOGLE_CALENDAR_API_URL = "http://127.0.0.1:9/calendar/v3"  # discard port: refused

    with pytest.raises(GoogleTransientError, match="after 2 attempts"):
        calendar_sync(user_id=user.pk)

    integration.refresh_from_db()
    assert "ConnectionRefusedError" in integration.last_error
    assert integration.status == IntegrationStatus.CONNECTED


def test_a_board_move_costs_no_call_and_does_not_beat_an_earlier_google_edit(
    integration, user, fake_google, clock
):
    task = task_for(user, title="Original")
    calendar_sync(user_id=user.pk)
    clock.shift(10)
    fake_google.edit_event(task.pk.hex, summary="Renamed in Google")
    clock.shift(10)
    task_update(task=task, changes={"status": Status.IN_PROGRESS})  # a newer version, same content

    calendar_sync(user_id=user.pk)

    task.refresh_from_db()
    assert task.title == "Renamed in Google"
    assert task.status == Status.IN_PROGRESS
    task_update(task=task, changes={"status": Status.TODO})
    calendar_sync(user_id=user.pk)
    assert fake_google.calls.count("PATCH", "/events") == 0
    assert EventMapping.objects.get(task_id=task.pk).task_version == task.version + 1

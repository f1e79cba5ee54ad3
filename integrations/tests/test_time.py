"""Times between tasks and events (SPEC §8 "Time", §11): timed tasks on the owner's wall clock
in the owner's zone, all-day tasks as all-day events, both ways, across daylight-saving changes,
switches of kind on either side, a change of the owner's zone, and the fake Google refusing the
shapes Google refuses. Time is frozen before the grant is issued: the dues below are in 2026."""

from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import pytest

from accounts.models import User
from accounts.services import user_preferences_update
from accounts.tests.factories import UserFactory
from integrations.google.client import GoogleApiError
from integrations.models import EventMapping, GoogleIntegration
from integrations.sync import calendar_sync, client_for, event_id_for
from integrations.tests.conftest import connect
from integrations.tests.fake_google import BadEventTimes, FakeGoogle
from integrations.tests.helpers import task_for
from tasks.dues import day_end, zone_named
from tasks.models import Status, Task
from tasks.services import task_update

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 2, 1, 12, tzinfo=UTC)


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def owner_in(frozen, fake_google):
    """A verified user living in the zone given, connected to the fake Google."""

    def make(zone: str) -> User:
        user = cast(User, UserFactory(email_verified=True))
        user_preferences_update(user=user, changes={"timezone": zone})
        connect(user, fake_google)
        return user

    return make


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def timed(user: User, moment: datetime, title: str = "Call") -> Task:
    return task_for(user, title=title, due_date=moment)


def all_day(user: User, day: date, title: str = "Birthday") -> Task:
    return task_for(user, title=title, due_date=None, due_on=day)


def event_of(fake: FakeGoogle, task: Task) -> dict[str, Any]:
    return fake.events[event_id_for(task.pk)]


def writes(fake: FakeGoogle) -> int:
    return sum(fake.calls.count(method, "/events") for method in ("POST", "PATCH", "PUT", "DELETE"))


def synced(user: User) -> None:
    """A sync that Google refused nothing in."""
    calendar_sync(user_id=user.pk)
    assert GoogleIntegration.objects.get(user=user).last_error == ""


# --- Task -> event ------------------------------------------------------------------------------

DST_CASES = [
    # zone, due moment, start and end as the event shows them
    ("Europe/Berlin", utc(2026, 3, 29, 0, 30), "2026-03-29T01:30:00+01:00", "2026-03-29T03:00:00+02:00"),
    ("Europe/Berlin", utc(2026, 3, 29, 1, 30), "2026-03-29T03:30:00+02:00", "2026-03-29T04:00:00+02:00"),
    ("Europe/Berlin", utc(2026, 10, 25, 0, 30), "2026-10-25T02:30:00+02:00", "2026-10-25T02:00:00+01:00"),
    ("Europe/Berlin", utc(2026, 10, 25, 1, 30), "2026-10-25T02:30:00+01:00", "2026-10-25T03:00:00+01:00"),
    ("America/Los_Angeles", utc(2026, 3, 8, 9, 30), "2026-03-08T01:30:00-08:00", "2026-03-08T03:00:00-07:00"),
    (
        "America/Los_Angeles",
        utc(2026, 3, 8, 10, 30),
        "2026-03-08T03:30:00-07:00",
        "2026-03-08T04:00:00-07:00",
    ),
    (
        "America/Los_Angeles",
        utc(2026, 11, 1, 8, 30),
        "2026-11-01T01:30:00-07:00",
        "2026-11-01T01:00:00-08:00",
    ),
    (
        "America/Los_Angeles",
        utc(2026, 11, 1, 9, 30),
        "2026-11-01T01:30:00-08:00",
        "2026-11-01T02:00:00-08:00",
    ),
    ("Asia/Kolkata", utc(2026, 3, 29, 0, 30), "2026-03-29T06:00:00+05:30", "2026-03-29T06:30:00+05:30"),
    ("Asia/Kolkata", utc(2026, 10, 25, 20, 0), "2026-10-26T01:30:00+05:30", "2026-10-26T02:00:00+05:30"),
    ("UTC", utc(2026, 3, 29, 0, 30), "2026-03-29T00:30:00+00:00", "2026-03-29T01:00:00+00:00"),
]


@pytest.mark.parametrize(("zone", "moment", "start", "end"), DST_CASES)
def test_a_timed_task_is_a_30_minute_event_on_the_owners_wall_clock_either_side_of_dst(
    owner_in, fake_google, zone, moment, start, end
):
    owner = owner_in(zone)
    task = timed(owner, moment)

    synced(owner)

    event = event_of(fake_google, task)
    assert event["start"] == {"dateTime": start, "timeZone": zone}
    assert event["end"] == {"dateTime": end, "timeZone": zone}
    assert datetime.fromisoformat(end) - datetime.fromisoformat(start) == timedelta(minutes=30)
    mapping = EventMapping.objects.get(task_id=task.pk)
    assert (mapping.due_date, mapping.due_on, mapping.time_zone) == (moment, None, zone)


@pytest.mark.parametrize(("zone", "moment", "start", "end"), DST_CASES)
def test_a_timed_event_coming_back_from_google_keeps_the_tasks_moment(
    owner_in, fake_google, zone, moment, start, end
):
    owner = owner_in(zone)
    task = timed(owner, moment)
    synced(owner)
    fake_google.edit_event(task.pk.hex, summary="Renamed in Google")  # the times as we wrote them

    synced(owner)

    task.refresh_from_db()
    assert (task.title, task.due_date, task.due_on) == ("Renamed in Google", moment, None)
    assert fake_google.calls.count("PATCH", "/events") == 0  # the event shows the task: no rewrite


BERLIN, LOS_ANGELES, KOLKATA = "Europe/Berlin", "America/Los_Angeles", "Asia/Kolkata"


@pytest.mark.parametrize(
    ("zone", "written", "event_zone", "moment"),
    [
        (BERLIN, "2026-10-25T02:30:00+01:00", BERLIN, utc(2026, 10, 25, 1, 30)),
        (BERLIN, "2026-03-29T03:30:00", BERLIN, utc(2026, 3, 29, 1, 30)),  # no offset: the zone's
        (LOS_ANGELES, "2026-11-01T01:30:00-08:00", LOS_ANGELES, utc(2026, 11, 1, 9, 30)),
        (LOS_ANGELES, "2026-03-08T01:30:00-08:00", None, utc(2026, 3, 8, 9, 30)),
        (KOLKATA, "2026-06-01T09:00:00+05:30", KOLKATA, utc(2026, 6, 1, 3, 30)),
        (KOLKATA, "2026-06-01T03:30:00Z", BERLIN, utc(2026, 6, 1, 3, 30)),  # the offset wins
    ],
)
def test_a_timed_event_moved_in_google_sets_the_tasks_moment(
    owner_in, fake_google, zone, written, event_zone, moment
):
    owner = owner_in(zone)
    task = timed(owner, utc(2026, 5, 1, 12))
    synced(owner)
    shown_in = zone_named(event_zone or "UTC")
    start = {"dateTime": written} | ({"timeZone": event_zone} if event_zone else {})
    end = {**start, "dateTime": (moment + timedelta(minutes=30)).astimezone(shown_in).isoformat()}
    fake_google.edit_event(task.pk.hex, start=start, end=end)

    synced(owner)

    task.refresh_from_db()
    assert (task.due_date, task.due_on, task.due_at) == (moment, None, moment)
    assert fake_google.calls.count("PATCH", "/events") == 0
    assert calendar_sync(user_id=owner.pk).pulled == 0  # and nothing bounces


@pytest.mark.parametrize(
    ("zone", "day", "end_day"),
    [
        ("Europe/Berlin", date(2026, 3, 29), "2026-03-30"),
        ("Europe/Berlin", date(2026, 10, 25), "2026-10-26"),
        ("America/Los_Angeles", date(2026, 3, 8), "2026-03-09"),
        ("America/Los_Angeles", date(2026, 11, 1), "2026-11-02"),
        ("Asia/Kolkata", date(2026, 12, 31), "2027-01-01"),
    ],
)
def test_an_all_day_task_is_an_all_day_event_ending_the_next_day_exclusive(
    owner_in, fake_google, zone, day, end_day
):
    owner = owner_in(zone)
    task = all_day(owner, day)

    synced(owner)

    event = event_of(fake_google, task)
    assert event["start"] == {"date": day.isoformat()}
    assert event["end"] == {"date": end_day}
    mapping = EventMapping.objects.get(task_id=task.pk)
    assert (mapping.due_date, mapping.due_on, mapping.time_zone) == (None, day, "")


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/Los_Angeles", "Asia/Kolkata"])
def test_an_all_day_event_moved_in_google_sets_the_tasks_day(owner_in, fake_google, zone):
    owner = owner_in(zone)
    task = all_day(owner, date(2026, 3, 29))
    synced(owner)
    fake_google.edit_event(task.pk.hex, start={"date": "2026-11-01"}, end={"date": "2026-11-02"})

    synced(owner)

    task.refresh_from_db()
    assert (task.due_on, task.due_date) == (date(2026, 11, 1), None)
    assert task.due_at == day_end(date(2026, 11, 1), zone_named(zone))
    assert fake_google.calls.count("PATCH", "/events") == 0
    assert EventMapping.objects.get(task_id=task.pk).due_on == date(2026, 11, 1)


@pytest.mark.parametrize(
    "start",
    [{"date": "soon"}, {"dateTime": "later", "timeZone": "UTC"}, {}],
    ids=["date", "dateTime", "none"],
)
def test_an_event_whose_start_does_not_read_leaves_the_due_and_is_rewritten(owner_in, fake_google, start):
    """Google never sends one; if it did, the task keeps its due and the event shows it again."""
    owner = owner_in("Europe/Berlin")
    task = timed(owner, utc(2026, 3, 10, 8))
    synced(owner)
    event = event_of(fake_google, task)
    event.update(summary="Renamed in Google", start=start)
    fake_google._touch(event)

    synced(owner)

    task.refresh_from_db()
    assert (task.title, task.due_date) == ("Renamed in Google", utc(2026, 3, 10, 8))
    assert event_of(fake_google, task)["start"] == {
        "dateTime": "2026-03-10T09:00:00+01:00",
        "timeZone": "Europe/Berlin",
    }


# --- Switching kinds ------------------------------------------------------------------------------


def test_an_event_switched_to_all_day_in_google_makes_the_task_all_day(owner_in, fake_google):
    owner = owner_in("Europe/Berlin")
    task = timed(owner, utc(2026, 3, 10, 8))
    synced(owner)
    fake_google.edit_event(task.pk.hex, start={"date": "2026-03-12"}, end={"date": "2026-03-13"})

    synced(owner)

    task.refresh_from_db()
    assert (task.due_on, task.due_date) == (date(2026, 3, 12), None)
    assert task.due_at == utc(2026, 3, 12, 23)  # the end of that day in Berlin
    assert fake_google.calls.count("PATCH", "/events") == 0
    # a later edit of the task keeps the event all-day
    task_update(task=task, changes={"title": "Now all day"})
    synced(owner)
    event = event_of(fake_google, task)
    assert (event["summary"], event["start"], event["end"]) == (
        "Now all day",
        {"date": "2026-03-12"},
        {"date": "2026-03-13"},
    )


def test_an_event_switched_to_timed_in_google_makes_the_task_timed(owner_in, fake_google):
    owner = owner_in("America/Los_Angeles")
    task = all_day(owner, date(2026, 3, 8))
    synced(owner)
    fake_google.edit_event(
        task.pk.hex,
        start={"dateTime": "2026-03-08T09:00:00-07:00", "timeZone": "America/Los_Angeles"},
        end={"dateTime": "2026-03-08T09:30:00-07:00", "timeZone": "America/Los_Angeles"},
    )

    synced(owner)

    task.refresh_from_db()
    assert (task.due_date, task.due_on) == (utc(2026, 3, 8, 16), None)
    assert fake_google.calls.count("PATCH", "/events") == 0
    task_update(task=task, changes={"title": "Now timed"})
    synced(owner)
    event = event_of(fake_google, task)
    assert event["start"] == {"dateTime": "2026-03-08T09:00:00-07:00", "timeZone": "America/Los_Angeles"}


def test_a_task_switched_between_kinds_switches_its_event(owner_in, fake_google):
    """The patch clears the other kind's keys: the fake, merging like Google, refuses an event
    left with both a date and a dateTime."""
    owner = owner_in("Asia/Kolkata")
    task = timed(owner, utc(2026, 4, 1, 4, 30))
    synced(owner)

    task = task_update(task=task, changes={"due_on": date(2026, 4, 2)})
    synced(owner)
    event = event_of(fake_google, task)
    assert (event["start"], event["end"]) == ({"date": "2026-04-02"}, {"date": "2026-04-03"})
    assert EventMapping.objects.get(task_id=task.pk).time_zone == ""

    task = task_update(task=task, changes={"due_date": utc(2026, 4, 3, 4, 30)})
    synced(owner)
    event = event_of(fake_google, task)
    assert event["start"] == {"dateTime": "2026-04-03T10:00:00+05:30", "timeZone": "Asia/Kolkata"}
    assert event["end"] == {"dateTime": "2026-04-03T10:30:00+05:30", "timeZone": "Asia/Kolkata"}
    assert fake_google.calls.count("PATCH", "/events") == 2
    assert len(fake_google.live_events()) == 1


def test_a_retried_insert_adopting_an_event_of_the_other_kind_switches_it(owner_in, fake_google):
    owner = owner_in("Europe/Berlin")
    task = all_day(owner, date(2026, 5, 1))
    synced(owner)
    EventMapping.objects.all().delete()  # as if the worker died before the mapping was saved
    task = task_update(task=task, changes={"due_date": utc(2026, 5, 1, 7)})

    synced(owner)  # the insert answers 409: the event is patched into a timed one

    event = event_of(fake_google, task)
    assert event["start"] == {"dateTime": "2026-05-01T09:00:00+02:00", "timeZone": "Europe/Berlin"}
    assert len(fake_google.live_events()) == 1


# --- The end is the sync's -----------------------------------------------------------------------


def test_an_end_edited_in_google_is_ignored_and_the_event_stays_30_minutes(owner_in, fake_google):
    owner = owner_in("Europe/Berlin")
    task = timed(owner, utc(2026, 3, 10, 8))
    synced(owner)
    fake_google.edit_event(
        task.pk.hex, end={"dateTime": "2026-03-10T11:00:00+01:00", "timeZone": "Europe/Berlin"}
    )

    synced(owner)

    task.refresh_from_db()
    assert (task.due_date, task.version) == (utc(2026, 3, 10, 8), 1)
    assert event_of(fake_google, task)["end"] == {
        "dateTime": "2026-03-10T09:30:00+01:00",
        "timeZone": "Europe/Berlin",
    }
    patches = fake_google.calls.count("PATCH", "/events")
    assert patches == 1
    synced(owner)
    assert fake_google.calls.count("PATCH", "/events") == patches


def test_an_all_day_event_stretched_in_google_stays_one_day(owner_in, fake_google):
    owner = owner_in("America/Los_Angeles")
    task = all_day(owner, date(2026, 3, 8))
    synced(owner)
    fake_google.edit_event(task.pk.hex, end={"date": "2026-03-11"})

    synced(owner)

    task.refresh_from_db()
    assert (task.due_on, task.version) == (date(2026, 3, 8), 1)
    assert event_of(fake_google, task)["end"] == {"date": "2026-03-09"}


# --- The owner's zone changes ---------------------------------------------------------------------


def test_a_change_of_the_owners_zone_rewrites_timed_events_and_leaves_all_day_ones(owner_in, fake_google):
    owner = owner_in("Europe/Berlin")
    meeting = timed(owner, utc(2026, 3, 10, 8), title="Meeting")
    birthday = all_day(owner, date(2026, 3, 12))
    synced(owner)
    birthday_etag = event_of(fake_google, birthday)["etag"]

    user_preferences_update(user=owner, changes={"timezone": "America/Los_Angeles"})
    result = calendar_sync(user_id=owner.pk)

    assert (result.updated, result.created) == (1, 0)
    event = event_of(fake_google, meeting)
    assert event["start"] == {"dateTime": "2026-03-10T01:00:00-07:00", "timeZone": "America/Los_Angeles"}
    assert event["end"] == {"dateTime": "2026-03-10T01:30:00-07:00", "timeZone": "America/Los_Angeles"}
    meeting.refresh_from_db()
    assert meeting.due_date == utc(2026, 3, 10, 8)  # the moment stays
    assert event_of(fake_google, birthday)["etag"] == birthday_etag  # the day stays: no call
    assert event_of(fake_google, birthday)["start"] == {"date": "2026-03-12"}
    birthday.refresh_from_db()
    assert birthday.due_at == day_end(date(2026, 3, 12), zone_named("America/Los_Angeles"))
    assert EventMapping.objects.get(task_id=meeting.pk).time_zone == "America/Los_Angeles"
    # and the next run has nothing to do
    before = writes(fake_google)
    assert calendar_sync(user_id=owner.pk) == type(result)()
    assert writes(fake_google) == before


def test_events_written_before_zones_were_synced_are_rewritten_in_the_owners_zone(owner_in, fake_google):
    """Mappings from before the migration say UTC (their events were written in it)."""
    owner = owner_in("Asia/Kolkata")
    task = timed(owner, utc(2026, 3, 10, 8))
    synced(owner)
    EventMapping.objects.filter(task_id=task.pk).update(time_zone="UTC", content_hash="0" * 64)

    assert calendar_sync(user_id=owner.pk).updated == 1

    assert event_of(fake_google, task)["start"]["timeZone"] == "Asia/Kolkata"
    assert EventMapping.objects.get(task_id=task.pk).time_zone == "Asia/Kolkata"


def test_an_unlinked_task_gets_no_event_back_from_a_zone_change_only_from_a_new_due(owner_in, fake_google):
    owner = owner_in("Europe/Berlin")
    meeting = timed(owner, utc(2026, 3, 10, 8), title="Meeting")
    birthday = all_day(owner, date(2026, 3, 12))
    synced(owner)
    fake_google.delete_event_in_google(meeting.pk.hex)
    fake_google.delete_event_in_google(birthday.pk.hex)
    assert calendar_sync(user_id=owner.pk).unlinked == 2

    user_preferences_update(user=owner, changes={"timezone": "Asia/Kolkata"})
    synced(owner)
    before = writes(fake_google)
    synced(owner)

    assert fake_google.live_events() == []
    assert writes(fake_google) == before
    assert EventMapping.objects.get(task_id=meeting.pk).time_zone == "Asia/Kolkata"  # passed by now
    # the same day as a timed due is a new due
    task_update(task=birthday, changes={"due_date": utc(2026, 3, 12, 6)})
    task_update(task=meeting, changes={"due_on": date(2026, 3, 10)})
    synced(owner)
    assert event_of(fake_google, birthday)["start"] == {
        "dateTime": "2026-03-12T11:30:00+05:30",
        "timeZone": "Asia/Kolkata",
    }
    assert event_of(fake_google, meeting)["start"] == {"date": "2026-03-10"}
    assert len(fake_google.live_events()) == 2


# --- The fake refuses what Google refuses ---------------------------------------------------------

TIMED = {"dateTime": "2026-03-10T09:00:00+01:00", "timeZone": "Europe/Berlin"}
TIMED_END = {"dateTime": "2026-03-10T09:30:00+01:00", "timeZone": "Europe/Berlin"}
DAY = {"date": "2026-03-10"}
NEXT_DAY = {"date": "2026-03-11"}

BAD_TIMES = [
    pytest.param({"date": "2026-03-10", **TIMED}, NEXT_DAY, "invalid", id="start-date-and-dateTime"),
    pytest.param(TIMED, {**TIMED_END, "date": "2026-03-10"}, "invalid", id="end-date-and-dateTime"),
    pytest.param({"timeZone": "Europe/Berlin"}, TIMED_END, "invalid", id="start-neither"),
    pytest.param(DAY, {}, "invalid", id="end-neither"),
    pytest.param(TIMED, None, "required", id="no-end"),
    pytest.param(None, TIMED_END, "required", id="no-start"),
    pytest.param(DAY, TIMED_END, "invalid", id="date-start-timed-end"),
    pytest.param(TIMED, NEXT_DAY, "invalid", id="timed-start-date-end"),
    pytest.param(DAY, DAY, "timeRangeEmpty", id="all-day-end-not-after-start"),
    pytest.param(NEXT_DAY, DAY, "timeRangeEmpty", id="all-day-end-before-start"),
    pytest.param(TIMED_END, TIMED, "timeRangeEmpty", id="timed-end-before-start"),
    pytest.param({**TIMED, "timeZone": "Mars/Olympus"}, TIMED_END, "invalid", id="unknown-zone"),
    pytest.param(TIMED, {**TIMED_END, "timeZone": "+01:00"}, "invalid", id="offset-as-zone"),
    pytest.param({"dateTime": "2026-03-10T09:00:00"}, TIMED_END, "required", id="no-offset-no-zone"),
    pytest.param({"date": "2026-3-10"}, NEXT_DAY, "invalid", id="bad-date"),
    pytest.param({"date": "2026-02-30"}, NEXT_DAY, "invalid", id="no-such-date"),
    pytest.param({"dateTime": "tomorrow", "timeZone": "UTC"}, TIMED_END, "invalid", id="bad-dateTime"),
]


def _times(start: dict[str, Any] | None, end: dict[str, Any] | None) -> dict[str, Any]:
    return {key: value for key, value in (("start", start), ("end", end)) if value is not None}


def _refused(fake: FakeGoogle, error: pytest.ExceptionInfo[GoogleApiError], reason: str) -> None:
    assert (error.value.status, error.value.reason) == (400, reason)
    assert len(fake.refused_times) == 1
    fake.refused_times.clear()


@pytest.mark.parametrize(("start", "end", "reason"), BAD_TIMES)
def test_the_fake_refuses_an_insert_with_times_google_refuses(integration, fake_google, start, end, reason):
    client = client_for(integration)

    with pytest.raises(GoogleApiError) as error:
        client.insert_event(body={"summary": "Bad", **_times(start, end)}, task_id=None)

    _refused(fake_google, error, reason)
    assert fake_google.events == {}


@pytest.mark.parametrize(("start", "end", "reason"), BAD_TIMES)
def test_the_fake_refuses_an_update_with_times_google_refuses(integration, fake_google, start, end, reason):
    client = client_for(integration)
    event = client.insert_event(body={"summary": "Good", "start": DAY, "end": NEXT_DAY}, task_id=None)
    update = client.service.events().update(
        calendarId="primary", eventId=event["id"], body={"summary": "Bad", **_times(start, end)}
    )

    with pytest.raises(GoogleApiError) as error:
        client._execute("events.update", lambda: update)

    _refused(fake_google, error, reason)
    assert fake_google.events[event["id"]]["summary"] == "Good"


@pytest.mark.parametrize(
    ("patch", "reason"),
    [
        ({"start": TIMED, "end": TIMED_END}, "invalid"),  # merged into the dates: both kinds
        ({"start": {"date": None, **TIMED}}, "invalid"),  # the end is still a date
        ({"end": {"date": "2026-03-09"}}, "timeRangeEmpty"),
        ({"start": {"date": None}, "end": {"date": None}}, "invalid"),
    ],
)
def test_the_fake_merges_a_patch_like_google_and_refuses_the_times_it_leaves(
    integration, fake_google, patch, reason
):
    client = client_for(integration)
    event = client.insert_event(body={"summary": "All day", "start": DAY, "end": NEXT_DAY}, task_id=None)

    with pytest.raises(GoogleApiError) as error:
        client.patch_event(event_id=event["id"], body=patch, task_id=None)

    _refused(fake_google, error, reason)
    assert fake_google.events[event["id"]]["start"] == DAY


def test_the_fake_keeps_the_shape_it_was_given_and_a_patch_with_nulls_switches_kinds(
    integration, fake_google
):
    client = client_for(integration)
    all_day_event = client.insert_event(
        body={
            "start": {**DAY, "dateTime": None},
            "end": NEXT_DAY,
            "extendedProperties": {"private": {"a": "1"}},
        },
        task_id=None,
    )
    assert (all_day_event["start"], all_day_event["end"]) == (DAY, NEXT_DAY)

    switched = client.patch_event(
        event_id=all_day_event["id"],
        body={
            "start": {"date": None, **TIMED},
            "end": {"date": None, **TIMED_END},
            "extendedProperties": {"private": {"b": "2"}},
        },
        task_id=None,
    )

    assert (switched["start"], switched["end"]) == (TIMED, TIMED_END)
    assert switched["extendedProperties"] == {"private": {"a": "1", "b": "2"}}
    update = client.service.events().update(
        calendarId="primary", eventId=switched["id"], body={"summary": "Whole", "start": DAY, "end": NEXT_DAY}
    )
    replaced = client._execute("events.update", lambda: update)
    assert (replaced["summary"], replaced["start"], replaced["end"]) == ("Whole", DAY, NEXT_DAY)
    assert "extendedProperties" not in replaced  # an update replaces the whole event


def test_the_fake_refuses_an_edit_in_google_that_google_would_refuse(integration, user, fake_google):
    task = task_for(user)
    calendar_sync(user_id=user.pk)

    with pytest.raises(BadEventTimes, match="both be date or both be dateTime"):
        fake_google.edit_event(task.pk.hex, start={"date": "2026-03-10"})

    assert "dateTime" in event_of(fake_google, task)["start"]


# --- Recurring tasks: the event is the current occurrence (SPEC §8, §12) -----------------------


def test_a_recurring_task_keeps_one_event_which_moves_when_the_task_advances(owner_in, fake_google):
    owner = owner_in("Europe/Berlin")
    task = timed(owner, utc(2026, 2, 2, 8), title="Stand-up")  # 09:00 in Berlin
    task_update(task=task, changes={"recurrence": {"rrule": "FREQ=DAILY"}})
    synced(owner)

    task_update(task=Task.objects.get(pk=task.pk), changes={"status": Status.DONE})
    synced(owner)
    task_update(task=Task.objects.get(pk=task.pk), changes={"status": Status.DONE})
    synced(owner)

    assert fake_google.calls.count("POST", "/events") == 1  # one insert, ever
    assert [event["id"] for event in fake_google.live_events()] == [event_id_for(task.pk)]
    assert event_of(fake_google, task)["start"]["dateTime"] == "2026-02-04T09:00:00+01:00"


def test_an_occurrence_moved_in_google_moves_only_that_occurrence(owner_in, fake_google):
    owner = owner_in("Europe/Berlin")
    task = timed(owner, utc(2026, 2, 2, 8), title="Stand-up")
    task = task_update(task=task, changes={"recurrence": {"rrule": "FREQ=DAILY"}})
    synced(owner)
    start = {"dateTime": "2026-02-02T11:00:00+01:00", "timeZone": "Europe/Berlin"}
    fake_google.edit_event(task.pk.hex, start=start, end={**start, "dateTime": "2026-02-02T11:30:00+01:00"})

    synced(owner)

    moved = Task.objects.get(pk=task.pk)
    assert moved.due_date == utc(2026, 2, 2, 10)
    assert moved.recurrence is not None and moved.recurrence["start"] == task.recurrence["start"]
    completed = task_update(task=moved, changes={"status": Status.DONE})
    assert completed.due_date == utc(2026, 2, 3, 8)  # the rule's 09:00 again the next day

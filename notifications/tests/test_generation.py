"""Generation (SPEC §7): thresholds, types and boundaries at exact instants, messages in the
user's time zone, what never notifies, and one failing user not stopping the run."""

import logging
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from notifications.models import EmailStatus, Notification, NotificationRun, NotificationType
from notifications.services import _insert, notifications_generate
from notifications.tests.conftest import NOW
from notifications.tests.factories import make_task, make_user
from projects.tests.factories import ProjectFactory
from tasks.models import Status, Task
from tasks.services import task_delete, task_update

pytestmark = pytest.mark.django_db

DEADLINE = NotificationType.DEADLINE_APPROACHING
OVERDUE = NotificationType.OVERDUE
REMINDER = NotificationType.REMINDER
SECOND = timedelta(seconds=1)


def made() -> list[tuple[str, int, object]]:
    return sorted((n.task.title, n.type, n.due_at) for n in Notification.objects.select_related("task"))


@pytest.mark.parametrize(
    ("threshold", "due_in", "expected"),
    [
        ("24h", timedelta(hours=24), [DEADLINE]),
        ("24h", timedelta(hours=24) + SECOND, []),
        ("48h", timedelta(hours=24) + SECOND, [DEADLINE]),
        ("48h", timedelta(hours=48), [DEADLINE]),
        ("48h", timedelta(hours=48) + SECOND, []),
        ("1w", timedelta(days=7), [DEADLINE]),
        ("1w", timedelta(days=7) + SECOND, []),
        ("24h", timedelta(0), [DEADLINE]),  # now <= due moment: still approaching, not overdue
        ("24h", -SECOND, [OVERDUE]),  # due moment < now
        ("1w", -SECOND, [OVERDUE]),
        ("24h", -timedelta(days=7), [OVERDUE]),  # the oldest overdue date still notified
        ("24h", -timedelta(days=7) - SECOND, []),  # older: past NOTIFICATIONS_LOOKBACK
    ],
)
def test_deadline_and_overdue_at_the_boundaries(frozen, threshold, due_in, expected):
    user = make_user(deadline_threshold=threshold)
    task = make_task(user=user, due_date=NOW + due_in)

    run = notifications_generate()

    assert [(n.task_id, n.type, n.due_at) for n in Notification.objects.all()] == [
        (task.pk, notification_type, NOW + due_in) for notification_type in expected
    ]
    assert run.created_count == len(expected)


def test_messages_name_task_project_and_due_time_in_the_users_zone(frozen):
    berlin = make_user(timezone="Europe/Berlin", deadline_threshold="1w")
    new_york = make_user(timezone="America/New_York")
    tokyo = make_user(timezone="Asia/Tokyo")
    make_task(user=berlin, title="Berlin report", due_date=NOW + timedelta(hours=1))
    make_task(user=new_york, title="NY report", due_date=NOW - timedelta(hours=2))
    make_task(user=tokyo, title="Tokyo report", due_date=NOW + timedelta(hours=16), remind_at=NOW)

    notifications_generate()

    assert sorted(Notification.objects.values_list("user__email", "message")) == sorted(
        [
            (berlin.email, '"Berlin report" in Work is due Mon 7 Dec 10:00 CET.'),
            (new_york.email, '"NY report" in Work is overdue: it was due Mon 7 Dec 01:00 EST.'),
            # 16:00 UTC is already Tuesday in Tokyo.
            (tokyo.email, '"Tokyo report" in Work is due Tue 8 Dec 09:00 JST.'),
            (tokyo.email, 'Reminder: "Tokyo report" in Work (due Tue 8 Dec 09:00 JST).'),
        ]
    )


def test_summer_time_is_applied(frozen):
    user = make_user(timezone="Europe/Berlin", deadline_threshold="1w")
    frozen.move_to(NOW.replace(month=7), tick=False)
    make_task(user=user, title="Summer", due_date=NOW.replace(month=7) + timedelta(hours=3))

    notifications_generate()

    assert Notification.objects.get(task__title="Summer").message == (
        '"Summer" in Work is due Tue 7 Jul 13:00 CEST.'
    )


@pytest.mark.parametrize("disabled", ["DEADLINE_APPROACHING", "OVERDUE", "REMINDER"])
def test_a_disabled_type_produces_nothing_and_the_others_still_do(frozen, disabled):
    user = make_user(notification_types={disabled: False})
    make_task(user=user, title="soon", due_date=NOW + timedelta(hours=1))
    make_task(user=user, title="late", due_date=NOW - timedelta(hours=1))
    make_task(user=user, title="remind", remind_at=NOW - timedelta(minutes=1))

    notifications_generate()

    produced = {NotificationType(n.type).label for n in Notification.objects.all()}
    assert produced == {"DEADLINE_APPROACHING", "OVERDUE", "REMINDER"} - {disabled}


def test_done_tasks_never_notify(frozen):
    user = make_user()
    make_task(user=user, title="soon", due_date=NOW + timedelta(hours=1), status=Status.DONE)
    make_task(user=user, title="late", due_date=NOW - timedelta(hours=1), status=Status.DONE)
    make_task(user=user, title="remind", remind_at=NOW, status=Status.DONE)

    run = notifications_generate()

    assert Notification.objects.count() == 0
    assert run.created_count == 0


def test_archived_projects_and_inactive_users_do_not_notify(frozen):
    archived_owner = make_user()
    archived = ProjectFactory(owner=archived_owner, archived=True)
    make_task(project=archived, due_date=NOW + timedelta(hours=1))
    inactive = make_user()
    make_task(user=inactive, due_date=NOW - timedelta(hours=1))
    User.objects.filter(pk=inactive.pk).update(is_active=False)

    notifications_generate()

    assert Notification.objects.count() == 0


def test_each_notification_is_made_once_and_a_new_due_date_earns_new_ones(frozen):
    user = make_user()
    task = make_task(user=user, due_date=NOW + timedelta(hours=2))

    first = notifications_generate()
    frozen.shift(3600)
    second = notifications_generate()
    assert (first.created_count, second.created_count) == (1, 0)

    new_due = NOW + timedelta(hours=5)
    task_update(task=task, changes={"due_date": new_due})
    third = notifications_generate()
    frozen.shift(5 * 3600)  # now past the new due date
    fourth = notifications_generate()

    assert (third.created_count, fourth.created_count) == (1, 1)
    assert made() == [
        ("Write report", DEADLINE, NOW + timedelta(hours=2)),
        ("Write report", DEADLINE, new_due),
        ("Write report", OVERDUE, new_due),
    ]


def test_a_reminder_fires_once_at_its_time(frozen):
    user = make_user()
    remind_at = NOW + timedelta(minutes=10)
    make_task(user=user, title="No due date", remind_at=remind_at)

    early = notifications_generate(kind=NotificationRun.Kind.REMINDERS)
    frozen.shift(10 * 60 - 1)
    still_early = notifications_generate(kind=NotificationRun.Kind.REMINDERS)
    frozen.shift(1)
    on_time = notifications_generate(kind=NotificationRun.Kind.REMINDERS)
    frozen.shift(3600)
    hourly = notifications_generate()

    assert [r.created_count for r in (early, still_early, on_time, hourly)] == [0, 0, 1, 0]
    reminder = Notification.objects.get()
    assert (reminder.type, reminder.due_at, reminder.message) == (
        REMINDER,
        remind_at,
        'Reminder: "No due date" in Work.',
    )


def test_the_reminders_job_makes_only_reminders(frozen):
    user = make_user()
    make_task(user=user, title="late", due_date=NOW - timedelta(hours=1), remind_at=NOW)

    run = notifications_generate(kind=NotificationRun.Kind.REMINDERS)

    assert run.kind == "reminders"
    assert list(Notification.objects.values_list("type", flat=True)) == [REMINDER]


def test_email_status_follows_preferences_and_verification(frozen):
    on = make_user()
    off = make_user(email_notifications=False)
    unverified = make_user(verified=False)
    for user in (on, off, unverified):
        make_task(user=user, due_date=NOW + timedelta(hours=1))

    run = notifications_generate()

    rows = {n.user_id: (n.email_status, n.email_reason) for n in Notification.objects.all()}
    assert rows == {
        on.pk: (EmailStatus.PENDING, ""),
        off.pk: (EmailStatus.SKIPPED, "e-mail notifications are off"),
        unverified.pk: (EmailStatus.SKIPPED, "e-mail address not verified"),
    }
    assert run.emails_queued == 1


def test_email_is_queued_only_after_commit(frozen, django_capture_on_commit_callbacks, mailoutbox):
    user = make_user()
    make_task(user=user, due_date=NOW + timedelta(hours=1))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notifications_generate()
    assert len(mailoutbox) == 0
    assert len(callbacks) == 1

    callbacks[0]()

    assert [m.to for m in mailoutbox] == [[user.email]]
    assert Notification.objects.get().email_status == EmailStatus.SENT


def test_one_failing_user_is_logged_and_recorded_and_the_rest_go_on(frozen, caplog):
    broken = make_user()
    broken_task = make_task(user=broken, due_date=NOW + timedelta(hours=1))
    # Preferences edited by hand in the admin, which the API would have refused.
    User.objects.filter(pk=broken.pk).update(preferences={"deadline_threshold": "12h"})
    fine = make_user()
    fine_task = make_task(user=fine, due_date=NOW + timedelta(hours=1))

    with caplog.at_level(logging.ERROR, logger="notifications.services"):
        run = notifications_generate()

    assert list(Notification.objects.values_list("task_id", flat=True)) == [fine_task.pk]
    run.refresh_from_db()
    assert (run.status, run.created_count, run.error_count) == ("succeeded", 1, 1)
    assert run.errors[0]["user_id"] == str(broken.pk)
    assert run.errors[0]["task_ids"] == [str(broken_task.pk)]
    assert "deadline_threshold" in run.errors[0]["error"]
    assert f"user_id={broken.pk}" in caplog.text
    assert str(broken_task.pk) in caplog.text


def test_preferences_that_are_not_an_object_fail_only_that_user(frozen):
    broken = make_user()
    make_task(user=broken, due_date=NOW - timedelta(hours=1))
    User.objects.filter(pk=broken.pk).update(preferences=["not", "an", "object"])
    fine = make_user()
    make_task(user=fine, due_date=NOW - timedelta(hours=1))

    run = notifications_generate()

    assert run.error_count == 1
    assert list(Notification.objects.values_list("user_id", flat=True)) == [fine.pk]


def insert_as_a_run_does(rows: list[Notification]) -> tuple[list[Notification], list[dict]]:
    errors: list[dict] = []
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        created = _insert(rows, errors)
    return created, errors


def test_rows_whose_task_was_deleted_meanwhile_are_dropped_and_the_rest_go_in(frozen):
    first, second = make_user(), make_user()
    kept = make_task(user=first, due_date=NOW + timedelta(hours=1))
    also_kept = make_task(user=second, due_date=NOW + timedelta(hours=2))
    vanishing = make_task(user=second, due_date=NOW + timedelta(hours=1))
    rows = [
        Notification(user=user, task=task, type=DEADLINE, due_at=task.due_date, message="m")
        for user, task in ((first, kept), (second, also_kept), (second, vanishing))
    ]
    task_delete(task=vanishing)  # after the candidates were read, before the insert

    created, errors = insert_as_a_run_does(rows)

    assert {row.task_id for row in created} == {kept.pk, also_kept.pk}
    assert errors == []
    assert set(Notification.objects.values_list("task_id", flat=True)) == {kept.pk, also_kept.pk}


def test_any_other_bad_row_costs_only_its_users_notifications(frozen):
    first, second = make_user(), make_user()
    kept = make_task(user=first, due_date=NOW + timedelta(hours=1))
    other = make_task(user=second, due_date=NOW + timedelta(hours=1))
    rows = [
        Notification(user=first, task=kept, type=DEADLINE, due_at=kept.due_date, message="m"),
        Notification(user=second, task=other, type=99, due_at=other.due_date, message="m"),  # a bug
    ]

    created, errors = insert_as_a_run_does(rows)

    assert [row.task_id for row in created] == [kept.pk]
    assert [(e["user_id"], e["task_ids"]) for e in errors] == [(str(second.pk), [str(other.pk)])]
    assert "notif_type_valid" in errors[0]["error"]
    assert list(Notification.objects.values_list("task_id", flat=True)) == [kept.pk]


def test_a_deleted_task_keeps_its_notifications_without_a_task(frozen):
    user = make_user()
    task = make_task(user=user, due_date=NOW - timedelta(hours=1))
    notifications_generate()

    task_delete(task=task)

    notification = Notification.objects.get()
    assert notification.task_id is None
    assert notification.message == '"Write report" in Work is overdue: it was due Mon 7 Dec 07:00 UTC.'


def test_generation_is_set_based_the_same_queries_for_5_or_50_tasks(frozen):
    def queries_for(count: int) -> int:
        Task.objects.all().delete()
        users = [make_user(deadline_threshold="1w") for _ in range(count // 5)]
        for index in range(count):
            make_task(user=users[index % len(users)], due_date=NOW + timedelta(hours=1 + index))
        with CaptureQueriesContext(connection) as queries:
            run = notifications_generate()
        assert run.created_count == count
        return len(queries)

    assert queries_for(5) == queries_for(50)


def test_each_run_is_recorded(frozen):
    user = make_user()
    make_task(user=user, due_date=NOW + timedelta(hours=1))
    make_task(user=user, due_date=NOW - timedelta(hours=1))

    run = notifications_generate()

    stored = NotificationRun.objects.get(pk=run.pk)
    assert (stored.kind, stored.status, stored.started_at, stored.finished_at) == (
        "hourly",
        "succeeded",
        NOW,
        NOW,
    )
    assert (stored.created_count, stored.emails_queued, stored.error_count, stored.errors) == (2, 2, 0, [])


def test_the_management_command_runs_once_and_reports(frozen, capsys):
    user = make_user()
    make_task(user=user, due_date=NOW + timedelta(hours=1))

    call_command("generate_notifications")

    assert Notification.objects.count() == 1
    run = NotificationRun.objects.get()
    assert capsys.readouterr().out.strip() == (
        f"Run {run.pk} (hourly): 1 notification(s) created, 1 e-mail(s) queued, 0 error(s)."
    )


def test_the_management_command_fails_when_a_user_failed(frozen, capsys):
    broken = make_user()
    make_task(user=broken, due_date=NOW + timedelta(hours=1))
    User.objects.filter(pk=broken.pk).update(preferences={"timezone": "Mars/Olympus"})

    call_command("generate_notifications", "--reminders-only")  # nothing to remind: no failure
    with pytest.raises(CommandError, match="1 user"):
        call_command("generate_notifications")

    assert str(broken.pk) in capsys.readouterr().err

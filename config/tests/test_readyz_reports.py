"""/readyz reports, without failing, when the hourly notification run last succeeded more
than two hours ago (a stalled beat)."""

from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from notifications.models import NotificationRun

pytestmark = pytest.mark.django_db


def succeeded_run(*, finished_ago: timedelta, kind: str = "hourly", status: str = "succeeded") -> None:
    finished = timezone.now() - finished_ago
    NotificationRun.objects.create(kind=kind, status=status, started_at=finished, finished_at=finished)


def generation_report() -> tuple[int, dict]:
    response = Client().get("/readyz")
    return response.status_code, response.json()["reports"]["notification_generation"]


def test_a_recent_run_is_ok(clock):
    succeeded_run(finished_ago=timedelta(hours=2))

    status, report = generation_report()

    assert status == 200
    assert report == {
        "status": "ok",
        "last_success": (timezone.now() - timedelta(hours=2)).isoformat(),
        "stale_after_seconds": 7200,
    }


def test_a_run_older_than_two_hours_is_reported_but_ready(clock):
    succeeded_run(finished_ago=timedelta(hours=2, seconds=1))
    succeeded_run(finished_ago=timedelta(minutes=1), kind="reminders")
    succeeded_run(finished_ago=timedelta(minutes=1), status="failed")

    status, report = generation_report()

    assert status == 200
    assert report["status"] == "stale"
    assert report["last_success"] == (timezone.now() - timedelta(hours=2, seconds=1)).isoformat()


def test_no_run_at_all_is_reported_as_stale():
    status, report = generation_report()

    assert status == 200
    assert report == {"status": "stale", "last_success": None, "stale_after_seconds": 7200}


def test_a_failing_report_does_not_break_the_probe():
    with override_settings(READYZ_REPORTS={"broken": "config.tests.no_such_module.report"}):
        response = Client().get("/readyz")

    assert response.status_code == 200
    assert response.json()["reports"] == {"broken": {"status": "unknown"}}

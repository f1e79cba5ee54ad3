"""The system as ops run it: gunicorn, a Celery worker and beat as real processes on PostgreSQL
and Redis, driven over HTTP from registration to logout."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from system_tests.conftest import scratch_name, shared_server_url
from system_tests.support import (
    Processes,
    RedisServer,
    django_env,
    emails_to,
    manage,
    scratch_database,
    start_beat,
    start_web,
    start_worker,
    text_part,
    token_from,
    wait_until,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PASSWORD = "Sturdy-Passw0rd!"


def test_a_user_goes_from_registration_to_a_deadline_notification_and_logs_out(
    processes: Processes, redis_server: RedisServer, email_dir: Path
) -> None:
    with scratch_database(shared_server_url(), scratch_name("e2e")) as database_url:
        try:
            # Given the release step and the three processes of the Procfile, beat generating every 2 s
            env = django_env(
                database_url=database_url,
                redis_url=redis_server.url(0),
                broker_url=redis_server.url(1),
                email_dir=email_dir,
                NOTIFICATIONS_GENERATE_EVERY_SECONDS="2",
            )
            manage(env, "migrate", "--noinput")
            start_worker(processes, env)
            start_beat(processes, env)
            base = start_web(processes, env)
            api = httpx.Client(base_url=f"{base}/api/v1", timeout=10)
            assert httpx.get(f"{base}/readyz", timeout=10).json()["checks"] == {
                "database": "ok",
                "cache": "ok",
                "broker": "ok",
            }

            # When a user registers, the worker mails the verification link
            email = "e2e-user@example.com"
            response = api.post(
                "/auth/register", json={"email": email, "username": "e2e", "password": PASSWORD}
            )
            assert response.status_code == 201, response.text
            verification = wait_until(
                lambda: emails_to(email_dir, email), timeout=30, what="the verification e-mail"
            )
            assert len(verification) == 1
            assert "verify-email?token=" in text_part(verification[0])

            # and the link's token verifies the address; login gives a token pair
            response = api.post("/auth/verify-email", json={"token": token_from(verification[0])})
            assert response.status_code == 200, response.text
            tokens = api.post("/auth/login", json={"email": email, "password": PASSWORD}).json()
            assert tokens["token_type"] == "Bearer"
            api.headers["Authorization"] = f"Bearer {tokens['access_token']}"
            assert api.get("/users/me").json()["email_verified"] is True

            # A project with three tasks; one is due within the default 24 h threshold
            project = api.post("/projects", json={"name": "Launch"}).json()
            due = (datetime.now(UTC) + timedelta(hours=3)).isoformat()
            soon = api.post(
                f"/projects/{project['id']}/tasks", json={"title": "Ship it", "due_date": due}
            ).json()
            write = api.post(f"/projects/{project['id']}/tasks", json={"title": "Write notes"}).json()
            review = api.post(f"/projects/{project['id']}/tasks", json={"title": "Review"}).json()
            assert [soon["position"], write["position"], review["position"]] == [0, 1, 2]

            # moved on the board: one to IN_PROGRESS (with its version), two to DONE in one bulk call
            moved = api.patch(
                f"/tasks/{soon['id']}", json={"status": "IN_PROGRESS", "version": soon["version"]}
            )
            assert moved.status_code == 200, moved.text
            assert (moved.json()["status"], moved.json()["position"], moved.json()["version"]) == (
                "IN_PROGRESS",
                0,
                2,
            )
            stale = api.patch(f"/tasks/{soon['id']}", json={"status": "TODO", "version": soon["version"]})
            assert stale.status_code == 409
            bulk = api.post(
                "/tasks/bulk-update",
                json={
                    "updates": [{"id": write["id"], "status": "DONE"}, {"id": review["id"], "status": "DONE"}]
                },
            )
            assert bulk.status_code == 200, bulk.text
            board = api.get(f"/projects/{project['id']}/tasks").json()["results"]
            assert [(task["title"], task["status"], task["position"]) for task in board] == [
                ("Ship it", "IN_PROGRESS", 0),
                ("Write notes", "DONE", 0),
                ("Review", "DONE", 1),
            ]

            # the dashboard counts them
            dashboard = api.get("/dashboard/statistics").json()
            assert dashboard["task_counts"] == {"todo": 0, "in_progress": 1, "done": 2}
            assert dashboard["completion_rate"] == 0.67
            assert dashboard["overdue_count"] == 0
            assert [task["id"] for task in dashboard["upcoming_tasks"]] == [soon["id"]]

            # Then beat's generation makes one deadline notification, and the worker mails it
            notifications = wait_until(
                lambda: api.get("/notifications").json()["results"],
                timeout=30,
                what="the deadline notification",
            )
            assert [(n["type"], n["task_id"], n["read"]) for n in notifications] == [
                ("DEADLINE_APPROACHING", soon["id"], False)
            ]
            assert "Ship it" in notifications[0]["message"]
            wait_until(
                lambda: len(emails_to(email_dir, email)) == 2, timeout=30, what="the notification e-mail"
            )
            assert "Ship it" in text_part(emails_to(email_dir, email)[1])
            # several more beat runs later there is still exactly one
            runs_before = succeeded_runs(env)
            wait_until(lambda: succeeded_runs(env) >= runs_before + 2, timeout=20, what="two more beat runs")
            assert api.get("/notifications/unread-count").json() == {"count": 1}

            # Logging out ends the refresh token
            assert (
                api.post("/auth/logout", json={"refresh_token": tokens["refresh_token"]}).status_code == 204
            )
            refused = api.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
            assert refused.status_code == 401
            assert refused.json()["code"] == "token_not_valid"
        finally:
            # before the database is dropped
            processes.stop_all()


def succeeded_runs(env: dict[str, str]) -> int:
    script = (
        "from notifications.models import NotificationRun; "
        "print(NotificationRun.objects.filter(status=NotificationRun.Status.SUCCEEDED).count())"
    )
    return int(manage(env, "shell", "-c", script).split()[-1])

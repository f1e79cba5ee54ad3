"""Faults with real servers: Redis stopped, PostgreSQL restarted under a running server, a
worker killed mid-task, two beats. Throwaway redis-server and PostgreSQL clusters stand in
for the shared ones, which are never stopped."""

import time
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import httpx
import psycopg
import pytest
from celery import Celery
from django.db import connection, transaction
from django.utils import timezone

from accounts.tests.factories import UserFactory
from notifications.models import Notification, NotificationRun, NotificationType
from projects.models import Project
from projects.tests.factories import ProjectFactory
from system_tests.conftest import database_url, scratch_name, shared_server_url
from system_tests.support import (
    PostgresCluster,
    Processes,
    RedisServer,
    django_env,
    emails_to,
    manage,
    scratch_database,
    start_beat,
    start_web,
    start_worker,
    wait_until,
    worker_ready,
)
from tasks.tests.factories import make_task

pytestmark = pytest.mark.slow

PASSWORD = "Sturdy-Passw0rd!"


def register_and_login(api: httpx.Client, email: str) -> dict[str, Any]:
    response = api.post(
        "/auth/register", json={"email": email, "username": email.split("@")[0], "password": PASSWORD}
    )
    assert response.status_code == 201, response.text
    response = api.post("/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"id": None, **response.json()}


def test_with_redis_stopped_the_api_serves_and_the_outbox_delivers_the_emails_once_it_is_back(
    processes: Processes, redis_server: RedisServer, email_dir: Path
) -> None:
    with scratch_database(shared_server_url(), scratch_name("redis_fault")) as database_url:
        try:
            env = django_env(
                database_url=database_url,
                redis_url=redis_server.url(0),
                broker_url=redis_server.url(1),
                email_dir=email_dir,
            )
            manage(env, "migrate", "--noinput")
            base = start_web(processes, env)
            start_worker(processes, env)
            wait_until(lambda: worker_ready(processes, "worker"), timeout=30, what="the worker")
            api = httpx.Client(base_url=f"{base}/api/v1", timeout=10)
            tokens = register_and_login(api, "before@example.com")
            wait_until(lambda: emails_to(email_dir, "before@example.com"), timeout=30, what="an e-mail")
            api.headers["Authorization"] = f"Bearer {tokens['access_token']}"

            # Given Redis (cache and broker) stopped
            redis_server.stop()

            # Then reads and writes still work, the cache and throttles bypassed, and quickly
            started = time.monotonic()
            project = api.post("/projects", json={"name": "Offline"})
            assert project.status_code == 201, project.text
            task = api.post(f"/projects/{project.json()['id']}/tasks", json={"title": "Still here"})
            assert task.status_code == 201, task.text
            assert (
                api.patch(f"/tasks/{task.json()['id']}", json={"status": "DONE"}).json()["status"] == "DONE"
            )
            assert [p["name"] for p in api.get("/projects").json()["results"]] == ["Offline"]
            assert api.get("/dashboard/statistics").json()["task_counts"] == {
                "todo": 0,
                "in_progress": 0,
                "done": 1,
            }
            assert time.monotonic() - started < 10

            # and /readyz names what is down
            ready = httpx.get(f"{base}/readyz", timeout=10)
            assert ready.status_code == 503
            assert ready.json()["checks"] == {"database": "ok", "cache": "down", "broker": "down"}
            assert ready.json()["detail"] == "Unavailable: broker, cache."

            # When someone registers meanwhile, the verification e-mail waits in the outbox
            newcomer = httpx.Client(base_url=f"{base}/api/v1", timeout=10)
            register_and_login(newcomer, "during@example.com")
            with psycopg.connect(database_url) as db:
                rows = db.execute(
                    "SELECT task_name, sent_at, attempts, last_error FROM outbox_outboxmessage "
                    "WHERE args = (SELECT jsonb_build_array(id::text) FROM accounts_user "
                    "WHERE email = 'during@example.com')"
                ).fetchall()
            assert len(rows) == 1
            assert rows[0][:3] == ("accounts.tasks.send_verification_email_task", None, 1)
            assert rows[0][3] != ""

            # and once Redis is back (the worker reconnects by itself), the relay delivers it, once
            redis_server.start()
            assert httpx.get(f"{base}/readyz", timeout=10).status_code == 200
            assert "Published 1 outbox message(s)." in manage(env, "relay_outbox", "--min-age", "0")
            wait_until(lambda: emails_to(email_dir, "during@example.com"), timeout=30, what="the e-mail")
            assert "Published 0 outbox message(s)." in manage(env, "relay_outbox", "--min-age", "0")
            time.sleep(1)
            assert len(emails_to(email_dir, "during@example.com")) == 1
        finally:
            processes.stop_all()


def test_postgres_restarted_under_a_running_server_answers_503_then_recovers_without_a_restart(
    processes: Processes, redis_server: RedisServer, postgres_cluster: PostgresCluster, email_dir: Path
) -> None:
    env = django_env(
        database_url=postgres_cluster.url,
        redis_url=redis_server.url(0),
        broker_url=redis_server.url(1),
        email_dir=email_dir,
    )
    manage(env, "migrate", "--noinput")
    base = start_web(processes, env)
    api = httpx.Client(base_url=f"{base}/api/v1", timeout=20)
    tokens = register_and_login(api, "pg-user@example.com")
    api.headers["Authorization"] = f"Bearer {tokens['access_token']}"
    assert api.post("/projects", json={"name": "Kept"}).status_code == 201

    # Given PostgreSQL stopped under the running server
    postgres_cluster.stop()

    # Then requests answer 503 with the error body, quickly, on every web worker
    for _ in range(4):
        started = time.monotonic()
        for response in (api.get("/projects"), api.post("/projects", json={"name": "Lost"})):
            assert response.status_code == 503, response.text
            assert response.json() == {
                "code": "service_unavailable",
                "detail": response.json()["detail"],
                "errors": {},
            }
            assert response.headers["Retry-After"] == "5"
        assert time.monotonic() - started < 8
    assert httpx.get(f"{base}/healthz", timeout=10).status_code == 200
    ready = httpx.get(f"{base}/readyz", timeout=10)
    assert (ready.status_code, ready.json()["checks"]["database"]) == (503, "down")

    # When it is back, the same processes serve again at once
    postgres_cluster.start()
    for _ in range(4):
        response = api.get("/projects")
        assert response.status_code == 200, response.text
        assert [project["name"] for project in response.json()["results"]] == ["Kept"]
    assert httpx.get(f"{base}/readyz", timeout=10).status_code == 200


def database_url_of_the_test_database() -> str:
    return database_url(connection.settings_dict, connection.settings_dict["NAME"])


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_generation_has_the_run_redelivered_and_nothing_duplicated(
    processes: Processes, redis_server: RedisServer, email_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a task due within the threshold, and a worker whose unacknowledged messages come
    # back after 2 seconds
    owner = UserFactory()
    task = make_task(
        project=cast(Project, ProjectFactory(owner=owner)),
        title="Due soon",
        due_date=timezone.now() + timedelta(hours=3),
    )
    env = django_env(
        database_url=database_url_of_the_test_database(),
        redis_url=redis_server.url(0),
        broker_url=redis_server.url(1),
        email_dir=email_dir,
        CELERY_BROKER_VISIBILITY_TIMEOUT="2",
    )
    first = start_worker(processes, env, name="first-worker")
    wait_until(lambda: worker_ready(processes, "first-worker"), timeout=30, what="the first worker")
    monkeypatch.delenv("CELERY_BROKER_URL")  # Celery prefers it to the broker given here
    producer = Celery(broker=redis_server.url(1))

    # When the worker is SIGKILLed while its run waits on the notifications table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE notifications_notification IN EXCLUSIVE MODE")
        producer.send_task("notifications.tasks.generate_notifications_task")

        def run_blocked() -> bool:
            with psycopg.connect(database_url_of_the_test_database()) as db:
                return bool(
                    db.execute(
                        "SELECT count(*) FROM pg_locks WHERE NOT granted "
                        "AND relation = 'notifications_notification'::regclass"
                    ).fetchone()[0]  # type: ignore[index]
                )

        wait_until(run_blocked, timeout=30, what="the run to wait on the lock")
        processes.kill(first)
    assert NotificationRun.objects.filter(status=NotificationRun.Status.SUCCEEDED).count() == 0

    # Then another worker gets the message again and completes the run: one notification
    start_worker(processes, env, name="second-worker")
    wait_until(
        lambda: NotificationRun.objects.filter(status=NotificationRun.Status.SUCCEEDED).exists(),
        timeout=40,
        what="the redelivered run",
    )
    time.sleep(3)  # past another visibility timeout: the acknowledged message stays done
    assert NotificationRun.objects.filter(status=NotificationRun.Status.SUCCEEDED).count() == 1
    # the killed attempt's run stays "running" (admin shows it); its insert was rolled back
    assert NotificationRun.objects.filter(status=NotificationRun.Status.RUNNING).count() == 1
    assert list(Notification.objects.values_list("task_id", "type")) == [
        (task.pk, NotificationType.DEADLINE_APPROACHING)
    ]


@pytest.mark.django_db(transaction=True)
def test_two_beats_started_by_mistake_make_no_duplicate_notifications(
    processes: Processes, redis_server: RedisServer, email_dir: Path
) -> None:
    # Given tasks due soon and overdue, and two beats sending generation every second
    owner = UserFactory()
    project = cast(Project, ProjectFactory(owner=owner))
    soon = make_task(project=project, title="Soon", due_date=timezone.now() + timedelta(hours=2))
    late = make_task(project=project, title="Late", due_date=timezone.now() - timedelta(hours=2))
    env = django_env(
        database_url=database_url_of_the_test_database(),
        redis_url=redis_server.url(0),
        broker_url=redis_server.url(1),
        email_dir=email_dir,
        NOTIFICATIONS_GENERATE_EVERY_SECONDS="1",
    )
    start_worker(processes, env, concurrency=2)
    start_beat(processes, env, name="beat-one")
    start_beat(processes, env, name="beat-two")

    # When they have run generation several times, runs overlapping
    wait_until(
        lambda: NotificationRun.objects.filter(status=NotificationRun.Status.SUCCEEDED).count() >= 6,
        timeout=60,
        what="six generation runs",
    )
    processes.stop_all()
    for beat in ("beat-one", "beat-two"):
        sent = (
            (processes.log_dir / f"{beat}.log").read_text().count("Sending due task notifications-generate")
        )
        assert sent >= 2, f"{beat} sent generation {sent} time(s)"

    # Then each notification exists once
    assert sorted(Notification.objects.values_list("task__title", "type")) == [
        ("Late", NotificationType.OVERDUE),
        ("Soon", NotificationType.DEADLINE_APPROACHING),
    ]
    assert {soon.pk, late.pk} == set(Notification.objects.values_list("task_id", flat=True))
    assert NotificationRun.objects.filter(status=NotificationRun.Status.FAILED).count() == 0

"""Concurrent kanban writes on PostgreSQL with real threads (SPEC §5): columns stay 0..n-1 for
every reader at every moment, optimistic locking loses no update silently (a task's version is
1 + the successful calls that changed it), and the lock order leaves no deadlock — through the
service layer, through HTTP against a real threaded server, and for bulk updates that list the
same tasks in opposite orders."""

import random
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from django.db import connection

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from config.errors import NotFound
from projects.services import project_delete
from projects.tests.factories import ProjectFactory
from tasks.models import Status, Task
from tasks.services import TaskVersionConflict, task_update, tasks_bulk_update
from tasks.tests.factories import make_task

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

COLUMNS = (Status.TODO, Status.IN_PROGRESS, Status.DONE)
JOIN_TIMEOUT = 60
STALE_SHARE = 0.15


@dataclass(frozen=True)
class Call:
    """One update as a client saw it: the version it sent and what came back."""

    task_id: uuid.UUID
    sent_version: int
    applied: bool
    # The stored version after the call: the returned task's when applied, else the conflict's.
    version_after: int
    # The version read just before; the sent one differs when it was made stale on purpose.
    version_read: int

    @property
    def changed(self) -> bool:
        return self.applied and self.version_after == self.sent_version + 1

    @property
    def lost_a_race(self) -> bool:
        """Refused although it sent what it had just read: another writer came in between."""
        return not self.applied and self.sent_version == self.version_read


def run_together(workers: list[Callable[[], None]]) -> list[BaseException]:
    """Runs the workers in threads released at one moment by a barrier; returns what they
    raised. Each thread closes its own database connection."""
    barrier = threading.Barrier(len(workers))
    errors: list[BaseException] = []

    def run(worker: Callable[[], None]) -> None:
        try:
            barrier.wait()
            worker()
        except Exception as exc:  # noqa: BLE001 - the test reports every error a thread met
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(worker,), daemon=True) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a thread hangs: a lock is never released"
    return errors


def board(project_id: Any) -> dict[int, list[tuple[uuid.UUID, int]]]:
    return {
        status: list(
            Task.objects.filter(project_id=project_id, status=status)
            .order_by("place__position")
            .values_list("id", "place__position")
        )
        for status in COLUMNS
    }


def assert_columns_dense(project_id: Any) -> None:
    for status, column in board(project_id).items():
        assert [position for _, position in column] == list(range(len(column))), Status(status).label


def assert_no_update_lost(calls: list[Call], task_ids: list[uuid.UUID]) -> None:
    """Each task's version is 1 + the calls that reported changing it, and those calls got the
    versions 2..final once each: no two writers both won the same version."""
    versions = dict(Task.objects.filter(pk__in=task_ids).values_list("id", "version"))
    for task_id in task_ids:
        won = sorted(call.version_after for call in calls if call.task_id == task_id and call.changed)
        assert versions[task_id] == 1 + len(won), f"task {task_id}"
        assert won == list(range(2, versions[task_id] + 1)), f"task {task_id}"
    for call in calls:
        if call.applied:
            assert call.version_after in (call.sent_version, call.sent_version + 1)
        else:
            assert call.version_after != call.sent_version


def sent_version(rng: random.Random, version: int) -> int:
    """The version just read, or now and then a stale one on purpose."""
    if rng.random() >= STALE_SHARE:
        return version
    return version - 1 if version > 1 else version + 1


def random_changes(rng: random.Random, status: int) -> dict[str, int]:
    """A move within the column, or a status change with or without a position (often past
    the end of the column)."""
    kind = rng.choice(("move", "status", "status_and_position"))
    if kind == "move":
        return {"position": rng.randint(0, 12)}
    changes: dict[str, int] = {"status": rng.choice([other for other in COLUMNS if other != status])}
    if kind == "status_and_position":
        changes["position"] = rng.randint(0, 12)
    return changes


def test_concurrent_moves_keep_columns_dense_and_lose_no_update():
    writers, operations, per_column = 8, 25, 10
    project = ProjectFactory()
    task_ids = [
        make_task(project=project, title=f"{Status(status).label} {i}", status=status).pk
        for status in COLUMNS
        for i in range(per_column)
    ]
    calls: list[Call] = []
    snapshots_with_gaps: list[tuple[str, list[int]]] = []
    polls = 0
    writers_done = threading.Event()

    remaining_writers = [writers]
    count_lock = threading.Lock()

    def writer(seed: int) -> Callable[[], None]:
        def run() -> None:
            rng = random.Random(seed)
            try:
                for _ in range(operations):
                    task = Task.objects.get(pk=rng.choice(task_ids))
                    version = sent_version(rng, task.version)
                    changes = random_changes(rng, task.status)
                    try:
                        updated = task_update(task=task, changes=changes, expected_version=version)
                    except TaskVersionConflict as conflict:
                        calls.append(Call(task.pk, version, False, conflict.task.version, task.version))
                    else:
                        calls.append(Call(task.pk, version, True, updated.version, task.version))
            finally:
                with count_lock:
                    remaining_writers[0] -= 1
                    if remaining_writers[0] == 0:
                        writers_done.set()

        return run

    def reader() -> None:
        nonlocal polls
        while not writers_done.is_set():
            for status in COLUMNS:
                positions = list(
                    Task.objects.filter(project=project, status=status)
                    .order_by("place__position")
                    .values_list("place__position", flat=True)
                )
                if positions != list(range(len(positions))):
                    snapshots_with_gaps.append((Status(status).label, positions))
            polls += 1

    errors = run_together([*(writer(seed) for seed in range(writers)), reader])

    assert errors == []
    assert len(calls) == writers * operations
    assert polls > 0
    assert snapshots_with_gaps == []
    assert_columns_dense(project.pk)
    assert Task.objects.filter(project=project).count() == len(COLUMNS) * per_column
    assert_no_update_lost(calls, task_ids)
    outcomes = Counter(call.applied for call in calls)
    assert outcomes[True] > 0
    assert outcomes[False] > 0
    assert any(call.lost_a_race for call in calls), "no two writers ever met: the test raced nothing"


@pytest.fixture
def live_token(live_server) -> tuple[str, Any]:
    """One log-in through the real API (the login throttle allows few), shared by all clients."""
    user = UserFactory()
    with requests.Session() as session:
        session.trust_env = False  # no proxy from the environment for 127.0.0.1
        response = session.post(
            f"{live_server.url}/api/v1/auth/login",
            json={"email": user.email, "password": DEFAULT_PASSWORD},
            timeout=10,
        )
    assert response.status_code == 200, response.text
    return response.json()["access_token"], user


def test_concurrent_patches_over_http_answer_200_or_409_and_lose_no_update(live_server, live_token):
    clients, requests_each, per_column = 8, 15, 6
    token, user = live_token
    project = ProjectFactory(owner=user)
    task_ids = [
        make_task(project=project, title=f"{Status(status).label} {i}", status=status).pk
        for status in COLUMNS
        for i in range(per_column)
    ]
    calls: list[Call] = []
    unexpected: list[tuple[int, str]] = []

    def client(seed: int) -> Callable[[], None]:
        def run() -> None:
            rng = random.Random(seed)
            with requests.Session() as session:
                session.trust_env = False  # no proxy from the environment for 127.0.0.1
                session.headers["Authorization"] = f"Bearer {token}"
                for _ in range(requests_each):
                    url = f"{live_server.url}/api/v1/tasks/{rng.choice(task_ids)}"
                    current = session.get(url, timeout=30)
                    assert current.status_code == 200, current.text
                    task = current.json()
                    version = sent_version(rng, task["version"])
                    changes: dict[str, Any] = random_changes(rng, Status[task["status"]])
                    if "status" in changes:
                        changes["status"] = Status(changes["status"]).label
                    response = session.patch(url, json={**changes, "version": version}, timeout=30)
                    if response.status_code == 200:
                        after = response.json()["version"]
                    elif response.status_code == 409 and response.json()["code"] == "conflict":
                        after = response.json()["current"]["version"]
                    else:
                        unexpected.append((response.status_code, response.text[:500]))
                        continue
                    applied = response.status_code == 200
                    calls.append(Call(uuid.UUID(task["id"]), version, applied, after, task["version"]))

        return run

    errors = run_together([client(seed) for seed in range(clients)])

    assert errors == []
    assert unexpected == []
    assert len(calls) == clients * requests_each
    assert_columns_dense(project.pk)
    assert_no_update_lost(calls, task_ids)
    assert any(call.applied for call in calls)
    assert any(not call.applied for call in calls)
    assert any(call.lost_a_race for call in calls), "no two clients ever met: the test raced nothing"


@pytest.mark.parametrize("layout", ["one project, two statuses", "two projects"])
def test_bulk_updates_in_opposite_orders_never_deadlock(layout):
    rounds, per_column = 8, 5
    user = UserFactory()
    if layout == "two projects":
        first, second = ProjectFactory(owner=user), ProjectFactory(owner=user)
        columns = [(first, Status.TODO), (second, Status.TODO)]
    else:
        project = ProjectFactory(owner=user)
        columns = [(project, Status.TODO), (project, Status.IN_PROGRESS)]
    tasks = [
        [make_task(project=project, title=f"{status.label} {i}", status=status) for i in range(per_column)]
        for project, status in columns
    ]
    moved = [tasks[0][0].pk, tasks[1][0].pk]
    successes = 0

    def items(shift: int, with_versions: bool) -> list[dict[str, Any]]:
        """Each moved task to another place, so every bulk that applies changes every task it
        lists, whichever of the two goes first: across the columns in one project, within its
        column across two projects."""
        result = []
        for task in Task.objects.filter(pk__in=moved).order_by("project_id", "status"):
            item: dict[str, Any] = {"id": task.pk}
            if layout == "two projects":
                item["position"] = (task.position + shift) % per_column
            else:
                item["status"] = Status.IN_PROGRESS if task.status == Status.TODO else Status.TODO
                item["position"] = shift
            if with_versions:
                item["version"] = task.version
            result.append(item)
        return result

    for round_number in range(rounds):
        with_versions = round_number % 2 == 0
        forward, backward = items(1, with_versions), items(3, with_versions)[::-1]
        applied: list[bool] = []

        def bulk(updates: list[dict[str, Any]], applied: list[bool] = applied) -> Callable[[], None]:
            def run() -> None:
                try:
                    tasks_bulk_update(user=user, updates=updates)
                except TaskVersionConflict:
                    applied.append(False)
                else:
                    applied.append(True)

            return run

        errors = run_together([bulk(forward), bulk(backward)])

        assert errors == []
        assert sorted(applied) == ([False, True] if with_versions else [True, True])
        successes += applied.count(True)
        for project, _ in columns:
            assert_columns_dense(project.pk)

    versions = dict(Task.objects.filter(owner=user).values_list("id", "version"))
    assert {versions[task_id] for task_id in moved} == {1 + successes}
    assert {version for task_id, version in versions.items() if task_id not in moved} == {1}


def test_deleting_projects_while_their_tasks_move_never_deadlocks():
    """Issue 13: project_delete took no project lock, so it locked task rows before the
    project row while every board write locks the project first: PostgreSQL found a deadlock
    and a request answered 503. Now the delete waits its turn, and a move that comes after
    it finds the task gone."""
    rounds, movers = 6, 3
    user = UserFactory()
    for round_number in range(rounds):
        project = ProjectFactory(owner=user)
        tasks = [make_task(project=project, title=f"Round {round_number} task {i}") for i in range(12)]

        def move(offset: int, tasks: list[Task] = tasks) -> Callable[[], None]:
            def worker() -> None:
                for step in range(8):
                    task = tasks[(offset + step) % len(tasks)]
                    try:
                        task_update(task=task, changes={"status": COLUMNS[step % 3], "position": 0})
                    except NotFound:
                        return  # the project (and the task) is gone: the delete came first

            return worker

        def delete(project: Any = project) -> None:
            project_delete(project=project)

        errors = run_together([*(move(i) for i in range(movers)), delete])

        assert errors == [], errors
        assert not Task.objects.filter(project_id=project.pk).exists()

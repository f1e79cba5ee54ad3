"""Load: concurrent clients moving tasks and reading the dashboard, then proof that nothing was
lost (issue 7, point 4).

    python -m benchmarks.load --tasks 100000 --clients 50 --seconds 60     (or: make load)

1. Seeds its own database ``taskflow_load`` (``LOAD_DATABASE_URL``) afresh with ``--tasks`` tasks,
   with the benchmark's seeding (``benchmarks.run``), and clears its Redis database (db 4).
2. Starts gunicorn (``--workers``) the way the benchmark does (production-like settings).
3. Runs ``--clients`` asyncio clients for ``--seconds``, all logged in as the heavy user (20
   projects of 1,000 tasks): each request is a move (``PATCH`` status + position + the version the
   client last saw) of a task from a shared hot set, or (``--dashboard-share``) a dashboard read.
   Each client keeps its own idea of every task's version: a move on a stale version must be
   answered 409 with ``current``, from which the client learns the version and tries that move
   once more.
4. Checks, after the server is stopped:
   - no 5xx and no transport error;
   - no lost update: for every task, the moves answered 200 that changed it returned the versions
     2, 3, ..., v without a gap or a duplicate, the stored version is v, and the stored status is
     the one the last of them set; every 409 named a version other than the one sent;
   - every dashboard answer counted all of the heavy user's tasks (todo + in_progress + done);
   - the board: every column (project, status) of ``TaskPosition`` is exactly 0..n-1, every task
     has a place, and a task's status equals its place's status (whole database).
5. Prints the figures and writes ``var/bench/load-<tasks>-c<clients>.json``; exits 1 when a check
   fails.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx

from benchmarks.run import (
    BASE_DIR,
    HEAVY_EMAIL,
    HEAVY_PASSWORD,
    HEAVY_PROJECTS,
    HEAVY_TASKS_PER_PROJECT,
    OUT_DIR,
    STATUSES,
    bench_environment,
    ensure_database,
    seed,
    start_server,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/taskflow_load"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/4"


@dataclass
class Move:
    """One acknowledged (200) move: what was sent and what the server said it stored."""

    task: str
    sent_version: int
    status: str
    stored_version: int
    stored_status: str
    answered_at: float


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    moves: list[Move] = field(default_factory=list)
    conflicts: int = 0
    conflicts_naming_the_sent_version: list[str] = field(default_factory=list)
    retried_after_conflict: int = 0
    transport_errors: list[str] = field(default_factory=list)
    dashboard_counts_wrong: list[dict[str, int]] = field(default_factory=list)
    wrong_answers: list[str] = field(default_factory=list)


def hot_tasks(count: int, rng: random.Random) -> tuple[list[str], int]:
    """``count`` of the heavy user's tasks, spread over all of their projects, and how many
    tasks the heavy user has in non-archived projects (what the dashboard must count)."""
    from tasks.models import Task

    rows = list(
        Task.objects.filter(owner__email=HEAVY_EMAIL).order_by("pk").values_list("pk", "project__archived")
    )
    visible = sum(1 for _, archived in rows if not archived)
    chosen = rng.sample([str(pk) for pk, _ in rows], min(count, len(rows)))
    return chosen, visible


async def run_clients(
    base_url: str, token: str, hot: list[str], visible: int, args: argparse.Namespace
) -> Tally:
    tally = Tally()
    deadline = time.monotonic() + args.seconds
    started = time.monotonic()

    async def send(
        http: httpx.AsyncClient, kind: str, method: str, path: str, body: Any
    ) -> httpx.Response | None:
        began = time.perf_counter()
        try:
            response = await http.request(method, path, json=body)
        except httpx.HTTPError as exc:
            tally.transport_errors.append(f"{kind} {path}: {exc!r}")
            return None
        tally.latencies[kind].append((time.perf_counter() - began) * 1000)
        tally.statuses[kind][response.status_code] += 1
        return response

    async def move(http: httpx.AsyncClient, versions: dict[str, int], rng: random.Random) -> None:
        task = rng.choice(hot)
        status, position = rng.choice(STATUSES), rng.randrange(0, 400)
        for attempt in range(2):
            sent = versions.get(task, 1)
            body = {"status": status, "position": position, "version": sent}
            response = await send(http, "move", "PATCH", f"/api/v1/tasks/{task}", body)
            if response is None:
                return
            if response.status_code == 200:
                stored = response.json()
                versions[task] = stored["version"]
                tally.moves.append(
                    Move(task, sent, status, stored["version"], stored["status"], time.monotonic() - started)
                )
                return
            if response.status_code == 409:
                tally.conflicts += 1
                current = response.json().get("current", {})
                if current.get("version") == sent:
                    tally.conflicts_naming_the_sent_version.append(task)
                versions[task] = current.get("version", sent)
                if attempt == 0:
                    tally.retried_after_conflict += 1
                    continue
                return
            tally.wrong_answers.append(f"move {task}: {response.status_code} {response.text[:200]}")
            return

    async def dashboard(http: httpx.AsyncClient) -> None:
        response = await send(http, "dashboard", "GET", "/api/v1/dashboard/statistics", None)
        if response is None:
            return
        if response.status_code != 200:
            tally.wrong_answers.append(f"dashboard: {response.status_code} {response.text[:200]}")
            return
        counts = response.json()["task_counts"]
        if sum(counts.values()) != visible:
            tally.dashboard_counts_wrong.append(counts)

    async def client(client_no: int) -> None:
        rng = random.Random(7000 + client_no)  # noqa: S311 - a reproducible load, not a secret
        versions: dict[str, int] = {}  # what this client last saw; 1 for a task it never saw
        async with httpx.AsyncClient(
            base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=args.timeout
        ) as http:
            while time.monotonic() < deadline:
                if rng.random() < args.dashboard_share:
                    await dashboard(http)
                else:
                    await move(http, versions, rng)

    await asyncio.gather(*(client(n) for n in range(args.clients)))
    tally.latencies["wall"] = [time.monotonic() - started]
    return tally


def check_lost_updates(tally: Tally) -> dict[str, Any]:
    """Per task, the acknowledged moves that changed it must account for every version the
    database holds, and the last of them must have set the stored status."""
    from tasks.models import Status, Task

    moved = {item.task for item in tally.moves}
    stored = {
        str(pk): (version, Status(status).label)
        for pk, version, status in Task.objects.filter(pk__in=list(moved)).values_list(
            "pk", "version", "status"
        )
    }
    problems, changing = lost_update_problems(tally.moves, stored)
    return {
        "tasks_moved": len(moved),
        "acknowledged_moves": len(tally.moves),
        "acknowledged_changes": changing,
        "problems": problems[:20],
        "problem_count": len(problems),
        "ok": not problems,
    }


def lost_update_problems(moves: list[Move], stored: dict[str, tuple[int, str]]) -> tuple[list[str], int]:
    """``stored``: task id -> (version, status name) in the database after the run. Returns
    the problems found and how many acknowledged moves changed their task."""
    by_task: dict[str, list[Move]] = defaultdict(list)
    for item in moves:
        by_task[item.task].append(item)
    problems: list[str] = []
    changing = 0
    for task, acknowledged in by_task.items():
        for item in acknowledged:
            if item.stored_status != item.status:
                problems.append(f"{task}: asked for {item.status}, answered {item.stored_status}")
            if item.stored_version not in (item.sent_version, item.sent_version + 1):
                problems.append(f"{task}: sent version {item.sent_version}, answered {item.stored_version}")
        changed = sorted(
            (m for m in acknowledged if m.stored_version == m.sent_version + 1),
            key=lambda m: m.stored_version,
        )
        changing += len(changed)
        produced = [m.stored_version for m in changed]
        if produced != list(range(2, 2 + len(produced))):
            problems.append(
                f"{task}: acknowledged versions {produced} are not 2..n without gaps or duplicates"
            )
        version, status = stored[task]
        if version != 1 + len(produced):
            problems.append(
                f"{task}: stored version {version}, acknowledged writes account for {1 + len(produced)}"
            )
        if changed and status != changed[-1].status:
            problems.append(f"{task}: stored status {status}, last acknowledged {changed[-1].status}")
    return problems, changing


def check_board() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM (
                SELECT project_id, status FROM tasks_taskposition GROUP BY project_id, status
                HAVING min(position) <> 0 OR max(position) <> count(*) - 1
                    OR count(DISTINCT position) <> count(*)
            ) AS broken
            """
        )
        broken_columns = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM (SELECT DISTINCT project_id, status FROM tasks_taskposition) AS c"
        )
        columns = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM tasks_task t LEFT JOIN tasks_taskposition p ON p.task_id = t.id "
            "WHERE p.task_id IS NULL"
        )
        without_place = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM tasks_task t JOIN tasks_taskposition p ON p.task_id = t.id "
            "WHERE t.status <> p.status OR t.project_id <> p.project_id"
        )
        status_mismatch = cursor.fetchone()[0]
    return {
        "columns": columns,
        "columns_not_dense": broken_columns,
        "tasks_without_place": without_place,
        "task_status_differs_from_place": status_mismatch,
        "ok": broken_columns == 0 and without_place == 0 and status_mismatch == 0,
    }


def percentiles(values: list[float]) -> dict[str, float]:
    if len(values) < 2:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {
        "p50_ms": round(statistics.median(values), 2),
        "p95_ms": round(cuts[94], 2),
        "p99_ms": round(cuts[98], 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", type=int, default=100_000, help="tasks in the database (default 100,000)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    parser.add_argument("--seconds", type=float, default=60, help="how long they run (default 60)")
    parser.add_argument(
        "--hot-tasks", type=int, default=1000, help="the shared set of tasks moved (default 1,000)"
    )
    parser.add_argument("--dashboard-share", type=float, default=0.2, help="share of dashboard reads (0.2)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--timeout", type=float, default=60, help="client timeout per request, seconds")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--database-url", default=os.environ.get("LOAD_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--redis-url", default=os.environ.get("LOAD_REDIS_URL", DEFAULT_REDIS_URL))
    args = parser.parse_args()

    # ERROR: every 409 would otherwise be a WARNING line of django.request; a 5xx still shows.
    env = {**bench_environment(args), "LOG_LEVEL": "ERROR"}
    os.environ.update(env)
    sys.path.insert(0, str(BASE_DIR))
    import django

    from config.settings_module import select_settings_module

    select_settings_module()
    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command

    ensure_database(args.database_url)
    call_command("migrate", verbosity=0)
    shape = seed(args.tasks, keep=False)
    hot, visible = hot_tasks(args.hot_tasks, random.Random(42))  # noqa: S311 - not a secret
    cache.clear()  # the load's own Redis database: nothing cached by an earlier run survives
    from django.db import connection

    connection.close()  # the server's workers get the database to themselves during the run

    print(f"Starting gunicorn with {args.workers} workers on 127.0.0.1:{args.port} …")
    server = start_server(env, args.port, args.workers)
    base_url = f"http://127.0.0.1:{args.port}"
    try:
        login = httpx.post(
            f"{base_url}/api/v1/auth/login",
            json={"email": HEAVY_EMAIL, "password": HEAVY_PASSWORD},
            timeout=30,
        )
        login.raise_for_status()
        token = login.json()["access_token"]
        print(
            f"{args.clients} clients for {args.seconds:.0f} s: moves of {len(hot):,} shared tasks, "
            f"{args.dashboard_share:.0%} dashboard reads …"
        )
        tally = asyncio.run(run_clients(base_url, token, hot, visible, args))
    finally:
        server.terminate()
        server.wait(timeout=30)

    wall = tally.latencies.pop("wall")[0]
    everything = [value for values in tally.latencies.values() for value in values]
    statuses: Counter[int] = Counter()
    for counter in tally.statuses.values():
        statuses.update(counter)
    server_errors = sum(count for code, count in statuses.items() if code >= 500)
    lost = check_lost_updates(tally)
    board = check_board()
    report = {
        "tasks": shape["tasks"],
        "heavy_user_tasks": HEAVY_PROJECTS * HEAVY_TASKS_PER_PROJECT,
        "hot_tasks": len(hot),
        "clients": args.clients,
        "seconds": round(wall, 1),
        "gunicorn_workers": args.workers,
        "cpus": os.cpu_count(),
        "requests": len(everything),
        "throughput_rps": round(len(everything) / wall, 1),
        "status_counts": {str(code): count for code, count in sorted(statuses.items())},
        "2xx": sum(count for code, count in statuses.items() if 200 <= code < 300),
        "409": statuses.get(409, 0),
        "5xx": server_errors,
        "transport_errors": len(tally.transport_errors),
        "transport_error_samples": tally.transport_errors[:5],
        "wrong_answers": tally.wrong_answers[:10],
        "latency_all": percentiles(everything),
        "by_kind": {
            kind: {
                "requests": len(values),
                "statuses": {str(code): count for code, count in sorted(tally.statuses[kind].items())},
                **percentiles(values),
            }
            for kind, values in tally.latencies.items()
        },
        "conflicts": tally.conflicts,
        "retried_after_conflict": tally.retried_after_conflict,
        "conflicts_naming_the_sent_version": len(tally.conflicts_naming_the_sent_version),
        "dashboard_answers_with_wrong_total": len(tally.dashboard_counts_wrong),
        "lost_updates": lost,
        "board": board,
    }
    checks = {
        "no 5xx": server_errors == 0,
        "no transport errors": not tally.transport_errors,
        "only 200/409 answers": not tally.wrong_answers,
        "every 409 was a real conflict": not tally.conflicts_naming_the_sent_version,
        "no lost update": lost["ok"],
        "dashboard totals": not tally.dashboard_counts_wrong,
        "board invariants": board["ok"],
    }
    report["checks"] = checks

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = OUT_DIR / f"load-{args.tasks}-c{args.clients}.json"
    out.write_text(json.dumps(report, indent=2))
    print(json.dumps({key: report[key] for key in report if key not in ("by_kind",)}, indent=2))
    print()
    print("| kind | requests | statuses | p50 ms | p95 ms | p99 ms |")
    print("|---|---:|---|---:|---:|---:|")
    for kind, row in report["by_kind"].items():
        latency = f"{row['p50_ms']} | {row['p95_ms']} | {row['p99_ms']}"
        print(f"| {kind} | {row['requests']} | {row['statuses']} | {latency} |")
    for name, passed in checks.items():
        print(f"{'PASS' if passed else 'FAIL'}  {name}")
    print(f"\nWrote {out}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

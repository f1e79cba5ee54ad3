"""The project's benchmark: seed PostgreSQL, start the real server, measure it from outside.

    python -m benchmarks.run --tasks 100000            (or: make bench TASKS=100000)

1. Creates the database ``taskflow_bench`` (``BENCH_DATABASE_URL``) if needed and migrates it.
2. Seeds it afresh with ``--tasks`` tasks (``--keep-data`` reuses one of that size): one heavy user
   (``bench-heavy@example.com``, in Europe/Berlin) owning 20,000 tasks in 20 projects, the rest
   spread over many users (in UTC) with 4 projects of 250 tasks each. One task in five is all-day,
   one in seven has no due, the rest are timed; 200 of the heavy user's timed tasks recur daily.
   One task with a due in 20 (timed and all-day alike) has ``reminder_offsets``, half
   ``[15, 60]`` and half ``[1440]``, armed when it was made (``reminders_armed_at`` = created_at).
   Every user has 10 labels and each task 0 to 3 of them (1.5 on average).
   Set-based ``INSERT … SELECT generate_series`` in batches, with a progress bar.
3. Starts gunicorn (``--workers``) against that database with production-like settings
   (DEBUG off, Redis cache, throttles raised so that they count but never refuse).
4. Drives it from this process with ``--concurrency`` asyncio clients (httpx), each endpoint in
   turn (after a VACUUM ANALYZE of tasks_task), and measures p50/p95/p99 latency and requests
   per second, as the heavy user.
5. Stops the server and times the 5-minute reminders run (``notifications_generate(kind=
   "reminders")``: ``remind_at`` reminders, the sweep of open tasks with offsets, snoozes) in a
   process of its own with the server's environment (``benchmarks.reminder_job``): one warm-up
   run, which makes the reminders that are due, then ``--job-runs`` measured runs, which find
   them made (the steady state).
6. Records ``EXPLAIN (ANALYZE, BUFFERS)`` of the dashboard, filter and search queries (on the
   fresh seed, before the scenarios) and of the reminders run's reads (at the job step).
7. Prints a table and writes ``var/bench/bench-<tasks>-c<concurrency>.json`` and ``…-explain.txt``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx

BASE_DIR = Path(__file__).resolve().parent.parent
OUT_DIR = BASE_DIR / "var" / "bench"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/taskflow_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/3"
HEAVY_EMAIL = "bench-heavy@example.com"
HEAVY_PASSWORD = "Bench-pass-2026"  # noqa: S105 - a throwaway benchmark database
HEAVY_PROJECTS = 20
RECURRING_TASKS = 200  # of the heavy user's timed tasks, daily
HEAVY_ZONE = "Europe/Berlin"  # the heavy user's time zone: all-day dues end at midnight there
HEAVY_TASKS_PER_PROJECT = 1000
OTHER_TASKS_PER_PROJECT = 250
OTHER_PROJECTS_PER_USER = 4
SEED_BATCH = 100_000
WORDS = ["alpha", "budget", "client", "design", "email", "invoice", "launch", "meeting", "review", "report"]
# Every user's 10 labels (SPEC §13); a task carries 0 to 3 of them.
LABEL_NAMES = [
    *("Home", "Work", "Errands", "Writing", "Money"),
    *("Health", "Chores", "Waiting", "Ideas", "Travel"),
]


def bench_environment(args: argparse.Namespace) -> dict[str, str]:
    return {
        "DJANGO_ENV": "local",
        "DEBUG": "false",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Throttles stay on (their cache round trips are part of every request) but never refuse.
        "THROTTLE_RATES": "user=10000000/min,anon=10000000/min,login_ip=10000/min,login_email=10000/min",
        "PYTHONWARNINGS": "ignore",
    }


def progress(label: str, done: int, total: int, started: float) -> None:
    width = 30
    filled = int(width * done / total) if total else width
    bar = "#" * filled + "-" * (width - filled)
    print(
        f"\r  {label:<10} [{bar}] {done:>9,}/{total:,} {time.monotonic() - started:6.1f}s", end="", flush=True
    )
    if done >= total:
        print()


# --- database ------------------------------------------------------------------------------


def ensure_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin_url = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
            print(f"Created database {name}.")


def seed(total_tasks: int, *, keep: bool) -> dict[str, int]:
    """Fills the database with ``total_tasks`` tasks afresh (earlier runs' moves leave dead
    rows behind); with ``keep``, a database holding exactly that many is reused."""
    from django.db import connection, transaction

    from accounts.models import User

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tasks_task")
        existing = cursor.fetchone()[0]
    heavy_tasks = HEAVY_PROJECTS * HEAVY_TASKS_PER_PROJECT
    if total_tasks < heavy_tasks:
        raise SystemExit(f"--tasks must be at least {heavy_tasks:,} (the heavy user's share).")
    other_projects = (total_tasks - heavy_tasks) // OTHER_TASKS_PER_PROJECT
    other_users = -(-other_projects // OTHER_PROJECTS_PER_USER)
    shape = {
        "tasks": heavy_tasks + other_projects * OTHER_TASKS_PER_PROJECT,
        "users": 1 + other_users,
        "projects": HEAVY_PROJECTS + other_projects,
    }
    if keep and existing == shape["tasks"]:
        print(f"Database already holds {existing:,} tasks: seeding skipped (--keep-data).")
        return shape

    print(f"Seeding {shape['tasks']:,} tasks, {shape['projects']:,} projects, {shape['users']:,} users …")
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        # CASCADE: notifications and task places go with them.
        cursor.execute("TRUNCATE accounts_user, projects_project, tasks_task CASCADE")
        cursor.execute(
            """
            INSERT INTO accounts_user (id, email, username, password, email_verified, preferences,
                is_active, is_staff, is_superuser, token_generation, created_at, updated_at)
            SELECT md5('user' || n)::uuid,
                   CASE WHEN n = 0 THEN %s ELSE 'bench' || n || '@example.com' END,
                   CASE WHEN n = 0 THEN 'bench-heavy' ELSE 'bench' || n END,
                   '!', true, CASE WHEN n = 0 THEN %s::jsonb ELSE '{}' END, true, false, false, 0,
                   now(), now()
            FROM generate_series(0, %s) AS n
            """,
            [HEAVY_EMAIL, json.dumps({"timezone": HEAVY_ZONE}), other_users],
        )
        # Projects 0..19 belong to the heavy user (user 0), the rest 4 to a user.
        cursor.execute(
            """
            INSERT INTO projects_project (id, owner_id, name, description, color, archived,
                created_at, updated_at)
            SELECT md5('project' || n)::uuid,
                   md5('user' || CASE WHEN n < %(heavy)s THEN 0
                                      ELSE 1 + (n - %(heavy)s) / %(per_user)s END)::uuid,
                   'Project ' || n, '', '#3B82F6', n %% 50 = 49,
                   now() - make_interval(mins => n), now() - make_interval(mins => n)
            FROM generate_series(0, %(last)s) AS n
            """,
            {"heavy": HEAVY_PROJECTS, "per_user": OTHER_PROJECTS_PER_USER, "last": shape["projects"] - 1},
        )
        progress("tasks", 0, shape["tasks"], started)
        for first in range(0, shape["tasks"], SEED_BATCH):
            last = min(first + SEED_BATCH, shape["tasks"]) - 1
            _insert_tasks(cursor, first, last, heavy_tasks)
            progress("tasks", last + 1, shape["tasks"], started)
    _insert_labels()
    with transaction.atomic(), connection.cursor() as cursor:
        # Every open task already overdue has had its OVERDUE notification; half are read.
        cursor.execute(
            """
            INSERT INTO notifications_notification (id, user_id, task_id, type, message, read,
                due_at, created_at, sent_at, email_status, email_reason, email_attempts)
            SELECT gen_random_uuid(), owner_id, id, 2, 'Task "' || title || '" is overdue.',
                   hashtext(id::text) % 2 = 0,
                   -- The notification's key: the due moment, or an all-day task's day (tasks.dues).
                   CASE WHEN due_on IS NULL THEN due_at ELSE due_on::timestamp AT TIME ZONE 'UTC' END,
                   due_at + interval '1 minute', NULL, 5, '', 0
            FROM tasks_task WHERE status <> 3 AND due_at < now()
            """
        )
        shape["notifications"] = cursor.rowcount
    heavy = User.objects.get(email=HEAVY_EMAIL)
    heavy.set_password(HEAVY_PASSWORD)
    heavy.save(update_fields=["password"])
    _make_recurring(heavy)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE tasks_task")
        cursor.execute("VACUUM ANALYZE tasks_taskposition")
        cursor.execute("VACUUM ANALYZE projects_project")
        cursor.execute("VACUUM ANALYZE accounts_user")
        cursor.execute("VACUUM ANALYZE notifications_notification")
        cursor.execute("VACUUM ANALYZE labels_label")
        cursor.execute("VACUUM ANALYZE labels_tasklabel")
    print(f"Seeded in {time.monotonic() - started:.1f}s ({shape['notifications']:,} notifications).")
    return shape


def _insert_labels() -> None:
    """Ten labels per user, and 0 to 3 of them on each task (by a hash of its id: 1.5 on average,
    so each label is on about 15 % of its owner's tasks), in two set-based statements."""
    from django.db import connection, transaction

    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO labels_label (id, owner_id, name, color, created_at)
            SELECT md5(u.id::text || '-label-' || k)::uuid, u.id, (%s::text[])[k + 1], '#6B7280', now()
            FROM accounts_user AS u, generate_series(0, 9) AS k
            """,
            [LABEL_NAMES],
        )
        cursor.execute(
            """
            INSERT INTO labels_tasklabel (task_id, label_id, position)
            SELECT t.id, md5(t.owner_id::text || '-label-' || ((t.h + j * 3) %% 10))::uuid, j
            FROM (SELECT id, owner_id, abs(hashtext(id::text)) AS h FROM tasks_task) AS t,
                 LATERAL generate_series(0, t.h %% 4 - 1) AS j
            """,
            [],
        )
        links = cursor.rowcount
    print(f"  labels: {links:,} on tasks in {time.monotonic() - started:.1f}s")


def _make_recurring(heavy: Any) -> None:
    """Gives RECURRING_TASKS of the heavy user's timed tasks a daily rule, through the service
    (SPEC §12), for the "complete a recurring task" row."""
    from tasks.models import Task
    from tasks.services import task_update

    timed = Task.objects.filter(owner=heavy, due_at__isnull=False, due_on__isnull=True).order_by("pk")
    for task in timed[:RECURRING_TASKS]:
        task_update(task=task, changes={"recurrence": {"rrule": "FREQ=DAILY"}})


def _insert_tasks(cursor: Any, first: int, last: int, heavy_tasks: int) -> None:
    """Tasks ``first..last`` (global numbers). In a project of K tasks, task i sits in column
    status = i % 3 + 1 at position i / 3: every column is 0..n-1."""
    cursor.execute(
        """
        WITH numbered AS (
            SELECT g,
                   CASE WHEN g < %(heavy_tasks)s THEN g / %(heavy_k)s
                        ELSE %(heavy_projects)s + (g - %(heavy_tasks)s) / %(other_k)s END AS project_no,
                   CASE WHEN g < %(heavy_tasks)s THEN g %% %(heavy_k)s
                        ELSE (g - %(heavy_tasks)s) %% %(other_k)s END AS i
            FROM generate_series(%(first)s, %(last)s) AS g
        ), placed AS (
            SELECT g, i, gen_random_uuid() AS id,
                   md5('project' || project_no)::uuid AS project_id,
                   md5('user' || CASE WHEN project_no < %(heavy_projects)s THEN 0
                                      ELSE 1 + (project_no - %(heavy_projects)s) / %(per_user)s END)::uuid
                       AS owner_id
            FROM numbered
        ), dated AS (
            -- One task in five is all-day (due at the end of its day in the owner's zone), one
            -- in seven has no due, the rest are timed.
            SELECT placed.*,
                   CASE WHEN g %% 7 = 0 THEN NULL
                        ELSE now() + make_interval(hours => (g %% 1440) - 240) END AS moment,
                   g %% 7 <> 0 AND g %% 5 = 0 AS all_day,
                   CASE WHEN owner_id = md5('user0')::uuid THEN %(heavy_zone)s ELSE 'UTC' END AS zone,
                   -- One task with a due in 20 has reminder offsets: the six with a due of every
                   -- 20th run of seven (timed and all-day alike), half [15, 60], half [1440].
                   CASE WHEN g %% 7 = 0 THEN '[]'
                        WHEN (g / 7) %% 40 = 3 THEN '[15, 60]'
                        WHEN (g / 7) %% 40 = 23 THEN '[1440]'
                        ELSE '[]' END::jsonb AS offsets
            FROM placed
        ), tasks AS (
        INSERT INTO tasks_task (id, project_id, owner_id, title, description, status, priority,
            due_at, due_on, remind_at, reminder_offsets, reminders_armed_at, version, completed_at,
            created_at, updated_at)
        SELECT id,
               project_id,
               owner_id,
               'Task ' || g || ' ' || (%(words)s::text[])[1 + g %% 10] || ' '
                   || (%(words)s::text[])[1 + (g / 10) %% 10],
               'Notes about the ' || (%(words)s::text[])[1 + (g / 100) %% 10] || ' for task ' || g,
               i %% 3 + 1,
               g %% 4 + 1,
               CASE WHEN all_day THEN ((moment AT TIME ZONE zone)::date + 1)::timestamp AT TIME ZONE zone
                    ELSE moment END,
               CASE WHEN all_day THEN (moment AT TIME ZONE zone)::date END,
               NULL,
               offsets,
               -- Armed when the task was made (its created_at).
               CASE WHEN offsets <> '[]' THEN now() - make_interval(secs => g) END,
               1,
               CASE WHEN i %% 3 + 1 = 3 THEN now() - interval '1 day' END,
               now() - make_interval(secs => g),
               now() - make_interval(secs => g)
        FROM dated
        )
        INSERT INTO tasks_taskposition (task_id, project_id, owner_id, status, position)
        SELECT id, project_id, owner_id, i %% 3 + 1, i / 3 FROM placed
        """,
        {
            "heavy_tasks": heavy_tasks,
            "heavy_k": HEAVY_TASKS_PER_PROJECT,
            "heavy_projects": HEAVY_PROJECTS,
            "other_k": OTHER_TASKS_PER_PROJECT,
            "per_user": OTHER_PROJECTS_PER_USER,
            "first": first,
            "last": last,
            "words": WORDS,
            "heavy_zone": HEAVY_ZONE,
        },
    )


# --- the server ----------------------------------------------------------------------------


def start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=BASE_DIR, env={**os.environ, **env})  # noqa: S603 - our own gunicorn
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 30 s.")


# --- the load ------------------------------------------------------------------------------


@dataclass
class Board:
    """What the clients know of the heavy user's data, versions kept up to date."""

    project_ids: list[str]
    tasks_by_project: dict[str, list[str]]
    versions: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)
    recurring: set[str] = field(default_factory=set)


def load_board() -> Board:
    from projects.models import Project
    from tasks.models import Task

    projects = [
        str(pk) for pk in Project.objects.filter(owner__email=HEAVY_EMAIL).values_list("pk", flat=True)
    ]
    board = Board(project_ids=projects, tasks_by_project={pk: [] for pk in projects})
    for pk, project_id, version, status in Task.objects.filter(owner__email=HEAVY_EMAIL).values_list(
        "pk", "project_id", "version", "status"
    ):
        board.tasks_by_project[str(project_id)].append(str(pk))
        board.versions[str(pk)] = version
        board.statuses[str(pk)] = STATUSES[status - 1]
    rules = Task.objects.filter(owner__email=HEAVY_EMAIL, recurrence__isnull=False)
    board.recurring = {str(pk) for pk in rules.values_list("pk", flat=True)}
    return board


STATUSES = ["TODO", "IN_PROGRESS", "DONE"]


def scenarios(board: Board, client_no: int, clients: int) -> dict[str, Any]:
    """Each scenario: a function (rng) -> (method, path, json body or None). Each client
    writes to its own projects (client k: every k-th), as users of one team work on
    different boards; with more clients than projects they share."""
    own_projects = board.project_ids[client_no % len(board.project_ids) :: clients] or board.project_ids
    own = {pk: board.tasks_by_project[pk] for pk in own_projects}

    def own_task(rng: random.Random) -> str:
        return rng.choice(own[rng.choice(own_projects)])

    own_recurring = sorted(t for pk in own_projects for t in own[pk] if t in board.recurring)

    def complete_recurring(rng: random.Random) -> tuple[str, str, Any]:
        """DONE on a recurring task: it records a completion and moves to its next occurrence
        at the end of TODO (so it can be completed again)."""
        task = rng.choice(own_recurring)
        return "PATCH", f"/api/v1/tasks/{task}", {"status": "DONE", "version": board.versions[task]}

    def move(rng: random.Random) -> tuple[str, str, Any]:
        task = own_task(rng)
        body = {
            "status": rng.choice(STATUSES),
            "position": rng.randrange(0, 400),
            "version": board.versions[task],
        }
        return "PATCH", f"/api/v1/tasks/{task}", body

    def drag(rng: random.Random) -> tuple[str, str, Any]:
        """What a board sends on a drop: a card to the middle of another column."""
        task = own_task(rng)
        body = {
            "status": rng.choice([status for status in STATUSES if status != board.statuses[task]]),
            "position": rng.randrange(100, 233),  # columns hold about 333
            "version": board.versions[task],
        }
        return "PATCH", f"/api/v1/tasks/{task}", body

    def rename(rng: random.Random) -> tuple[str, str, Any]:
        task = own_task(rng)
        body = {"title": f"Renamed {rng.randrange(10**6)}", "version": board.versions[task]}
        return "PATCH", f"/api/v1/tasks/{task}", body

    def bulk(rng: random.Random) -> tuple[str, str, Any]:
        tasks = rng.sample(own[rng.choice(own_projects)], 50)
        items = [
            {
                "id": t,
                "status": rng.choice(STATUSES),
                "position": rng.randrange(0, 400),
                "version": board.versions[t],
            }
            for t in tasks
        ]
        return "POST", "/api/v1/tasks/bulk-update", {"updates": items}

    def project_filter(rng: random.Random) -> tuple[str, str, Any]:
        project = rng.choice(board.project_ids)
        return "GET", f"/api/v1/projects/{project}/tasks?status=TODO,IN_PROGRESS&priority=HIGH", None

    def search(rng: random.Random) -> tuple[str, str, Any]:
        return "GET", f"/api/v1/tasks?search={rng.choice(WORDS)}", None

    def label_filter(rng: random.Random) -> tuple[str, str, Any]:
        return "GET", f"/api/v1/tasks?label={rng.choice(LABEL_NAMES).lower()}", None

    # Reads first, then writes: the moves rewrite thousands of rows, and the reads should not
    # be measured on the dead rows they leave (each scenario also starts after VACUUM ANALYZE).
    return {
        "floor: GET /users/me": lambda rng: ("GET", "/api/v1/users/me", None),
        "project tasks, filtered": project_filter,
        "search /tasks?search=": search,
        "label filter /tasks?label=": label_filter,
        "/tasks?sort_by=due_date": lambda rng: ("GET", "/api/v1/tasks?sort_by=due_date", None),
        "dashboard statistics": lambda rng: ("GET", "/api/v1/dashboard/statistics", None),
        "notifications unread-count": lambda rng: ("GET", "/api/v1/notifications/unread-count", None),
        # The floor of a write: the same PATCH path (lock, version check, update, commit)
        # without touching the board.
        "rename task (PATCH title+version)": rename,
        "move task (PATCH status+position+version)": move,
        "drag: card to mid-column of another column": drag,
        "complete a recurring task (PATCH DONE+version)": complete_recurring,
        "bulk move 50 tasks": bulk,
    }


def remember_versions(board: Board, body: Any) -> None:
    tasks = body.get("tasks", [body]) if isinstance(body, dict) else []
    for task in tasks:
        if "id" in task and "version" in task:
            board.versions[task["id"]] = task["version"]
            board.statuses[task["id"]] = task["status"]


async def run_scenario(
    base_url: str, token: str, board: Board, name: str, clients: int, requests: int, warmup: int
) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}

    async def client(client_no: int) -> None:
        rng = random.Random(1000 + client_no)  # noqa: S311 - a reproducible load, not a secret
        make = scenarios(board, client_no, clients)[name]
        async with httpx.AsyncClient(
            base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as http:
            for n in range(warmup + requests):
                method, path, body = make(rng)
                started = time.perf_counter()
                response = await http.request(method, path, json=body)
                elapsed = time.perf_counter() - started
                if response.status_code == 200 and method != "GET":
                    remember_versions(board, response.json())
                if n >= warmup:
                    latencies.append(elapsed * 1000)
                    statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    wall = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "endpoint": name,
        "requests": len(latencies),
        "p50_ms": round(statistics.median(latencies), 2),
        "p95_ms": round(cuts[94], 2),
        "p99_ms": round(cuts[98], 2),
        "rps": round(len(latencies) / wall, 1),
        "statuses": statuses,
    }


def vacuum() -> None:
    """Each scenario starts on a vacuumed, analyzed table, as autovacuum leaves it between
    bursts: the moves before it must not decide what the reads after it cost."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) tasks_task")
        cursor.execute("VACUUM (ANALYZE) tasks_taskposition")


async def drive(base_url: str, board: Board, args: argparse.Namespace) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        login = await http.post("/api/v1/auth/login", json={"email": HEAVY_EMAIL, "password": HEAVY_PASSWORD})
        login.raise_for_status()
        token = login.json()["access_token"]
    results = []
    for name in scenarios(board, 0, 1):
        await asyncio.to_thread(vacuum)
        requests = max(20, args.requests // 5) if name.startswith("bulk") else args.requests
        result = await run_scenario(base_url, token, board, name, args.concurrency, requests, args.warmup)
        results.append(result)
        print(
            f"  {name:<44} p95 {result['p95_ms']:>7.2f} ms  {result['rps']:>7.1f} req/s  {result['statuses']}"
        )
    return results


# --- the reminders job ---------------------------------------------------------------------

JOB_ROW = "reminder run (every 5 min, in-process)"


def reminder_job(env: dict[str, str], runs: int) -> dict[str, Any]:
    """Times the reminders run in its own process (benchmarks.reminder_job), on a vacuumed
    table as the scenarios start; returns its figures as a result row (``kind`` "job")."""
    vacuum()
    command = [sys.executable, "-m", "benchmarks.reminder_job", "--runs", str(runs)]
    done = subprocess.run(  # noqa: S603 - our own script
        command, cwd=BASE_DIR, env={**os.environ, **env}, stdout=subprocess.PIPE, text=True, check=True
    )
    job = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "endpoint": JOB_ROW,
        "kind": "job",
        "requests": job.pop("runs"),
        **job,
        "rps": None,
    }


# --- query plans ---------------------------------------------------------------------------


def explain_plans() -> dict[str, list[str]]:
    """EXPLAIN (ANALYZE, BUFFERS) of the SQL that the dashboard, a filtered list and a search
    really run for the heavy user (captured from the ORM, then explained)."""
    from django.db import connection
    from django.http import QueryDict
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from dashboard.selectors import dashboard_statistics
    from projects.models import Project
    from tasks.selectors import task_list

    heavy = User.objects.get(email=HEAVY_EMAIL)
    project = Project.objects.filter(owner=heavy).order_by("pk").first()
    cases = {
        "dashboard": lambda: dashboard_statistics(user=heavy),
        "project tasks, filtered": lambda: list(
            task_list(user=heavy, params=QueryDict("status=TODO,IN_PROGRESS&priority=HIGH"), project=project)[
                :50
            ]
        ),
        "search (page and count)": lambda: (
            list(task_list(user=heavy, params=QueryDict("search=invoice"))[:50]),
            task_list(user=heavy, params=QueryDict("search=invoice")).count(),
        ),
        "/tasks sorted by due date": lambda: list(
            task_list(user=heavy, params=QueryDict("sort_by=due_date"))[:50]
        ),
    }
    plans: dict[str, list[str]] = {}
    for name, run in cases.items():
        with CaptureQueriesContext(connection) as captured:
            run()
        plans[name] = []
        for query in captured.captured_queries:
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query['sql']}")
                plan = "\n".join(row[0] for row in cursor.fetchall())
            plans[name].append(f"-- {query['sql']}\n{plan}")
    return plans


# --- report --------------------------------------------------------------------------------


def table(results: list[dict[str, Any]]) -> str:
    floor = results[0]["p95_ms"]
    lines = [
        f"| {'endpoint':<44} | {'n':>5} | {'p50 ms':>7} | {'p95 ms':>7} | {'p99 ms':>7} "
        f"| {'req/s':>7} | {'p95/floor':>9} |",
        f"|{'-' * 46}|{'-' * 7}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 11}|",
    ]
    for r in results:
        rps = "-" if r["rps"] is None else f"{r['rps']:.1f}"
        lines.append(
            f"| {r['endpoint']:<44} | {r['requests']:>5} | {r['p50_ms']:>7.2f} | {r['p95_ms']:>7.2f} "
            f"| {r['p99_ms']:>7.2f} | {rps:>7} | {r['p95_ms'] / floor:>8.1f}x |"
        )
    for r in results:
        if r.get("kind") == "job":
            lines.append(
                f"\n{r['endpoint']}: p50 {r['p50_ms']:.2f} ms, max {r['max_ms']:.2f} ms over "
                f"{r['requests']} runs (p50 {r['p50_ms'] / results[0]['p50_ms']:.1f}x the floor's p50); "
                f"made {r['created_counts']}; warm-up run {r['warmup_ms']:.2f} ms, made "
                f"{r['warmup_created_count']:,}; the offsets sweep reads {r['sweep_candidates']:,} tasks."
            )
            for name, part in r["breakdown"].items():
                lines.append(
                    f"  {name:<20} {part['total_ms']:>9.2f} ms: SQL {part['sql_ms']:>8.2f} ms "
                    f"({part['queries']} queries), Python {part['python_ms']:>8.2f} ms; "
                    f"rows read {part.get('rows_read', 0):,}, candidates {part['candidates']:,}"
                )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", type=int, default=100_000, help="tasks in the database (default 100,000)")
    parser.add_argument("--requests", type=int, default=300, help="measured requests per endpoint and client")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured requests first, per client")
    parser.add_argument("--concurrency", type=int, default=1, help="concurrent clients (default 1)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--job-runs", type=int, default=10, help="measured reminders runs (default 10)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--keep-data", action="store_true", help="reuse a database of the same size")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL))
    args = parser.parse_args()

    env = bench_environment(args)
    os.environ.update(env)
    sys.path.insert(0, str(BASE_DIR))
    import django

    from config.settings_module import select_settings_module

    select_settings_module()
    django.setup()
    from django.core.management import call_command

    ensure_database(args.database_url)
    call_command("migrate", verbosity=0)
    shape = seed(args.tasks, keep=args.keep_data)
    board = load_board()
    plans = explain_plans()  # on the freshly seeded table, before the moves churn it
    from django.core.cache import cache

    cache.clear()  # the bench Redis database: no answer cached by an earlier run survives
    print(f"Starting gunicorn with {args.workers} workers on 127.0.0.1:{args.port} …")
    server = start_server(env, args.port, args.workers)
    try:
        print(f"Driving it with {args.concurrency} client(s), {args.requests} requests per endpoint:")
        results = asyncio.run(drive(f"http://127.0.0.1:{args.port}", board, args))
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"Timing the reminders run: 1 warm-up, {args.job_runs} measured …")
    job = reminder_job(env, args.job_runs)
    print(
        f"  {JOB_ROW:<44} p95 {job['p95_ms']:>7.2f} ms  max {job['max_ms']:.2f} ms  "
        f"(warm-up {job['warmup_ms']:.0f} ms made {job['warmup_created_count']:,})"
    )
    plans["reminders run (job step, after the scenarios)"] = [
        f"-- {plan['name']}\n-- {plan['sql']}\n{plan['plan']}" for plan in job.pop("plans")
    ]
    results.append(job)

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    stem = OUT_DIR / f"bench-{args.tasks}-c{args.concurrency}"
    report = {
        "tasks": shape["tasks"],
        "users": shape["users"],
        "projects": shape["projects"],
        "notifications": shape.get("notifications"),
        "heavy_user_tasks": HEAVY_PROJECTS * HEAVY_TASKS_PER_PROJECT,
        "concurrency": args.concurrency,
        "gunicorn_workers": args.workers,
        "cpus": os.cpu_count(),
        "results": results,
    }
    stem.with_suffix(".json").write_text(json.dumps(report, indent=2))
    stem.with_name(stem.name + "-explain.txt").write_text(
        "\n\n".join(f"== {name}\n" + "\n\n".join(items) for name, items in plans.items())
    )
    print()
    print(table(results))
    print(f"\nWrote {stem.with_suffix('.json')} and {stem.name}-explain.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The benchmark's job step: the 5-minute reminders run, timed in a process of its own.

    python -m benchmarks.reminder_job --runs 10     (benchmarks.run starts it, after the HTTP scenarios)

Set up against the bench database with the environment the server gets (``bench_environment``),
it runs ``notifications_generate(kind="reminders")`` once unmeasured (the warm-up: it makes the
reminders that are due), then ``--runs`` times measured (they find what is due and make nothing
new, or next to nothing: the steady state). Then, outside the measured runs, it times the three
reads of a run (``remind_at`` reminders, the offsets sweep, snoozes) one by one with their SQL
captured, counts the rows the sweep reads, and records ``EXPLAIN (ANALYZE, BUFFERS)`` of the
SQL each read really sends. Prints one JSON object on the last line of stdout.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
SQL_SHOWN = 2000  # characters of a query kept with its plan (a lookup lists 1,000 ids)


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def _explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def _shown(sql: str) -> str:
    return sql if len(sql) <= SQL_SHOWN else sql[:SQL_SHOWN] + f" … ({len(sql):,} characters)"


def breakdown() -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The reads of one run, each timed alone: total, the SQL (execute, rows transferred) and
    the rest (row decoding, model instances, the loop in Python); their plans."""
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from notifications import reminders
    from notifications.models import NotificationType
    from notifications.selectors import notification_candidates

    now = timezone.now()
    oldest = now - settings.NOTIFICATIONS_LOOKBACK
    reads: dict[str, Callable[[], list[Any]]] = {
        "remind_at reminders": lambda: notification_candidates(now=now, types=(NotificationType.REMINDER,)),
        "offsets sweep": lambda: reminders.offset_candidates(now=now, oldest=oldest),
        "snoozes": lambda: reminders.snooze_candidates(now=now, oldest=oldest),
    }
    figures: dict[str, Any] = {}
    plans: list[dict[str, str]] = []
    for name, read in reads.items():
        timings: list[float] = []

        def timer(execute: Callable[..., Any], *args: Any, timings: list[float] = timings) -> Any:
            """Each query's execute, rows transferred included (Django's log keeps only ms)."""
            started = time.perf_counter()
            try:
                return execute(*args)
            finally:
                timings.append(time.perf_counter() - started)

        with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
            started = time.perf_counter()
            found = read()
            total = time.perf_counter() - started
        queries = captured.captured_queries
        sql = sum(timings)
        figures[name] = {
            "total_ms": _ms(total),
            "sql_ms": _ms(sql),
            "python_ms": _ms(total - sql),
            "queries": len(queries),
            "candidates": len(found),
        }
        if not queries:
            continue
        first = queries[0]["sql"]
        with connection.cursor() as cursor:
            # The ORM's own SQL, captured above: no outside input.
            cursor.execute(f"SELECT count(*) FROM ({first}) AS q")  # noqa: S608  # nosec B608
            figures[name]["rows_read"] = cursor.fetchone()[0]
            # The same rows fetched and decoded by psycopg, without model instances.
            started = time.perf_counter()
            cursor.execute(first)
            cursor.fetchall()
            figures[name]["fetchall_ms"] = _ms(time.perf_counter() - started)
        plans.append({"name": f"reminders run: {name}", "sql": _shown(first), "plan": _explain(first)})
        if len(queries) > 1:  # the offsets sweep's lookups of what was already made: the first
            lookup = queries[1]["sql"]
            plans.append(
                {
                    "name": f"reminders run: {name}, made-lookup 1 of {len(queries) - 1}",
                    "sql": _shown(lookup),
                    "plan": _explain(lookup),
                }
            )
    return figures, plans


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=10, help="measured runs after the warm-up (default 10)")
    args = parser.parse_args()
    if args.runs < 2:
        parser.error("--runs must be at least 2 (for the percentiles).")

    sys.path.insert(0, str(BASE_DIR))
    import django

    from config.settings_module import select_settings_module

    select_settings_module()
    django.setup()
    from notifications.models import NotificationRun
    from notifications.services import notifications_generate

    def timed_run() -> tuple[float, NotificationRun]:
        started = time.perf_counter()
        run = notifications_generate(kind=NotificationRun.Kind.REMINDERS)
        return time.perf_counter() - started, run

    warmup_seconds, warmup = timed_run()
    durations: list[float] = []
    created: list[int] = []
    for _ in range(args.runs):
        seconds, run = timed_run()
        durations.append(seconds * 1000)
        created.append(run.created_count)
    figures, plans = breakdown()
    cuts = statistics.quantiles(durations, n=100, method="inclusive")
    result = {
        "runs": len(durations),
        "durations_ms": [round(d, 2) for d in durations],
        "p50_ms": round(statistics.median(durations), 2),
        "p95_ms": round(cuts[94], 2),
        "p99_ms": round(cuts[98], 2),
        "max_ms": round(max(durations), 2),
        "created_counts": created,
        "warmup_ms": _ms(warmup_seconds),
        "warmup_created_count": warmup.created_count,
        "warmup_emails_queued": warmup.emails_queued,
        "sweep_candidates": figures["offsets sweep"].get("rows_read"),
        "breakdown": figures,
        "plans": plans,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

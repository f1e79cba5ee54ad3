"""Prints line coverage per Django app from .coverage and fails if one is under the floor."""

import argparse
import os
import sys

import coverage

APPS = [
    "accounts",
    "config",
    "projects",
    "tasks",
    "labels",
    "checklists",
    "dashboard",
    "notifications",
    "integrations",
    "outbox",
    "demo",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fail-under", type=float, default=90.0)
    args = parser.parse_args()

    data = coverage.Coverage()
    data.load()
    failed = []
    print(f"{'app':<16}{'statements':>12}{'missed':>10}{'coverage':>10}")
    for app in APPS:
        statements = missed = 0
        for filename in data.get_data().measured_files():
            parts = os.path.relpath(filename).split(os.sep)
            if parts[0] != app or "tests" in parts or "migrations" in parts:
                continue
            _, executable, _, missing, _ = data.analysis2(filename)
            statements += len(executable)
            missed += len(missing)
        if statements == 0:
            print(f"{app:<16}{'-':>12}{'-':>10}{'no code':>10}")
            continue
        percent = 100.0 * (statements - missed) / statements
        print(f"{app:<16}{statements:>12}{missed:>10}{percent:>9.1f}%")
        if percent < args.fail_under:
            failed.append(app)
    if failed:
        print(f"Coverage under {args.fail_under:.0f}% in: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

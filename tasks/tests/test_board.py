"""The board's door (tasks/board.py): one placement rule for single and bulk moves, one
``completed_at`` rule, and no other code that writes places or takes the board's locks."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.apps import apps

from tasks.board import Place, completed_at, placement
from tasks.models import Status

TODO, IN_PROGRESS, DONE = Status.TODO, Status.IN_PROGRESS, Status.DONE
ROOT = Path(__file__).resolve().parents[2]


def size_of(n: int):  # type: ignore[no-untyped-def]
    return lambda: n


@pytest.mark.parametrize(
    ("current", "status", "position", "size", "expected"),
    [
        # Into another column: at the position, or at the end when absent or past the end.
        (Place(TODO, 2), IN_PROGRESS, None, 4, Place(IN_PROGRESS, 4)),
        (Place(TODO, 2), IN_PROGRESS, 0, 4, Place(IN_PROGRESS, 0)),
        (Place(TODO, 2), IN_PROGRESS, 4, 4, Place(IN_PROGRESS, 4)),
        (Place(TODO, 2), IN_PROGRESS, 9, 4, Place(IN_PROGRESS, 4)),
        (Place(TODO, 0), DONE, None, 0, Place(DONE, 0)),
        # Within its column (size counts the task): to the position, the last place at most.
        (Place(TODO, 2), TODO, 0, 5, Place(TODO, 0)),
        (Place(TODO, 2), TODO, 4, 5, Place(TODO, 4)),
        (Place(TODO, 2), TODO, 9, 5, Place(TODO, 4)),
        (Place(TODO, 2), TODO, 2, 5, None),
        (Place(TODO, 4), TODO, 9, 5, None),
        (Place(TODO, 0), TODO, 0, 1, None),
    ],
)
def test_placement(current, status, position, size, expected):
    assert placement(current, status=status, position=position, size=size_of(size)) == expected


def test_placement_in_its_own_column_without_a_position_stays_without_reading_the_size():
    def no_size() -> int:
        raise AssertionError("the size was read")

    assert placement(Place(DONE, 3), status=DONE, position=None, size=no_size) is None


@pytest.mark.parametrize(("status", "expected"), [(TODO, None), (IN_PROGRESS, None), (DONE, "now")])
def test_completed_at_is_the_moment_a_task_enters_done_and_none_elsewhere(status, expected):
    now = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)

    assert completed_at(status, now) == (now if expected else None)


def _sources() -> dict[str, str]:
    """Every app's code outside tests and migrations, by path: the project's own apps (those
    in this repository) and ``config``."""
    ours = [config.name for config in apps.get_app_configs() if (ROOT / config.name).is_dir()]
    return {
        str(path.relative_to(ROOT)): path.read_text()
        for app in ("config", *ours)
        for path in (ROOT / app).rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
    }


def test_only_the_board_writes_places_or_locks_tasks():
    writes_places = re.compile(r"TaskPosition\.objects|tasks_taskposition")
    locks_tasks = re.compile(r"Task\.objects[^\n]*select_for_update")

    offenders = [
        path
        for path, text in _sources().items()
        if path != "tasks/board.py" and (writes_places.search(text) or locks_tasks.search(text))
    ]

    assert offenders == []


def test_projects_are_locked_in_one_place_which_the_board_and_project_deletion_share():
    locks_projects = re.compile(r"Project\.objects[^\n]*select_for_update")
    sources = _sources()

    assert [path for path, text in sources.items() if locks_projects.search(text)] == ["projects/services.py"]
    assert "projects_lock(" in sources["tasks/board.py"]
    assert "projects_lock([project_id], for_delete=True)" in sources["projects/services.py"]

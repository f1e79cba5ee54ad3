"""The kanban order as a state machine: random creates, moves, status changes, deletes and bulk
updates over two projects of one user, checked after every step against a plain Python model
of the board (SPEC §5): the order of every column, positions 0..n-1, versions that count only a
task's own changes, ``updated_at`` untouched on shifted neighbours, ``completed_at`` following
DONE, optimistic locking that changes nothing on a stale version, and the deferred
UNIQUE(project, status, position) checked at once."""

import uuid
from dataclasses import dataclass
from datetime import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from accounts.tests.factories import UserFactory
from projects.tests.factories import ProjectFactory
from tasks.models import Priority, Status, Task
from tasks.services import TaskVersionConflict, task_create, task_delete, task_update, tasks_bulk_update

pytestmark = pytest.mark.django_db

STATUSES = list(Status)
PROJECTS = 2
# Columns stay small, so positions up to 8 are often past the end of the target column.
positions = st.integers(min_value=0, max_value=8)
optional_positions = st.none() | positions
# How a call states the version: not at all, the stored one, or a stale one (conflict).
version_modes = st.sampled_from(["none", "current", "stale"])


@dataclass
class Expected:
    """What the model knows about one task besides its place on the board."""

    version: int = 1
    priority: int = Priority.MEDIUM
    # None until the database value is first seen; then it must not change unless the task did.
    updated_at: datetime | None = None
    completed_at: datetime | None = None


class KanbanMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        # Each example runs in its own savepoint, rolled back in teardown: examples do not see
        # each other's rows, and a failed constraint check does not poison the next example
        # while Hypothesis shrinks.
        self.example_atomic = transaction.atomic()
        self.example_atomic.__enter__()
        self.board: dict[tuple[uuid.UUID, int], list[uuid.UUID]] = {}
        self.expected: dict[uuid.UUID, Expected] = {}
        self.project_of: dict[uuid.UUID, uuid.UUID] = {}
        self.changed: set[uuid.UUID] = set()  # tasks changed by a call since the last check
        self.titles = 0
        self.user = UserFactory()
        self.projects = [ProjectFactory(owner=self.user) for _ in range(PROJECTS)]
        for project in self.projects:
            for status in STATUSES:
                self.board[(project.pk, status)] = []

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.example_atomic.__exit__(None, None, None)

    # --- the model ------------------------------------------------------------------------

    def live_ids(self) -> list[uuid.UUID]:
        return [task_id for column in self.board.values() for task_id in column]

    def place_of(self, task_id: uuid.UUID) -> tuple[int, int]:
        """The (status, index) of a task in the model."""
        project_id = self.project_of[task_id]
        for status in STATUSES:
            column = self.board[(project_id, status)]
            if task_id in column:
                return status, column.index(task_id)
        raise AssertionError(f"task {task_id} is not on the model's board")

    def model_move(self, task_id: uuid.UUID, *, status: int | None, position: int | None) -> bool:
        """Applies SPEC §5's move to the model; returns whether the task itself changed."""
        project_id = self.project_of[task_id]
        old_status, old_index = self.place_of(task_id)
        new_status = old_status if status is None else status
        if new_status == old_status:
            if position is None:
                return False
            column = self.board[(project_id, old_status)]
            target = min(position, len(column) - 1)
            if target == old_index:
                return False
            column.remove(task_id)
            column.insert(target, task_id)
            return True
        self.board[(project_id, old_status)].remove(task_id)
        column = self.board[(project_id, new_status)]
        column.insert(len(column) if position is None else min(position, len(column)), task_id)
        if new_status == Status.DONE:
            self.expected[task_id].completed_at = None  # newly set: learnt at the next check
        return True

    def mark_changed(self, task_id: uuid.UUID) -> None:
        self.expected[task_id].version += 1
        self.changed.add(task_id)

    def version_to_send(self, task_id: uuid.UUID, mode: str) -> int | None:
        current = self.expected[task_id].version
        if mode == "none":
            return None
        if mode == "current":
            return current
        return current - 1 if current > 1 else current + 1

    # --- rules ----------------------------------------------------------------------------

    @rule(
        project_index=st.integers(0, PROJECTS - 1),
        status=st.sampled_from(STATUSES),
        position=optional_positions,
        priority=st.sampled_from(list(Priority)),
    )
    def create(self, project_index: int, status: int, position: int | None, priority: int) -> None:
        project = self.projects[project_index]
        self.titles += 1
        task = task_create(
            project=project, title=f"task {self.titles}", status=status, position=position, priority=priority
        )
        column = self.board[(project.pk, status)]
        expected_position = len(column) if position is None else min(position, len(column))
        assert task.position == expected_position
        assert task.version == 1
        column.insert(expected_position, task.pk)
        self.project_of[task.pk] = project.pk
        self.expected[task.pk] = Expected(priority=priority)
        self.changed.add(task.pk)

    @precondition(lambda self: self.live_ids())
    @rule(data=st.data(), position=positions, version_mode=version_modes)
    def move_within_column(self, data: st.DataObject, position: int, version_mode: str) -> None:
        task_id = data.draw(st.sampled_from(self.live_ids()), label="task")
        self.update(task_id, {"position": position}, version_mode)

    @precondition(lambda self: self.live_ids())
    @rule(
        data=st.data(),
        status=st.sampled_from(STATUSES),
        position=optional_positions,
        version_mode=version_modes,
    )
    def change_status(
        self, data: st.DataObject, status: int, position: int | None, version_mode: str
    ) -> None:
        task_id = data.draw(st.sampled_from(self.live_ids()), label="task")
        changes: dict[str, int] = {"status": status}
        if position is not None:
            changes["position"] = position
        self.update(task_id, changes, version_mode)

    def update(self, task_id: uuid.UUID, changes: dict[str, int], version_mode: str) -> None:
        sent = self.version_to_send(task_id, version_mode)
        task = Task.objects.get(pk=task_id)
        if version_mode == "stale":
            with pytest.raises(TaskVersionConflict) as conflict:
                task_update(task=task, changes=changes, expected_version=sent)
            assert conflict.value.task.version == self.expected[task_id].version
            return
        returned = task_update(task=task, changes=changes, expected_version=sent)
        if self.model_move(task_id, status=changes.get("status"), position=changes.get("position")):
            self.mark_changed(task_id)
        status, index = self.place_of(task_id)
        assert (returned.status, returned.position, returned.version) == (
            status,
            index,
            self.expected[task_id].version,
        )

    @precondition(lambda self: self.live_ids())
    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        task_id = data.draw(st.sampled_from(self.live_ids()), label="task")
        task_delete(task=Task.objects.get(pk=task_id))
        status, _ = self.place_of(task_id)
        self.board[(self.project_of[task_id], status)].remove(task_id)
        del self.expected[task_id]
        assert not Task.objects.filter(pk=task_id).exists()

    @precondition(lambda self: len(self.live_ids()) >= 2)
    @rule(data=st.data())
    def bulk_update(self, data: st.DataObject) -> None:
        live = self.live_ids()
        chosen = data.draw(
            st.lists(st.sampled_from(live), min_size=2, max_size=min(4, len(live)), unique=True),
            label="tasks",
        )
        items = []
        for task_id in chosen:
            item = data.draw(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "status": st.sampled_from(STATUSES),
                        "position": positions,
                        "priority": st.sampled_from(list(Priority)),
                    },
                ),
                label="item",
            )
            version = self.version_to_send(task_id, data.draw(version_modes, label="version"))
            if version is not None:
                item["version"] = version
            items.append({"id": task_id, **item})

        if any("version" in item and item["version"] != self.expected[item["id"]].version for item in items):
            with pytest.raises(TaskVersionConflict):
                tasks_bulk_update(user=self.user, updates=items)
            return  # all or nothing: the invariant checks that no earlier item stayed applied

        returned = tasks_bulk_update(user=self.user, updates=items)
        for item in items:
            task_id = item["id"]
            changed = self.model_move(task_id, status=item.get("status"), position=item.get("position"))
            if "priority" in item and item["priority"] != self.expected[task_id].priority:
                self.expected[task_id].priority = item["priority"]
                changed = True
            if changed:
                self.mark_changed(task_id)
        assert [task.pk for task in returned] == chosen
        for task in returned:
            status, index = self.place_of(task.pk)
            assert (task.status, task.position, task.version) == (
                status,
                index,
                self.expected[task.pk].version,
            )

    # --- the check after every step ---------------------------------------------------------

    @invariant()
    def board_matches_the_model(self) -> None:
        self.check_deferred_constraints_now()
        rows = list(
            Task.objects.filter(project__in=self.projects)
            .order_by("project_id", "status", "place__position")
            .values_list(
                "id",
                "project_id",
                "status",
                "place__status",
                "place__position",
                "version",
                "priority",
                "updated_at",
                "completed_at",
            )
        )
        actual: dict[tuple[uuid.UUID, int], list[uuid.UUID]] = {key: [] for key in self.board}
        for (
            task_id,
            project_id,
            status,
            place_status,
            position,
            version,
            priority,
            updated_at,
            completed_at,
        ) in rows:
            assert place_status == status, "a task and its board place disagree on the status"
            column = actual[(project_id, status)]
            assert position == len(column), f"column {project_id}/{Status(status).label} is not 0..n-1"
            column.append(task_id)
            expected = self.expected[task_id]
            assert version == expected.version, f"version of {task_id}"
            assert priority == expected.priority, f"priority of {task_id}"
            assert (completed_at is not None) == (status == Status.DONE), f"completed_at of {task_id}"
            if task_id in self.changed:
                assert expected.updated_at is None or updated_at >= expected.updated_at
                expected.updated_at = updated_at
            else:
                assert updated_at == expected.updated_at, f"{task_id} was shifted, not changed"
            if status == Status.DONE:
                if expected.completed_at is None:
                    expected.completed_at = completed_at
                assert completed_at == expected.completed_at, f"completed_at of {task_id} moved"
            else:
                expected.completed_at = None
        assert actual == self.board
        self.changed.clear()

    def check_deferred_constraints_now(self) -> None:
        """The test never commits, so the deferred UNIQUE(project, status, position) would never
        be checked: SET CONSTRAINTS ... IMMEDIATE checks the pending rows at once."""
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        except IntegrityError as exc:
            raise AssertionError(f"a deferred constraint fails: {exc}") from exc


def test_the_board_follows_the_model_through_random_operations(db):
    run_state_machine_as_test(
        KanbanMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=30,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )

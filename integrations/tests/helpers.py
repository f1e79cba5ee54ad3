from datetime import UTC, datetime, timedelta
from typing import Any

from accounts.models import User
from projects.tests.factories import ProjectFactory
from tasks.models import Task
from tasks.tests.factories import make_task


def due(hours: int = 24) -> datetime:
    return (datetime.now(UTC) + timedelta(hours=hours)).replace(microsecond=0)


def task_for(user: User, *, title: str = "Write report", hours: int = 24, **fields: Any) -> Task:
    fields.setdefault("due_date", due(hours))
    return make_task(project=ProjectFactory(owner=user), title=title, **fields)

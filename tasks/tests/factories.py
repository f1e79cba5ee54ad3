from typing import Any, cast

from projects.models import Project
from projects.tests.factories import ProjectFactory
from tasks.models import Task
from tasks.services import task_create


def make_task(*, project: Project | None = None, title: str = "A task", **fields: Any) -> Task:
    """Tasks go through the service, so the column order (0..n-1) always holds in tests."""
    return task_create(project=project or cast(Project, ProjectFactory()), title=title, **fields)

import logging
from typing import Any

from accounts.models import User
from projects.models import DEFAULT_COLOR, Project

logger = logging.getLogger(__name__)

# What a full update (PUT) sets for a field the request leaves out.
PROJECT_DEFAULTS = {"description": "", "color": DEFAULT_COLOR, "archived": False}


def project_create(*, owner: User, name: str, **fields: Any) -> Project:
    project = Project.objects.create(owner=owner, name=name, **fields)
    logger.info("project created project_id=%s user_id=%s", project.pk, owner.pk)
    return project


def project_update(*, project: Project, changes: dict[str, Any], replace: bool = False) -> Project:
    """Partial update, or with ``replace`` a full one: fields left out take their defaults."""
    values = {**PROJECT_DEFAULTS, **changes} if replace else changes
    for field, value in values.items():
        setattr(project, field, value)
    project.save()
    return project


def project_delete(*, project: Project) -> None:
    """Deletes the project and, by cascade, its tasks."""
    project_id, owner_id = project.pk, project.owner_id
    project.delete()
    logger.info("project deleted project_id=%s user_id=%s", project_id, owner_id)

import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from accounts.models import User
from config.change_stamps import user_data_changed
from config.db import model_assign
from config.errors import NotFound
from projects.models import DEFAULT_COLOR, Project

logger = logging.getLogger(__name__)

# What a full update (PUT) sets for a field the request leaves out.
PROJECT_DEFAULTS = {"description": "", "color": DEFAULT_COLOR, "archived": False}


def projects_lock(project_ids: Iterable[Any], *, for_delete: bool = False) -> set[Any]:
    """Row-locks the projects in id order and returns the ids still there. The first lock of
    every board write (``tasks.board.lock``) and of a project's deletion, which takes the
    stronger lock (``FOR UPDATE``) that a board write's ``FOR NO KEY UPDATE`` waits for."""
    ids = sorted(set(project_ids), key=str)
    rows = Project.objects.filter(pk__in=ids).order_by("pk").select_for_update(no_key=not for_delete)
    return set(rows.values_list("pk", flat=True))


def project_create(*, owner: User, name: str, **fields: Any) -> Project:
    project = Project.objects.create(owner=owner, name=name, **fields)
    user_data_changed(owner.pk)
    logger.info("project created project_id=%s user_id=%s", project.pk, owner.pk)
    return project


@transaction.atomic
def project_update(*, project: Project, changes: dict[str, Any], replace: bool = False) -> Project:
    """Partial update, or with ``replace`` a full one: fields left out take their defaults.
    Writes only those fields, on the row as it is now (locked), so a concurrent change to
    another field survives and a project deleted meanwhile stays deleted (404)."""
    values = {**PROJECT_DEFAULTS, **changes} if replace else changes
    locked = Project.objects.select_for_update(no_key=True).filter(pk=project.pk).first()
    if locked is None:
        raise NotFound("No project with this id.")
    changed = model_assign(instance=locked, data=values, fields=values)
    locked.save(update_fields=[*changed, "updated_at"])
    user_data_changed(locked.owner_id)
    return locked


@transaction.atomic
def project_delete(*, project: Project) -> None:
    """Deletes the project and, by cascade, its tasks. The project row is locked first, as
    every board write locks it before its tasks (the board's lock order): a move under way
    finishes, one that comes later finds the project gone, and neither deadlocks with the
    cascade's task deletes."""
    project_id, owner_id = project.pk, project.owner_id
    if not projects_lock([project_id], for_delete=True):
        return  # deleted meanwhile
    Project.objects.filter(pk=project_id).delete()
    user_data_changed(owner_id)
    logger.info("project deleted project_id=%s user_id=%s", project_id, owner_id)

"""Label writes (SPEC §13): CRUD, the names a task is given, and a task's list of labels.

Tasks reach labels through ``TaskLabel`` rows only, so a rename or a deletion changes no task
row: neither a task's ``version`` nor its ``updated_at`` moves."""

import logging
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower

from accounts.models import User
from config.change_stamps import user_data_changed
from config.db import model_assign
from config.errors import Conflict, NotFound
from labels.models import DEFAULT_COLOR, Label, TaskLabel

logger = logging.getLogger(__name__)

DUPLICATE = "You already have a label with this name (names are compared case-insensitively)."


def _unique_name(save: Any) -> Any:
    """Runs ``save``; a name the owner already has (whatever the case) is a 409 on ``name``."""
    try:
        with transaction.atomic():
            return save()
    except IntegrityError as exc:
        if "labels_unique_name_per_owner" not in str(exc):
            raise
        raise Conflict(DUPLICATE, errors={"name": [DUPLICATE]}) from None


def label_create(*, owner: User, name: str, color: str = DEFAULT_COLOR) -> Label:
    label = _unique_name(lambda: Label.objects.create(owner=owner, name=name, color=color))
    user_data_changed(owner.pk)
    logger.info("label created label_id=%s user_id=%s", label.pk, owner.pk)
    return label


@transaction.atomic
def label_update(*, label: Label, changes: dict[str, Any]) -> Label:
    """Renames or recolours the label, on every task that carries it at once."""
    locked = Label.objects.select_for_update().filter(pk=label.pk).first()
    if locked is None:
        raise NotFound("No label with this id.")
    changed = model_assign(instance=locked, data=changes, fields=("name", "color"))
    if changed:
        _unique_name(lambda: locked.save(update_fields=changed))
        user_data_changed(locked.owner_id)
    return locked


def label_delete(*, label: Label) -> None:
    """Deletes the label and, with it, its place on every task."""
    Label.objects.filter(pk=label.pk).delete()
    user_data_changed(label.owner_id)
    logger.info("label deleted label_id=%s user_id=%s", label.pk, label.owner_id)


def labels_for_names(*, owner_id: Any, names: list[str]) -> list[Label]:
    """The owner's labels of these names (already trimmed, distinct case-insensitively), in
    their order: a name matching one of them whatever the case is that label; the others are
    created. Two requests creating the same name at once get the same label (the insert skips
    what the unique index already holds, then both read it)."""
    if not names:
        return []
    wanted = [name.lower() for name in names]

    def existing() -> dict[str, Label]:
        rows = Label.objects.annotate(key=Lower("name")).filter(owner_id=owner_id, key__in=wanted)
        return {row.key: row for row in rows}

    found = existing()
    missing = [Label(owner_id=owner_id, name=name) for name in names if name.lower() not in found]
    if missing:
        Label.objects.bulk_create(missing, ignore_conflicts=True)
        found = existing()
        logger.info("labels created with a task count=%d user_id=%s", len(missing), owner_id)
    return [found[key] for key in wanted]


def task_labels_set(*, task_id: Any, labels: Iterable[Label]) -> None:
    """Replaces a task's labels with ``labels``, in that order (inside the caller's transaction,
    which holds the task's lock)."""
    TaskLabel.objects.filter(task_id=task_id).delete()
    TaskLabel.objects.bulk_create(
        [TaskLabel(task_id=task_id, label=label, position=index) for index, label in enumerate(labels)]
    )

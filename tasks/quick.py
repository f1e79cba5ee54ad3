"""Quick add (SPEC §13): a line of text read by ``tasks.quick_add`` in the owner's time zone,
checked as a task's fields would be, and made into a task through ``task_create``."""

from datetime import time
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from labels.models import LABELS_PER_TASK_MAX, NAME_MAX_LENGTH
from projects.models import Project
from tasks import dues
from tasks.models import TITLE_MAX_LENGTH, Priority, Task
from tasks.quick_add import Parsed, read
from tasks.services import task_create

TEXT_MAX_LENGTH = 1000


def _refused(message: str) -> ValidationError:
    return ValidationError({"text": [message]})


def quick_read(*, text: str, user: User) -> Parsed:
    """The reading of ``text`` for ``user`` now; ValidationError on ``text`` when what is left
    cannot be a task (no title, a title or a label too long, too many labels)."""
    return _read_with_wall(text=text, user=user)[0]


def _read_with_wall(*, text: str, user: User) -> tuple[Parsed, time | None]:
    """``quick_read`` and the wall time of the timed due it read (``quick_add.read``)."""
    parsed, wall = read(text, now=timezone.now(), zone=dues.zone_of(user))
    if not parsed.title:
        raise _refused("Nothing is left for the title once the dates, labels and priority are read.")
    if len(parsed.title) > TITLE_MAX_LENGTH:
        raise _refused(f"The title left is over {TITLE_MAX_LENGTH} characters.")
    if any(len(name) > NAME_MAX_LENGTH for name in parsed.labels):
        raise _refused(f"A label's name is at most {NAME_MAX_LENGTH} characters.")
    if len(parsed.labels) > LABELS_PER_TASK_MAX:
        raise _refused(f"A task carries at most {LABELS_PER_TASK_MAX} labels.")
    return parsed, wall


def parsed_json(parsed: Parsed) -> dict[str, Any]:
    """SPEC §13's ``parsed``: every key, null (or []) for what the text did not name."""
    due_date = parsed.due_date
    return {
        "title": parsed.title,
        "due_date": due_date.isoformat().replace("+00:00", "Z") if due_date else None,
        "due_on": parsed.due_on.isoformat() if parsed.due_on else None,
        "recurrence": parsed.recurrence,
        "labels": list(parsed.labels),
        "priority": parsed.priority,
    }


def task_quick_add(*, project: Project, text: str) -> tuple[Task, Parsed]:
    """The task the text describes, at the end of TODO; the default priority when it names none.
    Its rule recurs at the wall time read, even where the first due's day skips it (a gap)."""
    parsed, wall = _read_with_wall(text=text, user=project.owner)
    fields: dict[str, Any] = {
        "labels": parsed.labels,
        "recurrence": parsed.recurrence,
        "recurrence_wall": wall,
    }
    if parsed.due_on is not None:
        fields["due_on"] = parsed.due_on
    elif parsed.due_date is not None:
        fields["due_date"] = parsed.due_date
    if parsed.priority is not None:
        fields["priority"] = Priority[parsed.priority].value
    return task_create(project=project, title=parsed.title, **fields), parsed

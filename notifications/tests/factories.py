"""Users with preferences and tasks with dues (timed or all-day), built through the real services."""

from datetime import date, datetime
from typing import Any, cast

from django.utils import timezone

from accounts.models import User
from accounts.preferences import merge_preferences
from accounts.tests.factories import UserFactory
from notifications.models import EmailStatus, Notification, NotificationType
from projects.models import Project
from projects.tests.factories import ProjectFactory
from tasks import dues
from tasks.models import Task
from tasks.services import task_create


def make_user(*, verified: bool = True, **preferences: Any) -> User:
    user = cast(User, UserFactory(email_verified=verified))
    if preferences:
        user.preferences = merge_preferences({}, preferences)
        user.save(update_fields=["preferences"])
    return user


def make_task(
    *,
    user: User | None = None,
    project: Project | None = None,
    title: str = "Write report",
    due_date: datetime | None = None,
    due_on: date | None = None,
    **fields: Any,
) -> Task:
    """A task due at ``due_date``, or all day on ``due_on`` (its due moment in the owner's zone)."""
    if project is None:
        project = cast(Project, ProjectFactory(owner=user or make_user(), name="Work"))
    return task_create(project=project, title=title, due_date=due_date, due_on=due_on, **fields)


def make_notification(
    *,
    user: User,
    notification_type: int = NotificationType.OVERDUE,
    read: bool = False,
    created_at: datetime | None = None,
    task: Task | None = None,
    message: str = "A notification",
) -> Notification:
    moment = created_at or timezone.now()
    return Notification.objects.create(
        user=user,
        task=task,
        type=notification_type,
        message=message,
        read=read,
        due_at=dues.notification_key(due_at=task.due_at, due_on=task.due_on)
        if task and task.due_at
        else moment,
        created_at=moment,
        email_status=EmailStatus.SKIPPED,
    )

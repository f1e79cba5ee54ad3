"""Users with preferences and tasks with due dates, built through the real services."""

from datetime import datetime
from typing import Any, cast

from django.utils import timezone

from accounts.models import User
from accounts.preferences import merge_preferences
from accounts.tests.factories import UserFactory
from notifications.models import EmailStatus, Notification, NotificationType
from projects.models import Project
from projects.tests.factories import ProjectFactory
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
    **fields: Any,
) -> Task:
    if project is None:
        project = cast(Project, ProjectFactory(owner=user or make_user(), name="Work"))
    return task_create(project=project, title=title, due_date=due_date, **fields)


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
        due_at=task.due_date if task and task.due_date else moment,
        created_at=moment,
        email_status=EmailStatus.SKIPPED,
    )

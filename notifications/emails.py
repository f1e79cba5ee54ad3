"""The notification e-mail: HTML + text, with one-click unsubscribe headers (RFC 8058)."""

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from config.email import send_templated_email
from notifications.models import Notification, NotificationType
from notifications.tokens import unsubscribe_token_make

SUBJECT_PREFIX = {
    NotificationType.DEADLINE_APPROACHING: "Due soon",
    NotificationType.OVERDUE: "Overdue",
    NotificationType.REMINDER: "Reminder",
}


def unsubscribe_url(*, notification: Notification) -> str:
    """The API's own unsubscribe endpoint (SPEC §10), with a signed token: no login needed."""
    token = unsubscribe_token_make(user=notification.user)
    return f"{settings.API_PUBLIC_URL}{reverse('notifications-unsubscribe')}?{urlencode({'token': token})}"


def notification_email_send(*, notification: Notification) -> None:
    link = unsubscribe_url(notification=notification)
    task = notification.task
    send_templated_email(
        template="notification",
        to=[notification.user.email],
        context={
            "user": notification.user,
            "notification": notification,
            "subject_prefix": SUBJECT_PREFIX[NotificationType(notification.type)],
            "task_title": task.title if task else "",
            "task_link": f"{settings.FRONTEND_URL}/tasks/{task.pk}" if task else settings.FRONTEND_URL,
            "unsubscribe_link": link,
        },
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )

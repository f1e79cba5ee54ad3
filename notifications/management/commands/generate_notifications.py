from typing import Any

from django.core.management.base import BaseCommand, CommandError

from notifications.models import NotificationRun
from notifications.services import notifications_generate


class Command(BaseCommand):
    help = "One run of the hourly notification job (the same as Celery beat runs), with a summary."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--reminders-only", action="store_true", help="Only reminders, like the every-few-minutes job."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        kind = NotificationRun.Kind.REMINDERS if options["reminders_only"] else NotificationRun.Kind.HOURLY
        run = notifications_generate(kind=kind)
        self.stdout.write(
            f"Run {run.pk} ({run.kind}): {run.created_count} notification(s) created, "
            f"{run.emails_queued} e-mail(s) queued, {run.error_count} error(s)."
        )
        for error in run.errors:
            self.stderr.write(f"  user {error.get('user_id')}: {error.get('error')}")
        if run.error_count:
            raise CommandError(f"{run.error_count} user(s) failed; see the log and the run in the admin.")

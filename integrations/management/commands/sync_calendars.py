from typing import Any

from django.core.management.base import BaseCommand

from integrations.google.client import GoogleError
from integrations.selectors import connected_user_ids
from integrations.sync import calendar_sync


class Command(BaseCommand):
    help = "One sync of every connected Google Calendar, in this process (what beat runs every 5 minutes)."

    def handle(self, *args: Any, **options: Any) -> None:
        failed = 0
        user_ids = connected_user_ids()
        for user_id in user_ids:
            try:
                result = calendar_sync(user_id=user_id)
            except GoogleError as error:
                failed += 1
                self.stderr.write(f"user {user_id}: {error}")
                continue
            self.stdout.write(
                f"user {user_id}: pulled {result.pulled}, created {result.created}, "
                f"updated {result.updated}, deleted {result.deleted}, unlinked {result.unlinked}"
            )
        self.stdout.write(f"Synced {len(user_ids) - failed} of {len(user_ids)} calendars.")

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from outbox.services import outbox_relay


class Command(BaseCommand):
    help = "Publishes the outbox's unsent messages (what the beat job does), e.g. after a broker outage."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--min-age",
            type=int,
            default=None,
            help="Only messages at least this many seconds old (default: OUTBOX_RELAY_MIN_AGE_SECONDS).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        min_age = None if options["min_age"] is None else timedelta(seconds=options["min_age"])
        sent = outbox_relay(min_age=min_age)
        self.stdout.write(f"Published {sent} outbox message(s).")

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import user_preferences_update
from checklists.services import item_create
from labels.models import Label
from projects.models import Project
from projects.services import project_create
from tasks import dues
from tasks.models import Priority, Status
from tasks.services import task_create

DEMO_EMAIL = "demo@taskflow.local"
DEMO_USERNAME = "demo"


@dataclass(frozen=True)
class Day:
    """An all-day due: this many days after today, in the demo user's zone."""

    days: int


# Recurring demo tasks (SPEC §12): title -> rule.
DEMO_RULES = {
    "Water the plants": {"rrule": "FREQ=DAILY;INTERVAL=3", "from": "completion"},
    "Take out the recycling": {"rrule": "FREQ=WEEKLY;BYDAY=TH"},
    "Ownership exercises": {"rrule": "FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=12"},
}

# Demo reminders (SPEC §12): title -> minutes before the due.
DEMO_REMINDERS = {
    "Write the launch announcement": [60, 1440],
    "Take out the recycling": [120],
    "Book dentist appointment": [30],
}

# Demo labels (SPEC §13): title -> label names (the labels are made with the first task).
DEMO_LABELS = {
    "Collect content from every team": ["writing", "waiting"],
    "Write the launch announcement": ["writing"],
    "Launch day": ["milestone"],
    "Renew car insurance": ["errands", "money"],
    "Book dentist appointment": ["errands"],
    "Take out the recycling": ["chores"],
    "Water the plants": ["chores"],
}

# Demo checklists (SPEC §13): title -> (item, done) in order.
DEMO_CHECKLISTS = {
    "Build the pricing page": [
        ("Agree the three plans", True),
        ("Write the comparison table", True),
        ("Add the FAQ", False),
        ("Review on a phone", False),
    ],
    "Fix the kitchen tap": [
        ("Buy a washer", True),
        ("Turn off the water", False),
        ("Replace the washer", False),
    ],
    "Launch day": [("Switch DNS", False), ("Post the announcement", False)],
}

# (project name, color, [(title, status, priority, due in hours, an all-day Day, or None)])
DEMO_BOARD: list[tuple[str, str, list[tuple[str, int, int, float | Day | None]]]] = [
    (
        "Website relaunch",
        "#3B82F6",
        [
            ("Collect content from every team", Status.TODO, Priority.HIGH, 20),
            ("Pick a font pairing", Status.TODO, Priority.LOW, None),
            ("Write the launch announcement", Status.TODO, Priority.MEDIUM, 24 * 5),
            ("Launch day", Status.TODO, Priority.URGENT, Day(6)),
            ("Build the pricing page", Status.IN_PROGRESS, Priority.URGENT, 6),
            ("Migrate blog posts", Status.IN_PROGRESS, Priority.MEDIUM, -30),
            ("Set up analytics", Status.DONE, Priority.MEDIUM, -48),
        ],
    ),
    (
        "Home",
        "#10B981",
        [
            ("Renew car insurance", Status.TODO, Priority.URGENT, -5),
            ("Water the plants", Status.TODO, Priority.LOW, Day(0)),
            ("Take out the recycling", Status.TODO, Priority.MEDIUM, Day(2)),
            ("Call grandma", Status.TODO, Priority.MEDIUM, Day(-1)),
            ("Book dentist appointment", Status.TODO, Priority.MEDIUM, 24 * 3),
            ("Fix the kitchen tap", Status.IN_PROGRESS, Priority.HIGH, 40),
            ("File tax return", Status.DONE, Priority.HIGH, -24 * 10),
        ],
    ),
    (
        "Learning Rust",
        "#F59E0B",
        [
            ("Read chapters 1-4", Status.DONE, Priority.MEDIUM, None),
            ("Ownership exercises", Status.IN_PROGRESS, Priority.MEDIUM, 24 * 2),
            ("Write a CLI todo app", Status.TODO, Priority.LOW, 24 * 14),
        ],
    ),
]


class Command(BaseCommand):
    help = (
        "Creates (or resets) a demo user with a fresh password and a board of projects and tasks "
        "(every status, some due soon, some overdue, some all-day, some recurring, with labels and "
        "checklists), in a time zone, and "
        "prints the credentials."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--email", default=DEMO_EMAIL)
        parser.add_argument("--username", default=DEMO_USERNAME)
        parser.add_argument("--timezone", default="Europe/Berlin", help="The demo user's IANA time zone.")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        # Always satisfies the complexity rules: upper, lower, digit, and 16+ characters.
        password = f"Demo-{secrets.token_urlsafe(12)}-9a"
        user = User.objects.filter(email__lower=options["email"].lower()).first()
        if user is None:
            user = User.objects.create_user(
                email=options["email"], username=options["username"], password=password, email_verified=True
            )
            self.stdout.write(self.style.SUCCESS(f"Created demo user {user.email}."))
        else:
            user.set_password(password)
            user.is_active = True
            user.token_generation += 1
            user.save(update_fields=["password", "is_active", "token_generation", "updated_at"])
            self.stdout.write(self.style.WARNING(f"Demo user {user.email} existed; password reset."))
        user_preferences_update(user=user, changes={"timezone": options["timezone"]})
        created = self._seed_board(user)
        self.stdout.write(f"Board: {created} tasks in {len(DEMO_BOARD)} projects.")
        self.stdout.write(f"  email:    {user.email}\n  password: {password}")

    def _seed_board(self, user: User) -> int:
        """Replaces the demo user's projects with the demo board; returns the task count."""
        Project.objects.filter(owner=user).delete()
        Label.objects.filter(owner=user).delete()
        now = timezone.now()
        today = dues.local_date(now, dues.zone_of(user))
        count = 0
        for name, color, tasks in DEMO_BOARD:
            project = project_create(owner=user, name=name, color=color)
            for title, status, priority, due in tasks:
                if isinstance(due, Day):
                    when: dict[str, Any] = {"due_on": today + timedelta(days=due.days)}
                else:
                    when = {"due_date": None if due is None else now + timedelta(hours=due)}
                task = task_create(
                    project=project,
                    title=title,
                    status=status,
                    priority=priority,
                    recurrence=DEMO_RULES.get(title),
                    reminder_offsets=DEMO_REMINDERS.get(title, []),
                    labels=DEMO_LABELS.get(title, []),
                    **when,
                )
                for text, done in DEMO_CHECKLISTS.get(title, []):
                    item_create(task=task, text=text, done=done)
                count += 1
        return count

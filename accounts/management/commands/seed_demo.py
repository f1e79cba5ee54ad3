import secrets
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User

DEMO_EMAIL = "demo@taskflow.local"
DEMO_USERNAME = "demo"


class Command(BaseCommand):
    help = "Creates (or resets) a demo user with a fresh password and prints its credentials."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--email", default=DEMO_EMAIL)
        parser.add_argument("--username", default=DEMO_USERNAME)

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
            user.save(update_fields=["password", "is_active", "updated_at"])
            self.stdout.write(self.style.WARNING(f"Demo user {user.email} existed; password reset."))
        self.stdout.write(f"  email:    {user.email}\n  password: {password}")

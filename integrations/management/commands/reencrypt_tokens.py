from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from integrations.models import GoogleIntegration, OAuthState

ENCRYPTED_FIELDS = ["access_token", "refresh_token", "channel_token"]


class Command(BaseCommand):
    help = (
        "Re-encrypts every stored Google secret with the first FIELD_ENCRYPTION_KEY. Run after putting "
        "a new key first; the old key can be removed once this has finished."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        with transaction.atomic():
            for integration in GoogleIntegration.objects.select_for_update().order_by("pk"):
                integration.save(update_fields=ENCRYPTED_FIELDS)
                count += 1
            for pending in OAuthState.objects.select_for_update().order_by("pk"):
                pending.save(update_fields=["code_verifier"])
        self.stdout.write(f"Re-encrypted the secrets of {count} integrations.")

from django.apps import AppConfig
from django.db.models import CharField, EmailField
from django.db.models.functions import Lower


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self) -> None:
        # ``email__lower=...`` matches the functional unique indexes on LOWER(email/username).
        CharField.register_lookup(Lower)
        EmailField.register_lookup(Lower)

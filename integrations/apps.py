import logging

from django.apps import AppConfig

# These libraries log OAuth request bodies and token responses (codes, client secret, access
# and refresh tokens) at DEBUG: they stay at WARNING whatever LOG_LEVEL says.
CHATTY_OAUTH_LOGGERS = ("requests_oauthlib", "oauthlib")


class IntegrationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "integrations"

    def ready(self) -> None:
        for name in CHATTY_OAUTH_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data (``manage.py seed_demo``): it composes every app's services, so it sits
    above them all and no app imports it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "demo"

from django.apps import AppConfig
from django.db.models import CharField, TextField
from django.db.models.functions import Length


class ProjectsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "projects"

    def ready(self) -> None:
        # ``name__length__lte=…`` in CheckConstraints of projects and tasks.
        CharField.register_lookup(Length)
        TextField.register_lookup(Length)

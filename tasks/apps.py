from django.apps import AppConfig


class TasksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tasks"

    def ready(self) -> None:
        from accounts.signals import timezone_changed
        from tasks.services import owner_zone_changed

        timezone_changed.connect(owner_zone_changed, dispatch_uid="tasks.owner_zone_changed")

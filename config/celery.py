"""The Celery application: configuration from Django settings (CELERY_*), tasks per app."""

from celery import Celery

from config.settings_module import select_settings_module

select_settings_module()

app = Celery("taskflow")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

"""Settings for the Celery worker subprocess of the end-to-end test: the test settings, but
tasks go through the broker and e-mail uses the backend the test names (the test settings
pin the in-memory one, which another process cannot share)."""

from config.settings.env import env_str
from config.settings.test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "anymail.backends.amazon_ses.EmailBackend")

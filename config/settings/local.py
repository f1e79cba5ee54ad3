"""Development: the embedded default (SQLite, a broker without a server, console e-mail)."""

import warnings

from config.settings.base import *  # noqa: F403
from config.settings.base import (
    BROKER_DATA_DIR,
    DEV_FIELD_ENCRYPTION_KEY,
    DEV_JWT_SIGNING_KEY,
    DEV_SECRET_KEY,
    FIELD_ENCRYPTION_KEY,
    JWT_SIGNING_KEY,
    SECRET_KEY,
)
from config.settings.env import env_bool

DEBUG = env_bool("DEBUG", True)

if (
    DEV_SECRET_KEY == SECRET_KEY
    or DEV_JWT_SIGNING_KEY == JWT_SIGNING_KEY
    or (DEV_FIELD_ENCRYPTION_KEY in FIELD_ENCRYPTION_KEY)
):
    warnings.warn(
        "Using the fixed development keys (SECRET_KEY, JWT_SIGNING_KEY, FIELD_ENCRYPTION_KEY). "
        "Never run production like this.",
        stacklevel=1,
    )

for folder in ("queue", "processed", "control"):
    (BROKER_DATA_DIR / folder).mkdir(parents=True, exist_ok=True)

WHITENOISE_USE_FINDERS = True

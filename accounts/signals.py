"""What accounts announce to the apps above them, which it must not import (docs/ARCHITECTURE.md,
"Apps"). Sent explicitly by the services, inside their transaction, so a receiver's writes
commit or roll back with the change."""

from django.dispatch import Signal

# A user's ``preferences.timezone`` changed: kwargs ``user`` (with the new preferences), ``old``
# and ``new`` (IANA names). tasks moves the due moments of the user's all-day tasks.
timezone_changed = Signal()

import re
from typing import Any

from django.core.exceptions import ValidationError

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128


class PasswordComplexityValidator:
    """SPEC §3: 8–128 characters with an upper-case letter, a lower-case letter and a digit."""

    def validate(self, password: str, user: Any = None) -> None:
        errors = []
        if len(password) < PASSWORD_MIN_LENGTH:
            errors.append(f"Password must be at least {PASSWORD_MIN_LENGTH} characters long.")
        if len(password) > PASSWORD_MAX_LENGTH:
            errors.append(f"Password must be at most {PASSWORD_MAX_LENGTH} characters long.")
        if not re.search(r"[A-Z]", password):
            errors.append("Password must contain an upper-case letter.")
        if not re.search(r"[a-z]", password):
            errors.append("Password must contain a lower-case letter.")
        if not re.search(r"[0-9]", password):
            errors.append("Password must contain a digit.")
        if errors:
            raise ValidationError(errors, code="password_too_weak")

    def get_help_text(self) -> str:
        return (
            f"{PASSWORD_MIN_LENGTH}–{PASSWORD_MAX_LENGTH} characters with an upper-case "
            "letter, a lower-case letter and a digit."
        )

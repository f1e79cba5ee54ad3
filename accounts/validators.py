import re
from typing import Any

from django.core.exceptions import ValidationError

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128
PASSWORD_TOO_SHORT = f"Password must be at least {PASSWORD_MIN_LENGTH} characters long."
PASSWORD_TOO_LONG = f"Password must be at most {PASSWORD_MAX_LENGTH} characters long."
# What a password must contain, each an ASCII character class, by the name its error uses.
PASSWORD_REQUIRED_CHARACTERS = {
    "an upper-case letter": "[A-Z]",
    "a lower-case letter": "[a-z]",
    "a digit": "[0-9]",
}
# The same rule as one regular expression for the OpenAPI schema (ECMA-262 and Python alike):
# a lookahead per class, ``[\s\S]`` so that a newline does not stop the search as ``.`` would.
PASSWORD_PATTERN = "^" + "".join(f"(?=[\\s\\S]*{cls})" for cls in PASSWORD_REQUIRED_CHARACTERS.values())


class PasswordComplexityValidator:
    """SPEC §3: 8–128 characters with an upper-case letter, a lower-case letter and a digit."""

    def validate(self, password: str, user: Any = None) -> None:
        errors = []
        if len(password) < PASSWORD_MIN_LENGTH:
            errors.append(PASSWORD_TOO_SHORT)
        if len(password) > PASSWORD_MAX_LENGTH:
            errors.append(PASSWORD_TOO_LONG)
        for name, cls in PASSWORD_REQUIRED_CHARACTERS.items():
            if not re.search(cls, password):
                errors.append(f"Password must contain {name}.")
        if errors:
            raise ValidationError(errors, code="password_too_weak")

    def get_help_text(self) -> str:
        return (
            f"{PASSWORD_MIN_LENGTH}–{PASSWORD_MAX_LENGTH} characters with an upper-case "
            "letter, a lower-case letter and a digit."
        )

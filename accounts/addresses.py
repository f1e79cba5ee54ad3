"""E-mail addresses in one canonical form (SPEC §3), so a look-alike is never another user's
address: the local part must be ASCII, the domain is mapped with UTS #46 (non-transitional)
and kept as IDNA 2008 A-labels, and case folds as ASCII only. Every stored address is then
ASCII, so Python's ``lower()`` and PostgreSQL's ``lower()`` agree on it, and the unique index
on ``lower(email)`` means exactly what every lookup means."""

import idna
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

MAX_EMAIL_LENGTH = 254


class InvalidEmailAddress(ValueError):
    """Not an address we store: the message says why, for a 400."""


def email_normalize(raw: str) -> str:
    """The stored form of ``raw``: the local part as given, the domain as lower-case A-labels.
    Raises InvalidEmailAddress."""
    local, at, domain = raw.strip().rpartition("@")
    if not at or not local or not domain:
        raise InvalidEmailAddress("Enter a valid email address.")
    if not local.isascii():
        raise InvalidEmailAddress("The part before @ must use ASCII characters only.")
    try:
        ascii_domain = idna.encode(domain, uts46=True, std3_rules=True, transitional=False).decode()
    except (idna.IDNAError, UnicodeError):
        raise InvalidEmailAddress("The domain is not a valid domain name.") from None
    address = f"{local}@{ascii_domain.lower()}"
    if len(address) > MAX_EMAIL_LENGTH:
        raise InvalidEmailAddress(f"At most {MAX_EMAIL_LENGTH} characters.")
    try:
        validate_email(address)
    except ValidationError:
        raise InvalidEmailAddress("Enter a valid email address.") from None
    return address


def email_key(raw: str) -> str | None:
    """What lookups and per-e-mail throttles compare: the canonical address folded to ASCII
    lower case, or None for a string that is no address we could have stored."""
    try:
        return email_normalize(raw).lower()
    except InvalidEmailAddress:
        return None

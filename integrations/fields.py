"""A text field encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256).

Keys come from ``settings.FIELD_ENCRYPTION_KEY``: the first key encrypts, every key decrypts,
so a new key is put first and the old one kept until every row is re-encrypted
(``manage.py reencrypt_tokens``). A value that no key decrypts raises ``DecryptionError``:
the field never hands ciphertext to the code as if it were the secret."""

from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


class DecryptionError(Exception):
    """A stored value that none of the configured keys decrypts."""


@lru_cache(maxsize=8)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise DecryptionError("FIELD_ENCRYPTION_KEY is empty.")
    return MultiFernet([Fernet(key) for key in keys])


def fernet() -> MultiFernet:
    keys = settings.FIELD_ENCRYPTION_KEY
    if isinstance(keys, str):
        keys = [key for key in keys.split(",") if key.strip()]
    return _fernet_for(tuple(key.strip() for key in keys))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(value: str) -> str:
    try:
        return fernet().decrypt(value.encode()).decode()
    except InvalidToken:
        raise DecryptionError("A stored secret could not be decrypted with any configured key.") from None


class EncryptedTextField(models.TextField):
    """Stores ``Fernet(value)``; reads give the plain text. NULL stays NULL. Lookups on the
    column compare ciphertexts, which differ on every write: filter on other columns."""

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return None
        return encrypt(str(value))

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None:
            return None
        return decrypt(value)

"""Tokens are encrypted at rest: unreadable in the raw column, readable through the model,
with key rotation (old keys still decrypt) and a hard failure for a key that does not fit."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from integrations.fields import DecryptionError
from integrations.models import GoogleIntegration

ACCESS = "ya29.secret-access-token"
REFRESH = "1//secret-refresh-token"


def _raw_columns(integration_id: int) -> tuple[str, str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT access_token, refresh_token, channel_token"
            " FROM integrations_googleintegration WHERE id = %s",
            [integration_id],
        )
        return cursor.fetchone()


@pytest.mark.django_db
def test_tokens_are_unreadable_in_the_raw_column_and_readable_through_the_model(user):
    integration = GoogleIntegration.objects.create(
        user=user, access_token=ACCESS, refresh_token=REFRESH, channel_token="chan-secret"
    )

    raw_access, raw_refresh, raw_channel = _raw_columns(integration.pk)

    for raw, plain in ((raw_access, ACCESS), (raw_refresh, REFRESH), (raw_channel, "chan-secret")):
        assert plain not in raw
        assert raw.startswith("gAAAAA")  # a Fernet token
    stored = GoogleIntegration.objects.get(pk=integration.pk)
    assert (stored.access_token, stored.refresh_token, stored.channel_token) == (
        ACCESS,
        REFRESH,
        "chan-secret",
    )


@pytest.mark.django_db
def test_the_same_token_encrypts_differently_each_time(user):
    integration = GoogleIntegration.objects.create(user=user, access_token=ACCESS)
    first = _raw_columns(integration.pk)[0]
    integration.save()
    assert _raw_columns(integration.pk)[0] != first


@pytest.mark.django_db
def test_key_rotation_old_key_still_decrypts_and_reencrypt_moves_rows_to_the_new_key(user, settings):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEY = [old_key]
    integration = GoogleIntegration.objects.create(user=user, access_token=ACCESS, refresh_token=REFRESH)

    # Given a new key put first and the old one kept
    settings.FIELD_ENCRYPTION_KEY = [new_key, old_key]
    assert GoogleIntegration.objects.get(pk=integration.pk).access_token == ACCESS

    # When every row is re-encrypted
    call_command("reencrypt_tokens", stdout=open("/dev/null", "w"))  # noqa: SIM115

    # Then the new key alone reads them
    raw_access = _raw_columns(integration.pk)[0]
    assert Fernet(new_key.encode()).decrypt(raw_access.encode()).decode() == ACCESS
    settings.FIELD_ENCRYPTION_KEY = [new_key]
    assert GoogleIntegration.objects.get(pk=integration.pk).refresh_token == REFRESH


@pytest.mark.django_db
def test_a_key_that_does_not_fit_raises_instead_of_returning_ciphertext(user, settings):
    integration = GoogleIntegration.objects.create(user=user, access_token=ACCESS)
    settings.FIELD_ENCRYPTION_KEY = [Fernet.generate_key().decode()]

    with pytest.raises(DecryptionError):
        GoogleIntegration.objects.get(pk=integration.pk)


@pytest.mark.django_db
def test_keys_given_as_one_comma_separated_string_work(user, settings):
    first, second = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEY = second
    integration = GoogleIntegration.objects.create(user=user, access_token=ACCESS)
    settings.FIELD_ENCRYPTION_KEY = f"{first}, {second}"
    assert GoogleIntegration.objects.get(pk=integration.pk).access_token == ACCESS


@pytest.mark.django_db
def test_no_key_at_all_raises(user, settings):
    settings.FIELD_ENCRYPTION_KEY = []
    with pytest.raises(DecryptionError):
        GoogleIntegration.objects.create(user=user, access_token=ACCESS)

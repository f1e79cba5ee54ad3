"""The API's input fields take only the JSON type their schema declares (config/api/fields.py):
DRF's own would turn ``42`` into ``"42"``, ``"yes"`` into ``True`` and ``"5"`` into ``5``."""

import uuid
from typing import Any

import pytest
from rest_framework import serializers

from config.api.fields import StrictBooleanField, StrictCharField, StrictIntegerField, StrictUUIDField

UUID_TEXT = "0b7e2a4c-1d5f-4c3e-9a8b-7f6e5d4c3b2a"


@pytest.mark.parametrize(
    ("field", "accepted", "refused"),
    [
        (StrictCharField(), ["text", " padded "], [42, 4.2, True, None, [], {}]),
        (StrictBooleanField(), [True, False], [0, 1, "yes", "true", "on", None, []]),
        (StrictIntegerField(), [0, 5, -3, 5.0], ["5", " 5 ", "5.0", True, False, 5.5, None]),
        (
            StrictUUIDField(),
            [UUID_TEXT, UUID_TEXT.upper()],
            [5, UUID_TEXT.replace("-", ""), "{" + UUID_TEXT + "}", f"urn:uuid:{UUID_TEXT}", None],
        ),
    ],
    ids=["string", "boolean", "integer", "uuid"],
)
def test_a_value_of_another_json_type_is_refused(
    field: serializers.Field, accepted: list[Any], refused: list[Any]
) -> None:
    for value in accepted:
        field.run_validation(value)
    for value in refused:
        with pytest.raises(serializers.ValidationError):
            field.run_validation(value)


def test_accepted_values_keep_their_meaning() -> None:
    assert StrictCharField().run_validation(" padded ") == "padded"
    assert StrictIntegerField().run_validation(5.0) == 5
    assert StrictUUIDField().run_validation(UUID_TEXT.upper()) == uuid.UUID(UUID_TEXT)


def test_the_refusal_is_the_fields_own_message() -> None:
    messages = {
        StrictCharField: "Not a valid string.",
        StrictBooleanField: "Must be a valid boolean.",
        StrictIntegerField: "A valid integer is required.",
        StrictUUIDField: "Must be a valid UUID.",
    }
    for field_class, message in messages.items():
        with pytest.raises(serializers.ValidationError) as refused:
            field_class().run_validation([])
        assert refused.value.detail == [message]

"""What the OpenAPI schema says, held against the code it describes (issue 13, point 8): the
list parameters against their FilterSets, pagination, password rules, always-present fields.
test_schema_conformance.py holds real answers against it."""

import re
from typing import Any

import pytest
from django_filters import rest_framework as filters
from rest_framework.test import APIClient

from accounts.validators import PasswordComplexityValidator
from notifications.selectors import NotificationFilter
from projects.selectors import ProjectFilter
from tasks.models import Priority, Status
from tasks.selectors import TaskFilter

PAGINATION = {"page", "page_size"}
LISTS: dict[str, tuple[type[filters.FilterSet], set[str]]] = {
    # path: (its FilterSet, filters it has that the path gives instead of a query parameter)
    "/api/v1/projects": (ProjectFilter, set()),
    "/api/v1/tasks": (TaskFilter, set()),
    "/api/v1/projects/{project_id}/tasks": (TaskFilter, {"project_id"}),
    "/api/v1/notifications": (NotificationFilter, set()),
}


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    return APIClient().get("/api/schema/?format=json").json()


def _query_parameters(openapi: dict[str, Any], path: str) -> dict[str, dict[str, Any]]:
    parameters = openapi["paths"][path]["get"]["parameters"]
    return {parameter["name"]: parameter for parameter in parameters if parameter["in"] == "query"}


def _choices(filter_: filters.Filter) -> set[str] | None:
    if isinstance(filter_, filters.OrderingFilter):
        return {value for value, _ in filter_.extra["choices"]}
    choices = filter_.extra.get("choices")
    return {str(value) for value, _ in choices} if choices else None


@pytest.mark.parametrize("path", LISTS)
def test_list_parameters_are_the_filtersets_filters(openapi: dict[str, Any], path: str) -> None:
    filterset, from_the_path = LISTS[path]
    declared = _query_parameters(openapi, path)

    assert set(declared) - PAGINATION == set(filterset.base_filters) - from_the_path
    for name in set(declared) - PAGINATION:
        schema, filter_ = declared[name]["schema"], filterset.base_filters[name]
        values = schema["items"] if schema.get("type") == "array" else schema
        # A blank value is refused (config.api.filters.validated_filterset): the schema says so.
        assert "enum" in values or values.get("format") == "uuid" or values.get("minLength", 0) >= 1, name
        assert set(values.get("enum", [])) == (_choices(filter_) or set()), name
        assert values.get("maxLength") == filter_.extra.get("max_length"), name


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(("name", "enum"), [("status", Status), ("priority", Priority)])
def test_status_and_priority_are_repeatable_lists_of_their_names(
    openapi: dict[str, Any], path: str, name: str, enum: Any
) -> None:
    parameter = _query_parameters(openapi, path).get(name)
    if parameter is None:
        assert "tasks" not in path
        return

    assert parameter["schema"] == {"type": "array", "items": {"type": "string", "enum": sorted(enum.labels)}}
    assert (parameter["style"], parameter["explode"]) == ("form", True)
    assert "comma-separated" in parameter["description"]


@pytest.mark.parametrize("path", LISTS)
def test_pages_and_sizes_start_at_one(openapi: dict[str, Any], path: str) -> None:
    parameters = _query_parameters(openapi, path)

    assert parameters["page_size"]["schema"] == {"type": "integer", "minimum": 1}
    assert parameters["page"]["schema"]["oneOf"] == [
        {"type": "integer", "minimum": 1},
        {"type": "string", "enum": ["last"]},
    ]


def test_every_response_object_lists_each_of_its_fields_as_required(openapi: dict[str, Any]) -> None:
    """Every answer carries every key (null where there is no value), the pagination's
    ``next``/``previous`` and the preferences included, so generated clients need no
    "maybe absent" for any of them."""
    schemas = openapi["components"]["schemas"]
    responses = {name: schema for name, schema in schemas.items() if not name.endswith("Request")}

    for name, schema in responses.items():
        if "properties" in schema:
            assert set(schema.get("required", [])) == set(schema["properties"]), name
    for name in ("PaginatedProjectList", "PaginatedTaskList", "PaginatedNotificationList"):
        assert responses[name]["properties"]["next"]["nullable"] is True
        assert responses[name]["properties"]["previous"]["nullable"] is True


NEW_PASSWORDS = [
    ("RegisterRequest", "password"),
    ("PasswordResetConfirmRequest", "new_password"),
    ("PasswordChangeRequest", "new_password"),
]


@pytest.mark.parametrize(("component", "field"), NEW_PASSWORDS)
def test_every_new_password_states_the_rules_the_validator_applies(
    openapi: dict[str, Any], component: str, field: str
) -> None:
    schema = openapi["components"]["schemas"][component]["properties"][field]
    validator = PasswordComplexityValidator()

    assert (schema["minLength"], schema["maxLength"]) == (8, 128)
    for password in [
        "Secret-pass1",
        "aA1aaaaa",
        "line\nbreak\nA1",
        "Aa1" + "q" * 125,
        "alllowercase1",
        "ALLUPPERCASE1",
        "NoDigitsHere",
        "Éé1éééééé",
        "短い密码Aa1",
    ]:
        by_schema = schema["minLength"] <= len(password) <= schema["maxLength"] and bool(
            re.search(schema["pattern"], password)
        )
        try:
            validator.validate(password)
        except Exception:  # noqa: BLE001 - Django's ValidationError, any message
            by_validator = False
        else:
            by_validator = True
        assert by_schema == by_validator, password


@pytest.mark.parametrize(
    ("component", "field"), [("LoginRequest", "password"), ("PasswordChangeRequest", "current_password")]
)
def test_a_password_that_is_checked_not_set_has_no_rules(
    openapi: dict[str, Any], component: str, field: str
) -> None:
    schema = openapi["components"]["schemas"][component]["properties"][field]

    assert "pattern" not in schema
    assert schema["minLength"] == 1

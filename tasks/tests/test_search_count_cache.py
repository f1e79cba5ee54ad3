"""The count of a search (`?search=`), which pagination returns, is cached per user behind the
same change stamps as the dashboard: a repeated search or its next page reads no COUNT, and
every write through the services ends the cached count at once."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from accounts.tests.helpers import bearer_client
from projects.tests.factories import ProjectFactory
from tasks.models import Priority
from tasks.tests.factories import make_task

pytestmark = pytest.mark.django_db

URL = "/api/v1/tasks"


def counts_in(queries) -> int:
    return sum("COUNT(" in query["sql"].upper() for query in queries.captured_queries)


@pytest.fixture
def client(user):
    project = ProjectFactory(owner=user)
    for i in range(3):
        make_task(project=project, title=f"invoice {i}", priority=Priority.HIGH if i == 0 else Priority.LOW)
    make_task(project=project, title="something else")
    return bearer_client(user)


def get(client, query: str) -> tuple[dict, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{URL}?{query}")
    assert response.status_code == 200
    return response.json(), counts_in(queries)


def test_a_repeated_search_and_its_next_page_read_the_count_from_the_cache(client):
    first, first_counts = get(client, "search=invoice&page_size=2")
    again, again_counts = get(client, "search=invoice&page_size=2")
    second_page, page_counts = get(client, "search=invoice&page_size=2&page=2&sort_by=created_at")

    assert (first["count"], again["count"], second_page["count"]) == (3, 3, 3)
    assert (first_counts, again_counts, page_counts) == (1, 0, 0)
    assert [t["title"] for t in second_page["results"]] == ["invoice 2"]


def test_each_set_of_filters_has_its_own_count(client):
    assert get(client, "search=invoice")[0]["count"] == 3
    assert get(client, "search=invoice&priority=HIGH")[0]["count"] == 1
    assert get(client, "search=INVOICE&status=DONE")[0]["count"] == 0


def test_a_write_ends_the_cached_count_at_once(client, user):
    assert get(client, "search=invoice")[0]["count"] == 3
    project = user.projects.get()

    created = client.post(f"/api/v1/projects/{project.pk}/tasks", {"title": "invoice 3"}, format="json")
    after_create, after_create_counts = get(client, "search=invoice")
    deleted = client.delete(f"/api/v1/tasks/{created.json()['id']}")
    after_delete = get(client, "search=invoice")[0]

    assert (created.status_code, deleted.status_code) == (201, 204)
    assert (after_create["count"], after_create_counts, after_delete["count"]) == (4, 1, 3)


def test_another_users_search_is_counted_apart(client):
    from accounts.tests.factories import UserFactory

    other = UserFactory()
    make_task(project=ProjectFactory(owner=other), title="invoice theirs")

    assert get(client, "search=invoice")[0]["count"] == 3
    assert get(bearer_client(other), "search=invoice")[0]["count"] == 1


@override_settings(SEARCH_COUNT_CACHE_SECONDS=0)
def test_zero_seconds_turns_the_count_cache_off(client):
    assert get(client, "search=invoice")[1] == 1
    assert get(client, "search=invoice")[1] == 1


def test_lists_without_a_search_are_counted_every_time(client):
    assert get(client, "priority=LOW")[1] == 1
    assert get(client, "priority=LOW")[1] == 1

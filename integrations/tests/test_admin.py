"""Admin shows each user's integration status, last sync and last error, never a token."""

import pytest

from integrations.models import EventMapping, GoogleIntegration
from integrations.tests.conftest import connect


@pytest.mark.django_db
def test_admin_lists_status_last_sync_and_last_error_but_no_token(staff_client, user, fake_google):
    integration = connect(user, fake_google, last_error="429 rateLimitExceeded", channel_token="chan-secret")

    listing = staff_client.get("/admin/integrations/googleintegration/")
    detail = staff_client.get(f"/admin/integrations/googleintegration/{integration.pk}/change/")

    assert listing.status_code == 200 and detail.status_code == 200
    for page in (listing.content.decode(), detail.content.decode()):
        assert "429 rateLimitExceeded" in page
        assert fake_google.email in page
        assert integration.access_token not in page
        assert integration.refresh_token not in page
        assert "chan-secret" not in page
    assert "Connected" in listing.content.decode()
    assert "Last synced at" in listing.content.decode()
    assert "Last error" in listing.content.decode()


@pytest.mark.django_db
def test_admin_sync_now_action_and_mapping_list(
    staff_client, user, fake_google, django_capture_on_commit_callbacks
):
    integration = connect(user, fake_google)
    EventMapping.objects.create(user=user, task_id="00000000-0000-0000-0000-0000000000aa", event_id="aaaaa")

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            "/admin/integrations/googleintegration/",
            {"action": "sync_now", "_selected_action": [integration.pk]},
            follow=True,
        )

    assert "Sync scheduled for 1 calendar(s)." in response.content.decode()
    assert GoogleIntegration.objects.get(pk=integration.pk).last_synced_at is not None
    assert staff_client.get("/admin/integrations/eventmapping/").status_code == 200
    assert staff_client.get("/admin/integrations/googleintegration/add/").status_code == 403

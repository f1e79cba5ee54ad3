from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import requests

from accounts.models import User
from integrations.tests.fake_google import REDIRECT_URI
from projects.tests.factories import ProjectFactory
from tasks.models import Task
from tasks.tests.factories import make_task

AUTHORIZE_URL = "/api/v1/integrations/google/authorize"
CALLBACK_URL = "/api/v1/integrations/google/callback"
STATUS_URL = "/api/v1/integrations/google"
DISCONNECT_URL = "/api/v1/integrations/google/disconnect"
WEBHOOK_URL = "/api/v1/webhooks/google-calendar"
FRONTEND = "http://localhost:5173"


def due(hours: int = 24) -> datetime:
    return (datetime.now(UTC) + timedelta(hours=hours)).replace(microsecond=0)


def task_for(user: User, *, title: str = "Write report", hours: int = 24, **fields: Any) -> Task:
    fields.setdefault("due_date", due(hours))
    return make_task(project=ProjectFactory(owner=user), title=title, **fields)


def authorize(client: Any) -> str:
    response = client.get(AUTHORIZE_URL)
    assert response.status_code == 200, response.content
    return response.json()["authorization_url"]


def consent(authorization_url: str) -> dict[str, str]:
    """The browser at Google: the fake approves and redirects to our callback."""
    answer = requests.get(authorization_url, allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    location = urlparse(answer.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    return {key: values[0] for key, values in parse_qs(location.query).items()}


def callback(api_client: Any, query: dict[str, str], capture: Any) -> dict[str, list[str]]:
    """Google's redirect to our callback (after-commit work run); the front-end query."""
    with capture(execute=True):
        response = api_client.get(CALLBACK_URL, query)
    assert response.status_code == 302
    location = urlparse(response["Location"])
    assert f"{location.scheme}://{location.netloc}" == FRONTEND
    return parse_qs(location.query)


def notify(client: Any, channel_id: str, token: str, state: str = "exists", number: str | None = None) -> Any:
    """A push notification as Google sends it (``number``: X-Goog-Message-Number)."""
    headers = {
        "HTTP_X_GOOG_CHANNEL_ID": channel_id,
        "HTTP_X_GOOG_CHANNEL_TOKEN": token,
        "HTTP_X_GOOG_RESOURCE_STATE": state,
        "HTTP_X_GOOG_RESOURCE_ID": "resource",
    }
    if number is not None:
        headers["HTTP_X_GOOG_MESSAGE_NUMBER"] = number
    return client.post(WEBHOOK_URL, **headers)

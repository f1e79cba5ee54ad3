import re

from django.core import mail
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import TokenPair, user_login
from accounts.tests.factories import DEFAULT_PASSWORD

LINK_TOKEN = re.compile(r"\?token=([A-Za-z0-9_\-]+)")


def token_from_last_email(to: str) -> str:
    """The one-time token in the link of the newest e-mail sent to ``to``."""
    message = next(m for m in reversed(mail.outbox) if to in m.to)
    match = LINK_TOKEN.search(str(message.body))
    assert match, message.body
    return match.group(1)


def login(user: User, password: str = DEFAULT_PASSWORD) -> TokenPair:
    """A real token pair for ``user``, through the login service."""
    return user_login(email=user.email, password=password, client_ip="127.0.0.1")


def bearer_client(user: User) -> APIClient:
    """An API client sending ``user``'s real access token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {login(user).access_token}")
    return client

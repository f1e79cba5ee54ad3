"""Who is calling: the one typed way for views of every app to read the authenticated user."""

from typing import cast

from rest_framework.request import Request

from accounts.models import User


def caller(request: Request) -> User:
    """The authenticated user of ``request`` (the view's permission classes ensure there is one)."""
    return cast(User, request.user)

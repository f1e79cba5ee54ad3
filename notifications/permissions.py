from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request


class IsRecipient(BasePermission):
    """A notification that exists but was made for another user: 403 (SPEC §2)."""

    message = "You do not have permission to access this object."

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return bool(request.user and obj.user_id == request.user.pk)

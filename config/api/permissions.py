from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request


class IsOwner(BasePermission):
    """An object that exists but belongs to another user: 403 (SPEC §2)."""

    message = "You do not have permission to access this object."

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return bool(request.user and obj.owner_id == request.user.pk)

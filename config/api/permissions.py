from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request


class IsOwner(BasePermission):
    """An object that exists but belongs to another user: 403 (SPEC §2). The owner's id is
    ``obj.owner_id``, or the attribute the view names in ``owner_field`` (a notification's
    ``user_id``: its recipient)."""

    message = "You do not have permission to access this object."

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        owner_id = getattr(obj, getattr(view, "owner_field", "owner_id"))
        return bool(request.user and owner_id == request.user.pk)

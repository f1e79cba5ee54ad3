"""The one way a viewset loads the object of a detail route: by primary key, 404 when there is
none, then the object permissions (403 for another user's, SPEC §2)."""

from typing import Any

from rest_framework.viewsets import GenericViewSet

from config.errors import NotFound


class OwnedObjectViewSet(GenericViewSet):
    """A viewset names ``find_object(pk)`` (the lookup, ``None`` when absent) and
    ``not_found_message``; ``get_object`` does the rest."""

    not_found_message = "Not found."

    def find_object(self, pk: str) -> Any:
        raise NotImplementedError

    def get_object(self) -> Any:
        obj = self.find_object(self.kwargs["pk"])
        if obj is None:
            raise NotFound(self.not_found_message)
        self.check_object_permissions(self.request, obj)
        return obj

"""The one API router; every app registers its viewsets here with an explicit basename."""

from rest_framework.routers import SimpleRouter


class OptionalSlashRouter(SimpleRouter):
    """Routes match with and without a trailing slash (SPEC §2): no redirects."""

    def __init__(self) -> None:
        super().__init__()
        self.trailing_slash = "/?"


router = OptionalSlashRouter()

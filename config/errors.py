"""Domain errors: what a service says went wrong, in the domain's words. Services, selectors
and jobs raise these, never Http404, PermissionDenied or DRF exceptions; the one exception
handler (config/api/exceptions.py) alone turns them into HTTP, keeping their messages.
Invalid input is Django's own ``ValidationError`` (field -> messages), mapped there too.
This module imports nothing of Django or DRF, so any layer may raise them."""


class DomainError(Exception):
    """``message`` goes to the client as the error's ``detail``; ``code`` replaces the
    status's SPEC code where a more precise one is defined (e.g. ``email_not_verified``)."""

    default_message = "The request could not be carried out."
    code: str | None = None

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)
        if code is not None:
            self.code = code


class NotFound(DomainError):
    default_message = "Not found."


class Forbidden(DomainError):
    """The object exists but is not the caller's (SPEC §2), or the caller may not do this."""

    default_message = "You do not have permission to perform this action."


class Conflict(DomainError):
    """The request clashes with what is stored (a duplicate); ``errors`` names the fields."""

    default_message = "The request conflicts with the current state of the resource."

    def __init__(self, message: str | None = None, *, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or {}


class Unauthenticated(DomainError):
    """Credentials or a token refused: ``not_authenticated`` (wrong e-mail or password) or
    ``token_not_valid`` (a refused token, the default)."""

    default_message = "Token is invalid or expired."
    code = "token_not_valid"


class Unavailable(DomainError):
    """A backing service (or its configuration) is missing: try again later."""

    default_message = "A backing service is unavailable; try again shortly."

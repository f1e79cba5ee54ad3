from typing import Any

from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed

GENERATION_CLAIM = "gen"


class JWTAuthentication(authentication.JWTAuthentication):
    """Bearer JWT; also refuses a token issued before the user's last password change, reset
    or deactivation (its generation claim is older than the user's)."""

    def get_user(self, validated_token: Any) -> Any:
        user = super().get_user(validated_token)
        if validated_token.get(GENERATION_CLAIM) != getattr(user, "token_generation", None):
            raise AuthenticationFailed("Token has been revoked.", code="token_not_valid")
        return user

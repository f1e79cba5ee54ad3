from typing import Any

from django.db.models import Exists, OuterRef
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings

from accounts.models import TokenFamily, User

GENERATION_CLAIM = "gen"
FAMILY_CLAIM = "fam"


class JWTAuthentication(authentication.JWTAuthentication):
    """Bearer JWT; also refuses a token issued before the user's last password change, reset
    or deactivation (its generation claim is older than the user's), and a token of a login
    whose family was revoked for refresh-token reuse. One query, as simplejwt's own."""

    def get_user(self, validated_token: Any) -> Any:
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError:
            raise InvalidToken("Token contained no recognizable user identification") from None
        users = User.objects.filter(pk=user_id)
        family_id = validated_token.get(FAMILY_CLAIM)
        if family_id:
            revoked = TokenFamily.objects.filter(pk=family_id, user=OuterRef("pk"), revoked_at__isnull=False)
            users = users.annotate(family_revoked=Exists(revoked))
        user = users.first()
        if user is None:
            raise AuthenticationFailed("User not found", code="user_not_found")
        if not user.is_active:
            raise AuthenticationFailed("User is inactive", code="user_inactive")
        if validated_token.get(GENERATION_CLAIM) != user.token_generation or getattr(
            user, "family_revoked", False
        ):
            raise AuthenticationFailed("Token has been revoked.", code="token_not_valid")
        return user

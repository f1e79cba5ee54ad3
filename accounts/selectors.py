from typing import Any

from accounts.models import User
from accounts.preferences import merge_preferences


def user_get_by_email(*, email: str) -> User | None:
    return User.objects.filter(email__lower=email.strip().lower()).first()


def user_preferences(*, user: User) -> dict[str, Any]:
    return merge_preferences(user.preferences, {})

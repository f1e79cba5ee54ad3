from typing import Any

from accounts.models import User
from accounts.preferences import merge_preferences


def user_preferences(*, user: User) -> dict[str, Any]:
    return merge_preferences(user.preferences, {})

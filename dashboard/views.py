from datetime import datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from config.api.schema import error_responses
from config.change_stamps import cached_per_user
from dashboard.selectors import dashboard_statistics
from dashboard.serializers import DashboardSerializer


@extend_schema(tags=["dashboard"])
class DashboardViewSet(viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = DashboardSerializer

    @extend_schema(
        summary="Statistics over the caller's non-archived projects",
        description="Computed from five queries and cached per user for up to "
        "`DASHBOARD_CACHE_SECONDS` (60 s by default), never past the moment the passing of time "
        "changes it (a task falling overdue or entering the 7 days, or the day ending in the caller's "
        "time zone: an all-day task is due at the end of its day there). Every change to the caller's "
        "tasks or projects made through the API or admin ends the cached answer at once.",
        responses={200: DashboardSerializer, **error_responses(401)},
    )
    @action(detail=False, methods=["get"])
    def statistics(self, request: Request) -> Response:
        user = cast(User, request.user)
        return Response(cached_per_user("dashboard", user.pk, lambda: _statistics(user)))


def _statistics(user: User) -> tuple[dict[str, Any], datetime]:
    """The answer, and until when it may be served from the cache: DASHBOARD_CACHE_SECONDS at
    most, and never past the moment the passing of time changes it."""
    now = timezone.now()
    stats = dashboard_statistics(user=user, now=now)
    valid_until = now + timedelta(seconds=settings.DASHBOARD_CACHE_SECONDS)
    if stats["changes_at"] is not None:
        valid_until = min(valid_until, stats["changes_at"])
    return DashboardSerializer(stats).data, valid_until

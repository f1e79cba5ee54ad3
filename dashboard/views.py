from typing import cast

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from config.api.schema import error_responses
from dashboard.selectors import dashboard_statistics
from dashboard.serializers import DashboardSerializer


@extend_schema(tags=["dashboard"])
class DashboardViewSet(viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = DashboardSerializer

    @extend_schema(
        summary="Statistics over the caller's non-archived projects",
        description="Computed on every request from four queries (no cache, so never stale).",
        responses={200: DashboardSerializer, **error_responses(401)},
    )
    @action(detail=False, methods=["get"])
    def statistics(self, request: Request) -> Response:
        stats = dashboard_statistics(user=cast(User, request.user))
        return Response(DashboardSerializer(stats).data)

"""Thin viewsets: the status, OAuth and disconnect endpoints of SPEC §8, and Google's webhook."""

from typing import cast
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponseRedirect
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from config.api.schema import ErrorSerializer, error_responses
from integrations import services
from integrations.selectors import google_status
from integrations.serializers import (
    AuthorizationUrlSerializer,
    CallbackQuerySerializer,
    GoogleStatusSerializer,
)


def _frontend_redirect(**params: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{settings.FRONTEND_URL}?{urlencode(params)}")


@extend_schema(tags=["integrations"])
class GoogleIntegrationViewSet(viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = GoogleStatusSerializer

    @extend_schema(
        summary="The caller's Google Calendar connection (never a token)",
        responses={200: GoogleStatusSerializer, **error_responses(401)},
    )
    @action(detail=False, methods=["get"], url_path="google")
    def google(self, request: Request) -> Response:
        return Response(GoogleStatusSerializer(google_status(user=cast(User, request.user))).data)

    @extend_schema(
        summary="The Google consent URL to send the browser to",
        description="Offline access, consent prompt, scopes calendar.events and openid email; the "
        "state is signed, bound to the caller and expires (GOOGLE_OAUTH_STATE_MAX_AGE seconds). "
        "Only for a verified e-mail address: otherwise 403 with code email_not_verified.",
        responses={
            200: AuthorizationUrlSerializer,
            **error_responses(401, 503),
            403: OpenApiResponse(
                ErrorSerializer,
                description="code email_not_verified: the caller's e-mail address is not verified yet.",
            ),
        },
    )
    @action(detail=False, methods=["get"], url_path="google/authorize")
    def authorize(self, request: Request) -> Response:
        url = services.google_authorization_start(user=cast(User, request.user))
        return Response(AuthorizationUrlSerializer({"authorization_url": url}).data)

    @extend_schema(
        summary="Google's redirect after consent (no JWT: the signed state names the user)",
        description="Redirects to FRONTEND_URL with ?google=connected, or ?google=error&reason= one of: "
        "invalid_request, invalid_state, expired_state (the state is bad, used or too old), "
        "access_denied, google_error (refused at Google), missing_code, token_exchange_failed, "
        "scope_denied (the calendar permission was unticked), no_refresh_token, id_token_invalid "
        "(the token endpoint's ID token is missing, malformed, expired, not from Google or not "
        "issued to this client), google_email_unverified (the Google account's address is not "
        "verified). An error connects nothing.",
        parameters=[
            OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.QUERY, required=False),
            OpenApiParameter("state", OpenApiTypes.STR, OpenApiParameter.QUERY, required=False),
            OpenApiParameter("error", OpenApiTypes.STR, OpenApiParameter.QUERY, required=False),
        ],
        responses={
            302: OpenApiResponse(
                description="To FRONTEND_URL with ?google=connected or ?google=error&reason=..."
            ),
        },
        auth=[],
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="google/callback",
        authentication_classes=[],
        permission_classes=[AllowAny],
    )
    def callback(self, request: Request) -> HttpResponseRedirect:
        query = CallbackQuerySerializer(data=request.query_params)
        if not query.is_valid():
            return _frontend_redirect(google="error", reason="invalid_request")
        try:
            services.google_connect_from_callback(**query.validated_data)
        except services.OAuthCallbackError as error:
            return _frontend_redirect(google="error", reason=error.reason)
        return _frontend_redirect(google="connected")

    @extend_schema(
        summary="Disconnect: revoke the grant, stop the push channel, forget tokens and mappings",
        request=None,
        responses={204: None, **error_responses(401)},
    )
    @action(detail=False, methods=["delete"], url_path="google/disconnect")
    def disconnect(self, request: Request) -> Response:
        services.google_disconnect(user=cast(User, request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["webhooks"])
class WebhookViewSet(viewsets.GenericViewSet):
    """Google's push notifications: no JWT and no throttle (Google's servers call it); the
    channel id and token headers authenticate it."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []
    serializer_class = None
    # No OPTIONS metadata (405): DRF's describes a serializer, and this view has none, so an
    # OPTIONS request ended as a 500.
    metadata_class = None

    @extend_schema(
        summary="Google Calendar push notification",
        description="Checks X-Goog-Channel-ID and X-Goog-Channel-Token (else 403) and answers 204. "
        "A message number at or below the highest one seen on the channel triggers nothing; the "
        "first 'sync' message only confirms the channel; otherwise a sync of that user is queued "
        "unless one is queued already (at most one more while a sync runs).",
        request=None,
        parameters=[
            OpenApiParameter("X-Goog-Channel-ID", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True),
            OpenApiParameter(
                "X-Goog-Channel-Token", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True
            ),
            OpenApiParameter(
                "X-Goog-Resource-State", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False
            ),
            OpenApiParameter(
                "X-Goog-Message-Number", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False
            ),
        ],
        responses={204: None, **error_responses(403)},
        auth=[],
    )
    @action(detail=False, methods=["post"], url_path="google-calendar", parser_classes=[])
    def google_calendar(self, request: Request) -> Response:
        services.google_webhook_receive(
            channel_id=request.headers.get("X-Goog-Channel-ID", ""),
            channel_token=request.headers.get("X-Goog-Channel-Token", ""),
            resource_state=request.headers.get("X-Goog-Resource-State", ""),
            message_number=request.headers.get("X-Goog-Message-Number", ""),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

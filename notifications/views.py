from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer, StaticHTMLRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.callers import caller
from config.api.objects import OwnedObjectViewSet
from config.api.parsers import StrictJSONParser
from config.api.permissions import IsOwner
from config.api.router import UUID_REGEX
from config.api.schema import error_responses
from notifications import services
from notifications.models import Notification
from notifications.selectors import notification_list, notification_unread_count
from notifications.serializers import (
    CountSerializer,
    NotificationSerializer,
    SnoozeSerializer,
    UnsubscribedSerializer,
    UpdatedCountSerializer,
)
from notifications.tokens import InvalidUnsubscribeToken, unsubscribe_token_user

TOKEN_PARAMETER = OpenApiParameter(
    "token",
    # No token that the server signs comes near 512 characters; a longer one is refused as bad.
    {"type": "string", "minLength": 1, "maxLength": 512},
    required=True,
    description="The signed token from the e-mail's link.",
)
HTML_PAGE = OpenApiResponse(OpenApiTypes.STR, description="A small HTML page.")


def _page(request: Request, *, state: str, status: int = 200, **context: object) -> HttpResponse:
    titles = {"confirm": "Unsubscribe", "done": "You are unsubscribed", "invalid": "Link not valid"}
    html = render_to_string(
        "notifications/unsubscribe.html",
        {"state": state, "title": titles[state], "frontend_url": settings.FRONTEND_URL, **context},
    )
    return HttpResponse(html, status=status, content_type="text/html; charset=utf-8")


@extend_schema(tags=["notifications"])
class NotificationViewSet(OwnedObjectViewSet):
    permission_classes = [IsAuthenticated, IsOwner]
    owner_field = "user_id"  # a notification belongs to its recipient
    serializer_class = NotificationSerializer
    lookup_value_regex = UUID_REGEX
    queryset = Notification.objects.none()

    not_found_message = "No notification with this id."

    def find_object(self, pk: str) -> Notification | None:
        return Notification.objects.filter(pk=pk).first()

    @extend_schema(
        summary="The caller's notifications, newest first",
        parameters=[
            OpenApiParameter(
                "read", OpenApiTypes.STR, enum=["true", "false"], description="Only read or unread."
            )
        ],
        responses={200: NotificationSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(notification_list(user=caller(request), params=request.query_params))
        return self.get_paginated_response(NotificationSerializer(page, many=True).data)

    @extend_schema(
        summary="Mark a notification read",
        request=None,
        responses={200: NotificationSerializer, **error_responses(401, 403, 404)},
    )
    @action(detail=True, methods=["patch"], url_path="read")
    def read(self, request: Request, pk: str) -> Response:
        notification = services.notification_mark_read(notification=self.get_object())
        return Response(NotificationSerializer(notification).data)

    @extend_schema(
        summary="Snooze a notification: one more REMINDER for its task later",
        description="A REMINDER for the notification's task fires once more after `minutes` (found by the "
        "reminder run every five minutes, so up to five minutes after that). The task has at most one "
        "pending snooze: snoozing again, this notification or another of the same task, replaces it. The "
        "notification is not marked read. A task deleted or DONE is a 409; the snooze does not fire if "
        "the task is DONE when its time comes.",
        request=SnoozeSerializer,
        examples=[OpenApiExample("Ten minutes", value={"minutes": 10}, request_only=True)],
        responses={200: NotificationSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="snooze")
    def snooze(self, request: Request, pk: str) -> Response:
        notification = self.get_object()
        serializer = SnoozeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.notification_snooze(notification=notification, minutes=serializer.validated_data["minutes"])
        return Response(NotificationSerializer(notification).data)

    @extend_schema(
        summary="Mark every notification of the caller read",
        request=None,
        responses={200: UpdatedCountSerializer, **error_responses(401)},
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        return Response({"updated": services.notifications_mark_all_read(user=caller(request))})

    @extend_schema(
        summary="How many notifications are unread",
        responses={200: CountSerializer, **error_responses(401)},
    )
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request: Request) -> Response:
        return Response({"count": notification_unread_count(user=caller(request))})

    @extend_schema(
        methods=["GET"],
        summary="Unsubscribe page (no login)",
        description="An HTML page asking to confirm, whatever the `Accept` header; a bad or expired "
        "token gives a 400 page. Throttled (429): JSON, or a page when `Accept` asks for `text/html`.",
        parameters=[TOKEN_PARAMETER],
        auth=[],
        responses={
            (200, "text/html"): HTML_PAGE,
            (400, "text/html"): HTML_PAGE,
            (429, "application/json"): error_responses(429)[429],
            (429, "text/html"): HTML_PAGE,
        },
    )
    @extend_schema(
        methods=["POST"],
        summary="Unsubscribe from e-mail notifications (one-click, no login)",
        description="RFC 8058 one-click: turns `email_notifications` off. The `Accept` header alone "
        "picks the answer: JSON (for `application/json`, `*/*` or none), or an HTML page when it asks "
        "for `text/html` (the confirmation page's form); a `format` query parameter is not read.",
        parameters=[TOKEN_PARAMETER],
        request=None,
        auth=[],
        responses={
            (200, "application/json"): UnsubscribedSerializer,
            (200, "text/html"): HTML_PAGE,
            (400, "application/json"): error_responses(400)[400],
            (400, "text/html"): HTML_PAGE,
            (429, "application/json"): error_responses(429)[429],
            (429, "text/html"): HTML_PAGE,
        },
    )
    @action(
        detail=False,
        methods=["get", "post"],
        url_path="unsubscribe",
        url_name="unsubscribe",
        authentication_classes=[],
        permission_classes=[AllowAny],
        parser_classes=[FormParser, MultiPartParser, StrictJSONParser],
        renderer_classes=[JSONRenderer, StaticHTMLRenderer],
    )
    def unsubscribe(self, request: Request) -> Response | HttpResponse:
        token = request.query_params.get("token", "")
        # Only POST unsubscribes: mail scanners follow links with GET and HEAD (DRF routes HEAD
        # to this GET action), and HEAD answers as GET does.
        unsubscribing = request.method == "POST"
        html = not unsubscribing or request.accepted_renderer.format == "html"
        try:
            user = (
                services.user_unsubscribe(token=token)
                if unsubscribing
                else unsubscribe_token_user(token=token)
            )
        except InvalidUnsubscribeToken as exc:
            if html:
                return _page(request, state="invalid", status=400, detail=str(exc))
            raise ValidationError({"token": [str(exc)]}) from None
        if not unsubscribing:
            return _page(request, state="confirm", email=user.email, action=request.get_full_path())
        if html:
            return _page(request, state="done", email=user.email)
        return Response({"detail": "E-mail notifications are off.", "email_notifications": False})

"""Thin viewsets: input serializer -> service -> output serializer."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle

from accounts import services
from accounts.callers import caller
from accounts.selectors import user_preferences
from accounts.serializers import (
    EmailSerializer,
    LoginSerializer,
    MessageSerializer,
    PasswordChangeSerializer,
    PasswordResetConfirmSerializer,
    PreferencesSerializer,
    RefreshTokenSerializer,
    RegisteredUserSerializer,
    RegisterSerializer,
    TokenPairSerializer,
    TokenSerializer,
    UserSerializer,
    UserUpdateSerializer,
)
from accounts.throttles import (
    LoginEmailThrottle,
    LoginIPThrottle,
    PasswordResetEmailThrottle,
    VerificationEmailThrottle,
)
from config.api.schema import error_responses


def _valid_data(serializer_class: type, request: Request, **kwargs: Any) -> dict[str, Any]:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _token_response(pair: services.TokenPair) -> Response:
    return Response(
        TokenPairSerializer(
            {
                "access_token": pair.access_token,
                "refresh_token": pair.refresh_token,
                "token_type": pair.token_type,
                "expires_in": pair.expires_in,
            }
        ).data
    )


@extend_schema(tags=["auth"])
class AuthViewSet(viewsets.GenericViewSet):
    """Registration, tokens and password reset. These endpoints ignore any Authorization
    header, so a client holding an expired access token can still refresh or log out."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    serializer_class = MessageSerializer

    def get_authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'

    def get_throttles(self) -> list[BaseThrottle]:
        throttles = super().get_throttles()
        if self.action == "login":
            throttles += [LoginIPThrottle(), LoginEmailThrottle()]
        elif self.action == "reset_password_request":
            throttles.append(PasswordResetEmailThrottle())
        return throttles

    @extend_schema(
        summary="Register a new account",
        description=(
            "Sends a verification e-mail. E-mail and username are unique regardless of letter "
            "case. The e-mail's local part must be ASCII; its domain is mapped with UTS #46 and "
            "stored as IDNA A-labels (`ada@ｅｘａｍｐｌｅ.com` is `ada@example.com`), and the "
            "answer shows the stored form."
        ),
        request=RegisterSerializer,
        responses={201: RegisteredUserSerializer, **error_responses(400, 409)},
    )
    @action(detail=False, methods=["post"])
    def register(self, request: Request) -> Response:
        user = services.user_register(**_valid_data(RegisterSerializer, request))
        return Response(RegisteredUserSerializer(user).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Confirm an e-mail address with the token from the verification e-mail",
        request=TokenSerializer,
        responses={200: MessageSerializer, **error_responses(400)},
    )
    @action(detail=False, methods=["post"], url_path="verify-email")
    def verify_email(self, request: Request) -> Response:
        services.email_verify(raw_token=_valid_data(TokenSerializer, request)["token"])
        return Response({"message": "Email verified successfully"})

    @extend_schema(
        summary="Log in with e-mail and password",
        description=(
            "Wrong e-mail and wrong password get the same 401. 429 past 5 attempts a minute "
            "for one e-mail or past the per-address rate."
        ),
        request=LoginSerializer,
        responses={200: TokenPairSerializer, **error_responses(400, 401)},
    )
    @action(detail=False, methods=["post"])
    def login(self, request: Request) -> Response:
        data = _valid_data(LoginSerializer, request)
        pair = services.user_login(
            email=data["email"], password=data["password"], client_ip=self._client_ip(request)
        )
        return _token_response(pair)

    @extend_schema(
        summary="Exchange a refresh token for a new token pair",
        description="The refresh token is rotated: the one sent stops working.",
        request=RefreshTokenSerializer,
        responses={200: TokenPairSerializer, **error_responses(400, 401)},
    )
    @action(detail=False, methods=["post"])
    def refresh(self, request: Request) -> Response:
        data = _valid_data(RefreshTokenSerializer, request)
        return _token_response(services.token_refresh(refresh_token=data["refresh_token"]))

    @extend_schema(
        summary="Log out: the refresh token stops working",
        request=RefreshTokenSerializer,
        responses={204: None, **error_responses(400, 401)},
    )
    @action(detail=False, methods=["post"])
    def logout(self, request: Request) -> Response:
        data = _valid_data(RefreshTokenSerializer, request)
        services.user_logout(refresh_token=data["refresh_token"])
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Ask for a password reset e-mail",
        description=(
            "The answer (status, headers, body) is the same whether or not the e-mail belongs "
            "to an account, and comes before any lookup: the background job finds the account. "
            "An address that is a look-alike of another (non-ASCII local part) gets the same "
            "200 and no e-mail. 429 past 3 requests an hour for one address."
        ),
        request=EmailSerializer,
        responses={200: MessageSerializer, **error_responses(400)},
    )
    @action(detail=False, methods=["post"], url_path="reset-password/request")
    def reset_password_request(self, request: Request) -> Response:
        services.password_reset_request(email=_valid_data(EmailSerializer, request)["email"])
        return Response({"message": "Reset email sent"})

    @extend_schema(
        summary="Set a new password with the token from the reset e-mail",
        description="Every access and refresh token issued before stops working.",
        request=PasswordResetConfirmSerializer,
        responses={200: MessageSerializer, **error_responses(400)},
    )
    @action(detail=False, methods=["post"], url_path="reset-password/confirm")
    def reset_password_confirm(self, request: Request) -> Response:
        data = _valid_data(PasswordResetConfirmSerializer, request)
        services.password_reset_confirm(raw_token=data["token"], new_password=data["new_password"])
        return Response({"message": "Password updated successfully"})

    def _client_ip(self, request: Request) -> str:
        return LoginIPThrottle().get_ident(request)


@extend_schema(tags=["users"])
class MeViewSet(viewsets.GenericViewSet):
    """The caller's own account."""

    permission_classes = [IsAuthenticated]
    serializer_class = UserSerializer

    def get_throttles(self) -> list[BaseThrottle]:
        throttles = super().get_throttles()
        if self.action == "resend_verification":
            throttles.append(VerificationEmailThrottle())
        return throttles

    @extend_schema(
        methods=["GET"],
        summary="The caller's account",
        responses={200: UserSerializer, **error_responses(401)},
    )
    @extend_schema(
        methods=["PATCH"],
        summary="Change the caller's username",
        request=UserUpdateSerializer,
        responses={200: UserSerializer, **error_responses(400, 401, 409)},
    )
    @action(detail=False, methods=["get", "patch"], url_path="me")
    def me(self, request: Request) -> Response:
        user = caller(request)
        if request.method == "PATCH":
            data = _valid_data(UserUpdateSerializer, request, partial=True)
            if "username" in data:
                user = services.user_update(user=user, username=data["username"])
        return Response(UserSerializer(user).data)

    @extend_schema(
        methods=["GET"],
        summary="The caller's preferences, defaults filled in",
        responses={200: PreferencesSerializer, **error_responses(401)},
    )
    @extend_schema(
        methods=["PATCH"],
        summary="Change some preferences",
        description=(
            "Keys not sent keep their values, inside notification_types too. Unknown keys are refused."
        ),
        request=PreferencesSerializer,
        responses={200: PreferencesSerializer, **error_responses(400, 401)},
    )
    @action(detail=False, methods=["get", "patch"], url_path="me/preferences")
    def preferences(self, request: Request) -> Response:
        if request.method == "PATCH":
            changes = _valid_data(PreferencesSerializer, request, partial=True)
            return Response(services.user_preferences_update(user=caller(request), changes=changes))
        return Response(user_preferences(user=caller(request)))

    @extend_schema(
        summary="Change the caller's password",
        description=(
            "Every access and refresh token issued before stops working, this session's too; "
            "the answer carries a fresh token pair. A wrong current_password counts like a "
            "failed login of the caller's e-mail: past 5 a minute this endpoint and "
            "/auth/login answer 429."
        ),
        request=PasswordChangeSerializer,
        responses={200: TokenPairSerializer, **error_responses(400, 401)},
    )
    @action(detail=False, methods=["post"], url_path="me/password")
    def password(self, request: Request) -> Response:
        data = _valid_data(PasswordChangeSerializer, request)
        user = caller(request)
        failed_logins = LoginEmailThrottle()
        if failed_logins.exhausted_for(user.email):
            raise Throttled(wait=failed_logins.wait())
        try:
            pair = services.password_change(
                user=user, current_password=data["current_password"], new_password=data["new_password"]
            )
        except services.CurrentPasswordIncorrect:
            failed_logins.record_for(user.email)
            raise
        return _token_response(pair)

    @extend_schema(
        summary="Send the verification e-mail again",
        description="At most 3 an hour per user (the registration e-mail not counted), then 429.",
        request=None,
        responses={202: MessageSerializer, **error_responses(400, 401)},
    )
    @action(detail=False, methods=["post"], url_path="me/resend-verification")
    def resend_verification(self, request: Request) -> Response:
        services.verification_email_resend(user=caller(request))
        return Response({"message": "Verification email sent"}, status=status.HTTP_202_ACCEPTED)

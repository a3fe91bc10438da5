"""People API: token issue and the current user."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from anpai.audit import context
from anpai.audit.log import append
from anpai.audit.models import AuditAction
from anpai.core import access
from anpai.core.api import ERROR_RESPONSES, field_errors_schema
from anpai.people.models import ApiToken


class TokenCredentialsSerializer(serializers.Serializer):
    """What a client sends to get a token."""

    username = serializers.CharField(label=_("Username"))
    password = serializers.CharField(
        label=_("Password"),
        style={"input_type": "password"},
        trim_whitespace=False,
        write_only=True,
    )


class TokenSerializer(serializers.Serializer):
    """A freshly issued token: the key is shown this once, only its hash is kept."""

    token = serializers.CharField(help_text=_("Send as `Authorization: Token <token>`."))
    expires_at = serializers.DateTimeField()


class TokenView(APIView):
    """Exchange a username and password for an API token (shown once; stored hashed)."""

    # A stale or broken token header must not stop someone from getting a new one.
    authentication_classes: list = []
    permission_classes = [AllowAny]
    serializer_class = TokenCredentialsSerializer

    @extend_schema(
        summary=_("Get an API token"),
        request=TokenCredentialsSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(
                field_errors_schema(
                    {"non_field_errors": ["Unable to log in with the given username and password."]}
                ),
                description=_("Missing fields, or wrong username or password (non_field_errors)."),
            ),
        },
        auth=[],
        tags=["auth"],
    )
    def post(self, request):
        data = TokenCredentialsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None:
            # authenticate() has already sent user_login_failed, which the audit trail records.
            return Response(
                {"non_field_errors": [_("Unable to log in with the given username and password.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        context.set_actor(user)
        token, key = ApiToken.issue(user, name="api")
        append(AuditAction.TOKEN, obj=user, actor=user)
        return Response(TokenSerializer({"token": key, "expires_at": token.expires_at}).data)


class MembershipOutSerializer(serializers.Serializer):
    """One of the user's roles, in one organisation."""

    organization = serializers.IntegerField(source="organization_id")
    organization_name = serializers.CharField(source="organization.name")
    organization_kind = serializers.CharField(source="organization.kind")
    region = serializers.CharField(
        source="organization.region.code", help_text=_("Division code of the organisation.")
    )
    role = serializers.CharField()
    role_display = serializers.CharField(source="get_role_display")
    title = serializers.CharField()


class MeSerializer(serializers.Serializer):
    """The authenticated user with their memberships; ``roles`` is the set of their roles."""

    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.EmailField()
    roles = serializers.ListField(child=serializers.CharField())
    memberships = MembershipOutSerializer(many=True)


class MeView(APIView):
    """The authenticated user, their memberships and roles."""

    permission_classes = [IsAuthenticated]
    serializer_class = MeSerializer

    @extend_schema(
        summary=_("Who am I"),
        responses={200: MeSerializer, 401: ERROR_RESPONSES[401]},
        tags=["auth"],
    )
    def get(self, request):
        user = request.user
        memberships = access.memberships(user)
        payload = {
            "id": user.pk,
            "username": user.username,
            "full_name": user.full_name,
            "phone": user.phone,
            "email": user.email,
            "roles": sorted(access.roles(user)),
            "memberships": memberships,
        }
        return Response(MeSerializer(payload).data)

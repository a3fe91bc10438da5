"""The API base: the one restricted viewset base, and the error shapes the schema documents."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import exceptions, serializers, viewsets

from anpai.audit import context
from anpai.core import access

# What every error answer looks like, for the OpenAPI schema.
ErrorSerializer = inline_serializer("Error", fields={"detail": serializers.CharField()})


def field_errors_schema(example: dict[str, list[str]]) -> dict:
    """The schema of a 400 answer: field name (or ``non_field_errors``) → messages."""
    return {
        "type": "object",
        "description": "Field name (or non_field_errors) → messages.",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
        "example": example,
    }


ERROR_RESPONSES = {
    401: OpenApiResponse(
        ErrorSerializer, description=_("Missing, invalid, expired or revoked token.")
    ),
    403: OpenApiResponse(ErrorSerializer, description=_("Your role may not do this.")),
    404: OpenApiResponse(ErrorSerializer, description=_("Not found, or outside your scope.")),
}
WRITE_ERROR_RESPONSES = {
    400: OpenApiResponse(
        field_errors_schema({"credit_code": ["The check character (18th) … is mistyped."]}),
        description=_("Invalid input, per field."),
    ),
    **ERROR_RESPONSES,
}


class RestrictedViewSetMixin:
    """Every API viewset gets its rows through ``restrict(user, action)``.

    On collections, a user whose roles allow the action nowhere gets 403. On
    objects, every method first looks the object up in the ``view`` scope, so
    another organisation's object answers 404 as if it did not exist; writes
    then check it against the scope of their own action, so an object the user
    can see but not change answers 403.
    """

    resource: str = ""
    # Not ``action_map``: DRF's ViewSetMixin sets that per instance (HTTP method →
    # action), which silently turned every write into a "view" check.
    action_permissions = {
        "list": access.VIEW,
        "retrieve": access.VIEW,
        "create": access.ADD,
        "update": access.CHANGE,
        "partial_update": access.CHANGE,
        "destroy": access.DELETE,
    }

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # type: ignore[misc]  # authenticates: 401 first
        # Token users are known only now, after the audit middleware ran: attribute writes to them.
        context.set_actor(request.user)

    def check_permissions(self, request):
        """DRF's permission classes, then the policy: no role for this action anywhere → 403.

        Here rather than in ``initial`` so that OPTIONS (DRF's metadata, which
        calls this per method) offers only the writes the user's roles allow.
        """
        super().check_permissions(request)  # type: ignore[misc]
        lookup = self.lookup_url_kwarg or self.lookup_field  # type: ignore[attr-defined]
        if lookup in self.kwargs:  # type: ignore[attr-defined]
            # An object request: get_object answers 404 for another organisation's
            # object whatever the method, and 403 only for one the user may see.
            return
        if not access.can(request.user, self.resource, self._needed(request)):
            self.permission_denied(request)  # type: ignore[attr-defined]

    def _needed(self, request) -> str:
        action = self.action  # type: ignore[attr-defined]
        if action == "metadata":
            # OPTIONS asks "could I POST/PATCH here?" with a cloned request per method.
            action = self.action_map.get(request.method.lower(), action)  # type: ignore[attr-defined]
        return self.action_permissions.get(action, access.VIEW)

    def get_queryset(self):
        return self.queryset.model.objects.restrict(self.request.user, access.VIEW)  # type: ignore[attr-defined]

    def get_object(self):
        obj = super().get_object()  # type: ignore[misc]  # 404 outside the view scope
        needed = self._needed(self.request)  # type: ignore[attr-defined]
        if needed != access.VIEW:
            allowed = type(obj).objects.restrict(self.request.user, needed)  # type: ignore[attr-defined]
            if not allowed.filter(pk=obj.pk).exists():
                raise exceptions.PermissionDenied(_("You may see this object but not change it."))
        return obj


class RestrictedModelViewSet(RestrictedViewSetMixin, viewsets.ModelViewSet):
    """Read and write, each through ``restrict``."""


class RestrictedReadOnlyViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """List and retrieve through ``restrict``."""

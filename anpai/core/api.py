"""The API base: pagination, error shape, and the one restricted viewset base."""

from __future__ import annotations

from rest_framework import exceptions, viewsets

from anpai.audit import context
from anpai.core import access


class RestrictedViewSetMixin:
    """Every API viewset gets its rows through ``restrict(user, action)``.

    Reads use the ``view`` scope; writes look the object up in the scope of
    their own action, so an object the user can see but not change answers
    403 and one outside every scope answers 404.
    """

    resource: str = ""
    action_map = {
        "list": access.VIEW,
        "retrieve": access.VIEW,
        "create": access.ADD,
        "update": access.CHANGE,
        "partial_update": access.CHANGE,
        "destroy": access.DELETE,
    }

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        context.set_actor(request.user)
        needed = self.action_map.get(self.action, access.VIEW)  # type: ignore[attr-defined]
        if not access.can(request.user, self.resource, needed):
            raise exceptions.PermissionDenied()

    def get_queryset(self):
        return self.queryset.model.objects.restrict(self.request.user, access.VIEW)  # type: ignore[attr-defined]

    def get_object(self):
        obj = super().get_object()  # type: ignore[misc]  # 404 outside the view scope
        needed = self.action_map.get(self.action, access.VIEW)  # type: ignore[attr-defined]
        if needed != access.VIEW:
            allowed = type(obj).objects.restrict(self.request.user, needed)  # type: ignore[attr-defined]
            if not allowed.filter(pk=obj.pk).exists():
                raise exceptions.PermissionDenied()
        return obj


class RestrictedModelViewSet(RestrictedViewSetMixin, viewsets.ModelViewSet):
    pass


class RestrictedReadOnlyViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


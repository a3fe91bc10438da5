"""View mixins that route every page through ``restrict(user, action)``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from anpai.core import access


class RestrictedViewMixin(LoginRequiredMixin):
    """List, detail and edit pages get their rows through ``restrict``.

    ``resource`` names the policy; ``permission_action`` the action the page
    performs. A user with no role for the action anywhere gets 403; an object
    outside their scope answers 404, as if it did not exist; an object they
    may see but not act on answers 403.
    """

    resource: str = ""
    permission_action: str = access.VIEW
    model: Any = None
    request: HttpRequest
    kwargs: dict[str, Any]

    def dispatch(self, request, *args, **kwargs):
        # Object pages decide in get_object (404 outside the view scope, then 403);
        # collection pages refuse a role that may not do the action anywhere.
        if (
            request.user.is_authenticated
            and "pk" not in kwargs
            and not access.can(request.user, self.resource, self.permission_action)
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return self.model.objects.restrict(self.request.user, self.permission_action)

    def get_object(self, queryset=None):
        pk = self.kwargs.get("pk")
        model = self.model
        if self.permission_action != access.VIEW:
            obj = self.get_queryset().filter(pk=pk).first()
            if obj is not None:
                return obj
            if model.objects.restrict(self.request.user, access.VIEW).filter(pk=pk).exists():
                raise PermissionDenied
            raise Http404
        obj = self.get_queryset().filter(pk=pk).first()
        if obj is None:
            raise Http404
        return obj

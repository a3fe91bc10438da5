"""The one place organisation scoping is applied to a queryset."""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, Self, TypeVar

from django.db import models

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

_M = TypeVar("_M", bound=models.Model)


class RestrictedQuerySet(models.QuerySet[_M], Generic[_M]):
    """A queryset that can narrow itself to what a user may do.

    Subclasses say which policy applies (``resource``, see
    :mod:`anpai.core.access`) and how to reach the owning organisation from the
    model (``org_path``: ``""`` for Organization itself, ``"organization"`` for
    a model with an ``organization`` foreign key, and so on). Every view,
    export and API viewset gets its rows through :meth:`restrict`.
    """

    resource: str = ""
    org_path: str = "organization"

    def restrict(self, user: AbstractBaseUser | AnonymousUser | None, action: str = "view") -> Self:
        """Rows ``user`` may perform ``action`` on; none for anyone without a role for it."""
        from anpai.core import access

        scope = access.scope_q(
            user, self.resource or self.model._meta.label_lower, action, org_path=self.org_path
        )
        if scope is None:
            return self.none()
        return self.filter(scope)

"""People pages."""

from __future__ import annotations

from django.db.models import Prefetch
from django.views.generic import ListView

from anpai.core.views import RestrictedViewMixin
from anpai.people.models import Membership, User


class UserListView(RestrictedViewMixin, ListView):
    """Accounts within the viewer's scope, with their roles."""

    model = User
    resource = "people.user"
    template_name = "people/user_list.html"
    paginate_by = 50

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .prefetch_related(
                Prefetch(
                    "memberships",
                    queryset=Membership.objects.select_related("organization"),
                )
            )
            .order_by("username")
        )

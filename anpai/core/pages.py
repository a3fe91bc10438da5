"""Site-wide pages: home and health."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import connection
from django.db.models import Count, Q
from django.http import JsonResponse
from django.utils import timezone
from django.views.generic import TemplateView

from anpai.core import access
from anpai.orgs.choices import OrgKind, OrgStatus


class HomeView(LoginRequiredMixin, TemplateView):
    """The user's start page: who they are, and what their scope holds."""

    template_name = "anpai/home.html"

    def get_context_data(self, **kwargs):
        from anpai.orgs.models import Organization

        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        if access.can(user, "orgs.organization", access.VIEW):
            orgs = Organization.objects.restrict(user, access.VIEW)
            by_kind = dict(orgs.values_list("kind").annotate(n=Count("id")).order_by())
            ctx["org_counts"] = [
                {"kind": kind, "label": label, "n": by_kind.get(kind, 0)}
                for kind, label in OrgKind.choices
                if by_kind.get(kind)
            ]
            ctx["org_total"] = sum(by_kind.values())
            ctx["key_count"] = orgs.filter(is_key=True).count()
            ctx["suspended_count"] = orgs.exclude(status=OrgStatus.OPERATING).count()
        if access.can(user, "hazards.hazard", access.VIEW):
            ctx["hazard_counts"] = hazard_counts(user)
        if access.can(user, "inspections.inspectionduty", access.VIEW):
            from anpai.inspections.cadence import my_periods

            # The user's own inspection duties: due now, and recently missed.
            ctx["my_periods"] = my_periods(user)
        return ctx


def hazard_counts(user) -> dict[str, int]:
    """Open, overdue, major open and supervised open hazards in scope, in one query."""
    from anpai.hazards.choices import OPEN_STATES, HazardLevel, HazardState
    from anpai.hazards.models import Hazard

    is_open = Q(state__in=OPEN_STATES)
    # The same rule as HazardQuerySet.overdue(), counted in the same query.
    overdue = Q(state=HazardState.ASSIGNED, deadline__lt=timezone.localdate())
    return Hazard.objects.restrict(user, access.VIEW).aggregate(
        open=Count("id", filter=is_open),
        overdue=Count("id", filter=overdue),
        major=Count("id", filter=is_open & Q(level=HazardLevel.MAJOR)),
        supervised=Count("id", filter=is_open & Q(is_supervised=True)),
    )


def healthz(request):
    """Liveness and database reachability, for load balancers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})

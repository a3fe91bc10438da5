"""The printable permit (PDF) and the permit statistics (page and xlsx).

Routes, included by ``anpai/permits/urls.py`` (namespace ``permits``):
``<pk>/permit.pdf`` (``permits:pdf``), ``stats/`` (``permits:stats``) and
``stats.xlsx`` (``permits:stats_xlsx``).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.cache import patch_vary_headers
from django.views import View
from django.views.generic import TemplateView

from anpai.core import access
from anpai.core.views import RestrictedViewMixin
from anpai.permits import stats
from anpai.permits.models import Permit
from anpai.permits.pdf import permit_queryset, render_permit

RESOURCE = "permits.permit"


class PermitPdfView(RestrictedViewMixin, View):
    """``/permits/<pk>/permit.pdf``: the permit to print, in its form's paper layout.

    Anyone who may see the permit may print it; another organisation's permit is a 404.
    """

    model = Permit
    resource = RESOURCE

    def get_queryset(self):
        return permit_queryset(super().get_queryset())

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        permit = self.get_object()
        response = HttpResponse(render_permit(permit), content_type="application/pdf")
        name = permit.number or f"permit-{permit.pk}"
        response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
        response["Cache-Control"] = "private, no-store"
        patch_vary_headers(response, ("Cookie",))
        return response


class StatsView(RestrictedViewMixin, TemplateView):
    """``/permits/stats/``: permits per organisation in scope by type, level and outcome,
    with work found without a permit; every count opens the list it counts."""

    model = Permit
    resource = RESOURCE
    template_name = "permits/stats.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        start, end, errors = stats.date_range(self.request.GET)
        data = stats.permit_stats(user, start, end)
        own = stats.own_organization(user)
        ctx.update(
            data,
            # The totals row, when it adds up more than one organisation.
            all_rows=[*data["rows"], data["totals"]] if len(data["rows"]) > 1 else data["rows"],
            errors=errors,
            can_export=access.can(user, RESOURCE, access.EXPORT),
            report_url=stats.report_url(own) if stats.may_report(user) else "",
            export_query=f"from={start.isoformat()}&to={end.isoformat()}",
        )
        return ctx


class StatsExportView(RestrictedViewMixin, View):
    """``/permits/stats.xlsx``: the statistics as a workbook, recorded in the audit trail."""

    model = Permit
    resource = RESOURCE
    permission_action = access.EXPORT

    def get(self, request: HttpRequest) -> HttpResponse:
        start, end, _errors = stats.date_range(request.GET)
        return stats.export_response(request.user, start, end)


urlpatterns = [
    path("<int:pk>/permit.pdf", PermitPdfView.as_view(), name="pdf"),
    path("stats/", StatsView.as_view(), name="stats"),
    path("stats.xlsx", StatsExportView.as_view(), name="stats_xlsx"),
]

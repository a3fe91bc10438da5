"""Ledger and import pages: ``/hazards/ledger.xlsx``, ``/hazards/import/`` and its template."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from anpai.core import access
from anpai.core.imports import XlsxImportView, XlsxTemplateView
from anpai.core.views import RestrictedViewMixin
from anpai.hazards.filtersets import HazardFilterSet
from anpai.hazards.imports import import_template, run_import
from anpai.hazards.ledger import RESOURCE, stream_ledger
from anpai.hazards.models import Hazard


class LedgerExportView(RestrictedViewMixin, View):
    """The list's filters applied to what the user may export; big ledgers become a job."""

    model = Hazard
    resource = RESOURCE
    permission_action = access.EXPORT

    def get(self, request):
        base = Hazard.objects.restrict(request.user, access.EXPORT)
        filterset = HazardFilterSet(request.GET, queryset=base, request=request)
        if not filterset.is_valid():
            # An invalid filter would otherwise be ignored and export more than asked.
            problems = "; ".join(
                f"{filterset.form.fields[name].label if name in filterset.form.fields else name}"
                f": {' '.join(str(m) for m in errors)}"
                for name, errors in filterset.errors.items()
            )
            messages.error(
                request, _("The ledger was not exported: %(problems)s") % {"problems": problems}
            )
            query = request.GET.urlencode()
            return HttpResponseRedirect(reverse("hazards:list") + (f"?{query}" if query else ""))
        return stream_ledger(filterset.qs, request.user, request)


class HazardImportView(XlsxImportView):
    """Upload an xlsx of hazards found on paper; nothing is saved unless every row is valid."""

    model = Hazard
    resource = RESOURCE
    template_name = "hazards/import.html"
    run_import = staticmethod(run_import)


class ImportTemplateView(XlsxTemplateView):
    """The import template, listing the organisations this user may report hazards for."""

    model = Hazard
    resource = RESOURCE
    filename = "hazards-import-template.xlsx"
    import_template = staticmethod(import_template)

"""Ledger and import pages: ``/hazards/ledger.xlsx``, ``/hazards/import/`` and its template."""

from __future__ import annotations

from io import BytesIO

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from anpai.core import access
from anpai.core.views import RestrictedViewMixin
from anpai.core.xlsx import XLSX_TYPE, ImportFileError
from anpai.hazards.filtersets import HazardFilterSet
from anpai.hazards.imports import import_template, run_import
from anpai.hazards.ledger import RESOURCE, stream_ledger
from anpai.hazards.models import Hazard
from anpai.orgs.forms import ImportForm


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


class HazardImportView(RestrictedViewMixin, View):
    """Upload an xlsx of hazards found on paper; nothing is saved unless every row is valid."""

    model = Hazard
    resource = RESOURCE
    permission_action = access.IMPORT
    template_name = "hazards/import.html"

    def get(self, request):
        return self._render(ImportForm())

    def post(self, request):
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(form, status=400)
        upload = form.cleaned_data["file"]
        try:
            result = run_import(upload, user=request.user, file_name=upload.name)
        except ImportFileError as exc:
            form.add_error("file", str(exc))
            return self._render(form, status=400)
        status = 200 if result.ok else 400
        return self._render(ImportForm(), result=result, file_name=upload.name, status=status)

    def _render(self, form, *, result=None, file_name="", status=200):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "result": result,
                "file_name": file_name,
                "max_rows": settings.ANPAI_IMPORT_MAX_ROWS,
            },
            status=status,
        )


class ImportTemplateView(RestrictedViewMixin, View):
    """The import template, listing the organisations this user may report hazards for."""

    model = Hazard
    resource = RESOURCE
    permission_action = access.IMPORT

    def get(self, request):
        buffer = BytesIO()
        import_template(request.user).save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
        response["Content-Disposition"] = 'attachment; filename="hazards-import-template.xlsx"'
        return response

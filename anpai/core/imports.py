"""The xlsx import page and its template download, shared by every registry.

An app supplies ``run_import(upload, user=, file_name=)`` (validates every row,
saves all or nothing, returns a result with ``ok`` and ``errors``) and
``import_template(user)`` (an openpyxl Workbook); these views do the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from pathlib import PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.views import View

from anpai.core import access
from anpai.core.views import RestrictedViewMixin
from anpai.core.xlsx import XLSX_TYPE, ImportFileError


class ImportForm(forms.Form):
    """The xlsx upload of an import page."""

    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "class": "form-control",
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if PurePath(upload.name).suffix.lower() != ".xlsx":
            raise forms.ValidationError(
                _("Upload an Excel workbook saved as .xlsx (not .xls, .csv or another format)."),
                code="not_xlsx",
            )
        # Refused before openpyxl opens it: a zip bomb or a wrong file should not
        # cost the server memory.
        limit = settings.ANPAI_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s; the limit is %(limit)s. Split it into smaller files."),
                code="too_big",
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            )
        return upload


class XlsxImportView(RestrictedViewMixin, View):
    """Upload an xlsx; every row is validated and nothing is saved unless all are.

    The page itself reports the outcome: the count imported (200), or the table
    of errors by row and column (400).
    """

    permission_action = access.IMPORT
    template_name = ""
    run_import: Callable[..., Any]

    def get(self, request):
        return self._render(ImportForm())

    def post(self, request):
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(form, status=400)
        upload = form.cleaned_data["file"]
        try:
            result = type(self).run_import(upload, user=request.user, file_name=upload.name)
        except ImportFileError as exc:
            form.add_error("file", str(exc))
            return self._render(form, status=400)
        status = 200 if result.ok else 400
        return self._render(ImportForm(), result=result, file_name=upload.name, status=status)

    def _render(self, form, *, result=None, file_name="", status=200):
        context = {
            "form": form,
            "result": result,
            "file_name": file_name,
            "max_rows": settings.ANPAI_IMPORT_MAX_ROWS,
        }
        return render(self.request, self.template_name, context, status=status)


class XlsxTemplateView(RestrictedViewMixin, View):
    """The import template, built for the requesting user (their regions, organisations)."""

    permission_action = access.IMPORT
    filename = "import-template.xlsx"
    import_template: Callable[..., Any]

    def get(self, request):
        buffer = BytesIO()
        type(self).import_template(request.user).save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{self.filename}"'
        return response

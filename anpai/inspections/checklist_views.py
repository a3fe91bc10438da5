"""Checklist pages: the current templates by industry, a template's items and version
history, editing (always a new version, so inspections keep theirs), copying a shipped
template to a local one, and xlsx export/import.

Rows come only through ``ChecklistTemplate.objects.restrict(user, action)``: every
role holder reads shipped checklists and the local ones of their area; township
officers change only local ones (a shipped one answers 403 and offers a local copy).
Saving goes through :func:`anpai.inspections.checklists.new_version`.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from anpai.audit.log import append
from anpai.audit.models import AuditAction
from anpai.core import access
from anpai.core.errors import ActionError, Forbidden, Invalid, NotFound
from anpai.core.imports import XlsxImportView, XlsxTemplateView
from anpai.core.views import RestrictedViewMixin
from anpai.core.xlsx import XLSX_TYPE
from anpai.inspections import checklists
from anpai.inspections.checklist_forms import (
    ChecklistForm,
    ItemFormSet,
    clause_choices,
    item_changes,
)
from anpai.inspections.models import ChecklistItem, ChecklistTemplate
from anpai.orgs.models import Industry

RESOURCE = "inspections.checklisttemplate"


class ChecklistAccessMixin(RestrictedViewMixin):
    """Checklists are read by every role holder (see ``ChecklistQuerySet.restrict``);
    changing, importing and exporting follow the policy table."""

    model = ChecklistTemplate
    resource = RESOURCE

    def dispatch(self, request, *args, **kwargs):
        if self.permission_action != access.VIEW:
            return super().dispatch(request, *args, **kwargs)
        if request.user.is_authenticated and not access.grants(request.user):
            raise PermissionDenied
        # Skip the policy-table check of RestrictedViewMixin; keep the login redirect.
        return LoginRequiredMixin.dispatch(self, request, *args, **kwargs)


def _older_versions() -> Subquery:
    older = (
        ChecklistTemplate.objects.filter(code=OuterRef("code"), version__lt=OuterRef("version"))
        .order_by()
        .values("code")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(older, output_field=IntegerField())


def _action_error(exc: ActionError):
    if isinstance(exc, Forbidden):
        raise PermissionDenied(str(exc.message)) from exc
    if isinstance(exc, NotFound):
        raise Http404(str(exc.message)) from exc


# ---------------------------------------------------------------- list


class ChecklistListView(ChecklistAccessMixin, View):
    """The current version of every checklist the user may read, grouped by industry."""

    permission_action = access.VIEW
    template_name = "inspections/checklist_list.html"

    def get(self, request):
        user = request.user
        industry = request.GET.get("industry", "").strip()
        rows = (
            ChecklistTemplate.objects.restrict(user, access.VIEW)
            .current()
            .select_related("industry", "region")
            .annotate(item_count=Count("items"), older_count=_older_versions())
            .order_by("industry__sort_order", "place_kind", "name", "id")
        )
        if industry:
            rows = rows.filter(industry__code=industry)
        # Organisations' own checklists (generated from their risk control measures)
        # would bury the township's: listed apart, behind ?own=1.
        own = request.GET.get("own") == "1"
        own_count = rows.filter(organization__isnull=False).count()
        rows = rows.filter(organization__isnull=not own)
        groups: OrderedDict[Any, dict[str, Any]] = OrderedDict()
        for template in rows:
            key = template.industry_id
            group = groups.setdefault(key, {"industry": template.industry, "templates": []})
            group["templates"].append(template)
        context = {
            "groups": list(groups.values()),
            "count": sum(len(g["templates"]) for g in groups.values()),
            "industries": list(Industry.objects.filter(is_active=True)),
            "selected_industry": industry,
            "own": own,
            "own_count": own_count,
            "can_import": access.can(user, RESOURCE, access.IMPORT),
            "can_export": access.can(user, RESOURCE, access.EXPORT),
        }
        return render(request, self.template_name, context)


# ---------------------------------------------------------------- detail


class ChecklistDetailView(ChecklistAccessMixin, View):
    """One version: its items by section, and the history of the checklist's versions."""

    permission_action = access.VIEW
    template_name = "inspections/checklist_detail.html"

    def get(self, request, pk: int):
        user = request.user
        template = self.get_object()
        items = list(
            template.items.select_related("clause__standard", "category").order_by("order", "id")
        )
        sections: OrderedDict[str, list[ChecklistItem]] = OrderedDict()
        for position, item in enumerate(items, start=1):
            item.position = position  # the number inspectors call it by
            sections.setdefault(item.section, []).append(item)
        history = list(
            ChecklistTemplate.objects.restrict(user, access.VIEW)
            .filter(code=template.code)
            .select_related("created_by")
            .annotate(
                item_count=Count("items", distinct=True),
                inspection_count=Count("inspections", distinct=True),
            )
            .order_by("-version")
        )
        current = next((t for t in history if t.is_current), None)
        may_change = (
            template.is_current
            and ChecklistTemplate.objects.restrict(user, access.CHANGE)
            .filter(pk=template.pk)
            .exists()
        )
        context = {
            "template": template,
            "sections": list(sections.items()),
            "item_count": len(items),
            "major_count": sum(1 for i in items if i.clause_id and i.clause.makes_major),
            "history": history,
            "older_count": sum(1 for t in history if t.version < template.version),
            "current": current,
            "can_change": may_change,
            "can_copy": (
                template.region_id is None
                and access.can(user, RESOURCE, access.ADD)
                and checklists.home_region(user, access.ADD) is not None
            ),
            "can_export": access.can(user, RESOURCE, access.EXPORT),
        }
        return render(request, self.template_name, context)

    def get_object(self, queryset=None):
        obj = (
            ChecklistTemplate.objects.restrict(self.request.user, access.VIEW)
            .select_related("industry", "region", "created_by")
            .filter(pk=self.kwargs["pk"])
            .first()
        )
        if obj is None:
            raise Http404
        return obj


def _local_code(source: ChecklistTemplate, region) -> str:
    """A free code for a township's copy: the source's code and the township's digits."""
    base = f"{source.code}-{region.prefix}"[:56]
    code, n = base, 1
    while ChecklistTemplate.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


# ---------------------------------------------------------------- edit


class ChecklistEditView(ChecklistAccessMixin, View):
    """Edit a local checklist: saving makes the next version; older ones stay as they were."""

    permission_action = access.CHANGE
    template_name = "inspections/checklist_form.html"

    def get_object(self, queryset=None):
        template = super().get_object(queryset)
        if not template.is_current:
            # Only the current version is edited; an old one is history.
            raise PermissionDenied(_("Only the current version of a checklist can be edited."))
        return template

    def _items(self, template: ChecklistTemplate):
        return template.items.select_related("clause__standard", "category").order_by("order", "id")

    def get(self, request, pk: int):
        template = self.get_object()
        form = ChecklistForm(instance=template)
        formset = ItemFormSet(
            initial=ItemFormSet.initial_for(self._items(template)),
            form_kwargs={"user": request.user},
        )
        return self._render(template, form, formset)

    def post(self, request, pk: int):
        template = self.get_object()
        form = ChecklistForm(request.POST, instance=template)
        formset = ItemFormSet(request.POST, form_kwargs={"user": request.user})
        if not (form.is_valid() & formset.is_valid()):
            return self._render(template, form, formset, status=400)
        changes = {**form.changes(), "items": item_changes(formset)}
        try:
            new = checklists.new_version(template, by=request.user, changes=changes)
        except Invalid as exc:
            form.add_action_errors(exc)
            return self._render(template, form, formset, status=400)
        except ActionError as exc:
            _action_error(exc)
            # A conflict: someone saved a newer version meanwhile.
            messages.error(request, str(exc.message))
            return redirect("inspections:checklist_detail", pk=template.pk)
        messages.success(
            request,
            _("Saved as version %(version)s. Inspections made with earlier versions keep theirs.")
            % {"version": new.version},
        )
        return redirect("inspections:checklist_detail", pk=new.pk)

    def _render(self, template, form, formset, status=200):
        context = {
            "template": template,
            "form": form,
            "formset": formset,
            "clause_options": clause_choices(self.request.user),
        }
        return render(self.request, self.template_name, context, status=status)


class ChecklistCopyView(ChecklistAccessMixin, View):
    """Copy a shipped checklist into a local one of the officer's township, then edit it."""

    permission_action = access.ADD

    def post(self, request, pk: int):
        source = ChecklistTemplate.objects.restrict(request.user, access.VIEW).filter(pk=pk).first()
        if source is None:
            raise Http404
        township = checklists.home_region(request.user, access.ADD)
        if township is None:
            raise PermissionDenied
        try:
            copy = checklists.copy(
                source,
                by=request.user,
                code=_local_code(source, township),
                # Named after the township so the list tells the copy from the original.
                name=f"{source.name}（{township.name}）"[:200],
            )
        except ActionError as exc:
            _action_error(exc)
            messages.error(request, str(exc.message))
            return redirect("inspections:checklist_detail", pk=source.pk)
        messages.success(
            request,
            _("Local copy made for %(region)s; change it below and save.")
            % {"region": township.name},
        )
        return redirect("inspections:checklist_edit", pk=copy.pk)

    def get(self, request, pk: int):
        return redirect("inspections:checklist_detail", pk=pk)


# ---------------------------------------------------------------- xlsx


class ChecklistExportView(ChecklistAccessMixin, View):
    """One checklist version as an xlsx workbook (the format the import reads)."""

    permission_action = access.EXPORT

    def get(self, request, pk: int):
        template = self.get_object()
        content = checklists.export_xlsx(template)
        if hasattr(content, "save"):  # a Workbook
            from io import BytesIO

            buffer = BytesIO()
            content.save(buffer)
            content = buffer.getvalue()
        append(
            AuditAction.EXPORT,
            obj=template,
            after={"format": "xlsx", "code": template.code, "version": template.version},
        )
        response = HttpResponse(content, content_type=XLSX_TYPE)
        filename = f"{template.code}-v{template.version}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class ChecklistImportView(XlsxImportView):
    """Upload a checklist workbook: validated as a whole; a new version or nothing."""

    model = ChecklistTemplate
    resource = RESOURCE
    template_name = "inspections/checklist_import.html"
    run_import = staticmethod(checklists.run_import)


class ChecklistImportTemplateView(XlsxTemplateView):
    """An empty checklist workbook to fill in (exporting a checklist gives a filled one)."""

    model = ChecklistTemplate
    resource = RESOURCE
    filename = "checklist-template.xlsx"
    import_template = staticmethod(checklists.import_template)

"""Organisation registry pages: list (with its htmx fragment), detail, create,
edit, xlsx import and export, and the industry supervision table.

Every page gets its rows through ``restrict(user, action)`` via
:class:`anpai.core.views.RestrictedViewMixin`; nothing here filters by
membership itself.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import redirect
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from anpai.audit.log import append
from anpai.audit.models import AuditAction
from anpai.core import access
from anpai.core.imports import XlsxImportView, XlsxTemplateView
from anpai.core.views import RestrictedViewMixin
from anpai.orgs.choices import FLAGS, OrgStatus
from anpai.orgs.exports import XLSX_TYPE, export_filename, export_workbook, import_template
from anpai.orgs.filtersets import OrganizationFilterSet
from anpai.orgs.forms import OrganizationForm
from anpai.orgs.models import Industry, Organization, Supervision
from anpai.orgs.resources import run_import
from anpai.people.models import Membership

RESOURCE = "orgs.organization"


def _permissions(user) -> dict[str, bool]:
    return {
        action: access.can(user, RESOURCE, action)
        for action in (access.ADD, access.CHANGE, access.IMPORT, access.EXPORT)
    }


def _without(params, *names: str) -> str:
    """A query string without some parameters (the export link drops the page)."""
    params = params.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


class FilteredOrganizationsMixin(RestrictedViewMixin):
    """The list page and the export share one filtered, restricted queryset."""

    model = Organization
    resource = RESOURCE

    def filtered(self, action: str = access.VIEW):
        base = Organization.objects.restrict(self.request.user, action).with_list_related()
        self.filterset = OrganizationFilterSet(
            self.request.GET, queryset=base, request=self.request
        )
        return self.filterset.qs

    def active_filters(self) -> dict[str, list[str]]:
        """The filter parameters actually given, for the audit record and the page."""
        names = self.filterset.filters.keys()
        return {
            name: values
            for name in names
            if (values := [v for v in self.request.GET.getlist(name) if v.strip()])
        }


class OrganizationListView(FilteredOrganizationsMixin, ListView):
    """The registry, filtered. An htmx request gets only the results fragment."""

    template_name = "orgs/organization_list.html"
    fragment_template = "orgs/_organization_results.html"
    paginate_by = 50

    def get_queryset(self):
        return self.filtered()

    def is_fragment(self) -> bool:
        """An htmx filter or page change gets the results only; a history restore
        (back button after the cache is gone) needs the whole page."""
        htmx = getattr(self.request, "htmx", None)
        return htmx is not None and bool(htmx) and not htmx.history_restore_request

    def get_template_names(self):
        return [self.fragment_template if self.is_fragment() else self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        get = self.request.GET
        form = self.filterset.form
        ctx.update(
            fragment=self.is_fragment(),
            filter=self.filterset,
            allowed=_permissions(self.request.user),
            flags=FLAGS,
            active_filters=self.active_filters(),
            export_query=_without(get, "page"),
            selected={
                "kind": get.getlist("kind"),
                "status": get.getlist("status"),
                "industry": get.getlist("industry"),
                "village": get.get("village", ""),
                "flags": {name for name, _label in FLAGS if get.get(name) == "true"},
            },
            kind_choices=form.fields["kind"].choices,
            status_choices=form.fields["status"].choices,
            village_choices=form.fields["village"].queryset,
            industry_choices=form.fields["industry"].queryset,
        )
        return ctx

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        # The same URL answers a page or a fragment: caches must keep them apart.
        patch_vary_headers(response, ("HX-Request",))
        return response


class OrganizationDetailView(RestrictedViewMixin, DetailView):
    """One organisation, its supervising departments and its people."""

    model = Organization
    resource = RESOURCE
    template_name = "orgs/organization_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("region__parent")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        org = self.object
        user = self.request.user
        industries = list(org.industries.all())
        supervisors: OrderedDict = OrderedDict((i, []) for i in industries)
        township = org.township
        if (
            township is not None
            and industries
            and access.can(user, "orgs.supervision", access.VIEW)
        ):
            rows = (
                Supervision.objects.restrict(user, access.VIEW)
                .filter(township=township, industry__in=industries)
                .select_related("industry", "department")
                .order_by("industry__sort_order", "department__name")
            )
            for row in rows:
                supervisors.setdefault(row.industry, []).append(row.department)
        ctx.update(
            industries=industries,
            supervisors=supervisors,
            show_supervisors=access.can(user, "orgs.supervision", access.VIEW),
            members=list(
                Membership.objects.restrict(user, access.VIEW)
                .filter(organization=org)
                .select_related("user")
                .order_by("role", "user__full_name")
            ),
            show_members=access.can(user, "people.membership", access.VIEW),
            can_change=Organization.objects.restrict(user, access.CHANGE)
            .filter(pk=org.pk)
            .exists(),
        )
        if access.can(user, "inspections.inspectionduty", access.VIEW):
            from anpai.inspections.cadence import may_assign, org_summary

            # Inspection duties (季查…日查) with their completion over the last 90 days.
            ctx["duties"] = org_summary(user, org)
            ctx["can_add_duty"] = may_assign(user, org)
        return ctx


class OrganizationFormMixin(RestrictedViewMixin):
    """Create and edit share the form, its region scope and the save."""

    model = Organization
    resource = RESOURCE
    form_class = OrganizationForm
    template_name = "orgs/organization_form.html"
    success_text: Any = ""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(user=self.request.user, action=self.permission_action)
        return kwargs

    def form_valid(self, form):
        # The model's save() fires the audit signals; the atomic block keeps the
        # row, its industries and their audit records together.
        with transaction.atomic():
            self.object = form.save()
        messages.success(self.request, self.success_text % {"name": self.object.name})
        return redirect("orgs:detail", pk=self.object.pk)


class OrganizationCreateView(OrganizationFormMixin, CreateView):
    permission_action = access.ADD
    success_text = gettext_lazy("Organisation “%(name)s” created.")

    def get_initial(self):
        initial = super().get_initial()
        initial["status"] = OrgStatus.OPERATING
        return initial


class OrganizationUpdateView(OrganizationFormMixin, UpdateView):
    permission_action = access.CHANGE
    success_text = gettext_lazy("Organisation “%(name)s” saved.")

    def get_queryset(self):
        return super().get_queryset().select_related("region__parent")


class OrganizationImportView(XlsxImportView):
    """Upload an xlsx of organisations; nothing is saved unless every row is valid."""

    resource = RESOURCE
    template_name = "orgs/organization_import.html"
    run_import = staticmethod(run_import)


class ImportTemplateView(XlsxTemplateView):
    """The import template, with the regions and industries this user may use."""

    resource = RESOURCE
    filename = "orgs-import-template.xlsx"
    import_template = staticmethod(import_template)


class OrganizationExportView(FilteredOrganizationsMixin, View):
    """The filtered list as xlsx, recorded in the audit trail."""

    permission_action = access.EXPORT

    def get(self, request):
        queryset = self.filtered(access.EXPORT)
        out, count = export_workbook(queryset, user=request.user)
        append(
            AuditAction.EXPORT,
            object_type="orgs.organization",
            object_repr=_("Organisation list (%(n)d rows)") % {"n": count},
            after={"filters": self.active_filters(), "rows": count, "format": "xlsx"},
        )
        return FileResponse(
            out, as_attachment=True, filename=export_filename(), content_type=XLSX_TYPE
        )


class SupervisionListView(RestrictedViewMixin, ListView):
    """行业监管: for each township in scope, which departments supervise each industry."""

    model = Supervision
    resource = "orgs.supervision"
    template_name = "orgs/supervision_list.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("township", "industry", "department")
            .order_by("township__code", "industry__sort_order", "industry__id", "department__name")
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        # Every industry in use gets a row, so a gap in supervision shows.
        active = list(Industry.objects.filter(is_active=True))
        townships: OrderedDict = OrderedDict()
        for row in ctx["object_list"]:
            if row.township not in townships:
                townships[row.township] = OrderedDict((i, []) for i in active)
            townships[row.township].setdefault(row.industry, []).append(row.department)
        ctx["townships"] = townships
        return ctx

"""Inspection duty pages (the enterprise's 季查/月查/旬查/周查/日查) and the township's
compliance table.

Rows come only through ``restrict(user, action)``. An enterprise's principal
or safety manager assigns duties on their organisation; everyone in scope sees
them with their current period; government staff see completion per
enterprise and cadence level, on screen and as xlsx.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import CreateView, ListView, TemplateView, UpdateView

from anpai.audit.log import append
from anpai.audit.models import AuditAction
from anpai.core import access
from anpai.core.views import RestrictedViewMixin
from anpai.core.xlsx import XLSX_TYPE, header_cell, safe
from anpai.inspections import cadence
from anpai.inspections.choices import Cadence, PeriodState
from anpai.inspections.models import ChecklistTemplate, InspectionDuty
from anpai.orgs.models import Organization
from anpai.people.choices import ENTERPRISE_ROLES, Role
from anpai.people.models import Membership, User

RESOURCE = "inspections.inspectionduty"


def _orgs_for(user, action: str):
    """Organisations where the user may ``action`` duties (their own enterprise)."""
    q = access.scope_q(user, RESOURCE, action, org_path="")
    if q is None:
        return Organization.objects.none()
    return Organization.objects.filter(q).order_by("name")


def _checklist_choices(user) -> list[tuple[str, str]]:
    """The current checklists the user may read: shipped ones and their area's local ones."""
    return [
        (t.code, f"{t.name} ({t.code})")
        for t in ChecklistTemplate.objects.restrict(user, access.VIEW)
        .current()
        .order_by("name", "code")
    ]


class DutyForm(forms.ModelForm):
    """Who inspects how often with which checklist; a person of the organisation or a role."""

    ROLE_CHOICES = [("", "—")] + [(r.value, r.label) for r in Role if r.value in ENTERPRISE_ROLES]

    role = forms.ChoiceField(
        label=gettext_lazy("role"),
        choices=ROLE_CHOICES,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text=gettext_lazy("Or a role: anyone in it may do the duty."),
    )
    template_code = forms.ChoiceField(
        label=gettext_lazy("checklist"), widget=forms.Select(attrs={"class": "form-select"})
    )

    class Meta:
        model = InspectionDuty
        fields = ["organization", "cadence", "person", "role", "template_code", "starts_on"]
        widgets = {
            "organization": forms.Select(attrs={"class": "form-select"}),
            "cadence": forms.Select(attrs={"class": "form-select"}),
            "person": forms.Select(attrs={"class": "form-select"}),
            "starts_on": forms.DateInput(
                attrs={"class": "form-control", "type": "date"}, format="%Y-%m-%d"
            ),
        }

    def __init__(self, *args, user, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = _orgs_for(user, action)
        self.fields["organization"].queryset = orgs
        self.fields["template_code"].choices = [("", "—"), *_checklist_choices(user)]
        org_ids = [self.instance.organization_id] if self.instance.pk else orgs.values("pk")
        self.fields["person"].queryset = (
            User.objects.filter(memberships__organization__in=org_ids, is_active=True)
            .distinct()
            .order_by("full_name")
        )
        self.fields["person"].label_from_instance = lambda u: u.get_full_name()
        self.fields["person"].help_text = _("A person of the organisation.")
        if self.instance.pk:
            # The calendar of past periods depends on them: change by a new duty instead.
            for name in ("organization", "cadence", "starts_on"):
                self.fields[name].disabled = True
        elif orgs.count() == 1 and not self.is_bound:
            self.initial.setdefault("organization", orgs.first().pk)

    def clean(self):
        data = super().clean()
        org = data.get("organization")
        if org is None and self.instance.organization_id:
            org = self.instance.organization
        person = data.get("person")
        role = data.get("role")
        if not person and not role:
            self.add_error("person", _("Name the person, or choose a role."))
        if person and org and not Membership.objects.filter(user=person, organization=org).exists():
            self.add_error("person", _("This person is not a member of the organisation."))
        return data


class DutyFormMixin(RestrictedViewMixin):
    model = InspectionDuty
    resource = RESOURCE
    form_class = DutyForm
    template_name = "inspections/duty_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(user=self.request.user, action=self.permission_action)
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["no_checklists"] = len(ctx["form"].fields["template_code"].choices) <= 1
        return ctx


class DutyCreateView(DutyFormMixin, CreateView):
    """Assign a new duty; its periods (with history since it started) appear at once."""

    permission_action = access.ADD

    def get_initial(self):
        initial = super().get_initial()
        initial["starts_on"] = timezone.localdate()
        if self.request.GET.get("organization", "").isdigit():
            initial["organization"] = int(self.request.GET["organization"])
        return initial

    def form_valid(self, form):
        with transaction.atomic():
            self.object = form.save()
            cadence.ensure_periods(duties=[self.object])
        messages.success(self.request, _("Inspection duty assigned."))
        return redirect("inspections:duties")


class DutyUpdateView(DutyFormMixin, UpdateView):
    """Change who does a duty, or its checklist; the calendar stays."""

    permission_action = access.CHANGE

    def form_valid(self, form):
        self.object = form.save()
        messages.success(self.request, _("Inspection duty saved."))
        return redirect("inspections:duties")


class DutyDeactivateView(RestrictedViewMixin, View):
    """Stop a duty (POST): nothing is owed from today; its history stays."""

    model = InspectionDuty
    resource = RESOURCE
    permission_action = access.CHANGE

    def post(self, request, pk):
        duty = self.get_object()
        cadence.deactivate(duty)
        messages.success(request, _("Inspection duty stopped."))
        return redirect("inspections:duties")


class DutyListView(RestrictedViewMixin, ListView):
    """Duties in scope with their current period and done/missed counts."""

    model = InspectionDuty
    resource = RESOURCE
    template_name = "inspections/duty_list.html"
    paginate_by = 50

    def get_queryset(self):
        get = self.request.GET
        qs = InspectionDuty.objects.restrict(self.request.user, access.VIEW)
        if get.get("inactive") != "true":
            qs = qs.filter(is_active=True)
        if get.get("organization", "").isdigit():
            qs = qs.filter(organization_id=int(get["organization"]))
        if get.get("cadence") in Cadence.values:
            qs = qs.filter(cadence=get["cadence"])
        qs = cadence.with_status(qs).select_related("organization", "person")
        if get.get("state") in PeriodState.values:
            qs = qs.filter(current_state=get["state"])
        return qs.order_by("organization__name", "cadence", "pk")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        changeable = set(
            InspectionDuty.objects.restrict(user, access.CHANGE)
            .filter(pk__in=[d.pk for d in ctx["object_list"]])
            .values_list("pk", flat=True)
        )
        role_labels = dict(Role.choices)
        for duty in ctx["object_list"]:
            duty.can_change = duty.pk in changeable
            duty.role_label = role_labels.get(duty.role, duty.role)
        ctx.update(
            can_add=access.can(user, RESOURCE, access.ADD),
            can_compliance=access.can(user, RESOURCE, access.VIEW),
            cadence_choices=Cadence.choices,
            state_choices=PeriodState.choices,
            selected={
                k: self.request.GET.get(k, "")
                for k in ("cadence", "state", "inactive", "organization")
            },
        )
        return ctx


# ---------------------------------------------------------------- compliance


def _range(get) -> tuple[date, date, list[str]]:
    """The date range from ``from``/``to`` (default: this month so far), and any errors."""
    today = timezone.localdate()
    start, end = today.replace(day=1), today
    errors = []
    for name in ("from", "to"):
        value = get.get(name, "").strip()
        if not value:
            continue
        try:
            day = date.fromisoformat(value)
        except ValueError:
            errors.append(_("“%(field)s” must be a date like 2024-01-31.") % {"field": name})
            continue
        if name == "from":
            start = day
        else:
            end = day
    if end < start:
        errors.append(_("“to” is before “from”; showing this month instead."))
        start, end = today.replace(day=1), today
    return start, end, errors


SORTS = ("name", "rate", *Cadence.values)


class ComplianceView(RestrictedViewMixin, TemplateView):
    """Completion of inspection duties per enterprise and cadence level, for a date range."""

    resource = RESOURCE
    template_name = "inspections/compliance.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        start, end, errors = _range(self.request.GET)
        sort = self.request.GET.get("sort", "rate")
        if sort.lstrip("-") not in SORTS:
            sort = "rate"
        data = cadence.compliance(self.request.user, start, end)
        data["rows"] = cadence.sort_rows(data["rows"], sort)
        ctx.update(
            data,
            start=start,
            end=end,
            errors=errors,
            sort=sort,
            sort_links=self._sort_links(sort, start, end),
            can_export=access.can(self.request.user, RESOURCE, access.EXPORT),
        )
        return ctx

    def _sort_links(self, sort: str, start: date, end: date) -> dict[str, str]:
        links = {}
        for key in SORTS:
            target = f"-{key}" if sort == key else key
            links[key] = f"?from={start.isoformat()}&to={end.isoformat()}&sort={target}"
        return links


class ComplianceExportView(RestrictedViewMixin, View):
    """The compliance table as xlsx, recorded in the audit trail."""

    resource = RESOURCE
    permission_action = access.EXPORT

    def get(self, request):
        from openpyxl import Workbook

        start, end, _errors = _range(request.GET)
        sort = request.GET.get("sort", "rate")
        if sort.lstrip("-") not in SORTS:
            sort = "rate"
        # Export scope: what the user may export, not merely see.
        data = cadence.compliance(request.user, start, end, action=access.EXPORT)
        rows = cadence.sort_rows(data["rows"], sort)
        book = Workbook(write_only=True)
        sheet = book.create_sheet(_("Compliance"))
        sheet.append(
            [
                safe(
                    sheet,
                    _("Inspection duty completion %(start)s – %(end)s")
                    % {"start": start.isoformat(), "end": end.isoformat()},
                )
            ]
        )
        header = [_("Organisation")]
        for _code, label in data["cadences"]:
            done, expected = _("done"), _("expected")  # outside the f-string: makemessages
            header += [f"{label} {done}", f"{label} {expected}", f"{label} %"]
        header += [_("Total done"), _("Total expected"), _("Total %"), _("Still due")]
        sheet.append([header_cell(sheet, h) for h in header])

        def cells(cell: dict[str, Any] | None) -> list[Any]:
            if cell is None:
                return ["", "", ""]
            return [
                cell["done"],
                cell["expected"],
                "" if cell["percent"] is None else cell["percent"],
            ]

        for row in rows:
            line: list[Any] = [safe(sheet, row["name"])]
            for cell in row["row"]:
                line += cells(cell)
            line += [*cells(row["total"]), row["total"]["due"]]
            sheet.append(line)
        line = [_("Total")]
        for cell in data["totals"]:
            line += cells(cell)
        line += [*cells(data["overall"]), data["overall"]["due"]]
        sheet.append(line)
        for org in data["without_duties"]:
            sheet.append([safe(sheet, org["name"]), _("no inspection duties assigned")])
        out = io.BytesIO()
        book.save(out)
        out.seek(0)
        append(
            AuditAction.EXPORT,
            object_type=RESOURCE,
            object_repr=_("Inspection compliance (%(n)d rows)") % {"n": len(rows)},
            after={
                "from": start.isoformat(),
                "to": end.isoformat(),
                "rows": len(rows),
                "format": "xlsx",
            },
        )
        filename = f"inspection-compliance-{start.isoformat()}-{end.isoformat()}.xlsx"
        return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX_TYPE)

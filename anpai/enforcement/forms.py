"""Forms of the enforcement pages. They only parse input; the rules (and the messages
naming the field and the rule) live in :mod:`anpai.enforcement.actions`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from anpai.core import access
from anpai.enforcement.choices import (
    AccountabilityKind,
    DocumentKind,
    Ground,
    ReferralTo,
)
from anpai.hazards.forms import ErrorMappingMixin
from anpai.orgs.choices import SUPERVISED_KINDS
from anpai.orgs.models import Organization

CASE = "enforcement.case"
RECORD = "enforcement.accountabilityrecord"


def _text(rows: int = 3, **attrs) -> forms.Textarea:
    return forms.Textarea(attrs={"class": "form-control", "rows": rows, **attrs})


def _input(**attrs) -> forms.TextInput:
    return forms.TextInput(attrs={"class": "form-control", **attrs})


def _date(**attrs) -> forms.DateInput:
    return forms.DateInput(attrs={"class": "form-control", "type": "date", **attrs})


def _select(**attrs) -> forms.Select:
    return forms.Select(attrs={"class": "form-select", **attrs})


def _checks() -> forms.CheckboxSelectMultiple:
    return forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})


def case_organizations(user, action: str = access.ADD) -> QuerySet[Organization]:
    """Enterprises and places ``user`` may ``action`` cases against."""
    q = access.scope_q(user, CASE, action, org_path="")
    if q is None:
        return Organization.objects.none()
    return Organization.objects.filter(q, kind__in=SUPERVISED_KINDS).order_by("name")


def record_organizations(user, action: str = access.ADD) -> QuerySet[Organization]:
    q = access.scope_q(user, RECORD, action, org_path="")
    if q is None:
        return Organization.objects.none()
    return Organization.objects.filter(q).order_by("name")


def hazard_choices(user, org: Organization | None) -> list[tuple[int, str]]:
    if org is None:
        return []
    from anpai.hazards.models import Hazard

    rows = (
        Hazard.objects.restrict(user, access.VIEW)
        .filter(organization=org)
        .order_by("-id")
        .values_list("pk", "number", "title")[:200]
    )
    return [(pk, f"{number} {title}") for pk, number, title in rows]


class Versioned(forms.Form):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class CaseForm(ErrorMappingMixin, Versioned):
    """Open a case (立案) or correct one. The organisation is chosen only when opening."""

    organization = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organization.objects.none(), widget=_select()
    )
    title = forms.CharField(label=_("Title"), required=False, widget=_input())
    facts = forms.CharField(
        label=_("Facts found"),
        required=False,
        widget=_text(5),
        help_text=_("What was found, where and when, as it will be printed on the documents."),
    )
    grounds = forms.MultipleChoiceField(
        label=_("Grounds"), choices=Ground.choices, required=False, widget=_checks()
    )
    inspection = forms.IntegerField(required=False, widget=forms.HiddenInput)
    hazards = forms.TypedMultipleChoiceField(
        label=_("Linked hazards"), coerce=int, required=False, widget=_checks()
    )
    is_joint = forms.BooleanField(label=_("Joint enforcement"), required=False)
    is_unannounced = forms.BooleanField(label=_("Unannounced check"), required=False)
    opened_on = forms.CharField(label=_("Opened on"), required=False, widget=_date())

    def __init__(self, *args, user, organization=None, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.user = user
        if case is not None:
            del self.fields["organization"]
            del self.fields["opened_on"]
            org = case.organization
        else:
            qs = case_organizations(user)
            self.fields["organization"].queryset = qs
            org = organization
            if org is None and self.is_bound:
                raw = str(self.data.get("organization") or "")
                org = qs.filter(pk=raw).first() if raw.isdigit() else None
        self.fields["hazards"].choices = hazard_choices(user, org)
        self.organization = org

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "facts": data["facts"],
            "grounds": data["grounds"],
            "inspection": data.get("inspection"),
            "hazards": data["hazards"],
            "is_joint": data["is_joint"],
            "is_unannounced": data["is_unannounced"],
        }


class RecordForm(ErrorMappingMixin, Versioned):
    """现场检查记录."""

    place = forms.CharField(label=_("Place inspected"), required=False, widget=_input())
    inspected_on = forms.CharField(label=_("Inspection date"), required=False, widget=_date())
    inspectors = forms.CharField(label=_("Inspectors"), required=False, widget=_input())
    present = forms.CharField(
        label=_("Present for the organisation"), required=False, widget=_input()
    )
    items = forms.CharField(
        label=_("Problems found"),
        required=False,
        widget=_text(6),
        help_text=_("One problem per line."),
    )
    issued_on = forms.CharField(label=_("Date of issue"), required=False, widget=_date())


class OrderForm(ErrorMappingMixin, Versioned):
    """责令限期整改: deadline and the problems to put right."""

    deadline = forms.CharField(label=_("Deadline"), required=False, widget=_date())
    items = forms.CharField(
        label=_("Problems to put right"),
        required=False,
        widget=_text(6),
        help_text=_("One problem per line; taken from the inspection's failed items and hazards."),
    )
    requirement = forms.CharField(label=_("Requirement"), required=False, widget=_text(3))
    issued_on = forms.CharField(label=_("Date of issue"), required=False, widget=_date())


class SuspendForm(OrderForm):
    """停产整顿 with the end of its period."""

    deadline = forms.CharField(
        label=_("End of the suspension period"), required=False, widget=_date()
    )


class CloseDownForm(ErrorMappingMixin, Versioned):
    """关闭取缔."""

    items = forms.CharField(
        label=_("Violations found"),
        required=False,
        widget=_text(6),
        help_text=_("One per line."),
    )
    requirement = forms.CharField(label=_("Requirement"), required=False, widget=_text(3))
    issued_on = forms.CharField(label=_("Date of issue"), required=False, widget=_date())
    confirm = forms.BooleanField(
        label=_("I understand the organisation will be closed and the case ends."),
        required=True,
        error_messages={"required": _("Confirm the closure: tick the box.")},
    )


class FineForm(ErrorMappingMixin, Versioned):
    amount = forms.CharField(
        label=_("Amount (yuan)"), required=False, widget=_input(inputmode="decimal")
    )
    decision_number = forms.CharField(
        label=_("Penalty decision number"), required=False, widget=_input()
    )
    taken_on = forms.CharField(label=_("Date"), required=False, widget=_date())
    note = forms.CharField(label=_("Note"), required=False, widget=_text(2))


class ReferForm(ErrorMappingMixin, Versioned):
    referral_to = forms.ChoiceField(
        label=_("Referred to"),
        choices=[("", "—"), *ReferralTo.choices],
        required=False,
        widget=_select(),
    )
    body = forms.CharField(label=_("Receiving body"), required=False, widget=_input())
    taken_on = forms.CharField(label=_("Date"), required=False, widget=_date())
    note = forms.CharField(label=_("Note"), required=False, widget=_text(2))


class ReviewForm(ErrorMappingMixin, forms.Form):
    """复查: which review, rectified or not, what was found."""

    field_aliases = {"passed": "result"}

    review = forms.TypedChoiceField(label=_("Review"), coerce=int, widget=_select())
    result = forms.ChoiceField(
        label=pgettext_lazy("review", "Result"),
        choices=[
            ("passed", pgettext_lazy("review state", "Rectified")),
            ("failed", pgettext_lazy("review state", "Not rectified")),
        ],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": _("Result: choose rectified or not rectified.")},
    )
    findings = forms.CharField(label=_("Review findings"), required=False, widget=_text(4))
    reviewed_on = forms.CharField(label=_("Reviewed on"), required=False, widget=_date())

    def __init__(self, *args, reviews=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["review"].choices = [
            (
                r.pk,
                _("Due %(due)s · deadline %(deadline)s%(doc)s")
                % {
                    "due": r.due_on.isoformat(),
                    "deadline": r.deadline.isoformat() if r.deadline else "—",
                    "doc": f" · {r.measure.document.number}" if r.measure.document else "",
                },
            )
            for r in reviews
        ]
        if len(self.fields["review"].choices) == 1 and not self.is_bound:
            self.initial.setdefault("review", self.fields["review"].choices[0][0])


class CloseForm(ErrorMappingMixin, Versioned):
    conclusion = forms.CharField(label=_("Conclusion"), required=False, widget=_text(3))


class CancelForm(ErrorMappingMixin, forms.Form):
    reason = forms.CharField(label=_("Reason for cancellation"), required=False, widget=_text(3))


class AccountabilityForm(ErrorMappingMixin, forms.Form):
    """追责问责: against an organisation or a person of it."""

    field_aliases = {"file": "files"}

    organization = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organization.objects.none(), widget=_select()
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", "—"), *AccountabilityKind.choices],
        required=False,
        widget=_select(),
    )
    person_name = forms.CharField(
        label=_("Person (leave empty for the organisation)"), required=False, widget=_input()
    )
    person_title = forms.CharField(label=_("Post"), required=False, widget=_input())
    date = forms.CharField(label=_("Date"), required=False, widget=_date())
    reason = forms.CharField(label=_("Reason"), required=False, widget=_text(3))
    referral_to = forms.ChoiceField(
        label=_("Referred to"),
        choices=[("", "—"), *ReferralTo.choices],
        required=False,
        widget=_select(),
    )
    outcome = forms.CharField(label=_("Outcome"), required=False, widget=_text(2))
    hazards = forms.TypedMultipleChoiceField(
        label=_("Linked hazards"), coerce=int, required=False, widget=_checks()
    )
    cases = forms.TypedMultipleChoiceField(
        label=_("Linked cases"), coerce=int, required=False, widget=_checks()
    )

    def __init__(self, *args, user, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = record_organizations(user)
        self.fields["organization"].queryset = qs
        org = organization
        if org is None and self.is_bound:
            raw = str(self.data.get("organization") or "")
            org = qs.filter(pk=raw).first() if raw.isdigit() else None
        self.organization = org
        self.fields["hazards"].choices = hazard_choices(user, org)
        from anpai.enforcement.models import Case

        self.fields["cases"].choices = (
            [
                (pk, f"{number} {title}")
                for pk, number, title in Case.objects.restrict(user, access.VIEW)
                .filter(organization=org)
                .values_list("pk", "number", "title")[:100]
            ]
            if org is not None
            else []
        )


class FileForm(forms.Form):
    file = forms.FileField(label=_("Document (image or PDF)"))


class SettingsForm(ErrorMappingMixin, forms.Form):
    """A township's document settings; texts per kind come as ``kinds.<kind>.<field>``."""

    prefix = forms.CharField(
        label=_("Number prefix"),
        required=False,
        widget=_input(maxlength=12, **{"data-sample": "prefix"}),
        help_text=_(
            "Printed before the kind's abbreviation, e.g. 西安监 in 西安监责改〔2026〕12号."
        ),
    )
    authority = forms.CharField(label=_("Issuing authority"), required=False, widget=_input())
    contact = forms.CharField(label=_("Contact phone"), required=False, widget=_input())
    address = forms.CharField(label=_("Address"), required=False, widget=_input())
    review_days = forms.CharField(
        label=_("Days to review after a deadline"),
        required=False,
        widget=_input(inputmode="numeric"),
    )

    def kinds(self) -> dict[str, dict[str, str]]:
        from anpai.enforcement.actions import TEXT_FIELDS

        return {
            kind: {
                name: str(self.data.get(f"kinds.{kind}.{name}", "")).strip() for name in TEXT_FIELDS
            }
            for kind in DocumentKind.values
        }

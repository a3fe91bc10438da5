"""Forms of the risk pages. They only parse input; the rules live in :mod:`anpai.risks.actions`
(which names the field and the rule when input is wrong)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from anpai.core import access
from anpai.hazards.forms import ErrorMappingMixin
from anpai.inspections.choices import Cadence
from anpai.orgs.models import Organization
from anpai.people.models import User
from anpai.risks import actions, scoring
from anpai.risks.choices import (
    LEVEL_COLOUR,
    LEVEL_ORDER,
    AccidentType,
    AssessmentReason,
    MeasureKind,
    Method,
    PointKind,
    RiskLevel,
)
from anpai.risks.filtersets import organizations_for
from anpai.risks.models import ControlMeasure, RiskPoint

# A scheme's factor table has at most this many rows on the page (the shipped
# LEC likelihood table has 7); two blank rows are offered for additions.
MAX_FACTOR_ROWS = 30
BLANK_ROWS = 2


def _text(rows: int = 3, **attrs) -> forms.Textarea:
    return forms.Textarea(attrs={"class": "form-control", "rows": rows, **attrs})


def _input(**attrs) -> forms.TextInput:
    return forms.TextInput(attrs={"class": "form-control", **attrs})


def _select(**attrs) -> forms.Select:
    return forms.Select(attrs={"class": "form-select", **attrs})


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name()


def members_of(org: Organization | None) -> QuerySet[User]:
    """The active people of ``org`` (the choices for a responsible person or checker)."""
    if org is None:
        return User.objects.none()
    return (
        User.objects.filter(memberships__organization=org, is_active=True)
        .distinct()
        .order_by("full_name", "username")
    )


class PointForm(ErrorMappingMixin, forms.Form):
    """Identify or edit a risk point. The organisation is chosen only when creating."""

    organization = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organization.objects.none(), widget=_select()
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        widget=_input(placeholder=_("e.g. Liquid ammonia tank farm")),
    )
    code = forms.CharField(label=_("Code"), max_length=30, required=False, widget=_input())
    kind = forms.ChoiceField(label=_("Kind"), choices=PointKind.choices, widget=_select())
    location = forms.CharField(
        label=_("Location"),
        max_length=200,
        required=False,
        widget=_input(placeholder=_("e.g. workshop 2, east side")),
    )
    hazard_sources = forms.CharField(
        label=_("Hazard sources"),
        required=False,
        widget=_text(3),
        help_text=_("What can cause harm here: substances, energy, equipment, conditions."),
    )
    accident_types = forms.MultipleChoiceField(
        label=_("Accident types (GB 6441)"),
        choices=AccidentType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    consequences = forms.CharField(
        label=_("Possible consequences"), required=False, widget=_text(2)
    )
    emergency_actions = forms.CharField(
        label=_("Emergency actions"), required=False, widget=_text(2)
    )
    emergency_phone = forms.CharField(
        label=_("Emergency phone"), max_length=50, required=False, widget=_input()
    )
    warning_signs = forms.CharField(
        label=_("Warning signs"), max_length=200, required=False, widget=_input()
    )
    department = forms.CharField(
        label=_("Responsible department"), max_length=100, required=False, widget=_input()
    )
    responsible_user = PersonChoiceField(
        label=pgettext_lazy("risk point", "Responsible person (account)"),
        queryset=User.objects.none(),
        required=False,
        widget=_select(),
    )
    responsible_name = forms.CharField(
        label=_("Responsible person (name)"),
        max_length=50,
        required=False,
        widget=_input(),
        help_text=_("When the person has no account."),
    )
    responsible_phone = forms.CharField(
        label=_("Responsible person's phone"), max_length=30, required=False, widget=_input()
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    POINT_FIELDS = actions.POINT_FIELDS

    def __init__(
        self,
        *args: Any,
        user: User,
        point: RiskPoint | None = None,
        organization: Organization | None = None,
        **kwargs: Any,
    ):
        self.point = point
        if point is not None:
            initial = kwargs.setdefault("initial", {})
            for name in self.POINT_FIELDS:
                initial.setdefault(name, getattr(point, name))
            initial["responsible_user"] = point.responsible_user_id
            initial["version"] = point.version
        super().__init__(*args, **kwargs)
        self.single_org: Organization | None = None
        if point is not None:
            del self.fields["organization"]
            org: Organization | None = point.organization
        else:
            del self.fields["version"]
            allowed = organizations_for(user, access.ADD).order_by("name")
            field = self.fields["organization"]
            field.queryset = allowed
            org = organization
            if self.is_bound:
                raw = self.data.get("organization", "")
                org = allowed.filter(pk=raw).first() if str(raw).isdigit() else None
            choices = list(allowed[:2])
            if len(choices) == 1:
                self.single_org = org = choices[0]
                field.widget = forms.HiddenInput()
                field.initial = org.pk
            elif org is not None:
                field.initial = org.pk
        self.organization_for_people = org
        self.fields["responsible_user"].queryset = members_of(org)
        if org is None:
            self.fields["responsible_user"].help_text = _(
                "Choose the organisation first to pick one of its people."
            )

    def point_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data.get(name) for name in self.POINT_FIELDS if name in data}


class AssessForm(ErrorMappingMixin, forms.Form):
    """One assessment: the method, its factors from the scheme in force, and why.

    The factors are plain choices here; the action checks them against the
    scheme (and names each factor that is missing or not in its table).
    """

    method = forms.ChoiceField(
        label=_("Assessment method"),
        choices=Method.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    residual = forms.BooleanField(
        label=_("Residual risk (with the control measures in place)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    reason = forms.ChoiceField(
        label=_("Reason"), choices=AssessmentReason.choices, widget=_select()
    )
    note = forms.CharField(label=_("Note"), required=False, widget=_text(2))

    def __init__(self, *args: Any, method: str, scheme_data: dict[str, Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.method_value = method
        self.factor_names = scoring.FACTORS[method]
        for name in self.factor_names:
            options = scheme_data["factors"][name]
            self.fields[name] = forms.ChoiceField(
                label=scoring.factor_label(method, name),
                choices=[("", "—")]
                + [(o["value"], f"{o['value']} — {scoring.meaning(o)}") for o in options],
                required=False,
                widget=_select(**{"class": "form-select assess-factor", "data-factor": name}),
            )

    def factor_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.factor_names]

    def values(self) -> dict[str, Any]:
        """The factors as posted (the raw text: the action checks them)."""
        return {name: self.data.get(name, "") for name in self.factor_names}


def factor_values(data: Any, method: str) -> dict[str, str]:
    """The factor values of a posted or queried form, for the live preview."""
    return {name: str(data.get(name, "")).strip() for name in scoring.FACTORS.get(method, ())}


class MeasureForm(ErrorMappingMixin, forms.Form):
    """A control measure with who answers for it and who checks it how often."""

    kind = forms.ChoiceField(label=_("Kind"), choices=MeasureKind.choices, widget=_select())
    text = forms.CharField(
        label=_("Measure"),
        widget=_text(3, placeholder=_("e.g. Gas detectors with alarm, checked every shift")),
    )
    responsible_user = PersonChoiceField(
        label=pgettext_lazy("risk point", "Responsible person (account)"),
        queryset=User.objects.none(),
        required=False,
        widget=_select(),
    )
    responsible_name = forms.CharField(
        label=_("Responsible person (name)"),
        max_length=50,
        required=False,
        widget=_input(),
        help_text=_("When the person has no account."),
    )
    check_cadence = forms.ChoiceField(
        label=_("Checked"),
        choices=[("", _("Not checked regularly")), *Cadence.choices],
        required=False,
        widget=_select(),
        help_text=_("Each cadence becomes an inspection duty of the checker."),
    )
    check_user = PersonChoiceField(
        label=_("Checked by"), queryset=User.objects.none(), required=False, widget=_select()
    )

    FIELDS = ("kind", "text", "responsible_user", "responsible_name", "check_cadence", "check_user")

    def __init__(
        self,
        *args: Any,
        point: RiskPoint,
        measure: ControlMeasure | None = None,
        **kwargs: Any,
    ):
        if measure is not None:
            initial = kwargs.setdefault("initial", {})
            for name in self.FIELDS:
                initial.setdefault(name, getattr(measure, name))
            initial["responsible_user"] = measure.responsible_user_id
            initial["check_user"] = measure.check_user_id
        super().__init__(*args, **kwargs)
        people = members_of(point.organization)
        self.fields["responsible_user"].queryset = people
        self.fields["check_user"].queryset = people

    def measure_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data.get(name) for name in self.FIELDS}


# ---------------------------------------------------------------- schemes


def scheme_rows(data: dict[str, Any], method: str, *, blanks: int = BLANK_ROWS) -> dict[str, Any]:
    """A scheme's data laid out for the edit form: each factor's rows plus blank ones."""
    factors = []
    for name in scoring.FACTORS[method]:
        rows = [{**o, "meaning": scoring.meaning(o)} for o in data["factors"].get(name, [])]
        rows += [{"value": "", "zh": "", "en": ""} for _i in range(blanks)]
        factors.append({"name": name, "label": scoring.factor_label(method, name), "rows": rows})
    bands = {b["level"]: b["min"] for b in data["bands"]}
    return {
        "factors": factors,
        "bands": [
            {
                "level": str(level),
                "label": RiskLevel(level).label,
                "colour": str(LEVEL_COLOUR[level]),
                "min": bands.get(level, ""),
            }
            for level in LEVEL_ORDER
        ],
    }


def scheme_from_post(post: Any, method: str) -> dict[str, Any]:
    """The factor tables and bands of a posted scheme form.

    Rows left wholly blank are dropped (that is how a value is removed); a row
    with a meaning but no value is kept so the check names it.
    """
    factors: dict[str, list[dict[str, str]]] = {}
    for name in scoring.FACTORS[method]:
        try:
            count = min(int(post.get(f"{name}-count", 0)), MAX_FACTOR_ROWS)
        except (TypeError, ValueError):
            count = 0
        rows = []
        for i in range(max(count, 0)):
            row = {
                key: str(post.get(f"{name}-{i}-{key}", "")).strip() for key in ("value", "zh", "en")
            }
            if any(row.values()):
                rows.append(row)
        factors[name] = rows
    bands = [
        {"level": str(level), "min": str(post.get(f"band-{level}", "")).strip()}
        for level in LEVEL_ORDER
    ]
    return {"factors": factors, "bands": bands}

"""Forms of the permit pages. They only parse input; the rules live in
:mod:`anpai.permits.actions`, which names the field and the rule when input is wrong."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from anpai.hazards.forms import ErrorMappingMixin
from anpai.orgs.models import Organization
from anpai.permits.choices import OPEN_STATES, PermitType
from anpai.permits.models import Permit

GAS_TYPES = (PermitType.HOT_WORK, PermitType.CONFINED_SPACE)
TOXIC_GASES = ("H2S", "CO", "NH3")
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"

# The questions that decide a type's level (rules.derive_level reads these answers).
LEVEL_QUESTIONS: dict[str, tuple[str, ...]] = {
    PermitType.HOT_WORK: ("area", "night_or_holiday", "method"),
    PermitType.HEIGHT: ("height_m",),
    PermitType.LIFTING: ("mass_t",),
}
ALL_QUESTIONS = ("area", "night_or_holiday", "method", "height_m", "mass_t")


def _text(rows: int = 3, **attrs: Any) -> forms.Textarea:
    return forms.Textarea(attrs={"class": "form-control", "rows": rows, **attrs})


def _input(**attrs: Any) -> forms.TextInput:
    return forms.TextInput(attrs={"class": "form-control", **attrs})


def _number(**attrs: Any) -> forms.TextInput:
    """A number typed on a phone's numeric keypad; the action checks and names it."""
    return forms.TextInput(
        attrs={"class": "form-control", "inputmode": "decimal", "autocomplete": "off", **attrs}
    )


def _when(**attrs: Any) -> forms.DateTimeInput:
    return forms.DateTimeInput(
        format=DATETIME_FORMAT,
        attrs={"class": "form-control", "type": "datetime-local", **attrs},
    )


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime(DATETIME_FORMAT) if value else ""


class PermitChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Permit) -> str:
        number = obj.number or f"#{obj.pk}"
        return f"{number} {obj.get_type_display()} · {obj.location} · {obj.get_state_display()}"


class RiskPointChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.name}".strip()


class PermitForm(ErrorMappingMixin, forms.Form):
    """Apply for a permit (the type is chosen first) or change a draft.

    Only the level questions of the chosen type are on the form; the medium and
    its lower explosive limit only where a gas analysis is required.
    """

    field_aliases = {"type": "area"}

    area = forms.ChoiceField(
        label=_("Where is the hot work?"),
        required=False,
        choices=[
            ("live_equipment", _("In live equipment or pipelines (not replaced)")),
            ("hazardous_area", _("In a hazardous area (fire or explosion)")),
            ("other", _("Elsewhere")),
        ],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    night_or_holiday = forms.BooleanField(
        label=_("At night or on a holiday (one level higher)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    method = forms.CharField(
        label=_("Hot work method"),
        max_length=40,
        required=False,
        widget=_input(placeholder=_("e.g. electric welding, gas cutting, grinding")),
        help_text=_("Printed on the permit (动火方式)."),
    )
    height_m = forms.CharField(
        label=_("Working height (m)"), required=False, widget=_number(placeholder="8")
    )
    mass_t = forms.CharField(
        label=_("Mass of the load (t)"), required=False, widget=_number(placeholder="25")
    )
    unit = forms.CharField(
        label=_("Working unit"),
        required=False,
        max_length=100,
        widget=_input(placeholder=_("Workshop or contractor doing the work")),
    )
    content = forms.CharField(label=_("Work content"), widget=_text(2))
    location = forms.CharField(label=_("Location"), max_length=200, widget=_input())
    risk_point = RiskPointChoiceField(
        label=_("Risk point"),
        required=False,
        queryset=Permit.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    medium = forms.CharField(
        label=_("Medium"),
        required=False,
        max_length=100,
        widget=_input(placeholder=_("e.g. methanol")),
    )
    medium_lel = forms.CharField(
        label=_("Medium's lower explosive limit (% vol)"),
        required=False,
        widget=_number(placeholder="6"),
    )
    planned_start = forms.DateTimeField(label=_("Planned start"), required=False, widget=_when())
    planned_end = forms.DateTimeField(label=_("Planned end"), required=False, widget=_when())
    person_in_charge = forms.CharField(
        label=_("Person in charge of the work"), required=False, max_length=50, widget=_input()
    )
    guardian = forms.CharField(label=_("Guardian"), required=False, max_length=50, widget=_input())
    guardian_certificate = forms.CharField(
        label=_("Guardian's certificate"), required=False, max_length=50, widget=_input()
    )
    hazard_identification = forms.CharField(
        label=_("Hazard identification"),
        required=False,
        widget=_text(3, placeholder=_("What could go wrong: fire, poisoning, falls …")),
    )
    linked = PermitChoiceField(
        label=_("Linked permits"),
        required=False,
        queryset=Permit.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("e.g. the confined-space permit for hot work inside the space."),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput())

    def __init__(
        self,
        *args: Any,
        type: str,
        organization: Organization,
        permit: Permit | None = None,
        **kwargs: Any,
    ) -> None:
        if permit is not None and not args and "initial" not in kwargs:
            kwargs["initial"] = initial_from(permit)
        super().__init__(*args, **kwargs)
        self.type = type
        self.organization = organization
        self.permit = permit
        for name in ALL_QUESTIONS:
            if name not in LEVEL_QUESTIONS.get(type, ()):
                del self.fields[name]
        if type not in GAS_TYPES:
            del self.fields["medium_lel"]
        from anpai.risks.models import RiskPoint

        self.fields["risk_point"].queryset = RiskPoint.objects.filter(
            organization=organization, is_active=True
        ).order_by("code", "name", "id")
        self.fields["risk_point"].empty_label = gettext("— none —")
        linked = Permit.objects.filter(organization=organization)
        if permit is not None:
            linked = linked.exclude(pk=permit.pk).filter(
                Q(state__in=OPEN_STATES) | Q(pk__in=permit.linked.values("pk"))
            )
        else:
            linked = linked.filter(state__in=OPEN_STATES)
        self.fields["linked"].queryset = linked.order_by("-planned_start", "-id")
        if permit is None:
            del self.fields["version"]

    @property
    def question_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ALL_QUESTIONS if name in self.fields]

    def answers(self) -> dict[str, Any]:
        data = self.cleaned_data
        if self.type == PermitType.HOT_WORK:
            return {
                "area": data.get("area") or "",
                "night_or_holiday": bool(data.get("night_or_holiday")),
                "method": (data.get("method") or "").strip(),
            }
        if self.type == PermitType.HEIGHT:
            return {"height_m": (data.get("height_m") or "").strip()}
        if self.type == PermitType.LIFTING:
            return {"mass_t": (data.get("mass_t") or "").strip()}
        return {}

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        names = [
            "unit",
            "content",
            "location",
            "risk_point",
            "medium",
            "planned_start",
            "planned_end",
            "person_in_charge",
            "guardian",
            "guardian_certificate",
            "hazard_identification",
        ]
        values = {name: data.get(name) for name in names}
        values["risk_point"] = data.get("risk_point") or ""
        if "medium_lel" in self.fields:
            values["medium_lel"] = data.get("medium_lel") or ""
        return values

    def linked_permits(self) -> list[Permit]:
        return list(self.cleaned_data.get("linked") or [])


def initial_from(permit: Permit) -> dict[str, Any]:
    initial: dict[str, Any] = {
        name: getattr(permit, name)
        for name in (
            "unit",
            "content",
            "location",
            "medium",
            "person_in_charge",
            "guardian",
            "guardian_certificate",
            "hazard_identification",
        )
    }
    initial.update(
        risk_point=permit.risk_point_id,
        medium_lel=permit.medium_lel.normalize() if permit.medium_lel is not None else "",
        planned_start=permit.planned_start,
        planned_end=permit.planned_end,
        linked=[p.pk for p in permit.linked.all()],
        version=permit.version,
    )
    for name in ALL_QUESTIONS:
        if name in permit.answers:
            initial[name] = permit.answers[name]
    return initial


class WorkerForm(forms.Form):
    """One worker of the permit with the certificate the work needs."""

    name = forms.CharField(label=_("Name"), max_length=50, widget=_input())
    certificate_kind = forms.CharField(
        label=_("Certificate"),
        required=False,
        max_length=60,
        widget=_input(placeholder=_("e.g. welding and thermal cutting")),
    )
    certificate_no = forms.CharField(label=_("Certificate number"), max_length=50, widget=_input())
    certificate_expires = forms.DateField(
        label=_("Valid until"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"class": "form-control", "type": "date"}),
    )


class BaseWorkerFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict[str, Any]]:
        """The filled rows not marked for removal, as actions.create/update take them."""
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE"):
                continue
            expires: date = data["certificate_expires"]
            rows.append(
                {
                    "name": data["name"],
                    "certificate_kind": data.get("certificate_kind", ""),
                    "certificate_no": data["certificate_no"],
                    "certificate_expires": expires.isoformat(),
                }
            )
        return rows


WorkerFormSet = forms.formset_factory(
    WorkerForm, formset=BaseWorkerFormSet, extra=1, can_delete=True, max_num=30
)


def worker_formset(data: Any = None, permit: Permit | None = None) -> BaseWorkerFormSet:
    initial = None
    if permit is not None:
        initial = [
            {
                "name": w.name,
                "certificate_kind": w.certificate_kind,
                "certificate_no": w.certificate_no,
                "certificate_expires": w.certificate_expires,
            }
            for w in permit.workers.all()
        ]
    return WorkerFormSet(data, initial=initial, prefix="workers")


# ---------------------------------------------------------------- steps


class ActionForm(ErrorMappingMixin, forms.Form):
    """A step on the permit's page; ``kwargs()`` are the action function's arguments."""

    def __init__(self, *args: Any, permit: Permit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.permit = permit

    def kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class EmptyForm(ActionForm):
    """Submit, start and resume: a button and nothing to fill in."""


class ApproveForm(ActionForm):
    opinion = forms.CharField(label=_("Opinion"), widget=_text(2))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["opinion"].initial = gettext("Agreed. The measures are in place.")


class RejectForm(ActionForm):
    opinion = forms.CharField(label=_("Why is it sent back?"), widget=_text(2), required=False)


class MeasuresForm(ActionForm):
    """The type's measures checklist: whether each applies, and who confirmed it on site."""

    all_by = forms.CharField(
        label=_("Confirmed by (for every applicable measure left blank)"),
        required=False,
        max_length=50,
        widget=_input(),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.measures = list(self.permit.measures.all())
        for m in self.measures:
            self.fields[f"applies_{m.pk}"] = forms.BooleanField(
                label=m.text,
                required=False,
                initial=m.applicable,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
            self.fields[f"by_{m.pk}"] = forms.CharField(
                label=_("Confirmed by"),
                required=False,
                max_length=50,
                initial=m.confirmed_by,
                widget=_input(autocomplete="name"),
            )

    def rows(self) -> list[dict[str, Any]]:
        """One row per measure for the template: the checkbox, the name, the measure."""
        return [
            {"measure": m, "applies": self[f"applies_{m.pk}"], "by": self[f"by_{m.pk}"]}
            for m in self.measures
        ]

    def kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        fallback = (data.get("all_by") or "").strip()
        rows = []
        for m in self.measures:
            applies = bool(data.get(f"applies_{m.pk}"))
            name = (data.get(f"by_{m.pk}") or "").strip()
            if applies and not name:
                name = fallback
            rows.append({"id": m.pk, "applicable": applies, "confirmed_by": name})
        return {"measures": rows}


class BriefingForm(ActionForm):
    field_aliases = {
        "briefing_given_by": "given_by",
        "briefing_received_by": "received_by",
    }

    given_by = forms.CharField(
        label=_("Briefing given by"), required=False, max_length=50, widget=_input()
    )
    received_by = forms.CharField(
        label=_("Briefing received by"),
        required=False,
        max_length=200,
        widget=_input(),
        help_text=_("The workers and the guardian who were briefed."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        p = self.permit
        self.fields["given_by"].initial = p.briefing_given_by or p.person_in_charge
        names = [w.name for w in p.workers.all()]
        if p.guardian:
            names.append(p.guardian)
        self.fields["received_by"].initial = p.briefing_received_by or "、".join(names)


class GasForm(ActionForm):
    """A gas analysis (气体分析): the readings are checked against the limits in force."""

    taken_at = forms.CharField(label=_("Taken at"), required=False, widget=_when())
    point = forms.CharField(
        label=_("Sampling point"), required=False, max_length=100, widget=_input()
    )
    lel_percent = forms.CharField(
        label=_("Combustible gas (% vol)"), required=False, widget=_number()
    )
    o2_percent = forms.CharField(label=_("Oxygen (% vol)"), required=False, widget=_number())
    h2s = forms.CharField(label="H₂S (mg/m³)", required=False, widget=_number())
    co = forms.CharField(label="CO (mg/m³)", required=False, widget=_number())
    nh3 = forms.CharField(label="NH₃ (mg/m³)", required=False, widget=_number())
    analyst = forms.CharField(label=_("Analyst"), required=False, max_length=50, widget=_input())

    field_aliases = {"toxic": "h2s"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["taken_at"].initial = _local(timezone.now())
        self.fields["point"].initial = self.permit.location

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("h2s", "co", "nh3"):
            value = (data.get(name) or "").strip()
            if not value:
                continue
            try:
                number = Decimal(value)
            except (InvalidOperation, ValueError):
                number = Decimal(-1)
            if not number.is_finite() or number < 0 or number > 100000:
                self.add_error(name, gettext("Enter a reading in mg/m³ (a number from 0)."))
        return data

    def kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        toxic = {
            gas: (data.get(name) or "").strip()
            for gas, name in zip(TOXIC_GASES, ("h2s", "co", "nh3"), strict=True)
            if (data.get(name) or "").strip()
        }
        return {
            "taken_at": (data.get("taken_at") or "").strip(),
            "point": data.get("point") or "",
            "lel_percent": (data.get("lel_percent") or "").strip(),
            "o2_percent": (data.get("o2_percent") or "").strip(),
            "toxic": toxic,
            "analyst": data.get("analyst") or "",
        }


class PauseForm(ActionForm):
    reason = forms.CharField(label=_("Reason for the break"), required=False, widget=_text(2))


class CompleteForm(ActionForm):
    accepted_by = forms.CharField(
        label=_("Site accepted by"), required=False, max_length=50, widget=_input()
    )
    note = forms.CharField(label=_("Acceptance note"), required=False, widget=_text(2))


class CancelForm(ActionForm):
    reason = forms.CharField(label=_("Reason for cancelling"), required=False, widget=_text(2))


# ---------------------------------------------------------------- rules


def _decimal_text(
    raw: str, label: str, errors: list[str], low: str = "0", high: str = "100"
) -> str:
    raw = (raw or "").strip()
    try:
        number = Decimal(raw)
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite() or not Decimal(low) <= number <= Decimal(high):
        errors.append(
            gettext("%(field)s must be a number from %(low)s to %(high)s.")
            % {"field": label, "low": low, "high": high}
        )
        return raw
    return format(number.normalize(), "f")


def rules_from_post(current: dict[str, Any], post: Any) -> tuple[dict[str, Any], list[str]]:
    """The rule set with the township's edits (per level validity, break and chain; the
    gas limits) and the errors naming each bad value (a bad value is kept as typed, to
    show it again). actions.validate_rules checks the rest."""
    import copy

    from anpai.permits import rules as R

    data = copy.deepcopy(current)
    errors: list[str] = []
    step_order = list(data.get("steps", {}).keys())
    for type_rule in data["types"]:
        for level in type_rule["levels"]:
            key = f"{type_rule['code']}__{level['code']}"
            name = f"{PermitType(type_rule['code']).label} {R.text(level)}"
            for field in ("validity_hours", "break_minutes"):
                raw = (post.get(f"{key}__{field}") or "").strip()
                try:
                    level[field] = int(raw)
                except ValueError:
                    level[field] = raw
                    errors.append(
                        gettext("%(level)s: validity and break must be whole numbers.")
                        % {"level": name}
                    )
            level["chain"] = [s for s in step_order if post.get(f"{key}__chain__{s}")]
            if not level["chain"]:
                errors.append(
                    gettext("%(level)s: at least one approval step is needed.") % {"level": name}
                )
    limits = data["gas_limits"]
    for i, band in enumerate(limits["combustible"]):
        band["max_percent"] = _decimal_text(
            post.get(f"gas__combustible__{i}"),
            gettext("Combustible gas limit (LEL ≥ %(lel)s %%)") % {"lel": band["lel_from"]},
            errors,
        )
    limits["o2_min"] = _decimal_text(post.get("gas__o2_min"), gettext("Oxygen minimum"), errors)
    limits["o2_max"] = _decimal_text(post.get("gas__o2_max"), gettext("Oxygen maximum"), errors)
    try:
        if Decimal(limits["o2_min"]) >= Decimal(limits["o2_max"]):
            errors.append(gettext("The oxygen minimum must be below the maximum."))
    except (InvalidOperation, ValueError):
        pass
    for gas in list(limits["toxic_mg_m3"]):
        limits["toxic_mg_m3"][gas] = _decimal_text(
            post.get(f"gas__toxic__{gas}"), f"{gas} (mg/m³)", errors, high="100000"
        )
    return data, errors

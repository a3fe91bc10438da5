"""Forms for the hazard pages. They only parse input; the rules live in ``actions``.

Every action form carries the hazard's ``version`` so a form opened before
someone else's change is refused (409) instead of silently overwriting it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anpai.core import access
from anpai.core.errors import Invalid
from anpai.hazards.actions import PLAN_FIELDS
from anpai.hazards.choices import AttachmentKind, HazardLevel, HazardSource
from anpai.hazards.models import Category, Hazard
from anpai.orgs.models import Organization
from anpai.people.choices import TOWNSHIP_ROLES, Role
from anpai.people.models import User
from anpai.risks.models import RiskPoint

RESOURCE = "hazards.hazard"


class MultiplePhotoInput(forms.ClearableFileInput):
    """A file input that takes several files and opens the phone's camera."""

    allow_multiple_selected = True

    def __init__(self, attrs: dict[str, Any] | None = None):
        defaults = {
            "accept": "image/*",
            "capture": "environment",
            "multiple": True,
            "class": "form-control",
        }
        super().__init__({**defaults, **(attrs or {})})


class MultiplePhotoField(forms.FileField):
    """Zero or more files; their content is checked by :mod:`anpai.hazards.evidence`."""

    widget = MultiplePhotoInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultiplePhotoField, self).clean(f, initial) for f in files if f]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs={"class": "form-control", **(attrs or {})}, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs={"class": "form-control", **(attrs or {})}, format="%Y-%m-%dT%H:%M")


def _text(rows: int = 3, **attrs) -> forms.Textarea:
    return forms.Textarea(attrs={"class": "form-control", "rows": rows, **attrs})


def _input(**attrs) -> forms.TextInput:
    return forms.TextInput(attrs={"class": "form-control", **attrs})


def _select(**attrs) -> forms.Select:
    return forms.Select(attrs={"class": "form-select", **attrs})


class ErrorMappingMixin:
    """Puts an :class:`Invalid` raised by an action under the fields it names."""

    # The action's field name → this form's field name, where they differ.
    field_aliases: dict[str, str] = {}

    def add_action_errors(self, error: Invalid) -> None:
        form: forms.Form = self  # type: ignore[assignment]
        if not error.fields:
            form.add_error(None, str(error.message))
            return
        for name, messages in error.fields.items():
            target = self.field_aliases.get(name, name)
            for message in messages:
                form.add_error(target if target in form.fields else None, str(message))


class ReportForm(ErrorMappingMixin, forms.Form):
    """Report a hazard: quick on a phone, with photos from the camera."""

    field_aliases = {"file": "photos"}

    organization = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organization.objects.none(), widget=_select()
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        widget=_input(placeholder=_("e.g. Distribution box wiring worn")),
    )
    description = forms.CharField(label=_("Description"), widget=_text(3))
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(is_active=True),
        widget=_select(),
    )
    level = forms.ChoiceField(
        label=_("Level"),
        choices=HazardLevel.choices,
        initial=HazardLevel.GENERAL,
        widget=_select(),
    )
    source = forms.ChoiceField(
        label=_("Source"),
        choices=HazardSource.choices,
        initial=HazardSource.SELF_INSPECTION,
        widget=_select(),
    )
    place = forms.CharField(
        label=_("Place"),
        max_length=200,
        required=False,
        widget=_input(placeholder=_("e.g. workshop 2, boiler room")),
    )
    found_at = forms.DateTimeField(label=_("Found at"), widget=DateTimeInput())
    clause = forms.CharField(
        label=_("Determination-standard clause"),
        max_length=200,
        required=False,
        help_text=_("For a major hazard: the clause of the determination standard it meets."),
        widget=_input(),
    )
    photos = MultiplePhotoField(
        label=_("Photos"),
        help_text=_("Take photos with the camera or choose them; JPEG, PNG, WebP or HEIC."),
    )
    risk_point = forms.ModelChoiceField(
        label=_("Risk point"),
        queryset=RiskPoint.objects.none(),
        required=False,
        empty_label="—",
        help_text=_(
            "Where the hazard was found, if it is at one of the organisation's risk points."
        ),
        widget=_select(),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        scope = access.scope_q(user, RESOURCE, access.ADD, org_path="")
        orgs = (
            Organization.objects.filter(scope).select_related("region").order_by("name")
            if scope is not None
            else Organization.objects.none()
        )
        field = self.fields["organization"]
        field.queryset = orgs
        field.label_from_instance = _org_label
        self.single_org = None
        # One organisation (an enterprise's staff): chosen for them and not shown.
        first_two = list(orgs[:2])
        if len(first_two) == 1:
            self.single_org = first_two[0]
            field.initial = self.single_org.pk
            field.widget = forms.HiddenInput()
        else:
            # Choosing another organisation fetches its risk points (htmx, no script here).
            field.widget.attrs.update(
                {
                    "hx-get": reverse("hazards:create"),
                    "hx-trigger": "change",
                    "hx-target": "#risk-point-field",
                    "hx-select": "#risk-point-field",
                    "hx-swap": "outerHTML",
                }
            )
        self.fields["found_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self._risk_points(user)

    def _chosen_org_id(self) -> int | None:
        """The organisation the form is for: posted, preselected, or the only one."""
        if self.is_bound:
            raw = self.data.get(self.add_prefix("organization"), "")
        else:
            raw = self.initial.get("organization") or self.fields["organization"].initial or ""
        raw = str(getattr(raw, "pk", raw)).strip()
        return int(raw) if raw.isdigit() else None

    def _risk_points(self, user: User) -> None:
        """The active risk points of the chosen organisation the user may see (none before
        an organisation is chosen; the page asks again when it changes)."""
        field = self.fields["risk_point"]
        org_id = self._chosen_org_id()
        if org_id is None:
            field.queryset = RiskPoint.objects.none()
        else:
            field.queryset = (
                RiskPoint.objects.restrict(user, access.VIEW)
                .active()
                .filter(organization_id=org_id)
                .order_by("code", "name", "id")
            )
        field.label_from_instance = _point_label

    def clean(self):
        data = super().clean()
        point, org = data.get("risk_point"), data.get("organization")
        if point is not None and org is not None and point.organization_id != org.pk:
            self.add_error("risk_point", _("Choose a risk point of %(org)s.") % {"org": org.name})
        return data


def _point_label(point: RiskPoint) -> str:
    name = f"{point.code} {point.name}" if point.code else point.name
    return f"{name}（{point.get_level_display()}）" if point.level else name


def _org_label(org: Organization) -> str:
    region = org.region.name if org.region_id else ""
    return f"{org.name}（{region}）" if region else org.name


class ActionForm(ErrorMappingMixin, forms.Form):
    """Base for the forms posted to ``/hazards/<pk>/<action>/``."""

    version = forms.IntegerField(widget=forms.HiddenInput(), required=False)

    def __init__(self, *args, hazard: Hazard, user: User, **kwargs):
        kwargs.setdefault("prefix", self.action)
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("version", hazard.version)
        self.hazard = hazard
        self.user = user
        super().__init__(*args, **kwargs)

    action = ""

    def kwargs(self) -> dict[str, Any]:
        """The keyword arguments for the action function."""
        data = dict(self.cleaned_data)
        data["version"] = data.get("version")
        return data


class GradeForm(ActionForm):
    action = "grade"
    level = forms.ChoiceField(label=_("Level"), choices=HazardLevel.choices, widget=_select())
    clause = forms.CharField(
        label=_("Determination-standard clause"), max_length=200, required=False, widget=_input()
    )
    comment = forms.CharField(label=_("Comment"), required=False, widget=_text(2))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].initial = self.hazard.level


class AssignForm(ActionForm):
    """The five implementations (五落实) and, for a major hazard, the governance plan."""

    action = "assign"
    responsible_user = forms.ModelChoiceField(
        label=_("Responsible person (account)"),
        queryset=User.objects.none(),
        required=False,
        widget=_select(),
        help_text=_("Choose an account to notify, or just type the name below."),
    )
    responsible_name = forms.CharField(
        label=_("Responsible person"), max_length=50, required=False, widget=_input()
    )
    measures = forms.CharField(label=_("Measures"), widget=_text(3))
    funds = forms.DecimalField(
        label=_("Funds (CNY)"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.01", "min": "0"}),
    )
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput())
    contingency = forms.CharField(label=_("Contingency plan"), widget=_text(2))
    plan_goals = forms.CharField(label=_("Goals and tasks"), widget=_text(2))
    plan_methods = forms.CharField(label=_("Methods and measures"), widget=_text(2))
    plan_resources = forms.CharField(label=_("Funds and materials"), widget=_text(2))
    plan_organization = forms.CharField(label=_("Organisation and people"), widget=_text(2))
    plan_schedule = forms.CharField(label=_("Time limits and requirements"), widget=_text(2))
    plan_safety = forms.CharField(label=_("Safety measures during rectification"), widget=_text(2))
    comment = forms.CharField(label=_("Comment"), required=False, widget=_text(2))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        org = self.hazard.organization
        self.fields["responsible_user"].queryset = (
            User.objects.filter(is_active=True, memberships__organization=org)
            .distinct()
            .order_by("full_name")
        )
        self.fields["responsible_user"].label_from_instance = lambda u: u.get_full_name()
        if not self.hazard.is_major:
            # A general hazard needs no governance plan.
            for name in PLAN_FIELDS:
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if not data.get("responsible_user") and not (data.get("responsible_name") or "").strip():
            self.add_error(
                "responsible_name", _("Name the responsible person or choose an account.")
            )
        return data

    @property
    def plan_fields(self):
        return [self[name] for name in PLAN_FIELDS if name in self.fields]

    @property
    def five_fields(self):
        names = ("responsible_user", "responsible_name", "measures", "funds", "deadline")
        return [self[name] for name in (*names, "contingency")]

    def kwargs(self) -> dict[str, Any]:
        data = super().kwargs()
        data["plan"] = {name: data.pop(name) for name in PLAN_FIELDS if name in data}
        return data


class RectifyForm(ActionForm):
    action = "rectify"
    rectification = forms.CharField(label=_("What was done"), widget=_text(3))
    actual_cost = forms.DecimalField(
        label=_("Actual cost (CNY)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.01", "min": "0"}),
    )
    photos = MultiplePhotoField(
        label=_("Photos after rectification"),
        help_text=_("At least one photo showing the rectified state."),
    )


class VerifyForm(ActionForm):
    action = "verify"
    accepted = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("yes", _("Accept and close")), ("no", _("Not accepted: rectify again"))],
        coerce=lambda v: v == "yes",
        initial="yes",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=_text(2),
        help_text=_("Required when not accepted: say what is still wrong."),
    )


class VoidForm(ActionForm):
    action = "void"
    reason = forms.CharField(label=_("Reason for voiding"), widget=_text(2))


class ExtendForm(ActionForm):
    action = "extend"
    deadline = forms.DateField(label=_("New deadline"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), widget=_text(2))


class DecideExtensionForm(ActionForm):
    action = "decide_extension"
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("yes", _("Approve the new deadline")), ("no", _("Refuse"))],
        coerce=lambda v: v == "yes",
        initial="yes",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    comment = forms.CharField(label=_("Comment"), required=False, widget=_text(2))


class SuperviseForm(ActionForm):
    """挂牌督办: who supervises, by when, with which requirements."""

    action = "supervise"
    supervisor = forms.ModelChoiceField(
        label=_("Supervising person"), queryset=User.objects.none(), widget=_select()
    )
    deadline = forms.DateField(label=_("Supervision deadline"), widget=DateInput())
    note = forms.CharField(label=_("Supervision requirements"), required=False, widget=_text(2))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        township = self.hazard.organization.township
        staff = User.objects.none()
        if township is not None:
            # Government staff of the hazard's township supervise it.
            staff = (
                User.objects.filter(
                    is_active=True,
                    memberships__role__in=[*TOWNSHIP_ROLES, Role.DEPT_OFFICER],
                    memberships__organization__region__code__startswith=township.prefix,
                )
                .distinct()
                .order_by("full_name")
            )
        self.fields["supervisor"].queryset = staff
        self.fields["supervisor"].label_from_instance = lambda u: u.get_full_name()


class AttachForm(ActionForm):
    action = "attach"
    kind = forms.ChoiceField(label=_("Kind"), choices=AttachmentKind.choices, widget=_select())
    file = forms.FileField(
        label=_("File"),
        help_text=_("A photo (JPEG, PNG, WebP, HEIC) or a PDF."),
        widget=forms.ClearableFileInput(
            attrs={"class": "form-control", "accept": "image/*,application/pdf"}
        ),
    )

    def kwargs(self) -> dict[str, Any]:
        data = super().kwargs()
        data.pop("version", None)  # attaching does not conflict with other changes
        return data


ACTION_FORMS: dict[str, type[ActionForm]] = {
    form.action: form
    for form in (
        GradeForm,
        AssignForm,
        RectifyForm,
        VerifyForm,
        VoidForm,
        ExtendForm,
        DecideExtensionForm,
        SuperviseForm,
        AttachForm,
    )
}

"""Forms and filters for the inspection pages. They only parse input; the rules
live in :mod:`anpai.inspections.actions`."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from anpai.core import access
from anpai.hazards.forms import DateInput, ErrorMappingMixin, _select, _text
from anpai.inspections import actions
from anpai.inspections.choices import Cadence, InspectionKind, InspectionState
from anpai.inspections.models import ChecklistTemplate, Inspection
from anpai.orgs.choices import SUPERVISED_KINDS, OrgKind
from anpai.orgs.models import Organization
from anpai.people.models import User


def inspectable(user: User):
    """The enterprises and places ``user`` may start an inspection of."""
    q = access.scope_q(user, actions.RESOURCE, access.ADD, org_path="")
    if q is None:
        return Organization.objects.none()
    return Organization.objects.filter(q, kind__in=SUPERVISED_KINDS).order_by("name")


def current_checklists(user: User):
    """Current checklist versions the user may use: national ones and their area's own."""
    return ChecklistTemplate.objects.restrict(user, access.VIEW).current().order_by("name")


class StartForm(ErrorMappingMixin, forms.Form):
    """Start an inspection: which organisation, what kind, which checklist, when."""

    organization = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organization.objects.none(), widget=_select()
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=(), widget=_select())
    template = forms.ModelChoiceField(
        label=_("Checklist"),
        queryset=ChecklistTemplate.objects.none(),
        to_field_name="code",
        widget=_select(),
    )
    date = forms.DateField(label=_("Date"), widget=DateInput())
    cadence = forms.ChoiceField(
        label=_("Cadence level"),
        choices=[("", "—"), *Cadence.choices],
        required=False,
        widget=_select(),
        help_text=_("For a self-inspection: which duty level it fulfils."),
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments taking part"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 4}),
        help_text=_("For a joint inspection."),
    )
    inspectors = forms.ModelMultipleChoiceField(
        label=_("Other inspectors"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 4}),
    )
    summary = forms.CharField(
        label=_("Notes"), required=False, widget=_text(2), help_text=_("Optional.")
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["organization"].queryset = inspectable(user)
        kinds = actions.kinds_for(user)
        self.fields["kind"].choices = [(k, InspectionKind(k).label) for k in kinds]
        self.fields["template"].queryset = current_checklists(user)
        self.fields["date"].initial = timezone.localdate()
        own_orgs = [g.org_id for g in access.grants(user)]
        self.fields["inspectors"].queryset = (
            User.objects.filter(is_active=True, memberships__organization_id__in=own_orgs)
            .exclude(pk=user.pk)
            .distinct()
            .order_by("full_name")
        )
        self.fields["departments"].queryset = Organization.objects.restrict(user).filter(
            kind=OrgKind.DEPARTMENT
        )
        self.fields["organization"].label_from_instance = lambda o: o.name
        self.fields["template"].label_from_instance = lambda t: f"{t.name}（v{t.version}）"
        self.fields["inspectors"].label_from_instance = lambda u: u.get_full_name()
        self.fields["departments"].label_from_instance = lambda o: o.name
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0]
        if InspectionKind.SELF not in kinds:
            del self.fields["cadence"]
        if not set(kinds) & {InspectionKind.JOINT}:
            del self.fields["departments"]
        if not self.fields["inspectors"].queryset.exists():
            del self.fields["inspectors"]

    @property
    def single_org(self) -> Organization | None:
        """An enterprise's staff inspect one organisation: no point in a choice."""
        orgs = list(self.fields["organization"].queryset[:2])
        return orgs[0] if len(orgs) == 1 else None


class InspectionFilterSet(filters.FilterSet):
    """Filters shared by ``/inspections/`` and ``/api/v1/inspections/``."""

    organization = filters.ModelChoiceFilter(
        queryset=lambda request: (
            Organization.objects.restrict(request.user)
            if request is not None
            else Organization.objects.all()
        ),
        label=_("Organisation"),
    )
    kind = filters.ChoiceFilter(choices=InspectionKind.choices, label=_("Kind"))
    state = filters.ChoiceFilter(choices=InspectionState.choices, label=_("State"))
    date_after = filters.DateFilter(field_name="date", lookup_expr="gte", label=_("From"))
    date_before = filters.DateFilter(field_name="date", lookup_expr="lte", label=_("To"))

    class Meta:
        model = Inspection
        fields = ["organization", "kind", "state", "date_after", "date_before"]

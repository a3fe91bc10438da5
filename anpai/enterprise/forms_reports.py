"""Forms of the commitment and self-inspection report pages.

They render the fields and parse what was posted; every rule (the seven duties
ticked, one commitment a year, required fields, the report's state) is checked
by :mod:`anpai.enterprise.actions`, whose field errors are put back under the
fields here.
"""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_filters import rest_framework as filters

from anpai.core.errors import Invalid
from anpai.enterprise import actions
from anpai.enterprise.choices import ReportState
from anpai.enterprise.models import SelfInspectionReport


class _ActionErrorsMixin:
    def add_action_errors(self, exc: Invalid) -> None:
        for name, messages in exc.fields.items():
            field = name if name in self.fields else None  # type: ignore[attr-defined]
            for message in messages:
                self.add_error(field, message)  # type: ignore[attr-defined]


class CommitmentForm(_ActionErrorsMixin, forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    duties = forms.MultipleChoiceField(
        label=_("The principal's duties"), widget=forms.CheckboxSelectMultiple, required=False
    )
    extra = forms.CharField(
        label=_("Further commitments (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    signer_name = forms.CharField(label=_("Name of the principal"), max_length=50, required=False)
    signature = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, years: list[int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        years = years or list(actions.allowed_years())
        self.fields["year"].choices = [(y, str(y)) for y in years]
        self.fields["duties"].choices = [
            (d["code"], f"{i}. {d['text']}") for i, d in enumerate(actions.duties(), start=1)
        ]


class ReportForm(_ActionErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    year = forms.IntegerField(label=_("Year"), required=False)
    overview = forms.CharField(
        label=_("What was inspected"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "The scope of the self-inspection: the principal's duties, the "
            "responsibility system, the dual prevention mechanism, training, "
            "emergency plans."
        ),
    )
    problems = forms.CharField(
        label=_("Problems found"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    rectification = forms.CharField(
        label=_("Rectification"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    next_steps = forms.CharField(
        label=pgettext_lazy("self-inspection report", "Next steps"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    attachment = forms.FileField(
        label=_("Signed copy (PDF or photo, optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/*"}),
    )
    remove_attachment = forms.BooleanField(label=_("Remove the signed copy"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def values(self) -> dict:
        """The report's fields as posted, for the action (which validates them)."""
        data = self.data
        out = {}
        for name in actions.REPORT_FIELDS:
            if name in data:
                out[name] = data.get(name)
        return out


class ReturnForm(_ActionErrorsMixin, forms.Form):
    comment = forms.CharField(
        label=_("What must change"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class FileForm(_ActionErrorsMixin, forms.Form):
    filing_number = forms.CharField(
        label=_("Filing number"),
        required=False,
        max_length=40,
        help_text=_("Leave empty to give the next number of the township's filing series."),
    )
    comment = forms.CharField(
        label=_("Remarks (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReportFilterSet(filters.FilterSet):
    """Filters of the report list (page and API): state, year, organisation, search."""

    state = filters.ChoiceFilter(choices=ReportState.choices, label=_("State"))
    year = filters.NumberFilter(field_name="year", label=_("Year"))
    organization = filters.NumberFilter(field_name="organization_id", label=_("Organisation"))
    q = filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = SelfInspectionReport
        fields = ["state", "year", "organization"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(organization__name__icontains=value)
            | Q(filing_number__icontains=value)
        )

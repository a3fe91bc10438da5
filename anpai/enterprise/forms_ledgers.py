"""Forms of the ledgers' pages. They only carry and render the input: every rule
(required fields, amounts, the fine, categories) is checked once, by the action
functions in :mod:`anpai.enterprise.ledgers`, whose field errors are put back
under the fields here."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from anpai.enterprise import ledgers
from anpai.enterprise.choices import ExpenseDirection, ViolationAction, ViolationKind
from anpai.hazards.forms import ErrorMappingMixin


def _category_choices() -> list[tuple[str, str]]:
    return [("", "—"), *ledgers.expense_categories().items()]


class _Base(ErrorMappingMixin, forms.Form):
    field_aliases: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            css = "form-select" if isinstance(f, forms.ChoiceField) else "form-control"
            f.widget.attrs.setdefault("class", css)

    def values(self) -> dict[str, str]:
        return {name: self.data.get(name, "") for name in self.fields}


class PostDutyForm(_Base):
    post = forms.CharField(
        label=_("Post"),
        required=False,
        help_text=_(
            "E.g. principal, safety manager, workshop head, team leader, operator, electrician."
        ),
    )
    duties = forms.CharField(
        label=_("Safety duties"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "One duty per line. Publishing a change makes a new version; acknowledgements "
            "stay with the version they were given for."
        ),
    )


class AcknowledgeForm(_Base):
    person_name = forms.CharField(
        label=_("Employee's name"),
        required=False,
        help_text=_("For an employee without an account; leave empty to acknowledge yourself."),
    )


class ExpenseForm(_Base):
    direction = forms.ChoiceField(label=_("Kind"), choices=ExpenseDirection.choices, required=False)
    date = forms.CharField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    category = forms.ChoiceField(
        label=_("Category"),
        choices=_category_choices,
        required=False,
        help_text=_("For money spent: what it was spent on (财资〔2022〕136号)."),
    )
    amount = forms.CharField(
        label=_("Amount (yuan)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    description = forms.CharField(label=pgettext_lazy("expense", "Description"), required=False)
    voucher = forms.CharField(label=_("Voucher number"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate().isoformat()


class ViolationForm(_Base):
    date = forms.CharField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", "—"), *ViolationKind.choices], required=False
    )
    person_name = forms.CharField(label=_("Person"), required=False)
    post = forms.CharField(label=_("Post"), required=False)
    description = forms.CharField(
        label=_("What happened"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    action = forms.ChoiceField(
        label=_("Action taken"), choices=[("", "—"), *ViolationAction.choices], required=False
    )
    fine = forms.CharField(
        label=_("Fine (yuan)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_("Only when the action taken is a fine."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate().isoformat()

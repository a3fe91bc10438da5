"""Forms of the checklist editor: the checklist's facts and one form per item.

They only parse input; :func:`anpai.inspections.checklists.new_version` saves it as
the next version.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anpai.core import access
from anpai.hazards.forms import ErrorMappingMixin
from anpai.hazards.models import Category
from anpai.inspections.models import ChecklistTemplate
from anpai.orgs.models import Industry
from anpai.standards.models import Clause, Standard


def _input(**attrs: Any) -> forms.TextInput:
    return forms.TextInput(attrs={"class": "form-control form-control-sm", **attrs})


def _text(rows: int = 2) -> forms.Textarea:
    return forms.Textarea(attrs={"class": "form-control form-control-sm", "rows": rows})


def _check() -> forms.CheckboxInput:
    return forms.CheckboxInput(attrs={"class": "form-check-input"})


def clause_ref(clause: Clause | None) -> str:
    """How the editor and the data files cite a clause: ``<standard code>#<number>``."""
    return f"{clause.standard.code}#{clause.number}" if clause else ""


def clause_choices(user) -> list[tuple[str, Clause]]:
    """Every clause the user may cite, for the editor's suggestion list."""
    standards = Standard.objects.restrict(user, access.VIEW)
    clauses = (
        Clause.objects.filter(standard__in=standards)
        .select_related("standard")
        .order_by("standard__family", "-standard__effective_from", "sort_order", "id")
    )
    return [(clause_ref(c), c) for c in clauses]


class ChecklistForm(ErrorMappingMixin, forms.ModelForm):
    """The checklist's own facts; the items are a formset of their own."""

    class Meta:
        model = ChecklistTemplate
        fields = ["name", "description", "industry", "place_kind"]
        widgets = {
            "name": forms.TextInput(attrs={"class": "form-control"}),
            "description": forms.Textarea(attrs={"class": "form-control", "rows": 2}),
            "industry": forms.Select(attrs={"class": "form-select"}),
            "place_kind": forms.TextInput(
                attrs={"class": "form-control", "placeholder": _("e.g. 人员密集场所")}
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["industry"].queryset = Industry.objects.filter(is_active=True)

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def _post_clean(self) -> None:
        # The model instance is the saved version: new_version() writes the next one,
        # so nothing from the form touches it.
        pass


class ItemForm(forms.Form):
    """One question of the checklist."""

    order = forms.IntegerField(
        label=_("Order"),
        min_value=0,
        required=False,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "min": 0}),
    )
    section = forms.CharField(label=_("Section"), max_length=100, required=False, widget=_input())
    question = forms.CharField(label=_("Question"), widget=_text(2))
    guidance = forms.CharField(label=_("Guidance"), required=False, widget=_text(2))
    clause = forms.CharField(
        label=_("Clause"),
        required=False,
        max_length=130,
        widget=_input(list="clause-options", placeholder="gb35181-2025#…"),
        help_text=_("Standard code#clause number, from the suggestions."),
    )
    category = forms.ModelChoiceField(
        label=_("Hazard category"),
        queryset=Category.objects.filter(is_active=True),
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    allow_na = forms.BooleanField(label=_("May be not applicable"), required=False, widget=_check())
    photo_required_on_fail = forms.BooleanField(
        label=_("Photo required on fail"), required=False, widget=_check()
    )

    def __init__(self, *args: Any, user=None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_clause(self) -> Clause | None:
        ref = (self.cleaned_data.get("clause") or "").strip()
        if not ref:
            return None
        # A suggestion reads "code#number — text": keep the reference only.
        ref = ref.split(" — ", 1)[0].strip()
        code, sep, number = ref.partition("#")
        if not sep or not code or not number:
            raise forms.ValidationError(
                _("Write the clause as standard code#clause number, e.g. gb35181-2025#第6章."),
                code="format",
            )
        standards = Standard.objects.restrict(self.user, access.VIEW)
        clause = (
            Clause.objects.filter(standard__in=standards)
            .filter(Q(standard__code=code.strip()), number=number.strip())
            .select_related("standard")
            .first()
        )
        if clause is None:
            raise forms.ValidationError(
                _("No clause %(ref)s in the standards library."),
                code="unknown",
                params={"ref": ref},
            )
        return clause


class BaseItemFormSet(forms.BaseFormSet):
    """The items; blank extra rows are ignored, a row ticked for removal is dropped."""

    @staticmethod
    def initial_for(items) -> list[dict[str, Any]]:
        return [
            {
                "order": item.order,
                "section": item.section,
                "question": item.question,
                "guidance": item.guidance,
                "clause": clause_ref(item.clause),
                "category": item.category_id,
                "allow_na": item.allow_na,
                "photo_required_on_fail": item.photo_required_on_fail,
            }
            for item in items
        ]

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE", False)]
        if not kept:
            raise forms.ValidationError(
                _("A checklist needs at least one question."), code="no_items"
            )


ItemFormSet = forms.formset_factory(
    ItemForm, formset=BaseItemFormSet, extra=3, can_delete=True, max_num=300, validate_max=True
)


def item_changes(formset: BaseItemFormSet) -> list[dict[str, Any]]:
    """The items to save, in order: a row without an order number keeps its place."""
    rows = []
    for position, form in enumerate(formset.forms, start=1):
        data = form.cleaned_data
        if not data or data.get("DELETE"):
            continue
        order = data.get("order")
        rows.append(
            {
                "order": order if order is not None else position * 10,
                "section": data.get("section", ""),
                "question": data["question"],
                "guidance": data.get("guidance", ""),
                "clause": data.get("clause"),
                "category": data.get("category"),
                "allow_na": data.get("allow_na", False),
                "photo_required_on_fail": data.get("photo_required_on_fail", False),
            }
        )
    rows.sort(key=lambda row: row["order"])
    return rows

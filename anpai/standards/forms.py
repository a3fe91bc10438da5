"""Forms for local standards and their clauses (shipped standards are never edited)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anpai.orgs.models import Industry
from anpai.standards.models import Clause, Standard

# A code or family is the ASCII slug checklists use to cite a clause ("<code>#<number>").
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def _input(**attrs: Any) -> forms.TextInput:
    return forms.TextInput(attrs={"class": "form-control", **attrs})


def _text(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"class": "form-control", "rows": rows})


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None):
        super().__init__(attrs={"class": "form-control", **(attrs or {})}, format="%Y-%m-%d")


class StandardFilterForm(forms.Form):
    """The list's filters; a bad value is reported on its field and then ignored."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    industry = forms.ModelChoiceField(
        label=_("Industry"),
        queryset=Industry.objects.filter(is_active=True),
        to_field_name="code",
        required=False,
        empty_label=_("All"),
    )
    on = forms.DateField(
        label=_("In force on"),
        required=False,
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )
    versions = forms.ChoiceField(
        label=_("Versions"),
        required=False,
        choices=[
            ("", _("In force")),
            ("all", _("All versions")),
        ],
    )


class LocalStandardForm(forms.ModelForm):
    """A township's own standard. Its region is set by the view, never by the form."""

    class Meta:
        model = Standard
        fields = [
            "name",
            "code",
            "family",
            "issuer",
            "number",
            "version",
            "effective_from",
            "repealed_on",
            "industry",
            "source",
            "notes",
            "is_verified",
        ]
        widgets = {
            "name": _input(),
            "code": _input(placeholder="local-fire-2024"),
            "family": _input(placeholder="local-fire"),
            "issuer": _input(),
            "number": _input(),
            "version": _input(),
            "effective_from": DateInput(),
            "repealed_on": DateInput(),
            "industry": forms.Select(attrs={"class": "form-select"}),
            "source": _text(2),
            "notes": _text(2),
            "is_verified": forms.CheckboxInput(attrs={"class": "form-check-input"}),
        }
        help_texts = {
            "code": _(
                "Lower-case letters, digits and hyphens; checklists cite clauses as "
                "code#clause number. Cannot be changed later."
            ),
            "family": _(
                "The same for every version of this standard, so that checks on a date "
                "use the version in force then. Leave empty to use the code."
            ),
            "is_verified": _("Untick when the text was taken from a secondary source."),
        }

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["family"].required = False
        self.fields["industry"].queryset = Industry.objects.filter(is_active=True)
        if self.instance.pk:
            # Checklists cite clauses by the code: renaming it would break them.
            self.fields["code"].disabled = True
        else:
            self.initial.setdefault("effective_from", timezone.localdate())

    def _slug(self, name: str) -> str:
        value = (self.cleaned_data.get(name) or "").strip().lower()
        if value and not SLUG.match(value):
            raise forms.ValidationError(
                _("Use only lower-case letters a–z, digits, hyphens and underscores."),
                code="invalid_slug",
            )
        return value

    def clean_code(self) -> str:
        return self._slug("code")

    def clean_family(self) -> str:
        return self._slug("family")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("family") and data.get("code"):
            data["family"] = data["code"]
        start, end = data.get("effective_from"), data.get("repealed_on")
        if start and end and end <= start:
            self.add_error(
                "repealed_on", _("The repeal date must be after the date it came into force.")
            )
        return data


class ClauseForm(forms.ModelForm):
    """One clause of a local standard."""

    class Meta:
        model = Clause
        fields = ["number", "text", "makes_major", "source_ref", "is_verified", "sort_order"]
        widgets = {
            "number": _input(placeholder=_("e.g. 第三条(一) or 5.1.2")),
            "text": _text(4),
            "makes_major": forms.CheckboxInput(attrs={"class": "form-check-input"}),
            "source_ref": _input(),
            "is_verified": forms.CheckboxInput(attrs={"class": "form-check-input"}),
            "sort_order": forms.NumberInput(attrs={"class": "form-control", "min": 0}),
        }
        help_texts = {
            "text": _("Our own short paraphrase of the clause, not a copy of the standard."),
            "source_ref": _("Where the clause is found, e.g. the article and the page."),
            "sort_order": _("Clauses are listed by this number, then in the order added."),
        }

    def __init__(self, *args: Any, standard: Standard, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.standard = standard
        self.fields["sort_order"].required = False

    def clean_number(self) -> str:
        number = self.cleaned_data["number"].strip()
        # The (standard, number) constraint is not checked by the form because the
        # standard is not one of its fields.
        clash = Clause.objects.filter(standard=self.standard, number=number)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(
                _("This standard already has a clause %(number)s."),
                code="duplicate",
                params={"number": number},
            )
        return number

    def clean_sort_order(self) -> int:
        value = self.cleaned_data.get("sort_order")
        if value is None:
            last = self.standard.clauses.order_by("-sort_order").first()
            value = (last.sort_order + 10) if last else 10
        return value

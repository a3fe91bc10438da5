"""Forms of the organisation registry: the edit form (also used row by row by the
xlsx import) and the import upload form."""

from __future__ import annotations

from typing import cast

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anpai.core import access
from anpai.orgs.models import Industry, Organization
from anpai.regions.choices import RegionLevel
from anpai.regions.models import Region


def region_scope(user, action: str):
    """Regions where ``user`` may ``action`` organisations: the subtrees of their
    region-scoped grants (a township officer's township and its villages, a grid
    officer's village). Empty for anyone without such a grant."""
    table = access.POLICY["orgs.organization"]
    q: Q | None = None
    for grant in access.grants(user):
        if grant.scope != access.REGION or action not in table.get(grant.role, ()):
            continue
        part = Q(code__startswith=grant.region_prefix)
        q = part if q is None else q | part
    if q is None:
        return Region.objects.none()
    return Region.objects.filter(q).select_related("parent").order_by("code")


class RegionChoiceField(forms.ModelChoiceField):
    """Shows a village with its township, so same-named villages stay apart."""

    def label_from_instance(self, obj):
        if obj.parent_id and obj.level == RegionLevel.VILLAGE:
            return f"{obj.parent.name} · {obj.name}"
        return obj.name


class BootstrapMixin:
    """Bootstrap classes on every widget, and ``is-invalid`` on fields with errors."""

    def _style(self) -> None:
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            if self.is_bound and name in self.errors:  # type: ignore[attr-defined]
                css += " is-invalid"
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["aria-describedby"] = f"id_{name}-errors"
            widget.attrs["class"] = css


class OrganizationForm(BootstrapMixin, forms.ModelForm):
    """Create or change an organisation.

    The region choices are the regions the user may ``action`` in, so a grid
    officer can only place an organisation in their own village. The model's
    ``full_clean`` (credit code check character, phone shapes, kind/region
    level) runs through the ModelForm, so its errors land on the fields.
    """

    region = RegionChoiceField(queryset=Region.objects.none(), label=_("Township or village"))
    industries = forms.ModelMultipleChoiceField(
        queryset=Industry.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        required=False,
        label=_("Industries"),
    )

    class Meta:
        model = Organization
        fields = [
            "name",
            "kind",
            "credit_code",
            "status",
            "region",
            "address",
            "latitude",
            "longitude",
            "phone",
            "principal_name",
            "principal_phone",
            "safety_contact_name",
            "safety_contact_phone",
            "employee_count",
            "industries",
            "is_key",
            "is_crowded",
            "is_sensitive",
            "is_mixed",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    # Field groups as the page shows them.
    GROUPS = (
        (_("Basic"), ("name", "kind", "credit_code", "status", "employee_count")),
        (_("Location"), ("region", "address", "latitude", "longitude")),
        (
            _("Contacts"),
            (
                "phone",
                "principal_name",
                "principal_phone",
                "safety_contact_name",
                "safety_contact_phone",
            ),
        ),
        (
            _("Industries and flags"),
            ("industries", "is_key", "is_crowded", "is_sensitive", "is_mixed"),
        ),
        (_("Notes"), ("notes",)),
    )

    def __init__(
        self, *args, user, action: str = access.ADD, regions=None, industries=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        region_field = cast(forms.ModelChoiceField, self.fields["region"])
        region_field.queryset = regions if regions is not None else region_scope(user, action)
        active = Industry.objects.filter(is_active=True)
        if self.instance.pk:
            # An industry taken out of use stays on the organisations that have it.
            active = Industry.objects.filter(
                Q(is_active=True) | Q(organizations=self.instance)
            ).distinct()
        industry_field = cast(forms.ModelMultipleChoiceField, self.fields["industries"])
        industry_field.queryset = industries if industries is not None else active
        if not self.is_bound:
            self.fields["name"].widget.attrs["autofocus"] = True
        for name in ("principal_phone", "safety_contact_phone"):
            self.fields[name].widget.attrs.update({"inputmode": "tel", "autocomplete": "off"})
        self.fields["phone"].widget.attrs["inputmode"] = "tel"
        self._style()

    def groups(self):
        """(title, [bound fields]) for the template."""
        return [(title, [self[name] for name in names]) for title, names in self.GROUPS]

    def full_clean(self):
        super().full_clean()
        self._style()  # mark invalid fields after validation

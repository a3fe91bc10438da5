"""The filters of the risk point list (and of the control list's organisation choice)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from anpai.core import access
from anpai.orgs.filtersets import _villages
from anpai.orgs.models import Organization
from anpai.risks.choices import PointKind, RiskLevel
from anpai.risks.models import RiskPoint

RESOURCE = "risks.riskpoint"
UNASSESSED = "none"


def organizations_for(user, action: str = access.VIEW) -> QuerySet[Organization]:
    """The organisations whose risk points ``user`` may ``action`` (the policy of risk points,
    not of the registry: a grid officer may read an enterprise's points but not add any)."""
    q = access.scope_q(user, RESOURCE, action, org_path="")
    if q is None:
        return Organization.objects.none()
    return Organization.objects.filter(q)


def _organizations(request):
    if request is None:
        return Organization.objects.all()
    return organizations_for(request.user).only("id", "name").order_by("name")


class RiskPointFilterSet(filters.FilterSet):
    """Filters of ``/risks/``: organisation, village, level, kind, re-assessment due, search."""

    q = filters.CharFilter(method="search", label=_("Search"))
    organization = filters.ModelChoiceFilter(
        queryset=_organizations, field_name="organization", label=_("Organisation")
    )
    village = filters.ModelChoiceFilter(
        queryset=_villages, field_name="organization__region", label=_("Village")
    )
    level = filters.ChoiceFilter(
        choices=[*RiskLevel.choices, (UNASSESSED, _("Not assessed yet"))],
        method="filter_level",
        label=_("Risk level"),
    )
    kind = filters.ChoiceFilter(choices=PointKind.choices, label=_("Kind"))
    reassess = filters.BooleanFilter(field_name="needs_reassessment", label=_("Re-assessment due"))
    retired = filters.BooleanFilter(method="filter_retired", label=_("Retired"))

    class Meta:
        model = RiskPoint
        fields = ["q", "organization", "village", "level", "kind", "reassess", "retired"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(code__icontains=value)
            | Q(location__icontains=value)
            | Q(hazard_sources__icontains=value)
            | Q(organization__name__icontains=value)
        )

    def filter_level(self, queryset, name, value):
        if not value:
            return queryset
        if value == UNASSESSED:
            return queryset.filter(level="")
        return queryset.filter(level=value)

    def filter_retired(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(is_active=not value)

    def filter_queryset(self, queryset):
        # Retired points stay out of the list unless asked for.
        if self.form.cleaned_data.get("retired") is None:
            queryset = queryset.filter(is_active=True)
        return super().filter_queryset(queryset)

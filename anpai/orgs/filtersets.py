"""One filter definition for the organisation list page, its export and the API."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from anpai.orgs.choices import OrgKind, OrgStatus
from anpai.orgs.models import Industry, Organization
from anpai.regions.choices import RegionLevel
from anpai.regions.models import Region


def _villages(request):
    if request is None:
        return Region.objects.filter(level=RegionLevel.VILLAGE)
    return Region.objects.restrict(request.user).filter(level=RegionLevel.VILLAGE)


@extend_schema_field(OpenApiTypes.STR)
class IndustryCodeFilter(filters.ModelMultipleChoiceFilter):
    """Industries by code, repeatable: ``?industry=hazchem&industry=gas``."""


class OrganizationFilterSet(filters.FilterSet):
    q = filters.CharFilter(method="search", label=_("Search"))
    kind = filters.MultipleChoiceFilter(choices=OrgKind.choices, label=_("Kind"))
    status = filters.MultipleChoiceFilter(choices=OrgStatus.choices, label=_("Status"))
    village = filters.ModelChoiceFilter(
        queryset=_villages,
        field_name="region",
        label=_("Village"),
    )
    region = filters.CharFilter(
        method="in_region",
        label=_("Region code"),
        help_text=_("Division code; matches the region and all below it."),
    )
    industry = IndustryCodeFilter(
        queryset=Industry.objects.filter(is_active=True),
        # Codes make readable URLs and API calls (?industry=hazchem); the filter
        # compares the chosen objects' codes, hence the lookup through the code.
        field_name="industries__code",
        to_field_name="code",
        label=_("Industry"),
        distinct=True,
    )
    is_key = filters.BooleanFilter(label=_("Key enterprise"))
    is_crowded = filters.BooleanFilter(label=_("Crowded place"))
    is_sensitive = filters.BooleanFilter(label=_("Sensitive or special place"))
    is_mixed = filters.BooleanFilter(label=_("Mixed production/business/residence place"))

    class Meta:
        model = Organization
        fields = [
            "q",
            "kind",
            "status",
            "village",
            "region",
            "industry",
            "is_key",
            "is_crowded",
            "is_sensitive",
            "is_mixed",
        ]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(credit_code__icontains=value)
            | Q(address__icontains=value)
            | Q(principal_name__icontains=value)
        )

    def in_region(self, queryset, name, value):
        region = Region.objects.filter(code=value.strip()).first()
        if region is None:
            return queryset.none()
        return queryset.filter(region__code__startswith=region.prefix)

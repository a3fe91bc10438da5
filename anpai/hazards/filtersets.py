"""One filter definition for the hazard list page, its ledger export and the API."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from anpai.hazards.choices import OPEN_STATES, HazardLevel, HazardSource, HazardState
from anpai.hazards.models import Category, Hazard
from anpai.orgs.filtersets import IndustryCodeFilter, _villages
from anpai.orgs.models import Industry, Organization


def _organizations(request):
    if request is None:
        return Organization.objects.all()
    return Organization.objects.restrict(request.user)


@extend_schema_field(OpenApiTypes.STR)
class CategoryCodeFilter(filters.ModelMultipleChoiceFilter):
    """Categories by code, repeatable: ``?category=electrical&category=fire``."""


class HazardFilterSet(filters.FilterSet):
    """Filters shared by ``/hazards/``, the ledger export and ``/api/…/hazards/``.

    ``request`` is needed for ``mine`` (the current user) and narrows the
    organisation and village choices to what the user may see.
    """

    q = filters.CharFilter(method="search", label=_("Search"))
    state = filters.MultipleChoiceFilter(choices=HazardState.choices, label=_("State"))
    open = filters.BooleanFilter(method="filter_open", label=_("Open"))
    level = filters.ChoiceFilter(choices=HazardLevel.choices, label=_("Level"))
    overdue = filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    supervised = filters.BooleanFilter(field_name="is_supervised", label=_("Listed supervision"))
    organization = filters.ModelChoiceFilter(
        queryset=_organizations, field_name="organization", label=_("Organisation")
    )
    village = filters.ModelChoiceFilter(
        queryset=_villages, field_name="organization__region", label=_("Village")
    )
    industry = IndustryCodeFilter(
        queryset=Industry.objects.filter(is_active=True),
        to_field_name="code",
        method="filter_industry",
        label=_("Industry"),
    )
    category = CategoryCodeFilter(
        queryset=Category.objects.all(),
        # The lookup goes through the code because the filter compares the
        # chosen objects' to_field_name values (readable ?category=gas URLs).
        field_name="category__code",
        to_field_name="code",
        label=_("Category"),
    )
    source = filters.MultipleChoiceFilter(choices=HazardSource.choices, label=_("Source"))
    found_after = filters.DateFilter(
        field_name="found_at", lookup_expr="date__gte", label=_("Found on or after")
    )
    found_before = filters.DateFilter(
        field_name="found_at", lookup_expr="date__lte", label=_("Found on or before")
    )
    deadline_after = filters.DateFilter(
        field_name="deadline", lookup_expr="gte", label=_("Deadline on or after")
    )
    deadline_before = filters.DateFilter(
        field_name="deadline", lookup_expr="lte", label=_("Deadline on or before")
    )
    mine = filters.BooleanFilter(method="filter_mine", label=_("My tasks"))

    class Meta:
        model = Hazard
        fields = [
            "q",
            "state",
            "open",
            "level",
            "overdue",
            "supervised",
            "organization",
            "village",
            "industry",
            "category",
            "source",
            "found_after",
            "found_before",
            "deadline_after",
            "deadline_before",
            "mine",
        ]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(title__icontains=value)
            | Q(description__icontains=value)
            | Q(place__icontains=value)
            | Q(organization__name__icontains=value)
        )

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.open() if value else queryset.exclude(state__in=OPEN_STATES)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.overdue() if value else queryset.not_overdue()

    def filter_industry(self, queryset, name, value):
        """The hazard's own industry, or (when it has none) one of its organisation's."""
        if not value:
            return queryset
        ids = [industry.pk for industry in value]
        # Exists rather than a join keeps one row per hazard without DISTINCT.
        through = Organization.industries.through
        in_org = Exists(
            through.objects.filter(organization_id=OuterRef("organization_id"), industry_id__in=ids)
        )
        return queryset.filter(Q(industry_id__in=ids) | Q(in_org, industry__isnull=True))

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if value is None or user is None or not user.is_authenticated:
            return queryset
        mine = Q(responsible_user=user) | Q(reported_by=user)
        return queryset.filter(mine) if value else queryset.exclude(mine)

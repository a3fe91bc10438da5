"""The filters of the case list and the documents page."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_filters import rest_framework as filters

from anpai.core import access
from anpai.enforcement.choices import (
    CaseState,
    DocumentKind,
    Ground,
    MeasureKind,
    ReviewState,
)
from anpai.enforcement.models import Case, Document, Measure, Review
from anpai.orgs.filtersets import _villages
from anpai.orgs.models import Organization

RESOURCE = "enforcement.case"
OPEN = "open"  # the shortcut state "open or escalated"


def case_orgs(request):
    if request is None:
        return Organization.objects.all()
    q = access.scope_q(request.user, RESOURCE, access.VIEW, org_path="")
    if q is None:
        return Organization.objects.none()
    return (
        Organization.objects.filter(q, enforcement_cases__isnull=False)
        .distinct()
        .only("id", "name")
        .order_by("name")
    )


class CaseFilterSet(filters.FilterSet):
    """Filters of ``/enforcement/``: search, state, ground, measure, organisation, village,
    an overdue review."""

    q = filters.CharFilter(method="search", label=_("Search"))
    state = filters.ChoiceFilter(
        choices=[("active", _("Open or escalated")), *CaseState.choices],
        method="filter_state",
        label=_("State"),
    )
    ground = filters.ChoiceFilter(choices=Ground.choices, method="filter_ground", label=_("Ground"))
    measure = filters.ChoiceFilter(
        choices=MeasureKind.choices,
        method="filter_measure",
        label=pgettext_lazy("enforcement", "Measure"),
    )
    organization = filters.ModelChoiceFilter(
        queryset=case_orgs, field_name="organization", label=_("Organisation")
    )
    village = filters.ModelChoiceFilter(
        queryset=_villages, field_name="organization__region", label=_("Village")
    )
    overdue = filters.BooleanFilter(method="filter_overdue", label=_("Review overdue"))

    class Meta:
        model = Case
        fields = ["q", "state", "ground", "measure", "organization", "village", "overdue"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(title__icontains=value)
            | Q(facts__icontains=value)
            | Q(organization__name__icontains=value)
        )

    def filter_state(self, queryset, name, value):
        if not value:
            return queryset
        if value == "active":
            return queryset.exclude(state=CaseState.CLOSED)
        return queryset.filter(state=value)

    def filter_ground(self, queryset, name, value):
        # JSON list of codes; a text match on the quoted code works on SQLite and PostgreSQL.
        return queryset.filter(grounds__icontains=f'"{value}"') if value else queryset

    def filter_measure(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Exists(Measure.objects.filter(case=OuterRef("pk"), kind=value)))

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        late = Exists(
            Review.objects.filter(
                case=OuterRef("pk"),
                state=ReviewState.PENDING,
                due_on__lt=timezone.localdate(),
            )
        )
        return queryset.filter(late) if value else queryset.exclude(late)


class DocumentFilterSet(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=DocumentKind.choices, label=_("Kind"))
    year = filters.NumberFilter(field_name="year", label=_("Year"))
    cancelled = filters.BooleanFilter(
        method="filter_cancelled", label=pgettext_lazy("document", "Cancelled")
    )

    class Meta:
        model = Document
        fields = ["kind", "year", "cancelled"]

    def filter_cancelled(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(cancelled_at__isnull=not value)

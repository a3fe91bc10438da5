"""The filters of the permit list: organisation, village, type, level, state, dates, search."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from anpai.core import access
from anpai.orgs.filtersets import _villages
from anpai.orgs.models import Organization
from anpai.permits import rules as R
from anpai.permits.choices import PermitState, PermitType
from anpai.permits.models import Permit

RESOURCE = "permits.permit"


def organizations_for(user, action: str = access.VIEW) -> QuerySet[Organization]:
    """The organisations whose permits ``user`` may ``action`` (the permit policy, not the
    registry's: a grid officer reads an enterprise's permits but applies for none)."""
    q = access.scope_q(user, RESOURCE, action, org_path="")
    if q is None:
        return Organization.objects.none()
    return Organization.objects.filter(q)


def _organizations(request):
    if request is None:
        return Organization.objects.all()
    return organizations_for(request.user).only("id", "name").order_by("name")


def level_choices() -> list[tuple[str, str]]:
    """Every level code of the default rules once, named as the first type that uses it
    (一级 of hot work and of lifting are one choice: the code is the same)."""
    seen: dict[str, str] = {}
    for type_rule in R.defaults()["types"]:
        for level in type_rule["levels"]:
            if level["code"] != "single":
                seen.setdefault(level["code"], R.text(level))
    seen["single"] = str(_("Single level (no grading)"))
    return list(seen.items())


class LevelFilter(filters.ChoiceFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", level_choices)
        super().__init__(*args, **kwargs)


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class PermitFilterSet(filters.FilterSet):
    """Filters of ``/permits/``. The dates select permits whose planned window overlaps
    the days chosen (a permit from 22:00 to 06:00 belongs to both days)."""

    q = filters.CharFilter(method="search", label=_("Search"))
    organization = filters.ModelChoiceFilter(
        queryset=_organizations, field_name="organization", label=_("Organisation")
    )
    village = filters.ModelChoiceFilter(
        queryset=_villages, field_name="organization__region", label=_("Village")
    )
    type = filters.ChoiceFilter(choices=PermitType.choices, label=_("Operation type"))
    level = LevelFilter(label=_("Operation level"))
    state = filters.MultipleChoiceFilter(choices=PermitState.choices, label=_("State"))
    date_from = filters.DateFilter(method="filter_from", label=_("From"))
    date_to = filters.DateFilter(method="filter_to", label=_("To"))

    class Meta:
        model = Permit
        fields = ["q", "organization", "village", "type", "level", "state", "date_from", "date_to"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(content__icontains=value)
            | Q(location__icontains=value)
            | Q(unit__icontains=value)
            | Q(organization__name__icontains=value)
        )

    # Days outside these years bound nothing (and would overflow the time zone maths).
    SANE_YEARS = range(1900, 9000)

    def filter_from(self, queryset, name, value):
        if not value or value.year not in self.SANE_YEARS:
            return queryset
        return queryset.filter(planned_end__gt=_day_start(value))

    def filter_to(self, queryset, name, value):
        if not value or value.year not in self.SANE_YEARS:
            return queryset
        return queryset.filter(planned_start__lt=_day_start(value + timedelta(days=1)))

"""The filters of the leaders' overview: year and organisation (the township
government or one village committee)."""

from __future__ import annotations

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from anpai.core import access
from anpai.orgs.choices import OrgKind
from anpai.orgs.models import Organization
from anpai.responsibility.actions import LIST_ORG_KINDS, MAX_YEAR, MIN_YEAR, RESOURCE
from anpai.responsibility.models import LeaderList


def list_organizations(user, action: str = access.VIEW) -> QuerySet[Organization]:
    """The township governments and village committees whose lists ``user`` may ``action``,
    the township government first."""
    q = access.scope_q(user, RESOURCE, action, org_path="")
    if q is None:
        return Organization.objects.none()
    return (
        Organization.objects.filter(q, kind__in=LIST_ORG_KINDS)
        .annotate(
            township_first=Case(
                When(kind=OrgKind.TOWNSHIP, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("township_first", "name")
    )


def _organizations(request):
    if request is None:
        return Organization.objects.filter(kind__in=LIST_ORG_KINDS)
    return list_organizations(request.user).only("id", "name", "kind")


def selected_year(raw: str | None) -> int:
    """The year asked for, else the current one (a year outside 2000–2100 is ignored)."""
    try:
        year = int(str(raw or "").strip())
    except ValueError:
        return timezone.localdate().year
    return year if MIN_YEAR <= year <= MAX_YEAR else timezone.localdate().year


class LeaderListFilterSet(filters.FilterSet):
    """Filters of ``/responsibility/leaders/`` and its exports (the year is read apart:
    it always has a value, the current year by default)."""

    organization = filters.ModelChoiceFilter(
        queryset=_organizations, field_name="organization", label=_("Organisation")
    )

    class Meta:
        model = LeaderList
        fields = ["organization"]

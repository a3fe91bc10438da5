"""Where the two halves of dual prevention meet: a risk point's open hazards and the
checks of its control measures that were missed."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from anpai.risks.models import RiskPoint


def open_hazards(point: RiskPoint) -> QuerySet:
    """Hazards found at the point that are not yet closed or voided."""
    from anpai.hazards.choices import OPEN_STATES
    from anpai.hazards.models import Hazard

    return Hazard.objects.filter(risk_point=point, state__in=OPEN_STATES).order_by("-found_at")


def missed_checks(point: RiskPoint, *, days: int = 90) -> QuerySet:
    """Missed periods (in the last ``days``) of the duties checking this point's measures."""
    from anpai.inspections.choices import PeriodState
    from anpai.inspections.models import ChecklistTemplate, DutyPeriod

    codes = ChecklistTemplate.objects.filter(items__measure__point=point).values("code")
    since = timezone.localdate() - timedelta(days=days)
    return (
        DutyPeriod.objects.filter(
            state=PeriodState.MISSED,
            duty__organization_id=point.organization_id,
            duty__template_code__in=codes,
            end__gte=since,
        )
        .select_related("duty__person")
        .order_by("-end")
    )

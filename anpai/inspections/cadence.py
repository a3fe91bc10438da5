"""The inspection cadence (季查/月查/旬查/周查/日查): calendar periods of duties.

Every active :class:`~anpai.inspections.models.InspectionDuty` owes one
self-inspection per calendar period of its cadence. :func:`ensure_periods`
(run daily by Celery beat and ``anpai inspection_periods``) creates the current
and the next period of each duty, backfills history since the duty started,
and closes every period that has ended: ``done`` when a submitted
self-inspection of the organisation at that cadence is dated within it,
``missed`` otherwise. :func:`mark_done_for` marks a period done the moment such
an inspection is submitted. Both are idempotent.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from anpai.inspections.choices import Cadence, InspectionKind, InspectionState, PeriodState
from anpai.inspections.models import DutyPeriod, Inspection, InspectionDuty

# How far back a newly created (or long-idle) duty's history is filled in.
BACKFILL_DAYS = 400
# An inspection dated inside a period but submitted the morning after it ended
# (a draft finished late at night) still counts; a back-dated one later does not.
GRACE_DAYS = 1
BATCH = 2000


def period_bounds(cadence: str, day: date) -> tuple[date, date]:
    """The calendar period of ``cadence`` that contains ``day``, as (first day, last day).

    daily: the day; weekly: Monday–Sunday; ten_day (旬): 1–10, 11–20, 21–end of
    month; monthly: the month; quarterly: Jan–Mar, Apr–Jun, Jul–Sep, Oct–Dec.
    """
    if cadence == Cadence.DAILY:
        return day, day
    if cadence == Cadence.WEEKLY:
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    last = calendar.monthrange(day.year, day.month)[1]
    if cadence == Cadence.TEN_DAY:
        if day.day <= 10:
            return day.replace(day=1), day.replace(day=10)
        if day.day <= 20:
            return day.replace(day=11), day.replace(day=20)
        return day.replace(day=21), day.replace(day=last)
    if cadence == Cadence.MONTHLY:
        return day.replace(day=1), day.replace(day=last)
    if cadence == Cadence.QUARTERLY:
        first_month = 3 * ((day.month - 1) // 3) + 1
        end_month = first_month + 2
        end_day = calendar.monthrange(day.year, end_month)[1]
        return date(day.year, first_month, 1), date(day.year, end_month, end_day)
    raise ValueError(f"unknown cadence {cadence!r}")


def periods_between(cadence: str, first: date, last: date) -> list[tuple[date, date]]:
    """Every period of ``cadence`` from the one containing ``first`` to the one with ``last``."""
    result = []
    start, end = period_bounds(cadence, first)
    while start <= last:
        result.append((start, end))
        start, end = period_bounds(cadence, end + timedelta(days=1))
    return result


def _counts_towards(
    inspection_date: date, submitted_on: date | None, start: date, end: date
) -> bool:
    if not start <= inspection_date <= end:
        return False
    return submitted_on is None or submitted_on <= end + timedelta(days=GRACE_DAYS)


def _local_date(value) -> date | None:
    return timezone.localdate(value) if value is not None else None


@transaction.atomic
def ensure_periods(
    today: date | None = None,
    *,
    duties: Iterable[InspectionDuty] | Any = None,
    close: bool = True,
) -> dict[str, int]:
    """Create due periods and close ended ones; returns counts ``created``, ``done``, ``missed``.

    For every active duty (or only ``duties``): the periods since it started
    (at most :data:`BACKFILL_DAYS` back) up to the next one after today. Then
    every ``due`` period that has begun is matched against submitted
    self-inspections: a match makes it ``done`` (linked to the inspection); an
    ended period without one becomes ``missed`` (unless ``close`` is false).
    Safe to run any number of times.
    """
    today = today or timezone.localdate()
    base = InspectionDuty.objects.filter(is_active=True)
    if duties is not None:
        base = base.filter(pk__in=[d.pk if hasattr(d, "pk") else d for d in duties])
    rows = list(
        base.annotate(latest=Max("periods__start")).values_list(
            "pk", "cadence", "starts_on", "latest"
        )
    )
    horizon = today - timedelta(days=BACKFILL_DAYS)
    new: list[DutyPeriod] = []
    for duty_id, cadence, starts_on, latest in rows:
        # A duty starting in the future gets nothing until its first period is the next one.
        first = latest or max(starts_on, horizon)
        _, current_end = period_bounds(cadence, today)
        last = current_end + timedelta(days=1)  # the next period after the current one
        for start, end in periods_between(cadence, first, last):
            if latest is not None and start <= latest:
                continue
            new.append(DutyPeriod(duty_id=duty_id, start=start, end=end))
    created = 0
    for offset in range(0, len(new), BATCH):
        chunk = new[offset : offset + BATCH]
        DutyPeriod.objects.bulk_create(chunk, ignore_conflicts=True)
        created += len(chunk)
    if not close:
        return {"created": created, "done": 0, "missed": 0}
    done, missed = _close(today, duty_ids=None if duties is None else [r[0] for r in rows])
    return {"created": created, "done": done, "missed": missed}


def _close(today: date, *, duty_ids: list[int] | None) -> tuple[int, int]:
    """Match begun ``due`` periods with inspections; mark the rest that ended ``missed``."""
    open_periods = DutyPeriod.objects.filter(state=PeriodState.DUE, start__lte=today)
    if duty_ids is not None:
        open_periods = open_periods.filter(duty_id__in=duty_ids)
    periods = list(
        open_periods.values_list(
            "pk", "start", "end", "duty__organization_id", "duty__cadence"
        ).order_by("start")
    )
    if not periods:
        return 0, 0
    org_ids = {p[3] for p in periods}
    first = min(p[1] for p in periods)
    last = max(p[2] for p in periods)
    # One query for every candidate inspection, matched in Python: comparing a
    # submission timestamp with a period's end plus grace is awkward in SQL on
    # both SQLite and PostgreSQL.
    found: dict[tuple[int, str], list[tuple[date, date | None, int]]] = defaultdict(list)
    for pk, org_id, cadence, day, submitted_at in (
        Inspection.objects.filter(
            organization_id__in=org_ids,
            kind=InspectionKind.SELF,
            state=InspectionState.SUBMITTED,
            date__gte=first,
            date__lte=last,
        )
        .exclude(cadence="")
        .values_list("pk", "organization_id", "cadence", "date", "submitted_at")
        .order_by("date", "pk")
    ):
        found[(org_id, cadence)].append((day, _local_date(submitted_at), pk))
    done: list[DutyPeriod] = []
    missed: list[int] = []
    for pk, start, end, org_id, cadence in periods:
        match = next(
            (
                inspection_id
                for day, submitted_on, inspection_id in found.get((org_id, cadence), ())
                if _counts_towards(day, submitted_on, start, end)
            ),
            None,
        )
        if match is not None:
            done.append(DutyPeriod(pk=pk, state=PeriodState.DONE, inspection_id=match))
        elif end < today:
            missed.append(pk)
    DutyPeriod.objects.bulk_update(done, ["state", "inspection"], batch_size=BATCH)
    for offset in range(0, len(missed), BATCH):
        DutyPeriod.objects.filter(pk__in=missed[offset : offset + BATCH]).update(
            state=PeriodState.MISSED
        )
    return len(done), len(missed)


@transaction.atomic
def mark_done_for(inspection: Inspection) -> int:
    """Mark the duty periods a just-submitted self-inspection fulfils; returns how many.

    The inspections' submit step calls this. A self-inspection at a cadence
    level fulfils the due period of each of the organisation's duties at that
    level that contains its date (creating the periods first if the daily job
    has not yet); a period already marked missed is still fulfilled when the
    inspection was submitted within :data:`GRACE_DAYS` after it ended.
    """
    if (
        inspection.kind != InspectionKind.SELF
        or not inspection.cadence
        or inspection.state != InspectionState.SUBMITTED
    ):
        return 0
    duties = list(
        InspectionDuty.objects.filter(
            organization_id=inspection.organization_id,
            cadence=inspection.cadence,
            is_active=True,
        )
    )
    if duties:
        # Periods only: the marking below is this inspection's, and counted.
        ensure_periods(max(inspection.date, timezone.localdate()), duties=duties, close=False)
    submitted_on = _local_date(inspection.submitted_at) or timezone.localdate()
    candidates = DutyPeriod.objects.select_for_update().filter(
        duty__organization_id=inspection.organization_id,
        duty__cadence=inspection.cadence,
        start__lte=inspection.date,
        end__gte=inspection.date,
    )
    if inspection.period_id:
        candidates = DutyPeriod.objects.select_for_update().filter(
            Q(pk__in=candidates.values("pk")) | Q(pk=inspection.period_id)
        )
    count = 0
    for period in candidates:
        if period.state == PeriodState.DONE:
            continue
        if period.state == PeriodState.MISSED and not _counts_towards(
            inspection.date, submitted_on, period.start, period.end
        ):
            continue
        period.state = PeriodState.DONE
        period.inspection = inspection
        period.save(update_fields=["state", "inspection"])
        count += 1
    return count


def deactivate(duty: InspectionDuty) -> None:
    """Stop a duty: it owes nothing from today on; its past periods stay as they were."""
    today = timezone.localdate()
    with transaction.atomic():
        duty.is_active = False
        duty.save(update_fields=["is_active"])
        DutyPeriod.objects.filter(duty=duty, state=PeriodState.DUE, end__gte=today).delete()


# ---------------------------------------------------------------- reads

CADENCE_ORDER = [c.value for c in Cadence]  # quarterly … daily, as the notice lists them
GOOD_RATE = 0.9
FAIR_RATE = 0.6


def with_status(duties, today: date | None = None):
    """Duties annotated with their current period (``current_start``, ``current_end``,
    ``current_state``, ``current_id``) and ``done`` / ``missed`` period counts, in one query."""
    from django.db.models import Count, OuterRef, Subquery

    today = today or timezone.localdate()
    current = DutyPeriod.objects.filter(duty_id=OuterRef("pk"), start__lte=today, end__gte=today)
    return duties.annotate(
        current_id=Subquery(current.values("pk")[:1]),
        current_start=Subquery(current.values("start")[:1]),
        current_end=Subquery(current.values("end")[:1]),
        current_state=Subquery(current.values("state")[:1]),
        done=Count("periods", filter=Q(periods__state=PeriodState.DONE)),
        missed=Count("periods", filter=Q(periods__state=PeriodState.MISSED)),
    )


def rate_css(rate: float | None) -> str:
    """The colour of a completion rate: green from 90 %, amber from 60 %, red below."""
    if rate is None:
        return "table-light"
    if rate >= GOOD_RATE:
        return "table-success"
    if rate >= FAIR_RATE:
        return "table-warning"
    return "table-danger"


def _cell(done: int = 0, missed: int = 0, due: int = 0) -> dict[str, Any]:
    expected = done + missed
    rate = done / expected if expected else None
    return {
        "done": done,
        "missed": missed,
        "due": due,
        "expected": expected,
        "rate": rate,
        "percent": None if rate is None else round(rate * 100),
        "css": rate_css(rate),
    }


def _add(cell: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    return _cell(
        cell["done"] + other["done"], cell["missed"] + other["missed"], cell["due"] + other["due"]
    )


def compliance(
    user, start: date, end: date, today: date | None = None, *, action: str = "view"
) -> dict[str, Any]:
    """Completion of duty periods per enterprise × cadence level between ``start`` and ``end``.

    A period counts when it overlaps the range and has begun. ``expected`` is
    the periods that are done or missed; a period still due is not yet a
    failure and is shown apart. Two queries whatever the number of rows: the
    aggregate over the periods in scope, and the enterprises in scope that
    have no active duty at all. ``action``: ``export`` for the xlsx.
    """
    from django.db.models import Count, Exists, OuterRef

    from anpai.orgs.choices import OrgKind, OrgStatus
    from anpai.orgs.models import Organization

    today = today or timezone.localdate()
    rows = (
        DutyPeriod.objects.restrict(user, action)
        .filter(start__lte=min(end, today), end__gte=start)
        .values("duty__organization_id", "duty__organization__name", "duty__cadence")
        .annotate(
            done=Count("pk", filter=Q(state=PeriodState.DONE)),
            missed=Count("pk", filter=Q(state=PeriodState.MISSED)),
            due=Count("pk", filter=Q(state=PeriodState.DUE)),
        )
        .order_by()
    )
    orgs: dict[int, dict[str, Any]] = {}
    for row in rows:
        org = orgs.setdefault(
            row["duty__organization_id"],
            {
                "id": row["duty__organization_id"],
                "name": row["duty__organization__name"],
                "cells": {},
            },
        )
        cell = _cell(row["done"], row["missed"], row["due"])
        previous = org["cells"].get(row["duty__cadence"])
        org["cells"][row["duty__cadence"]] = _add(previous, cell) if previous else cell
    totals = {c: _cell() for c in CADENCE_ORDER}
    overall = _cell()
    for org in orgs.values():
        org_total = _cell()
        for cadence, cell in org["cells"].items():
            totals[cadence] = _add(totals[cadence], cell)
            org_total = _add(org_total, cell)
        org["total"] = org_total
        org["row"] = [org["cells"].get(c) for c in CADENCE_ORDER]
        overall = _add(overall, org_total)
    without = list(
        Organization.objects.restrict(user, action)
        .filter(kind=OrgKind.ENTERPRISE, status=OrgStatus.OPERATING)
        .exclude(
            Exists(InspectionDuty.objects.filter(organization_id=OuterRef("pk"), is_active=True))
        )
        .exclude(pk__in=list(orgs))
        .order_by("name")
        .values("id", "name")
    )
    return {
        "rows": list(orgs.values()),
        "totals": [totals[c] for c in CADENCE_ORDER],
        "overall": overall,
        "without_duties": without,
        "cadences": [(c, Cadence(c).label) for c in CADENCE_ORDER],
    }


def sort_rows(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Sort compliance rows by ``name``, ``rate`` (overall) or a cadence; ``-`` for descending.

    Rows without a rate for the key go last either way.
    """
    descending = key.startswith("-")
    field = key.lstrip("-") or "rate"
    if field == "name":
        return sorted(rows, key=lambda r: r["name"], reverse=descending)

    def rate(row: dict[str, Any]) -> float | None:
        cell = row["total"] if field == "rate" else row["cells"].get(field)
        return None if cell is None else cell["rate"]

    known = [r for r in rows if rate(r) is not None]
    unknown = [r for r in rows if rate(r) is None]
    known.sort(key=lambda r: (rate(r), r["name"]), reverse=descending)
    return known + sorted(unknown, key=lambda r: r["name"])


def my_periods(user, today: date | None = None, *, missed_days: int = 30) -> dict[str, list]:
    """The duty periods that are the user's to do: ``due`` now and recently ``missed``.

    A duty is the user's when it names them, or names no person and a role
    they hold at the duty's organisation. Two queries (periods, checklist ids).
    """
    from anpai.core import access
    from anpai.inspections.models import ChecklistTemplate

    today = today or timezone.localdate()
    mine = Q(duty__person_id=user.pk)
    for m in access.memberships(user):
        mine |= Q(
            duty__person__isnull=True, duty__organization_id=m.organization_id, duty__role=m.role
        )
    base = (
        DutyPeriod.objects.restrict(user, access.VIEW)
        .filter(mine, duty__is_active=True)
        .select_related("duty__organization")
    )
    periods = list(
        base.filter(
            Q(state=PeriodState.DUE, start__lte=today, end__gte=today)
            | Q(state=PeriodState.MISSED, end__gte=today - timedelta(days=missed_days))
        ).order_by("end", "duty__organization__name")[:60]
    )
    codes = {p.duty.template_code for p in periods}
    templates = (
        dict(ChecklistTemplate.objects.current().filter(code__in=codes).values_list("code", "pk"))
        if codes
        else {}
    )
    for p in periods:
        p.start_url = start_url(  # type: ignore[attr-defined]  # for the template
            p.duty, period=p, template_id=templates.get(p.duty.template_code)
        )
    return {
        "due": [p for p in periods if p.state == PeriodState.DUE],
        "missed": [p for p in periods if p.state == PeriodState.MISSED][-20:],
    }


def start_url(
    duty: InspectionDuty, *, period: DutyPeriod | None = None, template_id: int | None = None
) -> str:
    """The inspections' create page, prefilled for this duty (and period)."""
    from urllib.parse import urlencode

    from django.urls import NoReverseMatch, reverse

    try:
        base = reverse("inspections:create")
    except NoReverseMatch:  # the create page is another part of the app
        base = "/inspections/new/"
    params: dict[str, Any] = {
        "organization": duty.organization_id,
        "kind": InspectionKind.SELF,
        "cadence": duty.cadence,
    }
    if template_id:
        params["template"] = template_id
    if period is not None:
        params["period"] = period.pk
    return f"{base}?{urlencode(params)}"


def may_assign(user, org) -> bool:
    """Whether the user may assign duties on ``org`` (the duty page's "new" link).

    Only an organisation's own staff assign its duties, so a grant on that very
    organisation decides without a query; any wider grant asks the policy.
    """
    from anpai.core import access

    table = access.POLICY["inspections.inspectionduty"]
    wider = False
    for grant in access.grants(user):
        if access.ADD not in table.get(grant.role, ()):
            continue
        if grant.org_id == org.pk:
            return True
        wider = wider or grant.scope != access.OWN
    return wider and access.org_allows(user, "inspections.inspectionduty", access.ADD, org)


def org_summary(user, org, today: date | None = None, *, days: int = 90) -> list[dict[str, Any]]:
    """The organisation's duties with their current period and completion over ``days``.

    One query: duties in the user's view scope, annotated.
    """
    from django.db.models import Count

    from anpai.core import access

    today = today or timezone.localdate()
    since = today - timedelta(days=days)
    recent = Q(periods__end__gte=since, periods__start__lte=today)
    duties = (
        with_status(
            InspectionDuty.objects.restrict(user, access.VIEW).filter(
                organization=org, is_active=True
            ),
            today,
        )
        .annotate(
            recent_done=Count("periods", filter=recent & Q(periods__state=PeriodState.DONE)),
            recent_missed=Count("periods", filter=recent & Q(periods__state=PeriodState.MISSED)),
        )
        .select_related("person")
    )
    from anpai.people.choices import Role

    labels = dict(Role.choices)
    result = []
    for duty in duties:
        duty.role_label = labels.get(duty.role, duty.role)
        cell = _cell(duty.recent_done, duty.recent_missed)
        result.append({"duty": duty, **cell})
    result.sort(key=lambda r: (CADENCE_ORDER.index(r["duty"].cadence), r["duty"].pk))
    return result

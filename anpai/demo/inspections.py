"""A season of inspections for the demo township: duties, periods, self-inspections, rounds.

The key enterprises of the first copy get inspection duties — monthly by the
principal, every ten days by the deputy (workshop heads), weekly by the
safety manager, daily by the team leaders; ent1's enterprise also quarterly —
with periods over the last 90 days relative to today. Each enterprise keeps
to its duties at its own rate, so the compliance table shows green, amber and
red; a done period is linked to a submitted self-inspection with every item
answered on the current checklist of the enterprise's industry (or the
campaign checklist). The township ran two rounds: a 双随机 random draw with a
recorded seed, mostly completed, and a gas round by criteria, just started.

Seeded and relative to today, so a rebuild on the same day is identical; bulk
inserts keep it well under a second. Without shipped checklists (a flushed
test database) it creates nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.utils import timezone

from anpai.inspections import rounds
from anpai.inspections.cadence import period_bounds, periods_between
from anpai.inspections.choices import (
    AnswerResult,
    Cadence,
    InspectionKind,
    InspectionState,
    PeriodState,
)
from anpai.inspections.models import (
    Answer,
    ChecklistItem,
    ChecklistTemplate,
    DutyPeriod,
    Inspection,
    InspectionDuty,
    InspectionRound,
)
from anpai.notifications.service import silenced
from anpai.orgs.choices import OrgKind, OrgStatus
from anpai.orgs.models import Organization
from anpai.people.choices import Role
from anpai.people.models import Membership

DAYS = 90
BATCH = 2000
CAMPAIGN = "campaign-2023"
RANDOM_SEED = 20231117  # the notice's date: the demo draw's recorded seed


def qn(name: str) -> str:
    return connection.ops.quote_name(name)


@dataclass
class SeasonResult:
    duties: int = 0
    periods: int = 0
    inspections: int = 0
    rounds: int = 0
    assignments: int = 0
    findings: int = 0


def _at(day: date, rng: random.Random) -> datetime:
    moment = time(rng.randint(8, 17), rng.randrange(60))
    return timezone.make_aware(datetime.combine(day, moment))


def build_inspections(
    units: list[Organization],
    *,
    township_org: Organization,
    seed: int = 20231117,
    today: date | None = None,
) -> SeasonResult:
    """Create the season for ``units`` (the first copy's enterprises and places)."""
    rng = random.Random(seed + 4)
    today = today or timezone.localdate()
    result = SeasonResult()
    templates = {t.code: t for t in ChecklistTemplate.objects.current()}
    if not templates:
        return result
    items: dict[int, list[tuple[int, bool]]] = {}
    for template_id, item_id, allow_na in ChecklistItem.objects.filter(
        template__in=templates.values()
    ).values_list("template_id", "pk", "allow_na"):
        items.setdefault(template_id, []).append((item_id, allow_na))

    industries: dict[int, list[str]] = {}
    for org_id, code in (
        Organization.industries.through.objects.filter(organization__in=units)
        .order_by("industry__sort_order", "industry_id")
        .values_list("organization_id", "industry__code")
    ):
        industries.setdefault(org_id, []).append(code)
    people: dict[tuple[int, str], int] = {}
    for org_id, role, user_id in (
        Membership.objects.filter(organization__in=units)
        .order_by("pk")
        .values_list("organization_id", "role", "user_id")
    ):
        people.setdefault((org_id, role), user_id)

    def checklist(org: Organization) -> ChecklistTemplate | None:
        for code in industries.get(org.pk, ()):
            if code in templates and items.get(templates[code].pk):
                return templates[code]
        campaign = templates.get(CAMPAIGN)
        return campaign if campaign and items.get(campaign.pk) else None

    keys = [u for u in units if u.is_key and u.status == OrgStatus.OPERATING]
    if units and units[0] not in keys:
        keys.insert(0, units[0])
    starts_on = today - timedelta(days=DAYS)

    # Duties: (cadence, person's role or None, role named by the duty).
    plan = [
        (Cadence.MONTHLY, Role.ENT_PRINCIPAL, ""),
        (Cadence.TEN_DAY, None, Role.ENT_DEPT_HEAD),
        (Cadence.WEEKLY, Role.ENT_SAFETY, ""),
        (Cadence.DAILY, None, Role.ENT_TEAM_LEADER),
    ]
    duties: list[InspectionDuty] = []
    meta: list[tuple[Organization, ChecklistTemplate, float]] = []
    for index, org in enumerate(keys):
        template = checklist(org)
        if template is None:
            continue
        # Some enterprises keep to their duties, some slip: the table needs both.
        diligence = 0.97 if index == 0 else rng.choice((0.98, 0.92, 0.85, 0.75, 0.6, 0.45))
        levels = ([(Cadence.QUARTERLY, Role.ENT_PRINCIPAL, "")] if index == 0 else []) + plan
        for cadence, person_role, role in levels:
            person = people.get((org.pk, person_role)) if person_role else None
            duties.append(
                InspectionDuty(
                    organization=org,
                    cadence=cadence,
                    person_id=person,
                    role="" if person else (role or person_role or ""),
                    template_code=template.code,
                    starts_on=starts_on,
                )
            )
            meta.append((org, template, diligence))
    InspectionDuty.objects.bulk_create(duties, batch_size=BATCH)
    result.duties = len(duties)

    periods: list[DutyPeriod] = []
    done_dates: list[tuple[int, date]] = []  # (index into periods, inspection date)
    for duty, (_org, _template, diligence) in zip(duties, meta, strict=True):
        _, current_end = period_bounds(duty.cadence, today)
        for start, end in periods_between(duty.cadence, starts_on, current_end + timedelta(1)):
            if start > today:
                state = PeriodState.DUE
            elif end < today:
                state = PeriodState.DONE if rng.random() < diligence else PeriodState.MISSED
            else:
                # The running period: done already by some, still due for others.
                elapsed = (today - start).days / max((end - start).days, 1)
                state = (
                    PeriodState.DONE
                    if start < today and rng.random() < diligence * elapsed
                    else PeriodState.DUE
                )
            periods.append(DutyPeriod(duty=duty, start=start, end=end, state=state))
            if state == PeriodState.DONE:
                last = min(end, today - timedelta(days=1)) if start < today else today
                day = start + timedelta(days=rng.randint(0, max((last - start).days, 0)))
                done_dates.append((len(periods) - 1, day))
    DutyPeriod.objects.bulk_create(periods, batch_size=BATCH)
    result.periods = len(periods)

    duty_meta = {id(d): m for d, m in zip(duties, meta, strict=True)}
    inspections: list[Inspection] = []
    for index, day in done_dates:
        period = periods[index]
        duty = period.duty
        org, template, _ = duty_meta[id(duty)]
        lead = (
            duty.person_id
            or people.get((org.pk, Role.ENT_SAFETY))
            or people.get((org.pk, Role.ENT_PRINCIPAL))
        )
        if lead is None:
            continue
        inspections.append(
            Inspection(
                organization=org,
                kind=InspectionKind.SELF,
                cadence=duty.cadence,
                template=template,
                date=day,
                lead_id=lead,
                state=InspectionState.SUBMITTED,
                summary="本期自查未发现重大事故隐患。",
                signer_name=org.principal_name,
                submitted_at=_at(day, rng),
                period=period,
            )
        )
    planned = _rounds(units, township_org, templates.get(CAMPAIGN), rng, today, result)
    gov = [inspection for inspection, _ in planned]
    Inspection.objects.bulk_create([*inspections, *gov], batch_size=BATCH)
    result.inspections = len(inspections) + len(gov)
    # Plain executemany: the ORM's bulk_update (a CASE per row) and bulk_create
    # (an object per row) took most of the season's time for these thousands of rows.
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {qn(DutyPeriod._meta.db_table)} SET inspection_id = %s "  # noqa: S608 - model table, values as parameters
            "WHERE id = %s",
            [(i.pk, i.period_id) for i in inspections],
        )
    _answers([*inspections, *gov], items, rng, {id(i): team for i, team in planned})
    with silenced():  # demo data: the findings are reported, but nobody is messaged
        result.findings = _findings(gov, township_org, rng)
    return result


def _findings(gov: list[Inspection], township_org: Organization, rng: random.Random) -> int:
    """Government inspections find something: one or two failed items each, reported as
    hazards through the real action (numbered, linked to the item, major by its clause
    as the version in force that day words it). Returns the number of findings."""
    from anpai.hazards import actions as hazard_actions
    from anpai.hazards.models import Category
    from anpai.people.models import User

    reporter_id = (
        Membership.objects.filter(organization=township_org, role=Role.TOWNSHIP_OFFICER)
        .values_list("user_id", flat=True)
        .first()
    )
    if reporter_id is None or not gov:
        return 0
    reporter = User.objects.get(pk=reporter_id)
    other = Category.objects.get(code="other")  # seeded by migration / ensure_reference_data
    names = dict(
        User.objects.filter(pk__in={i.lead_id for i in gov}).values_list("pk", "full_name")
    )
    count = 0
    for inspection in sorted(gov, key=lambda i: i.pk):
        answers = list(
            Answer.objects.filter(inspection=inspection)
            .select_related("item__clause__standard", "item__category")
            .order_by("item__order", "pk")
        )
        if not answers:
            continue
        chosen = rng.sample(answers, k=min(len(answers), rng.choice((1, 1, 2))))
        for answer in chosen:
            item = answer.item
            clause = item.clause.in_force_on(inspection.date) if item.clause else None
            title = item.question.rstrip("？?")[:180]
            hazard = hazard_actions.report(
                by=reporter,
                organization=inspection.organization,
                title=title,
                description=f"{item.question}\n现场检查发现不符合要求。",
                category=item.category or other,
                source="gov_inspection",
                finder=names.get(inspection.lead_id, ""),
                found_at=inspection.submitted_at,
                standard_clause=clause,
            )
            answer.result = AnswerResult.FAIL
            answer.note = "现场检查发现不符合要求。"
            answer.hazard_title, answer.hazard_level, answer.hazard = title, hazard.level, hazard
        Answer.objects.bulk_update(
            chosen, ["result", "note", "hazard_title", "hazard_level", "hazard"]
        )
        count += len(chosen)
    return count


def _answers(
    inspections: list[Inspection],
    items: dict[int, list[tuple[int, bool]]],
    rng: random.Random,
    team: dict[int, list[int]],
) -> None:
    """Every item answered (pass, or not applicable where allowed); the inspectors are the
    planned ones (``team``, by object id) or the lead."""
    rows = []
    links = []
    through = Inspection.inspectors.through
    answered_at = Answer._meta.get_field("answered_at")
    for inspection in inspections:
        for user_id in team.get(id(inspection)) or [inspection.lead_id]:
            links.append(through(inspection_id=inspection.pk, user_id=user_id))
        at = answered_at.get_db_prep_value(inspection.submitted_at, connection)
        for item_id, allow_na in items.get(inspection.template_id, ()):
            na = allow_na and rng.random() < 0.1
            result = AnswerResult.NOT_APPLICABLE if na else AnswerResult.PASS
            rows.append((inspection.pk, item_id, str(result), "", "", "", at))
    # Ten thousand answers: executemany, not an ORM object per row.
    table = Answer._meta.db_table
    with connection.cursor() as cursor:
        for offset in range(0, len(rows), BATCH * 5):
            cursor.executemany(
                f"INSERT INTO {qn(table)} (inspection_id, item_id, result, note, "  # noqa: S608 - model table, values as parameters
                "hazard_title, "
                "hazard_level, answered_at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                rows[offset : offset + BATCH * 5],
            )
    through.objects.bulk_create(links, batch_size=BATCH, ignore_conflicts=True)


def _rounds(
    units: list[Organization],
    township_org: Organization,
    campaign: ChecklistTemplate | None,
    rng: random.Random,
    today: date,
    result: SeasonResult,
) -> list[tuple[Inspection, list[int]]]:
    """Two township rounds; returns the (unsaved) inspections that completed assignments,
    each with its inspectors."""
    if campaign is None:
        return []
    pool = sorted(
        Membership.objects.filter(
            role__in=rounds.INSPECTOR_ROLES,
            organization__region__code__startswith=township_org.region.code[:9],
        )
        .values_list("user_id", flat=True)
        .distinct()
    )
    creator = (
        Membership.objects.filter(organization=township_org, role=Role.TOWNSHIP_OFFICER)
        .values_list("user_id", flat=True)
        .first()
    )
    operating = [
        u
        for u in units
        if u.status == OrgStatus.OPERATING and u.kind in (OrgKind.ENTERPRISE, OrgKind.PLACE)
    ]
    if not pool or not operating or creator is None:
        return []
    candidates = [u.pk for u in operating]
    per_org = min(2, len(pool))
    record = rounds.draw_record(candidates, pool, min(8, len(candidates)), per_org, RANDOM_SEED)
    drawn = InspectionRound(
        organization=township_org,
        name="重大事故隐患专项整治“双随机”抽查",
        kind=InspectionKind.TOWNSHIP,
        template=campaign,
        starts_on=today - timedelta(days=40),
        ends_on=today - timedelta(days=5),
        criteria={"kinds": ["enterprise", "place"]},
        is_random=True,
        seed=RANDOM_SEED,
        draw=record,
        created_by_id=creator,
    )
    gas = list(
        Organization.objects.filter(pk__in=candidates, industries__code="gas")
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )
    by_criteria = InspectionRound(
        organization=township_org,
        name="燃气领域安全专项检查",
        kind=InspectionKind.TOWNSHIP,
        template=campaign,
        starts_on=today - timedelta(days=3),
        ends_on=today + timedelta(days=25),
        criteria={
            "industries": sorted(
                Organization.industries.through.objects.filter(industry__code="gas")
                .values_list("industry_id", flat=True)
                .distinct()
            )
        },
        created_by_id=creator,
    )
    InspectionRound.objects.bulk_create([drawn, by_criteria])
    result.rounds = 2
    made = rounds.create_assignments(drawn, record["picks"])
    made += rounds.create_assignments(
        by_criteria, [{"organization": pk, "inspectors": pool[:per_org]} for pk in gas]
    )
    result.assignments = len(made)
    picks = {p["organization"]: p["inspectors"] for p in record["picks"]}
    inspections: list[tuple[Inspection, list[int]]] = []
    for assignment in made:
        is_drawn = assignment.round_id == drawn.pk
        # Most of the finished round is done; of the new one, what was due by today.
        if assignment.planned_on is None or assignment.planned_on >= today:
            continue
        if is_drawn and rng.random() > 0.8:
            continue
        inspectors = (picks.get(assignment.organization_id) if is_drawn else None) or pool[:per_org]
        inspection = Inspection(
            organization_id=assignment.organization_id,
            kind=InspectionKind.TOWNSHIP,
            template=campaign,
            date=assignment.planned_on,
            lead_id=inspectors[0],
            state=InspectionState.SUBMITTED,
            summary="按计划完成检查，发现的问题已当场告知并录入隐患台账。",
            submitted_at=_at(assignment.planned_on, rng),
            assignment=assignment,
        )
        inspections.append((inspection, inspectors))
    return inspections


__all__ = ["SeasonResult", "build_inspections"]

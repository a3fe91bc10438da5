"""The demo township's season of inspections: duties, periods, self-inspections, rounds."""

from __future__ import annotations

import time
from datetime import date

from anpai.demo import data
from anpai.demo.inspections import RANDOM_SEED, build_inspections
from anpai.inspections import rounds
from anpai.inspections.cadence import compliance, ensure_periods
from anpai.inspections.choices import Cadence, InspectionKind, InspectionState, PeriodState
from anpai.inspections.models import (
    Answer,
    DutyPeriod,
    Inspection,
    InspectionDuty,
    InspectionRound,
    RoundAssignment,
)
from anpai.orgs.choices import OrgKind, OrgStatus
from anpai.orgs.models import Organization
from anpai.people.models import Membership
from anpai.risks import duties
from anpai.risks.models import ControlMeasure


def _units():
    return list(
        Organization.objects.filter(kind__in=[OrgKind.ENTERPRISE, OrgKind.PLACE]).order_by("pk")
    )[: len(data.UNITS)]


def _fingerprint():
    return (
        sorted(
            InspectionDuty.objects.values_list(
                "organization_id", "cadence", "person_id", "role", "template_code", "starts_on"
            ),
            key=repr,  # a role's duty has no person; one generated from risk measures has one
        ),
        sorted(
            DutyPeriod.objects.values_list(
                "duty__organization_id",
                "duty__cadence",
                "start",
                "end",
                "state",
                "inspection__date",
            )
        ),
        sorted(
            Inspection.objects.values_list("organization_id", "kind", "cadence", "date", "lead_id")
        ),
        sorted(RoundAssignment.objects.values_list("round__name", "organization_id", "planned_on")),
    )


def test_season_counts(demo):
    ent1_org = Membership.objects.get(user=demo["ent1"]).organization
    key = Organization.objects.filter(is_key=True, kind=OrgKind.ENTERPRISE).count()
    assert InspectionDuty.objects.values("organization").distinct().count() >= key - 1
    assert InspectionDuty.objects.count() >= 4 * (key - 1)
    states = set(DutyPeriod.objects.values_list("state", flat=True))
    assert states == {PeriodState.DUE, PeriodState.DONE, PeriodState.MISSED}
    # Every done period is backed by a submitted self-inspection at its level, within it.
    done = DutyPeriod.objects.filter(state=PeriodState.DONE).select_related("inspection", "duty")
    assert done.count() > 500
    for period in done[:200]:
        inspection = period.inspection
        assert inspection.state == InspectionState.SUBMITTED
        assert inspection.kind == InspectionKind.SELF
        assert inspection.cadence == period.duty.cadence
        assert period.start <= inspection.date <= period.end
    # Every item of a demo inspection is answered.
    some = Inspection.objects.filter(kind=InspectionKind.SELF).first()
    assert Answer.objects.filter(inspection=some).count() == some.template.items.count()
    assert not Answer.objects.filter(inspection=some, result="").exists()
    # ent1's enterprise has all five levels.
    assert set(
        InspectionDuty.objects.filter(organization=ent1_org).values_list("cadence", flat=True)
    ) == set(Cadence.values)
    # Rounds: a random draw with its recorded seed, verifying, partly completed; a gas round.
    drawn = InspectionRound.objects.get(is_random=True)
    assert drawn.seed == RANDOM_SEED
    assert rounds.verify_round(drawn) == (True, True)
    progress = rounds.with_progress(InspectionRound.objects.all())
    assert {r.is_random for r in progress} == {True, False}
    assert 0 < progress.get(is_random=True).completed < progress.get(is_random=True).planned


def test_season_is_consistent_with_the_job(demo):
    """Nothing for the nightly job to create or close on the day the demo is built."""
    assert ensure_periods() == {"created": 0, "done": 0, "missed": 0}


def test_compliance_table_has_colours(demo):
    table = compliance(demo["township"], date(2000, 1, 1), date(2100, 1, 1))
    colours = {row["total"]["css"] for row in table["rows"]}
    assert {"table-success", "table-danger"} <= colours


def test_season_is_deterministic_and_fast(demo):
    township = Organization.objects.get(kind=OrgKind.TOWNSHIP)
    # The duties generated from risk control measures follow the measures (risks.duties).
    checked = set(ControlMeasure.objects.values_list("point__organization_id", flat=True))
    for org_id in checked:
        duties.sync(org_id)
    before = _fingerprint()
    for model in (InspectionRound, Inspection, InspectionDuty):
        model.objects.all().delete()
    # The season is built before the demo's enforcement cases suspend or close some
    # units (and only operating units are inspected): give them back their status then.
    from anpai.enforcement.choices import MeasureKind

    touched = Organization.objects.filter(
        enforcement_cases__measures__kind__in=(MeasureKind.SUSPENSION, MeasureKind.CLOSURE)
    ).distinct()
    for org in touched:
        org.status = (
            OrgStatus.SUSPENDED if org.name == "文水县天宇木业有限公司" else OrgStatus.OPERATING
        )  # the registry's own status of the demo units (demo/build.py)
        org.save(update_fields=["status"])
    started = time.perf_counter()
    result = build_inspections(_units(), township_org=township, seed=20231117)
    elapsed = time.perf_counter() - started
    for org_id in checked:
        duties.sync(org_id)
    assert result.duties
    assert result.periods
    assert result.inspections
    assert result.rounds == 2
    assert _fingerprint() == before
    assert elapsed < 2.0  # about half a second on a laptop; generous for CI


def test_without_checklists_nothing_is_made(demo):
    from anpai.inspections.models import ChecklistTemplate

    township = Organization.objects.get(kind=OrgKind.TOWNSHIP)
    for model in (InspectionRound, Inspection, InspectionDuty):
        model.objects.all().delete()
    ChecklistTemplate.objects.update(is_current=False)
    result = build_inspections(_units(), township_org=township)
    assert (result.duties, result.inspections, result.rounds) == (0, 0, 0)

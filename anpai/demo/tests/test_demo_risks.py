"""Demo dual prevention: the key units' risk points in all four colours, ent1's enterprise
with a red point, a drawn site plan, areas, history and a pending re-assessment; hazards
found at points; seeded, idempotent, first copy only."""

from __future__ import annotations

import io
import time
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from PIL import Image

from anpai.demo import data
from anpai.demo import risks as demo_risks
from anpai.demo.build import build_demo
from anpai.hazards.choices import OPEN_STATES
from anpai.hazards.models import Hazard
from anpai.orgs.models import Organization
from anpai.people.models import Membership
from anpai.risks.choices import AssessmentReason, Method, RiskLevel
from anpai.risks.models import Assessment, ControlMeasure, RiskPoint, SitePlan


def _org(username):
    return Membership.objects.get(user__username=username).organization


def _wipe():
    """Remove the demo (risk points first: they protect their organisation)."""
    from anpai.demo.tests.test_demo import _wipe as wipe_demo

    RiskPoint.objects.all().delete()  # with their assessments, which protect their assessors
    wipe_demo()


def _snapshot():
    return list(
        RiskPoint.objects.order_by("organization__name", "code").values_list(
            "organization__name", "code", "name", "level", "score", "area", "needs_reassessment"
        )
    )


def test_key_units_have_points_in_all_four_colours(demo):
    for name in demo_risks.UNITS:
        org = Organization.objects.get(name=name)
        points = RiskPoint.objects.filter(organization=org, is_active=True)
        assert 4 <= points.count() <= 8, name
        assert not points.filter(level="").exists(), name  # every point is assessed
        assert SitePlan.objects.filter(organization=org).exists(), name
        assert all(len(p.area) >= 3 for p in points), name
    # Every unit of hazardous chemicals, gas and explosives has its points.
    key = {n for n, _, codes, *_ in data.UNITS if {"hazchem", "gas", "explosives"} & set(codes)}
    assert key <= set(demo_risks.UNITS)
    levels = Counter(RiskPoint.objects.values_list("level", flat=True))
    assert set(levels) == set(RiskLevel.values)
    assert levels[RiskLevel.GENERAL] > levels[RiskLevel.MAJOR]  # red is the exception
    # Both methods are used; every point has two to five measures of more than one kind.
    assert set(Assessment.objects.values_list("method", flat=True)) == set(Method.values)
    for point in RiskPoint.objects.prefetch_related("measures"):
        kinds = [m.kind for m in point.measures.all()]
        assert 2 <= len(kinds) <= 5, point.name
        assert len(set(kinds)) >= 2, point.name
        assert all(m.responsible for m in point.measures.all()), point.name


def test_points_read_like_their_industry(demo):
    ent1 = _org("ent1")
    names = set(ent1.risk_points.values_list("name", flat=True))
    assert {"甲醇储罐区", "有限空间（污水池）", "配电室", "锅炉房"} <= names
    cold = Organization.objects.get(name="文水县冰川冷链食品有限公司")
    ammonia = cold.risk_points.get(name="液氨制冷机房")
    assert "poisoning" in ammonia.accident_types
    assert "液氨" in ammonia.hazard_sources
    assert ammonia.emergency_phone.endswith("119 / 120")
    hotel = Organization.objects.get(name="金鼎大酒店")
    assert {"厨房燃气灶具区", "疏散通道及安全出口"} <= set(
        hotel.risk_points.values_list("name", flat=True)
    )


def test_ent1_has_a_red_point_a_drawn_plan_and_an_area_for_each_point(demo):
    org = _org("ent1")
    points = list(org.risk_points.all())
    assert 6 <= len(points) <= 8
    red = [p for p in points if p.level == RiskLevel.MAJOR]
    assert red
    assert red[0].colour == "red"
    assert red[0].control_level == "company"
    assert red[0].responsible_user == demo["ent1"]  # the principal answers for a major risk

    plan = SitePlan.objects.get(organization=org)
    assert plan.image
    assert (plan.width, plan.height) == (1000, 700)
    with plan.image.open("rb") as handle:
        raw = handle.read()
    assert len(raw) < 40_000  # flat colours: a few kilobytes
    picture = Image.open(io.BytesIO(raw))
    assert picture.size == (800, 560)
    assert len(picture.convert("RGB").getcolors(100_000) or []) > 5  # drawn, not blank
    for point in points:
        xs, ys = [x for x, _ in point.area], [y for _, y in point.area]
        assert len(point.area) == 4, point.name
        assert 0 <= min(xs) < max(xs) <= plan.width
        assert 0 <= min(ys) < max(ys) <= plan.height
    # ent2's enterprise has a drawn plan too; units without one start from a blank grid.
    assert SitePlan.objects.get(organization=_org("ent2")).image
    blank = SitePlan.objects.get(organization__name="则天庙景区")
    assert not blank.image
    assert (blank.width, blank.height) == (1000, 700)


def test_assessments_have_history_and_residual_risk(demo):
    org = _org("ent1")
    history = Assessment.objects.filter(point__organization=org, residual=False)
    again = history.filter(reason__in=[AssessmentReason.CHANGE, AssessmentReason.ACCIDENT])
    assert {a.reason for a in again} == {AssessmentReason.CHANGE, AssessmentReason.ACCIDENT}
    for later in again:
        earlier = history.filter(point=later.point).exclude(pk=later.pk).get()
        assert earlier.reason == AssessmentReason.INITIAL
        assert earlier.assessed_at < later.assessed_at
        # The point shows the latest assessment, which was made after an earlier one.
        point = later.point
        assert (point.level, point.score, point.assessed_at) == (
            later.level,
            later.score,
            later.assessed_at,
        )
        assert earlier.level != later.level
    residual = Assessment.objects.filter(point__organization=org, residual=True)
    assert residual.count() >= 2
    for assessment in residual:
        assert assessment.point.residual_level == assessment.level
    # Assessed by ent1 (the principal) with the scheme in force; dates spread over months.
    assert set(history.values_list("assessed_by__username", flat=True)) == {"ent1"}
    days = {a.assessed_at.date() for a in history}
    assert len(days) >= 5
    assert Assessment.objects.filter(reason=AssessmentReason.CHANGE).exclude(
        point__organization=org
    )


def test_one_point_waits_for_reassessment_after_a_major_hazard(demo):
    pending = RiskPoint.objects.filter(needs_reassessment=True)
    assert pending.count() == 1
    point = pending.get()
    assert point.organization == _org("ent1")
    assert "重大事故隐患" in point.reassessment_reason
    major = Hazard.objects.get(risk_point=point, level="major", state__in=OPEN_STATES)
    assert major.title in point.reassessment_reason


def test_ent1_measures_are_checked_by_its_people(demo):
    org = _org("ent1")
    checked = ControlMeasure.objects.filter(point__organization=org).exclude(check_cadence="")
    assert {"daily", "weekly"} <= set(checked.values_list("check_cadence", flat=True))
    assert set(checked.values_list("check_user__username", flat=True)) <= {"ent1", "ent1safety"}
    # Only ent1's enterprise has checked measures (the others' are not inspection duties).
    assert not ControlMeasure.objects.exclude(point__organization=org).exclude(check_cadence="")


def test_hazards_found_at_points_reference_them(demo):
    linked = Hazard.objects.exclude(risk_point=None).select_related("risk_point")
    assert linked.count() >= 5
    for hazard in linked:
        assert hazard.risk_point.organization_id == hazard.organization_id
    ent1 = dict(
        Hazard.objects.filter(organization=_org("ent1"))
        .exclude(risk_point=None)
        .values_list("place", "risk_point__name")
    )
    assert ent1["配电室"] == "配电室"
    assert ent1["污水池"] == "有限空间（污水池）"


def test_demo_command_keeps_an_existing_demo(demo, settings):
    settings.DEMO_PASSWORD = "Printed-pass-2024"
    before = (RiskPoint.objects.count(), Assessment.objects.count(), SitePlan.objects.count())
    out = StringIO()
    call_command("demo", "--no-serve", stdout=out)
    assert "already" in out.getvalue()
    after = (RiskPoint.objects.count(), Assessment.objects.count(), SitePlan.objects.count())
    assert after == before


def test_rebuild_is_identical_and_scale_copies_get_none(demo):
    first = _snapshot()
    _wipe()
    build_demo(password="x-Demo-2024", scale=2)
    assert _snapshot() == first  # the same points, levels and areas; the first copy's only
    copies = Organization.objects.filter(name__endswith="（2）")
    assert copies.count() == len(data.UNITS)
    assert not RiskPoint.objects.filter(organization__in=copies).exists()


def test_building_the_risks_is_fast(demo):
    units = list(Organization.objects.filter(name__in=demo_risks.UNITS).order_by("pk"))
    assert units[0] == _org("ent1")
    township = Organization.objects.get(name=data.TOWNSHIP_GOV)
    RiskPoint.objects.all().delete()
    SitePlan.objects.all().delete()
    started = time.process_time()  # CPU time: steadier than the clock on a shared machine
    result = demo_risks.build_risks(units, township_org=township)
    elapsed = time.process_time() - started
    assert result.points == RiskPoint.objects.count() >= 100
    assert result.drawn_plans == len(demo_risks.DRAWN)
    assert result.linked_hazards >= 5
    assert elapsed < 6.0  # about a second on a laptop; generous for a busy CI machine


@pytest.mark.parametrize("style", ["yard", "floor"])
def test_layout_keeps_every_area_on_the_plan_and_apart(style):
    import random

    labels = ["甲醇储罐区", "配电室", "疏散通道", "后厨", "锅炉房", "中控室", "装卸区", "污水池"]
    plan = demo_risks.layout(labels, random.Random(1), style)
    assert len(plan.rects) == len(labels)
    for x0, y0, x1, y1 in plan.rects + [r for _, r in plan.extras]:
        assert 0 <= x0 < x1 <= demo_risks.PLAN_W
        assert 0 <= y0 < y1 <= demo_risks.PLAN_H
    for i, a in enumerate(plan.rects):
        for b in plan.rects[i + 1 :]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)

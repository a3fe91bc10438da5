"""The rules of GB 30871 at their boundaries (the issue's acceptance cases first)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from anpai.core.errors import Conflict, Forbidden, Invalid
from anpai.permits import actions, rules
from anpai.permits.choices import PermitState


def _gas(permit, people, minutes_ago, *, lel="0.1", o2="20.9", toxic=None):
    return actions.gas_analysis(
        permit,
        by=people["team"],
        taken_at=timezone.now() - timedelta(minutes=minutes_ago),
        point="3# 罐法兰处",
        lel_percent=lel,
        o2_percent=o2,
        toxic=toxic or {},
        analyst="分析员戊",
    )


@pytest.mark.django_db
def test_level_one_hot_work_needs_an_analysis_under_30_minutes_old(ready, people):
    permit = ready("hot_work", {"area": "hazardous_area"})
    assert permit.level == "1"
    _gas(permit, people, 31)
    with pytest.raises(Conflict, match="30"):
        actions.start(permit, by=people["team"])
    permit.refresh_from_db()
    assert permit.state == PermitState.APPROVED
    _gas(permit, people, 29)
    started = actions.start(permit, by=people["team"])
    assert started.state == PermitState.IN_PROGRESS


@pytest.mark.django_db
def test_level_two_hot_work_planned_for_80_hours_is_refused(make):
    with pytest.raises(Invalid) as err:
        make("hot_work", {"area": "other"}, hours=80)
    assert "planned_end" in err.value.fields
    assert "72" in str(err.value.fields["planned_end"][0])
    assert make("hot_work", {"area": "other"}, hours=72).level == "2"


@pytest.mark.parametrize(
    ("answers", "level"),
    [
        ({"area": "other"}, "2"),
        ({"area": "other", "night_or_holiday": True}, "1"),
        ({"area": "hazardous_area"}, "1"),
        ({"area": "hazardous_area", "night_or_holiday": True}, "special"),
        ({"area": "live_equipment"}, "special"),
        ({"area": "live_equipment", "night_or_holiday": True}, "special"),
    ],
)
def test_hot_work_level_from_the_answers(answers, level):
    assert rules.derive_level("hot_work", answers) == level


@pytest.mark.parametrize(
    ("height", "level"),
    [("2", "I"), ("5", "I"), ("5.1", "II"), ("15", "II"), ("30", "III"), ("30.5", "IV")],
)
def test_height_classes(height, level):
    assert rules.derive_level("height", {"height_m": height}) == level


def test_below_two_metres_is_not_work_at_height():
    with pytest.raises(Invalid):
        rules.derive_level("height", {"height_m": "1.9"})


@pytest.mark.parametrize(
    ("mass", "level"), [("39.9", "3"), ("40", "2"), ("100", "2"), ("100.1", "1")]
)
def test_lifting_levels(mass, level):
    assert rules.derive_level("lifting", {"mass_t": mass}) == level


@pytest.mark.parametrize(
    ("lel", "value", "passes"),
    [
        ("6", "0.5", True),
        ("6", "0.51", False),
        ("3", "0.2", True),
        ("3", "0.21", False),
        (None, "0.3", False),
    ],
)
def test_combustible_limit_by_lel_class(lel, value, passes):
    data = rules.defaults()
    failures = rules.judge_gas(
        data,
        type_code="hot_work",
        medium_lel=Decimal(lel) if lel else None,
        combustible=Decimal(value),
        o2=None,
        toxic={},
    )
    assert (not failures) is passes


@pytest.mark.parametrize(
    ("o2", "passes"), [("19.5", True), ("19.4", False), ("21", True), ("21.1", False)]
)
def test_oxygen_range_in_a_confined_space(o2, passes):
    failures = rules.judge_gas(
        rules.defaults(),
        type_code="confined_space",
        medium_lel=Decimal(6),
        combustible=Decimal("0.1"),
        o2=Decimal(o2),
        toxic={"H2S": "5"},
    )
    assert (not failures) is passes


@pytest.mark.django_db
def test_a_failed_latest_analysis_blocks_the_start(ready, people):
    permit = ready("confined_space", {})
    _gas(permit, people, 10)
    _gas(permit, people, 5, o2="18.0")
    with pytest.raises(Conflict, match=r"19\.5"):
        actions.start(permit, by=people["team"])


@pytest.mark.django_db
def test_approval_chain_order_roles_and_no_self_approval(make, people, english):
    permit = make("hot_work", {"area": "hazardous_area"}, by=people["head"])
    permit = actions.submit(permit, by=people["head"])
    assert permit.number.startswith("DH-")
    with pytest.raises(Forbidden, match="own"):
        actions.approve(permit, by=people["head"], opinion="同意")
    with pytest.raises(Forbidden):  # the first step is the unit head's, not safety's
        actions.approve(permit, by=people["safety"], opinion="同意")
    actions.approve(permit, by=people["principal"], opinion="同意（单位负责人）")
    with pytest.raises(Forbidden, match="different"):
        actions.approve(permit, by=people["principal"], opinion="同意")
    with pytest.raises(Invalid):
        actions.approve(permit, by=people["safety"], opinion=" ")
    done = actions.approve(permit, by=people["safety"], opinion="同意")
    assert done.state == PermitState.APPROVED
    assert [a.step for a in done.approvals.order_by("position")] == ["unit", "safety"]


@pytest.mark.django_db
def test_an_expired_certificate_blocks_approval(make, people):
    workers = [
        {
            "name": "焊工己",
            "certificate_no": "T1",
            "certificate_expires": timezone.localdate().isoformat(),
        }
    ]
    permit = make("hot_work", {"area": "other"}, hours=60, workers=workers)
    actions.submit(permit, by=people["team"])
    with pytest.raises(Conflict, match="焊工己"):
        actions.approve(permit, by=people["head"], opinion="同意")


@pytest.mark.django_db
def test_a_long_break_needs_a_new_analysis_and_an_expired_permit_cannot_resume(
    ready, people, english
):
    permit = ready("hot_work", {"area": "hazardous_area"}, hours=2)
    _gas(permit, people, 1)
    actions.start(permit, by=people["team"])
    now = timezone.now()
    actions.pause(permit, by=people["team"], at=now)
    actions.resume(permit, by=people["team"], at=now + timedelta(minutes=29))  # within 30 min
    actions.pause(permit, by=people["team"], at=now + timedelta(minutes=30))
    later = now + timedelta(minutes=65)
    with pytest.raises(Conflict, match="30"):
        actions.resume(permit, by=people["team"], at=later)
    actions.gas_analysis(
        permit,
        by=people["team"],
        taken_at=later - timedelta(minutes=2),
        point="法兰",
        lel_percent="0.1",
        analyst="分析员戊",
        at=later,
    )
    assert actions.resume(permit, by=people["team"], at=later).state == PermitState.IN_PROGRESS
    actions.pause(permit, by=people["team"], at=later)
    with pytest.raises(Conflict, match="validity"):
        actions.resume(permit, by=people["team"], at=now + timedelta(hours=3))
    assert actions.expire_overdue(now + timedelta(hours=3)) == 1
    permit.refresh_from_db()
    assert permit.state == PermitState.EXPIRED
    with pytest.raises(Conflict):
        actions.resume(permit, by=people["team"], at=now + timedelta(hours=3))


@pytest.mark.django_db
def test_hot_work_inside_a_confined_space_waits_for_its_permit(ready, people, make):
    confined = ready("confined_space", {})
    hot = ready("hot_work", {"area": "hazardous_area"}, linked=[confined.pk])
    _gas(hot, people, 1)
    with pytest.raises(Conflict, match=confined.number):
        actions.start(hot, by=people["team"])
    _gas(confined, people, 1)
    actions.start(confined, by=people["team"])
    assert actions.start(hot, by=people["team"]).state == PermitState.IN_PROGRESS


@pytest.mark.django_db
def test_numbers_are_unique_per_organisation_and_year(make, people):
    numbers = []
    for _ in range(3):
        permit = make("height", {"height_m": "8"}, hours=10)
        numbers.append(actions.submit(permit, by=people["team"]).number)
    year = timezone.localdate().year
    first = int(numbers[0].rsplit("-", 1)[1])
    assert numbers == [f"GC-{year}-{n:04d}" for n in (first, first + 1, first + 2)]


@pytest.mark.django_db
def test_expire_overdue_is_idempotent(ready, people):
    permit = ready("height", {"height_m": "3"}, hours=1)
    later = timezone.now() + timedelta(hours=2)
    assert actions.expire_overdue(later) >= 1
    assert actions.expire_overdue(later) == 0
    permit.refresh_from_db()
    assert permit.state == PermitState.EXPIRED


@pytest.mark.django_db
def test_other_enterprises_and_viewers(make, demo, people):
    permit = make()
    from anpai.core.errors import NotFound

    with pytest.raises(NotFound):
        actions.submit(permit, by=demo["ent2"])
    actions.submit(permit, by=people["team"])
    with pytest.raises(Forbidden):
        actions.approve(permit, by=demo["township"], opinion="同意")


@pytest.mark.django_db
def test_a_high_toxic_reading_is_judged_not_refused(ready, people):
    permit = ready("confined_space", {})
    analysis = _gas(permit, people, 1, toxic={"CO": "150"})
    assert not analysis.passed
    assert any("CO" in f for f in analysis.failures)
    with pytest.raises(Invalid):
        _gas(permit, people, 1, o2="120")

"""The closed loop through its action functions: states, rules, history, notifications."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from anpai.core.errors import Conflict, Forbidden, Invalid, NotFound
from anpai.hazards import actions
from anpai.hazards.choices import EventKind, HazardState
from anpai.hazards.models import Hazard
from anpai.hazards.tests.conftest import make_jpeg
from anpai.notifications.models import Notification

FIVE = {
    "responsible_name": "周晓东",
    "measures": "更换老化线路，加装漏电保护",
    "funds": Decimal("3500"),
    "contingency": "停用该配电箱，设置警示标识",
}


def _deadline(days=10):
    return timezone.localdate() + timedelta(days=days)


def test_general_hazard_runs_the_whole_loop(demo, new_hazard):
    h = new_hazard("ent1safety")
    assert h.state == HazardState.REPORTED
    assert h.number.startswith("YH")
    h = actions.assign(h, by=demo["ent1safety"], deadline=_deadline(), **FIVE)
    assert h.state == HazardState.ASSIGNED
    assert h.original_deadline == _deadline()
    h = actions.rectify(h, by=demo["ent1safety"], rectification="已更换", photos=[make_jpeg()])
    assert h.state == HazardState.RECTIFIED
    # The one who rectified may not accept; the principal may.
    with pytest.raises(Forbidden):
        actions.verify(h, by=demo["ent1safety"], accepted=True)
    h = actions.verify(h, by=demo["ent1"], accepted=True, comment="验收合格")
    assert h.state == HazardState.CLOSED
    assert h.verified_by == demo["ent1"]
    kinds = list(h.events.values_list("kind", flat=True))
    assert kinds == [EventKind.REPORT, EventKind.ASSIGN, EventKind.RECTIFY, EventKind.ACCEPT]
    assert h.version == 4


def test_five_implementations_are_all_required(demo, new_hazard):
    h = new_hazard()
    with pytest.raises(Invalid) as err:
        actions.assign(
            h,
            by=demo["ent1safety"],
            responsible_name="x",
            measures="",
            funds=None,
            deadline=None,
            contingency="",
        )
    assert set(err.value.fields) == {"measures", "funds", "deadline", "contingency"}
    assert Hazard.objects.get(pk=h.pk).state == HazardState.REPORTED


def test_major_hazard_needs_a_plan_is_reported_up_and_only_township_accepts(demo, new_hazard):
    h = new_hazard("ent1safety", level="major")
    assert h.reported_up_at is not None
    assert Notification.objects.filter(recipient=demo["township"], url__contains=str(h.pk)).exists()
    with pytest.raises(Invalid) as err:
        actions.assign(h, by=demo["ent1"], deadline=_deadline(), **FIVE)
    assert "plan_goals" in err.value.fields
    plan = dict.fromkeys(actions.PLAN_FIELDS, "内容")
    h = actions.assign(h, by=demo["ent1"], deadline=_deadline(), plan=plan, **FIVE)
    h = actions.rectify(h, by=demo["ent1safety"], rectification="完成", photos=[make_jpeg()])
    with pytest.raises(Forbidden):
        actions.verify(h, by=demo["ent1"], accepted=True)
    h = actions.verify(h, by=demo["township"], accepted=True)
    assert h.state == HazardState.CLOSED


def test_wrong_state_is_a_conflict_and_changes_nothing(demo, new_hazard):
    h = new_hazard()
    with pytest.raises(Conflict):
        actions.verify(h, by=demo["ent1"], accepted=True)
    with pytest.raises(Conflict):
        actions.rectify(h, by=demo["ent1safety"], rectification="x", photos=[make_jpeg()])
    assert Hazard.objects.get(pk=h.pk).version == 1


def test_another_enterprise_gets_not_found_and_county_forbidden(demo, new_hazard):
    h = new_hazard()
    with pytest.raises(NotFound):
        actions.void(h, by=demo["ent2"], reason="x")
    with pytest.raises(Forbidden):
        actions.void(h, by=demo["county"], reason="x")


def test_rejection_goes_back_to_assigned_and_a_stale_version_conflicts(demo, new_hazard):
    h = new_hazard()
    h = actions.assign(h, by=demo["ent1safety"], deadline=_deadline(), **FIVE)
    h = actions.rectify(h, by=demo["ent1safety"], rectification="x", photos=[make_jpeg()])
    stale = h.version
    with pytest.raises(Invalid):
        actions.verify(h, by=demo["ent1"], accepted=False)
    h = actions.verify(h, by=demo["ent1"], accepted=False, comment="照片不清楚", version=stale)
    assert h.state == HazardState.ASSIGNED
    with pytest.raises(Conflict):
        actions.verify(h, by=demo["township"], accepted=True, version=stale)


def test_extension_keeps_the_original_deadline(demo, new_hazard):
    h = actions.assign(new_hazard(), by=demo["ent1safety"], deadline=_deadline(5), **FIVE)
    actions.request_extension(h, by=demo["ent1"], deadline=_deadline(20), reason="材料未到")
    with pytest.raises(Conflict):
        actions.request_extension(h, by=demo["ent1"], deadline=_deadline(30), reason="again")
    with pytest.raises(NotFound):
        actions.decide_extension(h, by=demo["ent2"], approve=True)
    actions.decide_extension(h, by=demo["township"], approve=True, comment="同意")
    h.refresh_from_db()
    assert h.deadline == _deadline(20)
    assert h.original_deadline == _deadline(5)


def test_supervise_only_major_and_overdue_is_derived(demo, new_hazard):
    general = actions.assign(new_hazard(), by=demo["ent1safety"], deadline=_deadline(1), **FIVE)
    with pytest.raises(Invalid):
        actions.supervise(
            general, by=demo["township"], supervisor=demo["leader"], deadline=_deadline(30)
        )
    Hazard.objects.filter(pk=general.pk).update(deadline=timezone.localdate() - timedelta(days=3))
    general.refresh_from_db()
    assert general.is_overdue
    assert general.overdue_days == 3
    assert Hazard.objects.overdue().filter(pk=general.pk).exists()
    major = new_hazard(level="major")
    major = actions.supervise(
        major,
        by=demo["leader"],
        supervisor=demo["township"],
        deadline=_deadline(30),
        note="限期一个月",
    )
    assert major.is_supervised


def test_reporter_or_township_voids(demo, new_hazard):
    h = new_hazard("ent1safety")
    with pytest.raises(Forbidden):
        actions.void(h, by=demo["ent1"], reason="重复")  # not the reporter, not township
    h = actions.void(h, by=demo["township"], reason="重复上报")
    assert h.state == HazardState.VOIDED

"""Demo work permits: every state at ent1's enterprise, all eight types, real history and
numbers, active work on the board whenever the demo is built; seeded and fast."""

from __future__ import annotations

import re
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from anpai.demo import permits as demo_permits
from anpai.people.choices import Role
from anpai.people.models import Membership, User
from anpai.permits import actions
from anpai.permits.choices import ACTIVE_STATES, EventKind, PermitState, PermitType
from anpai.permits.models import GasAnalysis, Permit, PermitEvent


def _org(username):
    return Membership.objects.get(user__username=username).organization


def test_ent1_has_every_state_and_every_type(demo):
    permits = Permit.objects.filter(organization=_org("ent1"))
    assert set(permits.values_list("state", flat=True)) == set(PermitState.values)
    assert set(permits.values_list("type", flat=True)) == set(PermitType.values)
    assert 20 <= Permit.objects.count() <= 30
    # Five enterprises apply, ent2's among them.
    assert Permit.objects.values("organization").distinct().count() == 5
    assert Permit.objects.filter(organization=_org("ent2")).exists()


def test_workshop_head_and_team_leader_accounts(demo):
    org = _org("ent1")
    head = User.objects.get(username="ent1workshop")
    team = User.objects.get(username="ent1team")
    assert head.memberships.get().role == Role.ENT_DEPT_HEAD
    assert team.memberships.get().role == Role.ENT_TEAM_LEADER
    assert {head.memberships.get().organization, team.memberships.get().organization} == {org}
    assert head.has_usable_password()
    assert team.has_usable_password()
    # The team leader applies for ent1's permits; ent2's have their own (no login).
    assert Permit.objects.filter(organization=org, applicant=team).count() >= 10
    ent2team = User.objects.get(username="ent2team")
    assert not ent2team.has_usable_password()
    assert Permit.objects.filter(organization=_org("ent2"), applicant=ent2team).exists()


def test_numbers_are_unique_per_organisation_and_year(demo):
    numbered = Permit.objects.exclude(number="")
    assert numbered.count() >= 18
    pairs = Counter(numbered.values_list("organization", "number"))
    assert max(pairs.values()) == 1
    year = timezone.localdate().year
    for number in numbered.values_list("number", flat=True):
        assert re.fullmatch(rf"[A-Z]{{2}}-{year}-\d{{4}}", number), number
    assert not Permit.objects.filter(state=PermitState.SUBMITTED, number="").exists()
    # Drafts never submitted have no number yet; the one sent back keeps its own.
    sent_back = Permit.objects.get(events__kind=EventKind.REJECT)
    assert sent_back.state == PermitState.DRAFT
    assert sent_back.number


def test_waiting_for_the_safety_manager(demo):
    safety = User.objects.get(username="ent1safety")
    waiting = [
        p
        for p in Permit.objects.filter(organization=_org("ent1"), state=PermitState.SUBMITTED)
        if actions.next_step(p) == "safety"
    ]
    assert len(waiting) == 1
    permit = waiting[0]
    assert (permit.type, permit.level) == (PermitType.HOT_WORK, "1")
    assert permit.risk_point is not None
    assert permit.risk_point.name == "甲醇储罐区"
    assert [a.approver.username for a in permit.approvals.all()] == ["ent1workshop"]
    assert "approve" in actions.available_actions(permit, safety)


def test_the_board_has_active_permits_today_and_they_stay_open_for_hours(demo):
    now = timezone.now()
    start, end = now - timedelta(hours=12), now + timedelta(hours=12)
    active = Permit.objects.filter(
        state__in=ACTIVE_STATES, planned_start__lt=end, planned_end__gt=start
    )
    ent1 = active.filter(organization=_org("ent1"))
    assert set(ent1.values_list("state", flat=True)) == set(ACTIVE_STATES)
    assert active.values("organization").distinct().count() >= 4
    # Nothing open expires soon after the build (tests and the expiry job run meanwhile).
    open_ = Permit.objects.filter(state__in=[PermitState.SUBMITTED, *ACTIVE_STATES])
    assert min(open_.values_list("planned_end", flat=True)) > now + timedelta(hours=5)


def test_hot_work_in_progress_inside_the_confined_space_with_recent_passing_analyses(demo):
    hot = Permit.objects.get(
        organization=_org("ent1"), type=PermitType.HOT_WORK, state=PermitState.IN_PROGRESS
    )
    confined = hot.linked.get()
    assert (confined.type, confined.state) == (PermitType.CONFINED_SPACE, PermitState.IN_PROGRESS)
    assert confined.risk_point is not None
    assert confined.risk_point.name == "有限空间（污水池）"
    latest = hot.analyses.order_by("-taken_at").first()
    assert latest.passed
    assert timezone.now() - latest.taken_at < timedelta(minutes=40)
    # The analysis before the start was within 30 minutes of it.
    before = hot.analyses.filter(taken_at__lte=hot.started_at).order_by("-taken_at").first()
    assert timedelta(0) <= hot.started_at - before.taken_at <= timedelta(minutes=30)
    # The confined space's first analysis failed (oxygen low); it was ventilated and re-tested.
    first = confined.analyses.order_by("taken_at").first()
    assert not first.passed
    assert "19.2" in " ".join(first.failures)
    assert confined.started_at < hot.started_at
    assert all(m.confirmed_by for m in hot.measures.all() if m.applicable)
    assert hot.briefing_given_by
    assert hot.briefing_received_by


def test_history_is_dated_as_it_happened(demo):
    org = _org("ent1")
    completed = Permit.objects.filter(organization=org, state=PermitState.COMPLETED)
    today = timezone.localdate()
    assert completed.count() >= 2
    for permit in completed:
        events = list(permit.events.order_by("id"))
        kinds = [e.kind for e in events]
        assert (kinds[0], kinds[-1]) == (EventKind.CREATE, EventKind.COMPLETE)
        assert {EventKind.START, EventKind.APPROVE} <= set(kinds)
        times = [e.at for e in events]
        assert times == sorted(times)
        done = timezone.localtime(permit.completed_at).date()
        assert today - timedelta(days=8) <= done <= today - timedelta(days=4)
        assert timezone.localtime(times[-1]).date() == done
        assert permit.created_at == times[0]
    expired = Permit.objects.get(organization=org, state=PermitState.EXPIRED)
    event = expired.events.get(kind=EventKind.EXPIRE)
    assert event.at > expired.planned_end
    assert expired.approved_at < expired.planned_start
    # Analyses were recorded when they were taken, not at build time.
    for analysis in GasAnalysis.objects.filter(permit__organization=org):
        assert timedelta(0) < analysis.recorded_at - analysis.taken_at <= timedelta(minutes=5)
    # Every permit's history is in order.
    for permit in Permit.objects.annotate(n=Count("events")).filter(n__gt=1):
        times = list(PermitEvent.objects.filter(permit=permit).order_by("id").values_list("at"))
        assert times == sorted(times), permit.number


def test_cancelled_and_paused_say_why(demo):
    org = _org("ent1")
    cancelled = Permit.objects.get(organization=org, state=PermitState.CANCELLED)
    assert "夜间" in cancelled.cancel_reason
    paused = Permit.objects.get(organization=org, state=PermitState.PAUSED)
    assert paused.events.get(kind=EventKind.PAUSE).comment


@pytest.mark.django_db
def test_build_is_deterministic_and_fast(demo):
    """A second build over the same units gives the same permits (new numbers), quickly."""
    units = [_org("ent1"), _org("ent2")]
    from anpai.orgs.models import Organization

    units += list(
        Organization.objects.filter(
            name__in=[demo_permits.HENGTONG, demo_permits.HONGSHENG, demo_permits.BINGCHUAN]
        )
    )

    def snapshot(ids):
        return sorted(
            Permit.objects.filter(pk__in=ids).values_list(
                "organization__name", "type", "level", "state", "content", "guardian"
            )
        )

    first = set(Permit.objects.values_list("pk", flat=True))
    before = snapshot(first)
    started = time.perf_counter()
    result = demo_permits.build_permits(units)
    seconds = time.perf_counter() - started
    again = set(Permit.objects.values_list("pk", flat=True)) - first
    assert snapshot(again) == before
    assert result.permits == len(again) == len(first)
    assert result.by_state[PermitState.IN_PROGRESS] >= 3
    assert seconds < 3, seconds  # about 0.5 s on a developer's machine

"""Demo hazards: every state and level, ent1's enterprise in every state, seeded, fast."""

from __future__ import annotations

import re
import time
from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from anpai.demo import hazards as demo_hazards
from anpai.demo.build import build_demo
from anpai.demo.tests.test_demo import _wipe
from anpai.hazards.choices import EventKind, HazardLevel, HazardState
from anpai.hazards.models import Attachment, Hazard
from anpai.orgs.choices import OrgKind
from anpai.people.models import Membership

S = HazardState


def _org(username):
    return Membership.objects.get(user__username=username).organization


def _expected_states():
    plan = [*demo_hazards.ENT1, *demo_hazards.ENT2, *demo_hazards.OTHERS]
    return Counter(state for _, state, _, _ in plan), Counter(level for _, _, level, _ in plan)


def test_counts_per_state_and_level(demo):
    states, levels = _expected_states()
    seeded = Hazard.objects.filter(answers__isnull=True)  # not the inspections' findings
    assert seeded.count() == demo_hazards.PER_COPY == 60
    assert Counter(seeded.values_list("state", flat=True)) == states
    assert Counter(seeded.values_list("level", flat=True)) == levels
    assert set(states) == set(S.values)
    majors = seeded.filter(level=HazardLevel.MAJOR)
    assert majors.count() == 6  # about 10 %
    supervised = Hazard.objects.filter(is_supervised=True)
    assert supervised.count() >= 3
    assert not supervised.exclude(level=HazardLevel.MAJOR).exists()
    assert not supervised.exclude(state__in=[S.REPORTED, S.ASSIGNED, S.RECTIFIED]).exists()
    assert not majors.filter(reported_up_at=None).exists()
    assert len(set(Hazard.objects.values_list("source", flat=True))) >= 4


def test_ent1_has_every_state_and_ent2_some(demo):
    ent1 = set(Hazard.objects.filter(organization=_org("ent1")).values_list("state", flat=True))
    assert ent1 == set(S.values)
    assert Hazard.objects.filter(organization=_org("ent2")).count() >= 3
    # ent2 sees none of ent1's; ent1safety sees all of its own enterprise's.
    ent1_ids = set(Hazard.objects.filter(organization=_org("ent1")).values_list("pk", flat=True))
    assert not ent1_ids & set(Hazard.objects.restrict(demo["ent2"]).values_list("pk", flat=True))
    assert ent1_ids <= set(Hazard.objects.restrict(demo["ent1safety"]).values_list("pk", flat=True))


def test_only_enterprises_and_places_have_hazards(demo):
    kinds = set(Hazard.objects.values_list("organization__kind", flat=True))
    assert kinds <= {OrgKind.ENTERPRISE, OrgKind.PLACE}
    assert Hazard.objects.values("organization").distinct().count() >= 25


def test_dates_show_overdue_and_due_soon_today(demo):
    today = timezone.localdate()
    assert Hazard.objects.overdue().count() >= 4
    assert Hazard.objects.overdue().filter(organization=_org("ent1")).exists()
    due_soon = Hazard.objects.filter(
        state=S.ASSIGNED, deadline__range=(today + timedelta(days=1), today + timedelta(days=3))
    )
    assert due_soon.count() >= 3
    start, end = demo_hazards.CAMPAIGN
    for h in Hazard.objects.filter(state=S.CLOSED):
        assert start <= timezone.localtime(h.found_at).date() <= end
        assert h.found_at <= h.assigned_at <= h.rectified_at <= h.verified_at
        assert h.verified_by_id != h.rectified_by_id  # nobody accepts their own work
        if h.is_major:
            assert h.verified_by.username == "township"
    for h in Hazard.objects.exclude(state=S.CLOSED):
        assert today - timedelta(days=60) <= timezone.localtime(h.found_at).date() < today


def test_hazards_are_complete_with_numbers_and_history(demo):
    for h in Hazard.objects.prefetch_related("events"):
        assert re.fullmatch(rf"YH{timezone.localtime(h.found_at):%Y}-{h.pk:06d}", h.number)
        kinds = [e.kind for e in h.events.all()]
        assert kinds[0] == EventKind.REPORT
        if h.state in (S.ASSIGNED, S.RECTIFIED, S.CLOSED):
            assert all([h.responsible_name, h.measures, h.funds, h.deadline, h.contingency])
            assert EventKind.ASSIGN in kinds
            if h.is_major:
                assert all(getattr(h, f) for f in demo_hazards.PLAN)
        if h.state == S.CLOSED:
            assert kinds[-1] == EventKind.ACCEPT
        if h.state == S.VOIDED:
            assert h.void_reason
            assert kinds[-1] == EventKind.VOID
        assert h.version == 1 + sum(k not in (EventKind.REPORT, EventKind.REPORT_UP) for k in kinds)
    assert Hazard.objects.values("title").distinct().count() >= 15
    assert Hazard.objects.values("category").distinct().count() >= 7


def test_ent1_hazards_have_before_and_after_photos(demo):
    photos = Attachment.objects.filter(hazard__organization=_org("ent1"))
    assert (
        photos.filter(kind="before").count()
        == Hazard.objects.filter(organization=_org("ent1")).count()
    )
    assert photos.filter(kind="after").exists()
    one = photos.first()
    assert default_storage.exists(one.file.name)
    assert default_storage.exists(one.thumbnail.name)


def test_demo_accounts_have_unread_notifications_and_no_mail_is_queued(demo):
    from anpai.notifications.models import Delivery, Notification

    unread = Notification.objects.filter(read_at=None)
    assert unread.filter(recipient=demo["township"]).exists()  # major hazards reported
    assert unread.filter(recipient=demo["ent1safety"]).exists()  # rectification to do
    assert not Notification.objects.exclude(recipient__in=demo.values()).exists()
    assert not Delivery.objects.exists()


def _snapshot():
    return list(
        Hazard.objects.order_by("id").values_list(
            "organization__name", "title", "state", "level", "source", "deadline", "found_at"
        )
    )


def test_deterministic_and_fast(demo):
    first = _snapshot()
    _wipe()
    build_demo(password="x-Demo-2024")
    assert _snapshot() == first
    units = list(
        Hazard.objects.values_list("organization", flat=True).distinct()
    )  # warm caches; now time the hazards alone
    Hazard.objects.all().delete()
    from anpai.orgs.models import Organization

    all_units = list(
        Organization.objects.filter(kind__in=[OrgKind.ENTERPRISE, OrgKind.PLACE]).order_by("id")
    )
    assert units
    started = time.perf_counter()
    assert demo_hazards.build_hazards(all_units) == 60
    assert time.perf_counter() - started < 1.0


def test_scale_multiplies_hazards(demo):
    _wipe()
    result = build_demo(password="x-Demo-2024", scale=2)
    seeded = Hazard.objects.filter(answers__isnull=True)  # not the inspections' findings
    assert result.hazards == seeded.count() == 2 * demo_hazards.PER_COPY


@pytest.mark.django_db(transaction=True)
def test_demo_command_prints_hazard_count_and_logins(settings):
    settings.DEMO_PASSWORD = "Printed-pass-2024"
    call_command("flush", interactive=False)
    out = StringIO()
    started = time.perf_counter()
    call_command("demo", "--no-serve", stdout=out)
    assert time.perf_counter() - started < 15
    text = out.getvalue()
    assert "60 hazards" in text
    assert "ent1safety" in text


def test_government_inspections_report_what_they_found(demo):
    """The season's township inspections fail an item or two, reported as real hazards."""
    from anpai.inspections.models import Answer

    findings = Answer.objects.filter(result="fail", inspection__kind="township").select_related(
        "hazard", "item__clause", "inspection"
    )
    assert findings.exists()
    for answer in findings:
        hazard = answer.hazard
        assert hazard is not None
        assert hazard.source == "gov_inspection"
        assert hazard.organization_id == answer.inspection.organization_id
        assert hazard.number.startswith("YH")
        if answer.item.clause is not None:
            cited = answer.item.clause.in_force_on(answer.inspection.date)
            assert hazard.standard_clause == cited
            assert hazard.is_major == cited.makes_major

"""Demo enforcement: cases in every state built through the real actions, a review due in
a few days and one overdue, a suspended unit whose status follows its case, a closed-down
one, consecutive numbers per kind and year, a cancelled document that keeps its number,
ent1's case from an inspection with an on-site record, and accountability records; fast."""

from __future__ import annotations

import re
import time
from collections import defaultdict
from datetime import timedelta

import pytest
from django.utils import timezone

from anpai.audit import log as audit_log
from anpai.demo import enforcement as demo_enforcement
from anpai.enforcement import actions
from anpai.enforcement.choices import CaseState, DocumentKind, MeasureKind, ReviewState
from anpai.enforcement.models import (
    AccountabilityRecord,
    Case,
    Document,
    DocumentCounter,
    DocumentSettings,
    Measure,
    Review,
)
from anpai.orgs.choices import OrgKind, OrgStatus
from anpai.orgs.models import Organization
from anpai.people.models import Membership, User

pytestmark = pytest.mark.django_db


def _org(username: str) -> Organization:
    return Membership.objects.get(user__username=username).organization


def test_settings_and_cases_in_every_state(demo):
    settings = DocumentSettings.objects.get(region__name="西槽头乡")
    assert (settings.prefix, settings.authority) == ("西安监", "西槽头乡人民政府")
    assert settings.contact
    cases = Case.objects.all()
    assert 8 <= cases.count() <= 10
    assert set(cases.values_list("state", flat=True)) == set(CaseState.values)
    township = User.objects.get(username="township")
    assert set(cases.values_list("opened_by", flat=True)) == {township.pk}
    # Every kind of document and measure is there.
    assert set(Document.objects.values_list("kind", flat=True)) == set(DocumentKind.values)
    assert set(Measure.objects.values_list("kind", flat=True)) == set(MeasureKind.values)


def test_a_review_due_in_a_few_days_and_one_overdue(demo):
    today = timezone.localdate()
    due = Review.objects.due()
    assert due.filter(due_on__gt=today, due_on__lte=today + timedelta(days=7)).exists()
    overdue = Review.objects.overdue()
    assert overdue.exists()
    review = overdue.get()
    assert review.case.state == CaseState.OPEN
    assert review.due_on == review.deadline + timedelta(days=10)
    # Cases with an overdue review answer the list's filter.
    assert review.case.organization.name == demo_enforcement.STATION


def test_a_closed_case_after_a_passed_review(demo):
    passed = Review.objects.get(state=ReviewState.PASSED)
    assert passed.case.state == CaseState.CLOSED
    assert passed.document.kind == DocumentKind.REVIEW
    assert passed.document.content["order_number"] == passed.measure.document.number
    assert passed.document.number in passed.case.conclusion
    assert passed.reviewed_on < timezone.localdate()
    # The history is dated on the days it happened, not at build time.
    closed = passed.case.events.get(kind="closed")
    assert timezone.localtime(closed.at).date() == passed.reviewed_on


def test_the_suspended_unit_shows_so_and_its_status_follows_its_case(demo):
    suspended = Organization.objects.filter(status=OrgStatus.SUSPENDED)
    assert suspended.exists()
    for org in suspended:
        in_force = Measure.objects.filter(
            case__organization=org, kind=MeasureKind.SUSPENSION, lifted_at__isnull=True
        )
        assert in_force.exists(), org.name
        assert in_force.get().case.state == CaseState.ESCALATED
        assert in_force.get().case.reviews.filter(state=ReviewState.FAILED).exists()
    assert _org("ent1") not in suspended  # ent1's principal still runs permits
    # Every suspension or closure in force shows on its organisation.
    for measure in Measure.objects.filter(
        kind__in=[MeasureKind.SUSPENSION, MeasureKind.CLOSURE], lifted_at__isnull=True
    ):
        expected = (
            OrgStatus.SUSPENDED if measure.kind == MeasureKind.SUSPENSION else OrgStatus.CLOSED
        )
        assert measure.case.organization.status == expected
    closed = Organization.objects.get(status=OrgStatus.CLOSED)
    assert closed.name == demo_enforcement.WORKSHOP
    assert closed.enforcement_cases.get().state == CaseState.CLOSED


def test_numbers_are_consecutive_per_kind_and_year(demo):
    series: dict[tuple[int, str, int], list[int]] = defaultdict(list)
    for document in Document.objects.all():
        series[(document.township_id, document.kind, document.year)].append(document.serial)
        abbr = actions.config(document.township)["kinds"][document.kind]["abbr"]
        assert document.number == f"西安监{abbr}〔{document.year}〕{document.serial}号"
        assert document.content["number"] == document.number
    for (township, kind, year), serials in series.items():
        assert sorted(serials) == list(range(1, len(serials) + 1)), (kind, serials)
        counter = DocumentCounter.objects.get(region_id=township, kind=kind, year=year)
        assert counter.last == len(serials)
    by_year: dict[int, list[int]] = defaultdict(list)
    for number in Case.objects.values_list("number", flat=True):
        match = re.fullmatch(r"西安监立〔(\d{4})〕(\d+)号", number)
        assert match, number
        by_year[int(match[1])].append(int(match[2]))
    for numbers in by_year.values():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))


def test_a_cancelled_document_keeps_its_number(demo):
    cancelled = Document.objects.get(cancelled_at__isnull=False)
    assert cancelled.cancel_reason
    assert cancelled.kind == DocumentKind.ORDER
    again = Document.objects.filter(case=cancelled.case, kind=DocumentKind.ORDER).exclude(
        pk=cancelled.pk
    )
    assert again.get().serial > cancelled.serial
    # Its review went; the new order's review is due.
    assert [r.measure.document_id for r in cancelled.case.reviews.all()] == [again.get().pk]


def test_ent1s_case_comes_from_an_inspection_with_an_on_site_record(demo):
    case = Case.objects.get(organization=_org("ent1"))
    assert case.state == CaseState.OPEN
    record = case.documents.get(kind=DocumentKind.RECORD)
    assert record.content["inspectors"]
    assert record.content["items"]
    order = case.documents.get(kind=DocumentKind.ORDER)
    assert order.content["items"]
    if case.inspection is not None:
        assert case.inspection.organization == case.organization
        assert record.content["inspected_on"] == case.inspection.date.isoformat()
    # ent1 reads its case; ent2 does not see it.
    assert Case.objects.restrict(User.objects.get(username="ent1")).filter(pk=case.pk).exists()
    assert not Case.objects.restrict(User.objects.get(username="ent2")).filter(pk=case.pk)


def test_fine_and_referral(demo):
    case = Case.objects.get(organization__name=demo_enforcement.LPG)
    kinds = set(case.measures.values_list("kind", flat=True))
    assert kinds == {MeasureKind.FINE, MeasureKind.REFERRAL}
    assert case.state == CaseState.CLOSED
    assert case.measures.get(kind=MeasureKind.FINE).amount == 50000


def test_accountability_records_leave_overdue_major_hazards_suggested(demo):
    records = AccountabilityRecord.objects.all()
    assert set(records.values_list("kind", flat=True)) == {
        "exposure", "notice", "interview", "referral",
    }  # fmt: skip
    interview = records.get(kind="interview")
    assert interview.person_name
    referral = records.get(kind="referral")
    assert (referral.referral_to, referral.organization.kind) == ("discipline", OrgKind.VILLAGE)
    assert records.filter(cases__isnull=False).distinct().count() >= 3
    assert records.filter(hazards__isnull=False).exists()
    township = User.objects.get(username="township")
    suggested = actions.suggestions(township)
    # The failed review is settled by the exposure; overdue major hazards stay on the list.
    assert not [s for s in suggested if s["reason"] == "order_ignored"]
    assert [s for s in suggested if s["reason"] == "major_overdue"]


def test_build_is_fast(demo):
    """A second build over the same units opens the same cases again, quickly."""
    units = list(
        Organization.objects.filter(kind__in=[OrgKind.ENTERPRISE, OrgKind.PLACE]).order_by("pk")
    )
    township_org = Organization.objects.get(kind=OrgKind.TOWNSHIP)
    committees = list(Organization.objects.filter(kind=OrgKind.VILLAGE).order_by("pk"))
    before = Case.objects.count()
    started = time.perf_counter()
    with audit_log.batch():  # as the demo build does: the audit chain is written once
        made = demo_enforcement.build_enforcement(
            units, township_org=township_org, committees=committees, seed=1
        )
    seconds = time.perf_counter() - started
    assert made == Case.objects.count() - before == before
    assert seconds < 3, seconds  # 0.65 s on SQLite on an idle developer's machine

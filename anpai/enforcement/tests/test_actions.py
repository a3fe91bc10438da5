"""Cases, numbered documents, reviews, organisation status and accountability suggestions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from anpai.core.errors import Conflict, Forbidden, Invalid, NotFound
from anpai.enforcement import actions
from anpai.enforcement.choices import CaseState, DocumentKind, EventKind, ReviewState
from anpai.enforcement.models import Case, Document, DocumentCounter, Review
from anpai.enforcement.tests.conftest import later
from anpai.hazards.models import Hazard
from anpai.notifications.models import Notification
from anpai.orgs.choices import OrgStatus

pytestmark = pytest.mark.django_db


def test_a_finding_becomes_a_case_an_order_a_review_and_a_closing_opinion(demo, case, org):
    township = demo["township"]
    assert case.state == CaseState.OPEN
    assert case.number.startswith("西安监立〔")
    order = actions.issue_order(case, by=township, deadline=later(15))
    year = timezone.localdate().year
    first = Document.objects.filter(kind=DocumentKind.ORDER, year=year).order_by("serial")
    assert order.number == f"西安监责改〔{year}〕{order.serial}号"
    assert order.serial == first.last().serial
    # The order lists the inspection's failed items and says by when.
    assert order.content["items"], "the problems come from the inspection's failed items"
    assert order.content["deadline"] == later(15)
    assert order.content["addressee"] == org.name
    assert order.content["authority"] == "西槽头乡人民政府"
    review = Review.objects.get(case=case)
    assert review.due_on == timezone.localdate() + timedelta(days=25)  # deadline + 10 days
    # The enterprise is told.
    assert Notification.objects.filter(recipient=demo["ent1"], key=f"document:{order.pk}").exists()

    opinion = actions.record_review(review, by=township, passed=True, findings="报警装置已安装")
    case.refresh_from_db()
    assert opinion.kind == DocumentKind.REVIEW
    assert opinion.number == f"西安监复查〔{year}〕{opinion.serial}号"
    assert opinion.content["order_number"] == order.number
    assert "整改合格" in opinion.content["opinion"]
    assert case.state == CaseState.CLOSED
    assert opinion.number in case.conclusion
    with pytest.raises(Conflict):  # a closed case's documents are final
        actions.cancel_document(opinion, by=township, reason="误发")
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == [
        EventKind.OPENED,
        EventKind.DOCUMENT,
        EventKind.MEASURE,
        EventKind.DOCUMENT,
        EventKind.REVIEWED,
        EventKind.CLOSED,
    ]


def test_numbers_run_per_township_kind_and_year_without_gaps(demo, case):
    township = demo["township"]
    a = actions.issue_record(case, by=township)
    b = actions.issue_order(case, by=township, deadline=later(10))
    c = actions.issue_order(case, by=township, deadline=later(20))
    assert c.serial == b.serial + 1
    assert a.kind == DocumentKind.RECORD
    assert "检记" in a.number
    # A step that fails after taking a number gives it back (the transaction rolls back).
    with pytest.raises(Invalid):
        actions.issue_order(case, by=township, deadline=later(10), items=[], issued_on="2999-01-01")
    d = actions.issue_order(case, by=township, deadline=later(30))
    assert d.serial == c.serial + 1
    counter = DocumentCounter.objects.get(region=case.township, kind="order", year=d.year)
    assert counter.last == d.serial


def test_a_cancelled_document_keeps_its_number_and_its_review_goes(demo, case):
    township = demo["township"]
    order = actions.issue_order(case, by=township, deadline=later(10))
    with pytest.raises(Invalid) as err:
        actions.cancel_document(order, by=township, reason="")
    assert "reason" in err.value.fields
    actions.cancel_document(order, by=township, reason="文书送达对象有误")
    order.refresh_from_db()
    assert order.is_cancelled
    assert order.cancel_reason == "文书送达对象有误"
    assert not Review.objects.filter(case=case, state=ReviewState.PENDING).exists()
    again = actions.issue_order(case, by=township, deadline=later(10))
    assert again.serial == order.serial + 1  # the cancelled number is not reused
    with pytest.raises(Conflict):
        actions.cancel_document(order, by=township, reason="再次作废")


def test_a_failed_review_escalates_and_is_suggested_for_accountability(demo, case, org):
    township = demo["township"]
    actions.issue_order(case, by=township, deadline=later(5))
    review = Review.objects.get(case=case)
    opinion = actions.record_review(review, by=township, passed=False, findings="报警装置仍未安装")
    case.refresh_from_db()
    assert case.state == CaseState.ESCALATED
    assert "未按要求完成整改" in opinion.content["opinion"]
    suggested = [s for s in actions.suggestions(township) if s["reason"] == "order_ignored"]
    assert [s["case"].pk for s in suggested] == [case.pk]
    # Recording an interview settles the suggestion; nothing is punished automatically.
    record = actions.record_accountability(
        by=township,
        organization=org,
        kind="interview",
        reason="拒不执行整改指令",
        person_name=org.principal_name,
        cases=[case.pk],
    )
    assert record.cases.get() == case
    assert not [s for s in actions.suggestions(township) if s["reason"] == "order_ignored"]


def test_suspension_and_closure_change_the_organisations_status(demo, case, org):
    township = demo["township"]
    actions.issue_suspension(case, by=township, deadline=later(30))
    org.refresh_from_db()
    assert org.status == OrgStatus.SUSPENDED
    review = Review.objects.get(case=case)
    actions.record_review(review, by=township, passed=True, findings="整顿完毕，复查合格")
    org.refresh_from_db()
    case.refresh_from_db()
    assert org.status == OrgStatus.OPERATING
    assert case.state == CaseState.CLOSED
    assert case.events.filter(kind=EventKind.LIFTED).exists()

    second = actions.open_case(
        by=township,
        organization=org,
        title="拒不执行",
        facts="复产后仍违法生产",
        grounds=["order_ignored"],
    )
    actions.issue_closure(second, by=township, items=["经停产整顿仍不具备安全生产条件"])
    org.refresh_from_db()
    second.refresh_from_db()
    assert org.status == OrgStatus.CLOSED
    assert second.state == CaseState.CLOSED
    with pytest.raises(Conflict):
        actions.issue_order(second, by=township, deadline=later(5))


def test_who_may_do_what(demo, case, other_org):
    with pytest.raises(NotFound):
        actions.issue_order(case, by=demo["ent2"], deadline=later(5))
    with pytest.raises(Forbidden):
        actions.issue_order(case, by=demo["ent1"], deadline=later(5))  # it sees its own case
    with pytest.raises(Forbidden):
        actions.issue_order(case, by=demo["leader"], deadline=later(5))
    with pytest.raises(NotFound):
        actions.open_case(
            by=demo["ent1"], organization=other_org, title="x", facts="x", grounds=["other"]
        )


def test_bad_input_names_the_field_and_changes_nothing(demo, case, org):
    township = demo["township"]
    before = Case.objects.count()
    with pytest.raises(Invalid) as err:
        actions.open_case(by=township, organization=org, title="", facts="", grounds=["nope"])
    assert set(err.value.fields) == {"title"}
    with pytest.raises(Invalid) as err:
        actions.open_case(by=township, organization=org, title="t", facts="f", grounds=[])
    assert "grounds" in err.value.fields
    assert Case.objects.count() == before
    with pytest.raises(Invalid) as err:
        actions.issue_order(case, by=township, deadline=timezone.localdate().isoformat())
    assert "deadline" in err.value.fields
    with pytest.raises(Invalid) as err:
        actions.record_fine(case, by=township, amount="-5")
    assert "amount" in err.value.fields
    with pytest.raises(Invalid) as err:
        actions.refer(case, by=township, referral_to="mars")
    assert "referral_to" in err.value.fields
    assert not Document.objects.filter(case=case).exists()


def test_close_by_hand_waits_for_due_reviews(demo, case):
    township = demo["township"]
    actions.record_fine(case, by=township, amount="20000", decision_number="西安监罚〔2026〕1号")
    actions.issue_order(case, by=township, deadline=later(5))
    with pytest.raises(Conflict):
        actions.close_case(case, by=township, conclusion="已罚款")
    assert actions.available_actions(Case.objects.get(pk=case.pk), demo["township"])


def test_overdue_major_hazards_are_suggested(demo):
    township = demo["township"]
    overdue = Hazard.objects.restrict(township).overdue().filter(level="major")
    suggested = {s["hazard"].pk for s in actions.suggestions(township) if s["hazard"]}
    assert suggested == set(overdue.values_list("pk", flat=True))
    assert suggested, "the demo holds an overdue major hazard"
    # An enterprise sees only its own.
    own = {s["hazard"].organization_id for s in actions.suggestions(demo["ent1"]) if s["hazard"]}
    assert len(own) <= 1


def test_township_settings_change_new_numbers_only(demo, case):
    township = demo["township"]
    first = actions.issue_order(case, by=township, deadline=later(5))
    actions.save_settings(
        by=township,
        region=case.township,
        prefix="西槽安监",
        authority="西槽头乡人民政府",
        review_days=7,
        kinds={"order": {"abbr": "限改"}},
    )
    second = actions.issue_order(case, by=township, deadline=later(5))
    first.refresh_from_db()
    assert first.number.startswith("西安监责改")
    assert second.number.startswith("西槽安监限改")
    assert Review.objects.filter(case=case).order_by("-id").first().due_on == (
        timezone.localdate() + timedelta(days=12)
    )
    with pytest.raises(Forbidden):
        actions.save_settings(by=demo["ent1"], region=case.township, prefix="x", authority="y")
    with pytest.raises(Invalid) as err:
        actions.save_settings(by=township, region=case.township, prefix="西〔", authority="")
    assert {"prefix", "authority"} <= set(err.value.fields)

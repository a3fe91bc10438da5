"""The enforcement pages: what each role sees and may do, bad input, the step flow
through the pages, and the case list at a constant number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from anpai.enforcement import actions
from anpai.enforcement.choices import CaseState, DocumentKind, ReviewState
from anpai.enforcement.models import (
    AccountabilityRecord,
    Case,
    Document,
    DocumentSettings,
    Review,
)
from anpai.enforcement.tests.conftest import later
from anpai.orgs.choices import OrgStatus

pytestmark = pytest.mark.django_db


def _open(demo, org, title="现场发现问题", **kw):
    return actions.open_case(
        by=demo["township"],
        organization=org,
        title=title,
        facts="检查发现消防通道堵塞。",
        grounds=kw.pop("grounds", ["other"]),
        **kw,
    )


def _url(name, *args):
    return reverse(f"enforcement:{name}", args=args)


# ---------------------------------------------------------------- every page


def test_every_page_answers_the_township_officer(demo, login, case, org):
    order = actions.issue_order(case, by=demo["township"], deadline=later(10))
    record = actions.record_accountability(
        by=demo["township"], organization=org, kind="interview", reason="约谈主要负责人"
    )
    client = login("township")
    pages = [
        _url("list"),
        _url("detail", case.pk),
        _url("create"),
        _url("create") + f"?organization={org.pk}",
        _url("edit", case.pk),
        _url("record", case.pk),
        _url("order", case.pk),
        _url("suspend", case.pk),
        _url("close_down", case.pk),
        _url("fine", case.pk),
        _url("refer", case.pk),
        _url("review", case.pk),
        _url("cancel_document", order.pk),
        _url("reviews"),
        _url("documents"),
        _url("accountability"),
        _url("accountability_create"),
        _url("accountability_detail", record.pk),
        _url("suggestions"),
        _url("settings"),
        _url("org_cases", org.pk),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
    # The case page shows the number, the order and the review due after the deadline.
    page = client.get(_url("detail", case.pk)).content.decode()
    assert case.number in page
    assert order.number in page
    due = Review.objects.get(case=case).due_on
    assert due.isoformat() in page
    for step in ("order", "review", "suspend", "close_down", "fine", "refer", "edit"):
        assert f'data-testid="step-{step}"' in page
    # close is not offered while a review is due
    assert 'data-testid="step-close"' not in page


def test_the_order_page_is_filled_in_from_the_inspection(demo, login, case):
    page = login("township").get(_url("order", case.pk)).content.decode()
    for line in actions.findings(case):
        assert line in page
    year = timezone.localdate().year
    assert f"西安监责改〔{year}〕" in page  # the number it will get


def test_opening_from_an_inspection_prefills_the_organisation_facts_and_link(
    demo, login, inspection, org
):
    client = login("township")
    page = client.get(_url("create") + f"?inspection={inspection.pk}").content.decode()
    assert f'value="{org.pk}" selected' in page
    assert f'name="inspection" value="{inspection.pk}"' in page
    failed = inspection.answers.filter(result="fail").select_related("item")
    assert failed.count() == 2
    for answer in failed:
        assert (answer.hazard_title or answer.item.question) in page


# ---------------------------------------------------------------- scope and roles


def test_an_enterprise_sees_only_its_own_cases(demo, login, case, other_org):
    other = _open(demo, other_org, title="乙公司的案件")
    client = login("ent1")
    listing = client.get(_url("list")).content.decode()
    assert case.number in listing
    assert other.number not in listing
    assert client.get(_url("detail", case.pk)).status_code == 200
    assert client.get(_url("detail", other.pk)).status_code == 404
    assert client.get(_url("order", other.pk)).status_code == 404
    # its own case is read-only to it
    page = client.get(_url("detail", case.pk)).content.decode()
    assert 'data-testid="case-steps"' not in page
    assert client.get(_url("order", case.pk)).status_code == 403


@pytest.mark.parametrize("username", ["leader", "county"])
def test_leader_and_county_read_but_take_no_step(demo, login, case, username):
    client = login(username)
    page = client.get(_url("detail", case.pk))
    assert page.status_code == 200
    assert 'data-testid="case-steps"' not in page.content.decode()
    for step in ("order", "review", "close", "edit", "record", "fine"):
        response = client.post(_url(step, case.pk), {"deadline": later(10), "conclusion": "x"})
        assert response.status_code == 403, step
    assert client.post(_url("create"), {"organization": case.organization_id}).status_code == 403
    case.refresh_from_db()
    assert case.state == CaseState.OPEN
    assert not Document.objects.filter(case=case).exists()


def test_a_document_file_of_another_organisation_answers_404(demo, login, case, monkeypatch):
    from anpai.enforcement import render

    order = actions.issue_order(case, by=demo["township"], deadline=later(10))
    monkeypatch.setattr(render, "pdf", lambda document: b"%PDF-1.4 test")
    monkeypatch.setattr(render, "docx", lambda document: b"PK\x03\x04 test")
    assert login("ent2").get(_url("document_pdf", order.pk)).status_code == 404
    client = login("ent1")
    pdf = client.get(_url("document_pdf", order.pk))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    word = client.get(_url("document_docx", order.pk))
    assert word.status_code == 200
    assert word["Content-Type"].endswith("wordprocessingml.document")
    # the file is named by the document number
    from urllib.parse import quote

    assert quote(f"{order.number}.docx") in word["Content-Disposition"]


# ---------------------------------------------------------------- bad input


def test_an_order_without_a_deadline_is_refused_naming_the_field(demo, login, case, english):
    client = login("township")
    response = client.post(
        _url("order", case.pk),
        {"items": "1. 问题", "version": case.version},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="error-deadline"' in body
    assert "Deadline is required." in body
    assert not Document.objects.filter(case=case).exists()
    # a deadline before the date of issue
    response = client.post(
        _url("order", case.pk),
        {"deadline": (timezone.localdate() - timedelta(days=1)).isoformat(), "items": "问题"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "The deadline must be after the date of issue." in response.content.decode()
    assert not Review.objects.filter(case=case).exists()


def test_a_case_without_grounds_is_refused_and_nothing_is_saved(demo, login, org, english):
    client = login("township")
    before = Case.objects.count()
    response = client.post(
        _url("create"),
        {"organization": org.pk, "title": "无案由", "facts": "事实"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="error-grounds"' in body
    assert "Choose at least one ground for the case." in body
    assert Case.objects.count() == before


def test_a_fine_that_is_not_a_number_is_refused(demo, login, case, english):
    response = login("township").post(
        _url("fine", case.pk), {"amount": "五千"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "Amount must be a number." in response.content.decode()
    assert not case.measures.exists()


def test_settings_refuse_a_bad_prefix_and_show_the_sample_number(demo, login, english):
    client = login("township")
    page = client.get(_url("settings")).content.decode()
    year = timezone.localdate().year
    assert f"西安监责改〔{year}〕1号" in page
    assert 'data-testid="verify-order"' in page  # the shipped basis is not verified
    response = client.post(
        _url("settings"),
        {"prefix": "西安〔监", "authority": "西槽头乡人民政府", "review_days": "10"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert 'data-testid="error-prefix"' in response.content.decode()
    assert not DocumentSettings.objects.filter(prefix="西安〔监").exists()
    response = client.post(
        _url("settings"),
        {
            "prefix": "西槽监",
            "authority": "西槽头乡人民政府",
            "review_days": "7",
            "kinds.order.abbr": "限改",
        },
    )
    assert response.status_code == 302
    page = client.get(_url("settings")).content.decode()
    assert f"西槽监限改〔{year}〕1号" in page
    assert login("leader").get(_url("settings")).status_code == 403


def test_cancelling_needs_a_reason_and_keeps_the_number(demo, login, case, english):
    order = actions.issue_order(case, by=demo["township"], deadline=later(10))
    client = login("township")
    response = client.post(
        _url("cancel_document", order.pk), {"reason": ""}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "Reason for cancellation is required." in response.content.decode()
    response = client.post(_url("cancel_document", order.pk), {"reason": "送达对象有误"})
    assert response.status_code == 302
    page = client.get(_url("detail", case.pk)).content.decode()
    assert order.number in page
    assert 'data-testid="document-cancelled"' in page
    assert "送达对象有误" in page
    assert (
        login("leader").post(_url("cancel_document", order.pk), {"reason": "x"}).status_code == 403
    )


# ---------------------------------------------------------------- the flow


def test_from_inspection_to_order_to_review_to_closed(demo, login, inspection, org):
    client = login("township")
    response = client.post(
        _url("create"),
        {
            "organization": org.pk,
            "inspection": inspection.pk,
            "title": "检查发现重大隐患",
            "facts": "检查发现：可燃气体报警装置未安装。",
            "grounds": ["major_not_acted"],
        },
    )
    assert response.status_code == 302
    case = Case.objects.get(inspection=inspection)
    assert response["Location"] == _url("detail", case.pk)

    deadline = later(15)
    response = client.post(
        _url("order", case.pk),
        {
            "deadline": deadline,
            "items": "1. 安装可燃气体报警装置\n2. 气瓶间单独设置",
            "requirement": "限期整改完毕。",
            "version": case.version,
        },
        follow=True,
    )
    order = Document.objects.get(case=case, kind=DocumentKind.ORDER)
    review = Review.objects.get(case=case)
    assert order.content["items"] == ["安装可燃气体报警装置", "气瓶间单独设置"]
    assert order.content["deadline"] == deadline
    body = response.content.decode()
    assert order.number in body
    assert review.due_on.isoformat() in body
    assert review.due_on > timezone.localdate() + timedelta(days=15)

    # the review page offers the pending review; a review without findings is refused
    assert client.get(_url("review", case.pk)).status_code == 200
    response = client.post(_url("review", case.pk), {"review": review.pk, "result": "passed"})
    assert response.status_code == 400
    response = client.post(
        _url("review", case.pk),
        {"review": review.pk, "result": "passed", "findings": "报警装置已安装并投用"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    review.refresh_from_db()
    assert review.state == ReviewState.PASSED
    assert case.state == CaseState.CLOSED
    page = client.get(_url("detail", case.pk)).content.decode()
    assert 'data-state="closed"' in page
    assert review.document.number in page
    assert 'data-testid="case-steps"' not in page  # nothing left to do
    assert 'data-testid="document-cancel"' not in page  # its documents are final
    # a step on a closed case is refused, nothing changes
    response = client.post(_url("order", case.pk), {"deadline": later(5), "items": "x"})
    assert response.status_code == 302
    assert Document.objects.filter(case=case, kind=DocumentKind.ORDER).count() == 1


def test_suspension_shows_on_the_organisation_everywhere(demo, login, case, org):
    client = login("township")
    response = client.post(
        _url("suspend", case.pk),
        {"deadline": later(30), "items": "拒不整改", "version": case.version},
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.status == OrgStatus.SUSPENDED
    page = client.get(_url("detail", case.pk)).content.decode()
    assert 'data-testid="org-status-banner"' in page
    assert 'data-status="suspended"' in page
    listing = client.get(_url("list")).content.decode()
    assert 'data-status="suspended"' in listing
    org_page = client.get(reverse("orgs:detail", args=[org.pk])).content.decode()
    assert 'data-status="suspended"' in org_page
    inspection_page = client.get(
        reverse("inspections:detail", args=[case.inspection_id])
    ).content.decode()
    assert 'data-status="suspended"' in inspection_page


def test_accountability_with_a_file_and_access_checked_download(demo, login, org, photo):
    client = login("township")
    before = AccountabilityRecord.objects.count()
    response = client.post(
        _url("accountability_create"),
        {
            "organization": org.pk,
            "kind": "interview",
            "reason": "重大隐患逾期未整改",
            "files": photo(),
        },
    )
    assert response.status_code == 302
    record = AccountabilityRecord.objects.filter(organization=org).latest("id")
    item = record.files.get()
    page = client.get(_url("accountability_detail", record.pk)).content.decode()
    assert _url("accountability_file", item.pk) in page
    assert "/media/" not in page
    assert client.get(_url("accountability_file", item.pk)).status_code == 200
    assert login("ent2").get(_url("accountability_file", item.pk)).status_code == 404
    # a missing kind is refused naming the field
    client = login("township")
    response = client.post(_url("accountability_create"), {"organization": org.pk, "reason": "x"})
    assert response.status_code == 400
    assert 'data-testid="error-kind"' in response.content.decode()
    assert AccountabilityRecord.objects.count() == before + 1


def test_an_ignored_order_is_suggested_with_a_prefilled_button(demo, login, case):
    township = demo["township"]
    actions.issue_order(case, by=township, deadline=later(10))
    review = Review.objects.get(case=case)
    actions.record_review(review, by=township, passed=False, findings="未整改")
    page = login("township").get(_url("suggestions")).content.decode()
    assert 'data-reason="order_ignored"' in page
    assert f"case={case.pk}" in page
    assert 'data-testid="suggestion-record"' in page
    # Those who do not decide on accountability do not get the list at all.
    assert login("county").get(_url("suggestions")).status_code == 403
    assert login("ent1").get(_url("suggestions")).status_code == 403


def test_overdue_reviews_come_first_in_red(demo, login, case, org):
    township = demo["township"]
    actions.issue_order(case, by=township, deadline=later(10))
    second = _open(demo, org, title="第二个案件")
    actions.issue_order(second, by=township, deadline=later(5), items="消防通道堵塞")
    late = Review.objects.get(case=second)
    Review.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - timedelta(days=3))
    early = Review.objects.get(case=case)
    page = login("township").get(_url("reviews")).content.decode()
    assert page.index(f'data-pk="{late.pk}" data-overdue="1"') < page.index(f'data-pk="{early.pk}"')
    listing = login("township").get(_url("list") + "?overdue=true").content.decode()
    assert second.number in listing
    assert case.number not in listing


# ---------------------------------------------------------------- queries


def test_the_case_list_takes_the_same_number_of_queries_at_two_sizes(demo, login, org, other_org):
    township = demo["township"]
    client = login("township")

    def make(n):
        for i in range(n):
            c = _open(demo, org if i % 2 else other_org, title=f"案件{i}")
            actions.issue_order(c, by=township, deadline=later(10 + i), items=f"问题{i}")

    existing = Case.objects.count()  # the demo's
    make(2)
    client.get(_url("list"))  # warm caches (session, grants)
    with CaptureQueriesContext(connection) as small:
        assert client.get(_url("list")).status_code == 200
    make(8)
    with CaptureQueriesContext(connection) as large:
        page = client.get(_url("list"))
    assert page.content.decode().count('data-testid="case-row"') == existing + 10
    assert len(large) == len(small)
    with CaptureQueriesContext(connection) as export_small:
        assert client.get(_url("export")).status_code == 200
    make(3)
    with CaptureQueriesContext(connection) as export_large:
        assert client.get(_url("export")).status_code == 200
    assert len(export_large) == len(export_small)
    import io

    from openpyxl import load_workbook

    response = client.get(_url("export"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    numbers = {row[1] for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert set(Case.objects.values_list("number", flat=True)) <= numbers


def test_a_suspended_organisation_shows_so_on_its_permits_hazards_and_risk_points(
    demo, login, case, org
):
    from anpai.hazards.models import Hazard
    from anpai.permits.models import Permit
    from anpai.risks.models import RiskPoint

    permit = Permit.objects.filter(organization=org).first()
    hazard = Hazard.objects.filter(organization=org).first()
    point = RiskPoint.objects.filter(organization=org).first()
    assert permit is not None  # the demo's
    assert hazard is not None
    assert point is not None
    client = login("ent1")
    pages = {
        "permit": reverse("permits:detail", args=[permit.pk]),
        "hazard": reverse("hazards:detail", args=[hazard.pk]),
        "risk": reverse("risks:detail", args=[point.pk]),
    }
    for url in pages.values():
        assert 'data-testid="org-status-badge"' not in client.get(url).content.decode()
    actions.issue_suspension(case, by=demo["township"], deadline=later(20))
    for url in pages.values():
        assert 'data-status="suspended"' in client.get(url).content.decode(), url
    assert 'data-testid="org-status-warning"' in client.get(pages["permit"]).content.decode()
    # the case page lets the enterprise read, but offers it no step and no "open a case"
    assert login("ent1").get(_url("open_button") + f"?hazard={hazard.pk}").content == b""
    button = login("township").get(_url("open_button") + f"?hazard={hazard.pk}")
    assert f"hazard={hazard.pk}" in button.content.decode()

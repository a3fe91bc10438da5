"""The enforcement API: an inspection finding becomes a case, a numbered order, a review
due after the deadline and a review opinion that closes the case; a closed case answers
409, bad input 400 naming the field; scope 404 and role 403 (the enterprise reads its
own case and documents, takes no step); documents, reviews, accountability records and
suggestions; filters and query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anpai.enforcement import actions, render
from anpai.enforcement.choices import CaseState, DocumentKind, ReviewState
from anpai.enforcement.models import AccountabilityRecord, Case, Document, Measure, Review
from anpai.inspections import actions as inspection_actions
from anpai.inspections.tests.conftest import (  # noqa: F401 - fixtures used here
    answered,
    checklist,
    make_jpeg,
    org_of,
    photo,
    started,
)
from anpai.orgs.models import Organization
from anpai.people.choices import Role

CASES = "/api/v1/cases/"
REVIEWS = "/api/v1/reviews/"
DOCUMENTS = "/api/v1/documents/"
ACCOUNTABILITY = "/api/v1/accountability/"

pytestmark = pytest.mark.django_db


def later(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def step(client, pk: int, name: str, data: dict | None = None):
    return client.post(f"{CASES}{pk}/{name}/", data or {}, format="json")


def opened(client, organization, **extra) -> dict:
    body = {
        "organization": organization.pk,
        "title": "可燃气体报警装置未投用",
        "facts": "检查发现罐区可燃气体报警装置处于关闭状态。",
        "grounds": ["equipment"],
        **extra,
    }
    response = client.post(CASES, body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def _enterprise_of(user) -> Organization:
    return Organization.objects.get(memberships__user=user, memberships__role=Role.ENT_PRINCIPAL)


@pytest.fixture
def org(demo):
    """ent1's enterprise."""
    return _enterprise_of(demo["ent1"])


@pytest.fixture
def other_org(demo):
    """ent2's enterprise."""
    return _enterprise_of(demo["ent2"])


@pytest.fixture
def inspection(demo, answered):  # noqa: F811 - the imported fixture
    """A submitted township inspection of ent1's enterprise with two failed items."""
    return inspection_actions.submit(answered("township"), by=demo["township"], summary="两项")


@pytest.fixture
def fake_render(monkeypatch):
    """The renderers stand in for the real ones (their output is tested with them)."""
    monkeypatch.setattr(render, "pdf", lambda document: b"%PDF-1.4 " + document.number.encode())
    monkeypatch.setattr(render, "docx", lambda document: b"PK\x03\x04 docx")


# ---------------------------------------------------------------- the issue's acceptance


def test_an_inspection_finding_becomes_an_order_a_review_and_a_closing_opinion(
    api, org, inspection
):
    township = api("township")
    case = opened(township, org, inspection=inspection.pk, grounds=["major_not_acted"])
    year = timezone.localdate().year
    assert case["state"] == "open"
    assert case["number"].startswith(f"西安监立〔{year}〕")
    assert case["inspection"] == inspection.pk
    assert {"edit", "record", "order", "close"} <= set(case["available_actions"])

    before = Document.objects.filter(kind=DocumentKind.ORDER, year=year).count()
    ordered = step(township, case["id"], "order", {"deadline": later(15)})
    assert ordered.status_code == 200, ordered.content
    body = ordered.json()
    (order,) = body["documents"]
    assert order["kind"] == "order"
    assert order["number"] == f"西安监责改〔{year}〕{before + 1}号"
    assert order["pdf_url"].endswith(f"/api/v1/documents/{order['id']}/pdf")
    assert order["docx_url"].endswith(f"/api/v1/documents/{order['id']}/docx")
    assert ordered["Location"].endswith(f"/api/v1/documents/{order['id']}/")
    (review,) = body["reviews"]
    # Due after the deadline: the township's review days (10) later.
    assert review["deadline"] == later(15)
    assert review["due_on"] == later(25)
    assert (review["state"], review["order_number"]) == ("pending", order["number"])
    assert body["next_review_due"] == later(25)
    assert "review" in body["available_actions"]
    assert "close" not in body["available_actions"]  # not while a review is due
    # The order lists the inspection's failed items.
    detail = township.get(f"{DOCUMENTS}{order['id']}/").json()
    assert detail["content"]["items"]
    assert detail["content"]["deadline"] == later(15)
    assert detail["case_number"] == case["number"]

    due = township.get(REVIEWS, {"state": "pending", "case": case["id"]}).json()["results"]
    assert [r["id"] for r in due] == [review["id"]]
    recorded = township.post(
        f"{REVIEWS}{review['id']}/record/",
        {"passed": True, "findings": "报警装置已恢复运行，联锁测试正常"},
        format="json",
    )
    assert recorded.status_code == 200, recorded.content
    assert recorded.json()["state"] == "passed"
    assert recorded.json()["case_state"] == "closed"
    assert (
        recorded.json()["document_number"]
        == f"西安监复查〔{year}〕" + (recorded.json()["document_number"].split("〕")[1])
    )

    final = township.get(f"{CASES}{case['id']}/").json()
    assert final["state"] == "closed"
    assert [d["kind"] for d in final["documents"]] == ["order", "review"]
    assert final["documents"][1]["number"] in final["conclusion"]
    assert final["available_actions"] == []
    assert [e["kind"] for e in final["events"]] == [
        "opened", "document", "measure", "document", "reviewed", "closed",
    ]  # fmt: skip
    # Recorded once.
    again = township.post(
        f"{REVIEWS}{review['id']}/record/", {"passed": True, "findings": "再次复查"}, format="json"
    )
    assert again.status_code == 409


def test_a_closed_case_answers_409_and_changes_nothing(api, org):
    township = api("township")
    case = opened(township, org)
    fined = step(township, case["id"], "fine", {"amount": "20000", "decision_number": "西罚1号"})
    assert fined.status_code == 200, fined.content
    closed = step(township, case["id"], "close", {"conclusion": "罚款已缴纳，结案"})
    assert closed.status_code == 200, closed.content
    assert closed.json()["state"] == "closed"
    version = closed.json()["version"]
    for name, data in (
        ("order", {"deadline": later(10)}),
        ("suspend", {"deadline": later(10)}),
        ("close-down", {"items": ["非法生产"]}),
        ("record", {"inspectors": "赵安平"}),
        ("fine", {"amount": "100"}),
        ("refer", {"referral_to": "police"}),
        ("close", {"conclusion": "再次结案"}),
    ):
        refused = step(township, case["id"], name, data)
        assert refused.status_code == 409, (name, refused.content)
        assert refused.json()["detail"]
    patched = township.patch(f"{CASES}{case['id']}/", {"title": "改"}, format="json")
    assert patched.status_code == 409
    after = Case.objects.get(pk=case["id"])
    assert (after.version, after.title) == (version, case["title"])
    assert not Document.objects.filter(case=after).exists()
    assert Measure.objects.filter(case=after).count() == 1


def test_a_stale_version_answers_409(api, org):
    township = api("township")
    case = opened(township, org)
    changed = township.patch(
        f"{CASES}{case['id']}/",
        {"title": "罐区报警装置关闭", "grounds": ["equipment", "data"], "version": case["version"]},
        format="json",
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["grounds"] == ["equipment", "data"]
    stale = step(township, case["id"], "order", {"deadline": later(5), "version": case["version"]})
    assert stale.status_code == 409
    assert not Document.objects.filter(case_id=case["id"]).exists()


def test_a_failed_review_escalates_and_suspends(api, org):
    township = api("township")
    case = opened(township, org)
    ordered = step(township, case["id"], "order", {"deadline": later(5), "items": ["报警器关闭"]})
    review = ordered.json()["reviews"][0]
    failed = township.post(
        f"{REVIEWS}{review['id']}/record/", {"passed": False, "findings": "仍未整改"}, format="json"
    )
    assert failed.status_code == 200
    assert failed.json()["case_state"] == "escalated"
    suspended = step(township, case["id"], "suspend", {"deadline": later(30), "items": ["x"]})
    assert suspended.status_code == 200, suspended.content
    assert suspended.json()["organization_status"] == "suspended"
    assert [m["kind"] for m in suspended.json()["measures"]] == ["deadline", "suspension"]
    suggested = api("township").get(f"{ACCOUNTABILITY}suggestions/").json()
    assert case["id"] in [s["case"] for s in suggested if s["reason"] == "order_ignored"]


# ---------------------------------------------------------------- errors


def test_bad_input_is_400_naming_the_field_and_saves_nothing(api, org):
    township = api("township")
    before = Case.objects.count()
    empty = township.post(CASES, {}, format="json")
    assert (empty.status_code, set(empty.json())) == (400, {"organization"})
    unknown = township.post(
        CASES,
        {"organization": org.pk, "title": "t", "facts": "f", "grounds": ["nope"]},
        format="json",
    )
    assert (unknown.status_code, set(unknown.json())) == (400, {"grounds"})
    blank = township.post(
        CASES, {"organization": org.pk, "title": "", "facts": "f", "grounds": ["data"]}
    )
    assert (blank.status_code, set(blank.json())) == (400, {"title"})
    none = township.post(
        CASES, {"organization": org.pk, "title": "t", "facts": "f", "grounds": []}, format="json"
    )
    assert (none.status_code, set(none.json())) == (400, {"grounds"})
    future = township.post(
        CASES,
        {"organization": org.pk, "title": "t", "facts": "f", "grounds": ["data"],
         "opened_on": later(3)},
        format="json",
    )  # fmt: skip
    assert (future.status_code, set(future.json())) == (400, {"opened_on"})
    assert Case.objects.count() == before

    case = opened(township, org)
    pk = case["id"]
    for name, data, field in (
        ("order", {"deadline": later(0)}, "deadline"),
        ("order", {"deadline": "next week"}, "deadline"),
        ("order", {"deadline": later(400)}, "deadline"),
        ("order", {"deadline": later(10), "issued_on": later(1)}, "issued_on"),
        ("suspend", {}, "deadline"),
        ("record", {}, "inspectors"),  # no inspection to take the inspectors from
        ("fine", {"amount": "-5"}, "amount"),
        ("fine", {"amount": "abc"}, "amount"),
        ("refer", {"referral_to": "mars"}, "referral_to"),
        ("refer", {"referral_to": "other"}, "referral_body"),
        ("close", {"conclusion": ""}, "conclusion"),
    ):
        bad = step(township, pk, name, data)
        assert (bad.status_code, set(bad.json())) == (400, {field}), (name, data, bad.content)
    ordered = step(township, pk, "order", {"deadline": later(10), "items": ["报警器关闭"]})
    review = ordered.json()["reviews"][0]
    order = ordered.json()["documents"][0]
    bad = township.post(f"{REVIEWS}{review['id']}/record/", {"passed": True, "findings": ""})
    assert (bad.status_code, set(bad.json())) == (400, {"findings"})
    bad = township.post(f"{DOCUMENTS}{order['id']}/cancel/", {"reason": ""}, format="json")
    assert (bad.status_code, set(bad.json())) == (400, {"reason"})
    bad = township.post(
        ACCOUNTABILITY,
        {"organization": org.pk, "kind": "referral", "reason": "拒不整改"},
        format="json",
    )
    assert (bad.status_code, set(bad.json())) == (400, {"referral_to"})
    assert Document.objects.filter(case_id=pk).count() == 1
    assert Review.objects.get(pk=review["id"]).state == ReviewState.PENDING
    assert not AccountabilityRecord.objects.filter(organization=org).exists()


def test_english_messages_name_the_rule(api, org):
    township = api("township")
    case = opened(township, org)
    bad = township.post(
        f"{CASES}{case['id']}/order/",
        {"deadline": later(0)},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert bad.json() == {"deadline": ["The deadline must be after the date of issue."]}


# ---------------------------------------------------------------- scope and role


def test_ent2_gets_404_and_ent1_reads_its_own_but_takes_no_step(api, org, fake_render):
    township = api("township")
    case = opened(township, org)
    pk = case["id"]
    ordered = step(township, pk, "order", {"deadline": later(10), "items": ["报警器关闭"]})
    order = ordered.json()["documents"][0]
    review = ordered.json()["reviews"][0]

    ent2 = api("ent2")
    assert ent2.get(f"{CASES}{pk}/").status_code == 404
    assert step(ent2, pk, "order", {"deadline": later(10)}).status_code == 404
    assert step(ent2, pk, "close", {"conclusion": "x"}).status_code == 404
    assert ent2.patch(f"{CASES}{pk}/", {"title": "x"}, format="json").status_code == 404
    assert ent2.get(f"{DOCUMENTS}{order['id']}/").status_code == 404
    assert ent2.get(f"{DOCUMENTS}{order['id']}/pdf").status_code == 404
    assert ent2.get(f"{REVIEWS}{review['id']}/").status_code == 404
    assert ent2.post(f"{REVIEWS}{review['id']}/record/", {}).status_code == 404
    assert pk not in [c["id"] for c in ent2.get(CASES).json()["results"]]
    assert order["id"] not in [d["id"] for d in ent2.get(DOCUMENTS).json()["results"]]

    ent1 = api("ent1")
    own = ent1.get(f"{CASES}{pk}/")
    assert own.status_code == 200
    assert own.json()["available_actions"] == []
    assert [d["number"] for d in own.json()["documents"]] == [order["number"]]
    assert ent1.get(f"{DOCUMENTS}{order['id']}/").json()["content"]["items"] == ["报警器关闭"]
    pdf = ent1.get(f"{DOCUMENTS}{order['id']}/pdf")
    assert pdf.status_code == 200
    assert order["id"] in [d["id"] for d in ent1.get(DOCUMENTS).json()["results"]]
    for name, data in (
        ("order", {"deadline": later(10)}),
        ("record", {"inspectors": "x"}),
        ("fine", {"amount": "1"}),
        ("close", {"conclusion": "x"}),
    ):
        assert step(ent1, pk, name, data).status_code == 403, name
    assert ent1.patch(f"{CASES}{pk}/", {"title": "x"}, format="json").status_code == 403
    assert (
        ent1.post(
            f"{REVIEWS}{review['id']}/record/", {"passed": True, "findings": "x"}, format="json"
        ).status_code
        == 403
    )
    assert (
        ent1.post(f"{DOCUMENTS}{order['id']}/cancel/", {"reason": "x"}, format="json").status_code
        == 403
    )
    assert ent1.post(CASES, {"organization": org.pk}, format="json").status_code == 403
    # The leader reads; only officers act.
    assert api("leader").get(f"{CASES}{pk}/").status_code == 200
    assert step(api("leader"), pk, "order", {"deadline": later(10)}).status_code == 403
    # Nothing changed.
    assert Document.objects.filter(case_id=pk).count() == 1
    assert Case.objects.get(pk=pk).state == CaseState.OPEN


def test_another_townships_organisation_does_not_exist_for_a_case(api, other_org, org):
    # ent1's principal may not open cases at all; the township may not name an
    # organisation it cannot reach.
    township = api("township")
    outside = township.post(
        CASES,
        {"organization": 10**8, "title": "t", "facts": "f", "grounds": ["data"]},
        format="json",
    )
    assert (outside.status_code, set(outside.json())) == (400, {"organization"})
    moved = opened(township, org)
    refused = township.patch(
        f"{CASES}{moved['id']}/", {"organization": other_org.pk}, format="json"
    )
    assert (refused.status_code, set(refused.json())) == (400, {"organization"})


# ---------------------------------------------------------------- documents


def test_downloads_are_files_named_by_their_number(api, org, fake_render):
    township = api("township")
    case = opened(township, org)
    ordered = step(township, case["id"], "order", {"deadline": later(10), "items": ["报警器关闭"]})
    order = ordered.json()["documents"][0]
    pdf = township.get(f"{DOCUMENTS}{order['id']}/pdf", HTTP_ACCEPT="application/json")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content == b"%PDF-1.4 " + order["number"].encode()
    assert "inline" in pdf["Content-Disposition"]
    assert "filename*=utf-8''" in pdf["Content-Disposition"]
    docx = township.get(f"{DOCUMENTS}{order['id']}/docx")
    assert docx.status_code == 200
    assert docx["Content-Type"].endswith("wordprocessingml.document")
    assert docx["Content-Disposition"].startswith("attachment")
    assert docx.content.startswith(b"PK")


def test_a_cancelled_document_keeps_its_number_and_the_next_one_follows(api, org):
    township = api("township")
    case = opened(township, org)
    first = step(township, case["id"], "order", {"deadline": later(10), "items": ["a"]})
    order = first.json()["documents"][0]
    cancelled = township.post(
        f"{DOCUMENTS}{order['id']}/cancel/", {"reason": "送达对象有误"}, format="json"
    )
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["cancelled"] is True
    assert cancelled.json()["number"] == order["number"]
    assert cancelled.json()["cancel_reason"] == "送达对象有误"
    again = township.post(f"{DOCUMENTS}{order['id']}/cancel/", {"reason": "x"}, format="json")
    assert again.status_code == 409
    # Its review went; the next order takes the next number.
    detail = township.get(f"{CASES}{case['id']}/").json()
    assert detail["reviews"] == []
    second = step(township, case["id"], "order", {"deadline": later(10), "items": ["a"]})
    numbers = [d for d in second.json()["documents"] if not d["cancelled"]]
    serial = Document.objects.get(pk=order["id"]).serial
    assert Document.objects.get(pk=numbers[0]["id"]).serial == serial + 1
    listed = township.get(DOCUMENTS, {"case": case["id"], "cancelled": "true"}).json()
    assert [d["id"] for d in listed["results"]] == [order["id"]]


def test_the_order_prints_as_a_pdf_and_a_word_file_with_its_number(api, org):
    import io

    import docx as python_docx

    township = api("township")
    case = opened(township, org)
    ordered = step(township, case["id"], "order", {"deadline": later(10), "items": ["报警器关闭"]})
    order = ordered.json()["documents"][0]
    pdf = township.get(f"{DOCUMENTS}{order['id']}/pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    word = township.get(f"{DOCUMENTS}{order['id']}/docx")
    assert word.status_code == 200
    text = "\n".join(p.text for p in python_docx.Document(io.BytesIO(word.content)).paragraphs)
    assert order["number"] in text
    assert "报警器关闭" in text


# ---------------------------------------------------------------- accountability


def test_accountability_records_with_files_and_suggestions(api, org):
    township = api("township")
    case = opened(township, org)
    made = township.post(
        ACCOUNTABILITY,
        {
            "organization": org.pk,
            "kind": "interview",
            "reason": "重大事故隐患整改不力",
            "person_name": "陈永刚",
            "person_title": "主要负责人",
            "cases": [case["id"]],
            "files": [make_jpeg("约谈记录.jpg")],
        },
        format="multipart",
    )
    assert made.status_code == 201, made.content
    record = made.json()
    assert (record["kind"], record["person_name"], record["cases"]) == (
        "interview", "陈永刚", [case["id"]],
    )  # fmt: skip
    (attached,) = record["files"]
    assert attached["content_type"] == "image/jpeg"
    download = township.get(attached["url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "image/jpeg"
    assert b"".join(download.streaming_content).startswith(b"\xff\xd8")
    assert api("ent2").get(attached["url"]).status_code == 404
    assert api("ent2").get(f"{ACCOUNTABILITY}{record['id']}/").status_code == 404
    assert api("ent1").get(f"{ACCOUNTABILITY}{record['id']}/").status_code == 200
    assert api("ent1").post(ACCOUNTABILITY, {}, format="json").status_code == 403
    # A file that is not an image or a PDF is refused by its content.
    fake = township.post(
        ACCOUNTABILITY,
        {"organization": org.pk, "kind": "notice", "reason": "r", "files": [
            SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
        ]},
        format="multipart",
    )  # fmt: skip
    assert (fake.status_code, set(fake.json())) == (400, {"files"})

    suggested = township.get(f"{ACCOUNTABILITY}suggestions/")
    assert suggested.status_code == 200
    rows = suggested.json()
    assert rows, "the demo holds overdue major hazards"
    assert {r["reason"] for r in rows} <= {"major_overdue", "order_ignored"}
    expected = actions.suggestions(_user("township"))
    assert len(rows) == len(expected)
    assert api("ent1").get(f"{ACCOUNTABILITY}suggestions/").status_code == 403


def _user(username: str):
    from anpai.people.models import User

    return User.objects.get(username=username)


# ---------------------------------------------------------------- lists


def test_filters(api, org, other_org):
    township = api("township")
    a = opened(township, org, grounds=["licence"])
    b = opened(township, other_org, grounds=["major_unreported", "data"])
    c = opened(township, other_org, grounds=["major_not_acted"])
    past = (timezone.localdate() - timedelta(days=40)).isoformat()
    step(township, b["id"], "order", {"deadline": later(-30), "issued_on": past, "items": ["x"]})
    step(township, c["id"], "close", {"conclusion": "证据不足，结案"})
    mine = {a["id"], b["id"], c["id"]}

    def ids(url=CASES, **params) -> set[int]:
        response = township.get(url, {"page_size": 500, **params})
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert mine <= ids()
    assert ids(organization=org.pk) & mine == {a["id"]}
    assert ids(ground="major_unreported") & mine == {b["id"]}
    assert ids(ground="major_not_acted") & mine == {c["id"]}
    assert ids(state="closed") & mine == {c["id"]}
    assert ids(state=["open", "escalated"]) & mine == {a["id"], b["id"]}
    assert ids(overdue="true") & mine == {b["id"]}
    assert ids(overdue="false") & mine == {a["id"], c["id"]}
    assert township.get(CASES, {"state": "lost"}).status_code == 400
    listed = {r["id"]: r for r in township.get(CASES, {"page_size": 500}).json()["results"]}
    assert listed[b["id"]]["has_overdue_review"] is True
    assert listed[a["id"]]["next_review_due"] is None

    overdue = township.get(REVIEWS, {"overdue": "true", "page_size": 500}).json()["results"]
    assert b["id"] in {r["case"] for r in overdue}
    assert all(r["is_overdue"] for r in overdue)
    assert set(Review.objects.overdue().values_list("pk", flat=True)) == {r["id"] for r in overdue}
    orders = ids(DOCUMENTS, kind="order", organization=other_org.pk)
    assert orders == set(
        Document.objects.filter(kind="order", case__organization=other_org).values_list(
            "pk", flat=True
        )
    )
    # An enterprise lists its own cases only.
    own = {r["id"] for r in api("ent2").get(CASES, {"page_size": 500}).json()["results"]}
    assert own == set(Case.objects.filter(organization=other_org).values_list("pk", flat=True))


def test_lists_and_detail_are_constant_in_queries(api, org, other_org):
    township = api("township")
    township.get(CASES)  # the token's last-use stamp is written once; measure later requests
    user = _user("township")

    def make(count: int) -> Case:
        case = None
        for i in range(count):
            case = actions.open_case(
                by=user,
                organization=org if i % 2 else other_org,
                title=f"案件{i}",
                facts="事实",
                grounds=["other"],
            )
            actions.issue_order(case, by=user, deadline=later(10), items=["问题一", "问题二"])
            actions.record_fine(case, by=user, amount="1000")
            actions.record_accountability(
                by=user, organization=case.organization, kind="notice", reason="通报",
                cases=[case.pk],
            )  # fmt: skip
        assert case is not None
        return case

    counts: dict[str, dict[int, int]] = {}
    for size, more in ((2, 2), (12, 10)):
        last = make(more)
        for url in (CASES, REVIEWS, DOCUMENTS, ACCOUNTABILITY, f"{CASES}{last.pk}/"):
            with CaptureQueriesContext(connection) as ctx:
                response = township.get(url, {"page_size": 100})
            assert response.status_code == 200
            counts.setdefault(url.replace(str(last.pk), "<pk>"), {})[size] = len(
                ctx.captured_queries
            )
    for url, by_size in counts.items():
        assert by_size[2] == by_size[12], (url, by_size)
    # The token and the user, the grants, the count, the page, its prefetches.
    assert counts[CASES][12] <= 6, counts
    assert counts[REVIEWS][12] <= 5, counts
    assert counts[DOCUMENTS][12] <= 5, counts
    assert counts[ACCOUNTABILITY][12] <= 8, counts
    assert counts[f"{CASES}<pk>/"][12] <= 10, counts

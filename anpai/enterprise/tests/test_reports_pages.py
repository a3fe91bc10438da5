"""The self-inspection report pages: the list (the township's queue first, no one
else's drafts, constant queries), the form, the detail with its timeline, and the
buttons that take each step."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from anpai.enterprise import actions
from anpai.enterprise.models import SelfInspectionReport

FIELDS = {
    "title": "2026年度安全生产自查检视报告",
    "year": "2026",
    "overview": "对照七项职责逐项自查。",
    "problems": "责任制未公示。",
    "rectification": "",
    "next_steps": "",
}


def _org(user):
    return user.memberships.get().organization


@pytest.fixture
def draft(demo):
    return actions.create_report(by=demo["ent1"], **FIELDS)


def _ids(response) -> list[int]:
    return [r.pk for r in response.context["object_list"]]


def test_the_township_queue_comes_first_and_drafts_stay_hidden(login, demo, draft):
    response = login("township").get(reverse("enterprise:reports"))
    assert response.status_code == 200
    rows = list(response.context["object_list"])
    states = [r.state for r in rows]
    assert "draft" not in states
    assert draft.pk not in _ids(response)
    waiting = states.count("submitted")
    assert waiting >= 1
    assert states[:waiting] == ["submitted"] * waiting
    assert response.context["waiting"] == waiting
    assert login("ent1").get(reverse("enterprise:reports")).context["object_list"]
    assert draft.pk in _ids(login("ent1").get(reverse("enterprise:reports")))


def test_the_state_filter(login, demo):
    response = login("township").get(reverse("enterprise:reports"), {"state": "filed"})
    assert {r.state for r in response.context["object_list"]} == {"filed"}
    drafts = login("township").get(reverse("enterprise:reports"), {"state": "draft"})
    assert list(drafts.context["object_list"]) == []


def test_the_list_takes_constant_queries(login, demo):
    client = login("township")
    url = reverse("enterprise:reports")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for _i in range(8):
        report = actions.create_report(by=demo["ent2"], **FIELDS)
        actions.submit(report.pk, by=demo["ent2"])
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert len(response.context["object_list"]) > 8
    assert len(large) == len(small)


def test_draft_detail_answers_404_to_government_and_another_enterprise(login, demo, draft):
    url = reverse("enterprise:report_detail", args=[draft.pk])
    for who, status in (("ent1", 200), ("ent1safety", 200), ("township", 404), ("ent2", 404)):
        assert login(who).get(url).status_code == status, who


def test_drafting_through_the_page_with_a_signed_copy(login, demo):
    client = login("ent1safety")
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 200, 200)).save(out, format="PNG")
    upload = SimpleUploadedFile("签字版.png", out.getvalue(), content_type="image/png")
    response = client.post(reverse("enterprise:report_create"), {**FIELDS, "attachment": upload})
    report = SelfInspectionReport.objects.filter(organization=_org(demo["ent1"])).latest("id")
    assert response.status_code == 302
    assert report.title == FIELDS["title"]
    assert report.attachment_name == "签字版.png"
    copy = client.get(reverse("enterprise:report_attachment", args=[report.pk]))
    assert copy.status_code == 200
    assert copy["Content-Type"] == "image/jpeg"
    assert (
        login("ent2").get(reverse("enterprise:report_attachment", args=[report.pk])).status_code
        == 404
    )


def test_a_bad_upload_and_missing_fields_are_named(login, demo):
    client = login("ent1")
    before = SelfInspectionReport.objects.count()
    upload = SimpleUploadedFile(
        "report.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    response = client.post(
        reverse("enterprise:report_create"),
        {**FIELDS, "overview": "", "attachment": upload},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "overview" in form.errors
    assert SelfInspectionReport.objects.count() == before
    response = client.post(reverse("enterprise:report_create"), {**FIELDS, "attachment": upload})
    assert response.status_code == 400
    assert "attachment" in response.context["form"].errors
    assert SelfInspectionReport.objects.count() == before


def test_buttons_per_role(login, demo, draft):
    url = reverse("enterprise:report_detail", args=[draft.pk])
    page = login("ent1").get(url).content.decode()
    assert 'data-testid="report-submit"' in page
    assert 'data-testid="report-edit"' in page
    page = login("ent1safety").get(url).content.decode()
    assert 'data-testid="report-submit"' not in page
    assert 'data-testid="report-edit"' in page
    actions.submit(draft.pk, by=demo["ent1"])
    page = login("township").get(url).content.decode()
    assert 'data-testid="report-file"' in page
    assert 'data-testid="report-return"' in page
    page = login("leader").get(url).content.decode()
    assert 'data-testid="report-file"' not in page
    page = login("ent1").get(url).content.decode()
    assert 'data-testid="report-edit"' not in page


def test_return_file_and_resubmit_through_the_pages(login, demo, draft):
    detail = reverse("enterprise:report_detail", args=[draft.pk])
    ent1 = login("ent1")
    assert ent1.post(reverse("enterprise:report_submit", args=[draft.pk])).status_code == 302
    township = login("township")
    refused = township.post(
        reverse("enterprise:report_return", args=[draft.pk]),
        {"comment": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 400
    assert b"comment is required" in refused.content
    township.post(reverse("enterprise:report_return", args=[draft.pk]), {"comment": "请补充台账"})
    draft.refresh_from_db()
    assert draft.state == "returned"
    page = login("ent1").get(detail)
    assert "请补充台账" in page.content.decode()
    assert page.context["last_return"].comment == "请补充台账"
    edit = login("ent1").post(
        reverse("enterprise:report_edit", args=[draft.pk]),
        {**FIELDS, "problems": "补充了台账", "version": draft.version, "then": "submit"},
    )
    assert edit.status_code == 302
    draft.refresh_from_db()
    assert draft.state == "submitted"
    assert draft.problems == "补充了台账"
    login("township").post(
        reverse("enterprise:report_file", args=[draft.pk]), {"filing_number": ""}
    )
    draft.refresh_from_db()
    assert draft.state == "filed"
    assert draft.filing_number
    for who in ("ent1", "township"):
        page = login(who).get(detail)
        kinds = [e.kind for e in page.context["events"]]
        assert kinds == ["created", "submitted", "returned", "edited", "submitted", "filed"]
        assert draft.filing_number in page.content.decode()


def test_a_wrong_state_step_on_the_page_says_why(login, demo, draft):
    actions.submit(draft.pk, by=demo["ent1"])
    response = login("ent1").post(
        reverse("enterprise:report_submit", args=[draft.pk]), HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )  # fmt: skip
    assert b"Not possible while the report is" in response.content
    assert login("ent1").get(reverse("enterprise:report_edit", args=[draft.pk])).status_code == 302


def test_edit_page_refuses_government_and_others(login, demo, draft):
    actions.submit(draft.pk, by=demo["ent1"])
    url = reverse("enterprise:report_edit", args=[draft.pk])
    assert login("township").get(url).status_code == 403
    assert login("ent2").get(url).status_code == 404


def test_new_report_page_only_for_enterprise_writers(login, demo):
    url = reverse("enterprise:report_create")
    assert login("ent1safety").get(url).status_code == 200
    for who in ("township", "village1", "county"):
        assert login(who).get(url).status_code == 403, who


def test_the_principal_saves_and_submits_in_one_go(login, demo):
    url = reverse("enterprise:report_create")
    assert 'data-testid="report-save-submit"' in login("ent1").get(url).content.decode()
    assert 'data-testid="report-save-submit"' not in login("ent1safety").get(url).content.decode()
    response = login("ent1").post(url, {**FIELDS, "title": "一次报送", "then": "submit"})
    report = SelfInspectionReport.objects.get(title="一次报送")
    assert response.status_code == 302
    assert report.state == "submitted"
    assert list(report.events.values_list("kind", flat=True)) == ["created", "submitted"]

"""The commitments and self-inspection reports API: the same rules as the pages
(scope 404, role 403, state 409, fields 400), the whole report cycle, and list
queries that do not grow with the rows."""

from __future__ import annotations

import base64
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image, ImageDraw

from anpai.enterprise import actions
from anpai.enterprise.models import Commitment, SelfInspectionReport

CODES = [d["code"] for d in actions.duties()]
REPORTS = "/api/v1/self-inspection-reports/"
COMMITMENTS = "/api/v1/commitments/"
BODY = {"title": "2026年度自查检视报告", "year": 2026, "overview": "逐项检视七项职责。"}


def _png_b64() -> str:
    image = Image.new("RGBA", (240, 90), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(10, 50), (90, 15), (200, 70)], fill="black", width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode()


def _org(user):
    return user.memberships.get().organization


# ---------------------------------------------------------------- commitments


def test_sign_a_commitment_with_a_base64_png(api, demo):
    client = api("ent2")
    body = {"duties": CODES, "signer_name": "王建国", "signature": _png_b64(), "extra": ""}
    response = client.post(COMMITMENTS, body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["year"] == actions.this_year()
    assert data["organization"] == _org(demo["ent2"]).pk
    assert [d["number"] for d in data["duties"]] == list(range(1, 8))
    again = client.post(COMMITMENTS, body, format="json")
    assert again.status_code == 409
    assert str(actions.this_year()) in again.json()["detail"]
    detail = api("township").get(f"{COMMITMENTS}{data['id']}/")
    assert detail.status_code == 200
    assert detail.json()["signer_name"] == "王建国"
    assert api("ent1").get(f"{COMMITMENTS}{data['id']}/").status_code == 404


def test_commitment_input_errors_name_the_fields(api, demo):
    response = api("ent2").post(
        COMMITMENTS, {"duties": CODES[:3], "signer_name": "", "signature": "xx"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"duties", "signer_name", "signature"}
    assert not Commitment.objects.filter(organization=_org(demo["ent2"])).exists()


@pytest.mark.parametrize("who", ["ent1safety", "township", "village1"])
def test_only_principals_sign(api, who):
    assert api(who).post(COMMITMENTS, {}, format="json").status_code == 403


def test_commitment_list_by_year_and_scope(api, demo):
    year = actions.this_year()
    township = api("township").get(COMMITMENTS, {"year": year}).json()
    ids = {row["organization"] for row in township["results"]}
    assert _org(demo["ent1"]).pk in ids
    assert _org(demo["ent2"]).pk not in ids
    own = api("ent1").get(COMMITMENTS).json()
    assert {row["organization"] for row in own["results"]} == {_org(demo["ent1"]).pk}


# ---------------------------------------------------------------- reports


def test_the_report_cycle_through_the_api(api, demo):
    ent1, township = api("ent1"), api("township")
    created = api("ent1safety").post(REPORTS, BODY, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["state"] == "draft"
    assert created.json()["actions"] == ["edit"]
    assert township.get(f"{REPORTS}{pk}/").status_code == 404  # no one else's drafts

    assert api("ent1safety").post(f"{REPORTS}{pk}/submit/").status_code == 403
    submitted = ent1.post(f"{REPORTS}{pk}/submit/", {"version": 1}, format="json")
    assert submitted.status_code == 200
    assert submitted.json()["state"] == "submitted"

    assert township.post(f"{REPORTS}{pk}/return/", {}, format="json").status_code == 400
    returned = township.post(f"{REPORTS}{pk}/return/", {"comment": "补充费用台账"}, format="json")
    assert returned.status_code == 200
    assert returned.json()["state"] == "returned"

    patched = ent1.patch(f"{REPORTS}{pk}/", {"problems": "已补充费用台账"}, format="json")
    assert patched.status_code == 200
    assert patched.json()["problems"] == "已补充费用台账"
    assert ent1.post(f"{REPORTS}{pk}/submit/").json()["state"] == "submitted"
    assert ent1.patch(f"{REPORTS}{pk}/", {"title": "x"}, format="json").status_code == 409

    filed = township.post(f"{REPORTS}{pk}/file/", {"filing_number": ""}, format="json")
    assert filed.status_code == 200
    data = filed.json()
    assert data["state"] == "filed"
    assert "备〔" in data["filing_number"]
    assert [e["kind"] for e in data["events"]] == [
        "created", "submitted", "returned", "edited", "submitted", "filed",
    ]  # fmt: skip
    assert data["events"][2]["comment"] == "补充费用台账"
    assert township.post(f"{REPORTS}{pk}/file/").status_code == 409
    assert ent1.get(f"{REPORTS}{pk}/").json()["events"] == data["events"]


def test_report_field_errors(api):
    response = api("ent1").post(REPORTS, {"title": "", "year": "abcd"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"title", "year", "overview"}


def test_report_scope_and_roles(api, demo):
    report = actions.create_report(by=demo["ent1"], **BODY)
    actions.submit(report.pk, by=demo["ent1"])
    url = f"{REPORTS}{report.pk}/"
    assert api("ent2").get(url).status_code == 404
    assert api("village2").get(url).status_code == 404
    assert api("village1").get(url).status_code == 200
    assert api("village1").post(f"{url}file/").status_code == 403
    assert api("leader").post(f"{url}return/", {"comment": "x"}, format="json").status_code == 403
    assert api("township").patch(url, {"title": "x"}, format="json").status_code == 403
    assert api("township").post(REPORTS, BODY, format="json").status_code == 403


def test_report_list_filters_and_constant_queries(api, demo):
    client = api("township")
    first = client.get(REPORTS, {"state": "submitted"})
    assert first.status_code == 200
    assert {row["state"] for row in first.json()["results"]} == {"submitted"}
    assert "draft" not in {row["state"] for row in client.get(REPORTS).json()["results"]}
    with CaptureQueriesContext(connection) as small:
        client.get(REPORTS)
    for _i in range(6):
        report = actions.create_report(by=demo["ent2"], **BODY)
        actions.submit(report.pk, by=demo["ent2"])
    with CaptureQueriesContext(connection) as large:
        response = client.get(REPORTS)
    assert response.json()["count"] >= 6
    assert len(large) == len(small)
    assert SelfInspectionReport.objects.filter(state="submitted").count() >= 7


def test_a_signed_copy_is_checked_by_content(api, demo):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = api("ent1")
    fake = SimpleUploadedFile("copy.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    refused = client.post(REPORTS, {**BODY, "attachment": fake}, format="multipart")
    assert refused.status_code == 400
    assert "attachment" in refused.json()
    pdf = SimpleUploadedFile("签字版.pdf", _tiny_pdf(), content_type="application/pdf")
    created = client.post(REPORTS, {**BODY, "attachment": pdf}, format="multipart")
    assert created.status_code == 201, created.json()
    url = created.json()["attachment_url"]
    got = client.get(url)
    assert got.status_code == 200
    assert got.content.startswith(b"%PDF")
    assert api("ent2").get(url).status_code == 404


def test_the_printed_commitment_through_the_api(api, demo):
    mine = api("ent1").get(COMMITMENTS).json()["results"][0]
    response = api("township").get(mine["pdf_url"])
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert api("ent2").get(mine["pdf_url"]).status_code == 404


def _tiny_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(100, 750, "signed copy")
    page.save()
    return out.getvalue()

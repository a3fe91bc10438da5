"""Inspections API: start, answer (JSON and multipart photos), submit; errors as for hazards."""

from __future__ import annotations

import base64
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from anpai.hazards.models import Hazard
from anpai.people.models import Membership

pytestmark = pytest.mark.django_db

URL = "/api/v1/inspections/"


@pytest.fixture
def checklist(db):
    """A current checklist of two items: one whose clause makes a hazard major, one not."""
    from datetime import date

    from anpai.hazards.reference import ensure_categories
    from anpai.inspections.models import ChecklistItem, ChecklistTemplate
    from anpai.standards.models import Clause, Standard

    ensure_categories()
    standard = Standard.objects.create(
        family="api-std", code="api-std-2023", name="接口测试标准", effective_from=date(2023, 1, 1)
    )
    major = Clause.objects.create(standard=standard, number="第三条", text="…", makes_major=True)
    template = ChecklistTemplate.objects.create(code="api-checklist", name="接口测试检查表")
    ChecklistItem.objects.create(
        template=template, order=1, question="是否取得许可？", clause=major
    )
    ChecklistItem.objects.create(
        template=template, order=2, question="通道是否畅通？", photo_required_on_fail=False
    )
    return template


def _org(demo, username):
    return Membership.objects.get(user=demo[username]).organization


def _jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (120, 20, 20)).save(buffer, format="JPEG")
    return SimpleUploadedFile("p.jpg", buffer.getvalue(), content_type="image/jpeg")


def _signature() -> str:
    image = Image.new("RGBA", (200, 80), (0, 0, 0, 0))
    ImageDraw.Draw(image).line((5, 60, 100, 10, 190, 70), fill=(0, 0, 0, 255), width=3)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def test_start_answer_submit(api, demo, checklist):
    client = api("township")
    response = client.post(
        URL,
        {"organization": _org(demo, "ent1").pk, "kind": "township", "template": "api-checklist"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    pk = body["id"]
    assert body["state"] == "draft"
    assert body["template"] == "api-checklist"
    assert [a["result"] for a in body["answers"]] == ["", ""]
    first, second = (a["item"] for a in body["answers"])
    assert body["answers"][0]["clause"] == "api-std-2023#第三条"

    # Unanswered: refused, naming the item.
    response = client.post(f"{URL}{pk}/submit/", {}, format="json")
    assert response.status_code == 400
    assert "answers" in response.json()

    # Multipart with a photo; the clause makes it major.
    response = client.post(
        f"{URL}{pk}/answers/",
        {"item": first, "result": "fail", "note": "许可证过期", "photos": [_jpeg()]},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["hazard_level"] == "major"
    assert len(answer["photos"]) == 1
    assert answer["photos"][0]["url"].startswith("http")
    response = client.post(
        f"{URL}{pk}/answers/",
        {"item": second, "result": "fail", "hazard_title": "通道堵塞", "hazard_level": "general"},
        format="json",
    )
    assert response.status_code == 200
    response = client.post(
        f"{URL}{pk}/submit/",
        {"summary": "限期整改", "signer_name": "王经理", "signature": _signature()},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "submitted"
    assert body["signed"]
    assert body["hazards"] == 2
    hazards = Hazard.objects.filter(answers__inspection_id=pk).distinct()
    assert sorted(h.level for h in hazards) == ["general", "major"]
    assert {a["hazard_number"] for a in body["answers"]} == {h.number for h in hazards}

    # Read-only now.
    response = client.post(f"{URL}{pk}/answers/", {"item": second, "result": "pass"}, format="json")
    assert response.status_code == 409
    assert api("ent1").get(f"{URL}{pk}/").status_code == 200
    assert api("ent2").get(f"{URL}{pk}/").status_code == 404


def test_errors(api, demo, checklist):
    ent1 = api("ent1")
    org = _org(demo, "ent1").pk
    payload = {"organization": org, "kind": "township", "template": "api-checklist"}
    assert ent1.post(URL, payload, format="json").status_code == 403
    response = ent1.post(URL, {**payload, "kind": "self", "template": "nope"}, format="json")
    assert response.status_code == 400
    assert "template" in response.json()
    response = api("ent2").post(URL, {**payload, "kind": "self"}, format="json")
    assert response.status_code == 404
    response = ent1.post(URL, {**payload, "kind": "self", "cadence": "weekly"}, format="json")
    assert response.status_code == 201
    pk = response.json()["id"]
    item = response.json()["answers"][0]["item"]
    bad = ent1.post(f"{URL}{pk}/answers/", {"item": item, "result": "maybe"}, format="json")
    assert bad.status_code == 400
    assert "result" in bad.json()
    other = ent1.post(f"{URL}{pk}/answers/", {"item": 999999, "result": "pass"}, format="json")
    assert other.status_code == 400
    assert "item" in other.json()
    # The township may see an enterprise's self-inspection but not answer it.
    response = api("township").post(
        f"{URL}{pk}/answers/", {"item": item, "result": "pass"}, format="json"
    )
    assert response.status_code == 403
    assert api("county").post(URL, payload, format="json").status_code == 403
    stale = ent1.post(
        f"{URL}{pk}/answers/", {"item": item, "result": "pass", "version": 0}, format="json"
    )
    assert stale.status_code == 409


def test_list_is_restricted_and_filtered(api, demo, checklist, django_assert_max_num_queries):
    from anpai.inspections import actions
    from anpai.inspections.models import Inspection

    for _ in range(3):
        actions.start(
            by=demo["township"], organization=_org(demo, "ent1"), kind="township",
            template="api-checklist",
        )  # fmt: skip
    client = api("ent2")
    response = client.get(URL, {"page_size": 500})
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == set(Inspection.objects.restrict(demo["ent2"]).values_list("id", flat=True))
    client = api("township")
    with django_assert_max_num_queries(20):
        response = client.get(URL, {"organization": _org(demo, "ent1").pk, "state": "draft"})
    rows = response.json()["results"]
    assert len(rows) >= 3
    assert all(r["state"] == "draft" for r in rows)

"""Inspection pages: list, start, the phone form (htmx saves), findings, signature,
submit, the read-only record, its PDF, and the checked photo views."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import translation

from anpai.hazards.models import Hazard
from anpai.inspections import actions
from anpai.inspections.models import Answer, Inspection

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _items(insp):
    return list(insp.template.items.order_by("order"))


def test_list_filters_and_constant_queries(login, started, org_of, django_assert_max_num_queries):
    client = login("township")
    Inspection.objects.all().delete()  # the demo's season; rebuilt per test by rollback
    started()
    with django_assert_max_num_queries(30) as few:
        response = client.get(reverse("inspections:list"))
    assert response.status_code == 200
    for _ in range(6):
        started()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("inspections:list"))
    assert response.content.count(b'data-testid="inspection-row"') == 7
    response = client.get(reverse("inspections:list"), {"state": "submitted"})
    assert b'data-testid="inspection-row"' not in response.content
    response = client.get(reverse("inspections:list"), {"organization": org_of("ent2").pk})
    assert b'data-testid="inspection-row"' not in response.content
    response = client.get(reverse("inspections:list"), {"date_after": "not a date"})
    assert response.status_code == 200
    assert b"filter-errors" in response.content


def test_enterprise_list_shows_only_its_own(login, started):
    Inspection.objects.all().delete()
    started()
    assert b"inspection-row" in login("ent1").get(reverse("inspections:list")).content
    assert b"inspection-row" not in login("ent2").get(reverse("inspections:list")).content


def test_start_page_offers_kinds_by_role_and_starts(login, org_of, checklist):
    client = login("township")
    response = client.get(reverse("inspections:create"))
    assert response.status_code == 200
    kinds = response.context["form"].fields["kind"].choices
    with translation.override("en"):
        assert ("township", "Township inspection") in [(k, str(v)) for k, v in kinds]
    assert "self" not in [k for k, _ in kinds]
    response = client.post(
        reverse("inspections:create"),
        {
            "organization": org_of("ent1").pk,
            "kind": "township",
            "template": checklist.code,
            "date": "2024-05-06",
        },
    )
    insp = Inspection.objects.latest("id")
    assert response.status_code == 302
    assert response["Location"] == reverse("inspections:detail", args=[insp.pk])
    assert insp.answers.count() == 4


def test_start_page_refuses_bad_input_with_field_errors(login, org_of, checklist):
    client = login("township")
    before = Inspection.objects.count()
    response = client.post(
        reverse("inspections:create"),
        {"organization": org_of("ent1").pk, "kind": "joint", "template": checklist.code,
         "date": "2099-01-01"},
    )  # fmt: skip
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "date" in errors
    assert "departments" in errors
    assert Inspection.objects.count() == before


def test_enterprise_start_page_is_a_self_inspection_of_itself(login, org_of, checklist):
    client = login("ent1safety")
    response = client.get(reverse("inspections:create"))
    form = response.context["form"]
    assert [k for k, _ in form.fields["kind"].choices] == ["self"]
    assert form.single_org == org_of("ent1safety")
    assert login("county").get(reverse("inspections:create")).status_code == 403


def test_the_form_saves_each_answer_and_swaps_the_item(login, started, photo):
    insp = started()
    client = login("township")
    page = client.get(reverse("inspections:detail", args=[insp.pk]))
    assert page.status_code == 200
    assert b'data-testid="inspection-form"' in page.content
    assert page.content.count(b'data-testid="item"') == 4
    first = _items(insp)[0]
    url = reverse("inspections:answer", args=[insp.pk, first.pk])
    response = client.post(url, {"result": "fail", "note": "已过期", "photos": [photo()]}, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="item-{first.pk}"' in body
    assert 'data-result="fail"' in body
    assert 'id="insp-progress"' in body
    assert 'hx-swap-oob="true"' in body
    assert 'data-hazards="1"' in body
    assert 'data-major="1"' in body
    a = Answer.objects.get(inspection=insp, item=first)
    assert (a.result, a.note, a.photos.count()) == ("fail", "已过期", 1)
    # A refused answer comes back with its errors (400) and saves nothing.
    response = client.post(url, {"result": "na"}, **HTMX)
    assert response.status_code == 400
    assert b'data-testid="item-errors"' in response.content
    a.refresh_from_db()
    assert a.result == "fail"
    # Without htmx: back to the form.
    response = client.post(url, {"result": "pass"})
    assert response.status_code == 302


def test_findings_panel_edits_and_merges(login, answered):
    insp = answered()
    client = login("township")
    first, second, *_ = _items(insp)
    a1 = Answer.objects.get(inspection=insp, item=first)
    a2 = Answer.objects.get(inspection=insp, item=second)
    url = reverse("inspections:finding", args=[insp.pk, a2.pk])
    response = client.post(url, {"hazard_title": "警示标志缺失", "hazard_level": "general"}, **HTMX)
    assert response.status_code == 200
    a2.refresh_from_db()
    assert a2.hazard_title == "警示标志缺失"
    response = client.post(url, {"hazard_title": ""}, **HTMX)
    assert response.status_code == 400
    assert b"finding-errors" in response.content
    response = client.post(url, {"into": str(a1.pk)}, **HTMX)
    assert response.status_code == 200
    assert response.content.count(b'data-testid="finding"') == 1
    assert b'data-testid="merged"' in response.content
    a2.refresh_from_db()
    assert a2.merged_into == a1
    client.post(url, {"into": ""}, **HTMX)
    a2.refresh_from_db()
    assert a2.merged_into is None


def test_sign_then_submit_then_read_only_record(login, answered, signature):
    insp = answered()
    client = login("township")
    response = client.post(
        reverse("inspections:sign", args=[insp.pk]),
        {"signer_name": "王经理", "signature": signature()},
        **HTMX,
    )
    assert response.status_code == 200
    assert b'data-testid="signed"' in response.content
    response = client.post(reverse("inspections:sign", args=[insp.pk]), {"signer_name": ""}, **HTMX)
    assert response.status_code == 400
    assert b"sign-errors" in response.content
    response = client.post(reverse("inspections:submit", args=[insp.pk]), {"summary": "限期整改"})
    assert response.status_code == 302
    insp.refresh_from_db()
    assert insp.state == "submitted"
    assert insp.summary == "限期整改"
    page = client.get(reverse("inspections:detail", args=[insp.pk]))
    assert b'data-testid="inspection-detail"' in page.content
    assert page.content.count(b'data-testid="insp-hazard"') == 2
    assert b'data-level="major"' in page.content
    sig = client.get(reverse("inspections:signature", args=[insp.pk]))
    assert sig.status_code == 200
    assert sig["Content-Type"] == "image/png"
    # Read-only: a late answer is refused and sent to the record.
    item = _items(insp)[3]
    late = client.post(
        reverse("inspections:answer", args=[insp.pk, item.pk]), {"result": "fail"}, **HTMX
    )
    assert late.status_code == 409
    assert late["HX-Redirect"] == reverse("inspections:detail", args=[insp.pk])


def test_submit_page_lists_what_is_missing(login, started, demo):
    insp = started()
    actions.answer(insp, _items(insp)[3], by=demo["township"], result="pass")
    response = login("township").post(reverse("inspections:submit", args=[insp.pk]))
    assert response.status_code == 400
    assert b'data-testid="submit-errors"' in response.content
    assert "危险部位".encode() in response.content


def test_pdf_record(login, answered, demo, signature, org_of):
    insp = answered()
    actions.sign(insp, by=demo["township"], signer_name="王经理", png_data_url=signature())
    actions.submit(insp, by=demo["township"], summary="限期整改")
    response = login("ent1").get(reverse("inspections:record", args=[insp.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = response.content
    assert data.startswith(b"%PDF")
    assert len(data) > 1024
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
        ).stdout.decode()
        assert org_of("ent1").name in text
        assert "安全生产检查记录" in text
        hazard = Hazard.objects.filter(answers__inspection=insp).first()
        assert hazard.number in text


def test_scope_on_pages_and_files(client, login, answered):
    insp = answered()
    photo = Answer.objects.filter(inspection=insp).exclude(photos=None).first().photos.first()
    urls = [
        reverse("inspections:detail", args=[insp.pk]),
        reverse("inspections:record", args=[insp.pk]),
        reverse("inspections:photo", args=[photo.pk]),
        reverse("inspections:photo_thumb", args=[photo.pk]),
    ]
    for url in urls:
        assert login("ent1").get(url).status_code == 200, url
    for url in urls:
        assert login("ent2").get(url).status_code == 404, url
    item = _items(insp)[3]
    answer_url = reverse("inspections:answer", args=[insp.pk, item.pk])
    assert login("ent2").post(answer_url, {"result": "pass"}).status_code == 404
    # The inspected enterprise sees the record but cannot answer for the township.
    page = login("ent1safety").get(reverse("inspections:detail", args=[insp.pk]))
    assert b'data-testid="inspection-detail"' in page.content
    assert login("ent1safety").post(answer_url, {"result": "pass"}).status_code == 403
    assert client.logout() is None


def test_a_due_duty_period_prefills_a_self_inspection(login, org_of, checklist):
    import datetime

    from anpai.inspections.models import DutyPeriod, InspectionDuty

    duty = InspectionDuty.objects.create(
        organization=org_of("ent1safety"), cadence="daily", template_code=checklist.code
    )
    today = datetime.date.today()
    period = DutyPeriod.objects.create(duty=duty, start=today, end=today)
    client = login("ent1safety")
    page = client.get(reverse("inspections:create"), {"period": period.pk})
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["kind"] == "self"
    assert form.initial["cadence"] == "daily"
    assert form.initial["template"] == checklist.code
    response = client.post(
        reverse("inspections:create") + f"?period={period.pk}",
        {"organization": org_of("ent1safety").pk, "kind": "self", "template": checklist.code,
         "date": today.isoformat(), "cadence": "daily", "period": period.pk},
    )  # fmt: skip
    assert response.status_code == 302
    insp = Inspection.objects.latest("id")
    assert insp.period == period
    assert insp.cadence == "daily"
    # Another enterprise's period is not found, so it prefills nothing.
    page = login("ent2").get(reverse("inspections:create"), {"period": period.pk})
    assert page.context["period"] is None

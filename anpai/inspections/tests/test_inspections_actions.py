"""Inspection steps: start by kind and role, answer as you go, merge, sign, submit."""

from __future__ import annotations

import pytest

from anpai.core.errors import Conflict, Forbidden, Invalid, NotFound
from anpai.hazards.models import Hazard
from anpai.inspections import actions
from anpai.inspections.choices import InspectionState, PeriodState
from anpai.inspections.models import Answer, DutyPeriod, InspectionDuty

pytestmark = pytest.mark.django_db


def _items(insp):
    return list(insp.template.items.order_by("order"))


def test_start_makes_one_blank_answer_per_item_with_the_current_version(started, checklist):
    from anpai.inspections.models import ChecklistItem, ChecklistTemplate

    checklist.is_current = False
    checklist.save()
    v2 = ChecklistTemplate.objects.create(code=checklist.code, version=2, name="测试检查表 v2")
    ChecklistItem.objects.create(template=v2, order=1, question="新增检查项？")
    insp = started(template=checklist)  # an old version given: the current one is used
    assert insp.template == v2
    assert insp.answers.count() == 1
    assert insp.answers.get().result == ""


def test_enterprise_cannot_start_a_township_inspection(started):
    with pytest.raises(Forbidden):
        started("ent1safety", kind="township")
    insp = started("ent1safety", kind="self", cadence="weekly")
    assert insp.kind == "self"
    assert insp.cadence == "weekly"


def test_government_cannot_start_a_self_inspection_nor_a_village_patrol(started):
    with pytest.raises(Forbidden):
        started("township", kind="self")
    with pytest.raises(Forbidden):
        started("township", kind="village_patrol")


def test_outside_scope_is_not_found(started):
    with pytest.raises(NotFound):
        started("ent2", org="ent1", kind="self")


def test_bad_input_names_the_field(started, demo, org_of):
    with pytest.raises(Invalid) as exc:
        started(template="no-such-checklist")
    assert "template" in exc.value.fields
    import datetime

    with pytest.raises(Invalid) as exc:
        started(date=datetime.date.today() + datetime.timedelta(days=3))
    assert "date" in exc.value.fields
    with pytest.raises(Invalid) as exc:
        started(kind="joint")
    assert "departments" in exc.value.fields


def test_a_fail_drafts_its_hazard_from_the_item_and_clause(started, demo, photo):
    insp = started()
    first, second, *_ = _items(insp)
    a = actions.answer(insp, first, by=demo["township"], result="fail")
    assert a.hazard_title == first.question
    assert a.hazard_level == "major"
    b = actions.answer(
        insp, second, by=demo["township"], result="fail", hazard_title="警示标志缺失"
    )
    assert (b.hazard_title, b.hazard_level) == ("警示标志缺失", "general")
    with pytest.raises(Invalid) as exc:  # the clause decides: it cannot be made general
        actions.answer(insp, first, by=demo["township"], result="fail", hazard_level="general")
    assert "hazard_level" in exc.value.fields
    a = actions.answer(insp, first, by=demo["township"], result="pass")
    assert (a.hazard_title, a.hazard_level) == ("", "")


def test_not_applicable_only_where_allowed(started, demo):
    insp = started()
    first = _items(insp)[0]
    with pytest.raises(Invalid) as exc:
        actions.answer(insp, first, by=demo["township"], result="na")
    assert "result" in exc.value.fields


def test_a_photo_that_is_not_an_image_is_refused(started, demo):
    from django.core.files.uploadedfile import SimpleUploadedFile

    insp = started()
    bad = SimpleUploadedFile("x.jpg", b"MZ\x90\x00 program", content_type="image/jpeg")
    with pytest.raises(Invalid) as exc:
        actions.answer(insp, _items(insp)[0], by=demo["township"], result="fail", photos=[bad])
    assert "photos" in exc.value.fields
    assert not Answer.objects.filter(inspection=insp).exclude(result="").exists()


def test_submit_reports_one_hazard_per_fail_linked_to_item_and_clause(answered, demo):
    insp = answered()
    before = Hazard.objects.count()
    actions.submit(insp, by=demo["township"], summary="整体较好")
    insp.refresh_from_db()
    assert insp.state == InspectionState.SUBMITTED
    assert insp.submitted_at
    assert Hazard.objects.count() == before + 2
    first, second, third, _ = _items(insp)
    major = Answer.objects.get(inspection=insp, item=first).hazard
    general = Answer.objects.get(inspection=insp, item=second).hazard
    assert major.level == "major"
    assert major.standard_clause == first.clause
    assert "第四条(一)" in major.clause
    assert major.state == "reported"
    assert major.source == "gov_inspection"
    assert major.category.code == "electrical"
    assert general.category.code == "other"
    assert "许可证过期" in major.description
    assert major.attachments.filter(kind="before").count() == 1
    assert major.reported_up_at is not None  # a major hazard goes up to the township
    assert general.level == "general"
    assert general.standard_clause == second.clause
    assert Answer.objects.get(inspection=insp, item=third).hazard is None


def test_merged_fails_make_one_hazard(answered, demo):
    insp = answered()
    first, second, *_ = _items(insp)
    a1 = Answer.objects.get(inspection=insp, item=first)
    a2 = Answer.objects.get(inspection=insp, item=second)
    actions.merge(a2, a1, by=demo["township"])
    before = Hazard.objects.count()
    actions.submit(insp, by=demo["township"])
    assert Hazard.objects.count() == before + 1
    a1.refresh_from_db()
    a2.refresh_from_db()
    assert a1.hazard == a2.hazard
    assert a1.hazard.level == "major"
    assert a1.hazard.attachments.count() == 2  # both items' photos


def test_merge_only_fails_of_the_same_inspection(answered, demo):
    insp = answered()
    first, _, third, _ = _items(insp)
    a1 = Answer.objects.get(inspection=insp, item=first)
    a3 = Answer.objects.get(inspection=insp, item=third)
    with pytest.raises(Invalid):
        actions.merge(a3, a1, by=demo["township"])
    with pytest.raises(Invalid):
        actions.merge(a1, a1, by=demo["township"])


def test_unanswered_items_are_refused_by_name(started, demo):
    insp = started()
    first = _items(insp)[0]
    actions.answer(insp, first, by=demo["township"], result="pass")
    with pytest.raises(Invalid) as exc:
        actions.submit(insp, by=demo["township"])
    message = exc.value.fields["answers"][0]
    assert "3" in message
    assert "危险部位" in message
    insp.refresh_from_db()
    assert insp.state == InspectionState.DRAFT


def test_a_fail_needing_a_photo_must_have_one(started, demo):
    insp = started()
    for item in _items(insp):
        actions.answer(insp, item, by=demo["township"], result="fail")
    with pytest.raises(Invalid) as exc:
        actions.submit(insp, by=demo["township"])
    assert "photos" in exc.value.fields
    assert "是否依法取得" in exc.value.fields["photos"][0]


def test_submitted_is_read_only(answered, demo, photo, signature):
    insp = answered()
    actions.submit(insp, by=demo["township"])
    item = _items(insp)[3]
    with pytest.raises(Conflict):
        actions.answer(insp, item, by=demo["township"], result="fail")
    with pytest.raises(Conflict):
        actions.submit(insp, by=demo["township"])
    with pytest.raises(Conflict):
        actions.sign(insp, by=demo["township"], signer_name="张三", png_data_url=signature())


def test_the_inspected_enterprise_cannot_edit_a_township_inspection(started, demo):
    insp = started()
    with pytest.raises(Forbidden):
        actions.answer(insp, _items(insp)[0], by=demo["ent1safety"], result="pass")
    with pytest.raises(NotFound):
        actions.answer(insp, _items(insp)[0], by=demo["ent2"], result="pass")


def test_stale_version_is_a_conflict(started, demo):
    insp = started()
    item = _items(insp)[3]
    actions.answer(insp, item, by=demo["township"], result="pass", version=insp.version)
    with pytest.raises(Conflict):
        actions.answer(insp, item, by=demo["township"], result="pass", version=insp.version)


def test_sign_checks_the_png(started, demo, signature, english):
    insp = started()
    user = demo["township"]
    with pytest.raises(Invalid) as exc:
        actions.sign(insp, by=user, signer_name="", png_data_url="data:image/png;base64,AAAA")
    assert {"signer_name", "signature"} <= set(exc.value.fields)
    with pytest.raises(Invalid):
        actions.sign(insp, by=user, signer_name="张三", png_data_url="data:text/html;base64,PGI+")
    blank = "data:image/png;base64," + __import__("base64").b64encode(_blank_png()).decode()
    with pytest.raises(Invalid) as exc:
        actions.sign(insp, by=user, signer_name="张三", png_data_url=blank)
    assert "empty" in str(exc.value.fields["signature"][0])
    actions.sign(insp, by=user, signer_name="张三", png_data_url=signature())
    insp.refresh_from_db()
    assert insp.signer_name == "张三"
    assert insp.signature.name.endswith(".png")


def _blank_png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (200, 80), (0, 0, 0, 0)).save(out, format="PNG")
    return out.getvalue()


def test_submit_marks_the_linked_duty_period_done(started, demo, org_of, photo):
    import datetime

    duty = InspectionDuty.objects.create(
        organization=org_of("ent1safety"), cadence="weekly", template_code="test-checklist"
    )
    today = datetime.date.today()
    period = DutyPeriod.objects.create(duty=duty, start=today, end=today)
    insp = started("ent1safety", kind="self", cadence="weekly", period=period)
    for item in _items(insp):
        actions.answer(insp, item, by=demo["ent1safety"], result="pass")
    actions.submit(insp, by=demo["ent1safety"])
    period.refresh_from_db()
    assert period.state == PeriodState.DONE
    assert period.inspection == insp
    assert Hazard.objects.filter(answers__inspection=insp).count() == 0

"""Fixtures for inspection tests: a small checklist tied to a standard's clauses, photos,
a PNG signature, and inspections started by the demo personas."""

from __future__ import annotations

import base64
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from anpai.people.models import Membership


def make_jpeg(name: str = "photo.jpg", size=(64, 48), color=(200, 40, 40)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def signature_data_url(size=(300, 120)) -> str:
    """What the canvas hands over: a transparent PNG with a stroke on it."""
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(image).line((10, 80, 90, 20, 160, 90, 280, 30), fill=(0, 0, 0, 255), width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


@pytest.fixture
def photo():
    return make_jpeg


@pytest.fixture
def signature():
    return signature_data_url


@pytest.fixture
def org_of(demo):
    """``org_of("ent1")``: the organisation the persona belongs to."""

    def _org(username: str):
        return Membership.objects.get(user=demo[username]).organization

    return _org


@pytest.fixture
def checklist(db):
    """A current checklist ``test-checklist`` v1 of four items:

    1. tied to a clause that makes a hazard major (photo required on fail);
    2. tied to a clause that does not;
    3. no clause, may be not applicable;
    4. no clause, no photo needed, always applies.
    """
    from anpai.hazards.models import Category
    from anpai.hazards.reference import ensure_categories
    from anpai.inspections.models import ChecklistItem, ChecklistTemplate
    from anpai.standards.models import Clause, Standard

    ensure_categories()
    standard = Standard.objects.create(
        family="test-std",
        code="test-std-2023",
        name="测试判定标准",
        effective_from=date(2023, 1, 1),
    )
    major = Clause.objects.create(
        standard=standard, number="第四条(一)", text="未依法取得安全许可", makes_major=True
    )
    minor = Clause.objects.create(
        standard=standard, number="第五条", text="安全警示标志缺失", makes_major=False
    )
    template = ChecklistTemplate.objects.create(code="test-checklist", version=1, name="测试检查表")
    electrical = Category.objects.get(code="electrical")
    rows = [
        ("证照", "是否依法取得安全生产许可证？", major, electrical, False, True),
        ("现场", "危险部位是否设置安全警示标志？", minor, None, True, True),
        ("现场", "消防器材是否完好有效？", None, None, True, True),
        ("管理", "是否建立隐患排查台账？", None, None, False, False),
    ]
    for order, (section, question, clause, category, allow_na, photo) in enumerate(rows, 1):
        ChecklistItem.objects.create(
            template=template,
            order=order,
            section=section,
            question=question,
            clause=clause,
            category=category,
            allow_na=allow_na,
            photo_required_on_fail=photo,
        )
    return template


@pytest.fixture
def started(demo, org_of, checklist):
    """``started(by="township", org="ent1", kind="township")``: a draft inspection."""
    from anpai.inspections import actions

    def _start(by: str = "township", *, org: str = "ent1", kind: str = "township", **extra):
        return actions.start(
            by=demo[by],
            organization=org_of(org),
            kind=kind,
            template=extra.pop("template", checklist),
            **extra,
        )

    return _start


@pytest.fixture
def answered(demo, started, photo):
    """A township inspection of ent1's enterprise with items 1 and 2 failed (with photos),
    3 not applicable and 4 passed."""
    from anpai.inspections import actions

    def _answered(by: str = "township", **extra):
        insp = started(by, **extra)
        items = list(insp.template.items.order_by("order"))
        user = demo[by]
        actions.answer(insp, items[0], by=user, result="fail", note="许可证过期", photos=[photo()])
        actions.answer(insp, items[1], by=user, result="fail", photos=[photo("b.jpg")])
        actions.answer(insp, items[2], by=user, result="na")
        actions.answer(insp, items[3], by=user, result="pass")
        return insp

    return _answered

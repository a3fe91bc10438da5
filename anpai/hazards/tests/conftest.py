"""Fixtures for hazard tests: a category, an org per persona, photo and PDF uploads."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from anpai.people.models import Membership


def make_jpeg(name: str = "photo.jpg", size=(64, 48), color=(200, 40, 40)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def make_pdf(name: str = "plan.pdf") -> SimpleUploadedFile:
    body = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


@pytest.fixture
def photo():
    return make_jpeg


@pytest.fixture
def org_of(demo):
    """``org_of("ent1")``: the organisation the persona belongs to."""

    def _org(username: str):
        return Membership.objects.get(user=demo[username]).organization

    return _org


@pytest.fixture
def category():
    from anpai.hazards.models import Category
    from anpai.hazards.reference import ensure_categories

    ensure_categories()
    return Category.objects.get(code="electrical")


@pytest.fixture
def new_hazard(demo, org_of, category):
    """``new_hazard(by="ent1safety", level="general")``: a reported hazard in by's org."""
    from anpai.hazards import actions

    def _new(by: str = "ent1safety", *, org=None, level: str = "general", **extra):
        return actions.report(
            by=demo[by],
            organization=org or org_of(by),
            title=extra.pop("title", "配电箱线路老化"),
            description=extra.pop("description", "二车间配电箱电线绝缘层老化破损"),
            category=category,
            level=level,
            **extra,
        )

    return _new

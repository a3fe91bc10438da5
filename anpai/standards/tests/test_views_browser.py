"""The standards library and a checklist in a real browser, on a desktop and a phone:
nothing wider than the screen, the unverified markers visible; screenshots for review."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("ANPAI_SCREENSHOTS", "var/screenshots"))
NO_OVERFLOW = "() => document.documentElement.scrollWidth <= window.innerWidth"


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _load_library():
    """A transactional test's flush removes the migration-loaded library: load it again."""
    from anpai.hazards.reference import ensure_categories
    from anpai.inspections.checklists import load_shipped_checklists
    from anpai.orgs.reference import ensure_industries
    from anpai.standards.loader import load_standards

    ensure_industries()
    ensure_categories()
    load_standards()
    load_shipped_checklists()


@pytest.mark.parametrize("mobile", [False, True], ids=["desktop", "phone"])
def test_library_pages(page_as, live_server, mobile):
    from anpai.inspections.models import ChecklistTemplate
    from anpai.standards.models import Standard

    _load_library()
    suffix = "phone" if mobile else "desktop"
    unverified = (
        Standard.objects.filter(clauses__is_verified=False).distinct().order_by("code").first()
    )
    campaign = ChecklistTemplate.objects.get(code="campaign-2023", is_current=True)
    page = page_as("township", mobile=mobile)

    page.goto(f"{live_server.url}/standards/")
    assert page.locator('[data-testid="family"]').count() >= 8
    assert page.evaluate(NO_OVERFLOW)
    _shot(page, f"standards-list-{suffix}")

    page.goto(f"{live_server.url}/standards/{unverified.pk}/")
    assert page.locator('[data-testid="clause"] [data-testid="unverified"]').first.is_visible()
    assert page.locator('[data-testid="standard-edit"]').count() == 0  # shipped: read-only
    assert page.evaluate(NO_OVERFLOW)
    _shot(page, f"standard-detail-{suffix}")

    page.goto(f"{live_server.url}/inspections/checklists/{campaign.pk}/")
    assert page.locator('[data-testid="checklist-item"]').count() == campaign.items.count()
    assert page.locator('[data-testid="checklist-copy"]').is_visible()
    assert page.evaluate(NO_OVERFLOW)
    _shot(page, f"checklist-detail-{suffix}")

    page.goto(f"{live_server.url}/inspections/checklists/")
    assert page.evaluate(NO_OVERFLOW)
    _shot(page, f"checklist-list-{suffix}")


def test_copy_a_shipped_checklist_and_save_a_version_on_a_phone(page_as, live_server):
    from anpai.inspections.models import ChecklistTemplate

    _load_library()
    shipped = ChecklistTemplate.objects.get(code="fire_crowded", is_current=True)
    page = page_as("township", mobile=True)
    page.goto(f"{live_server.url}/inspections/checklists/{shipped.pk}/")
    page.click('[data-testid="checklist-copy"]')
    page.wait_for_selector('[data-testid="checklist-form"]')
    copy = ChecklistTemplate.objects.exclude(pk=shipped.pk).get(code__startswith="fire_crowded-")
    assert page.evaluate(NO_OVERFLOW)
    _shot(page, "checklist-edit-phone")
    page.fill('[name="form-0-question"]', "安全出口、疏散通道是否畅通？（本乡补充：每月检查一次）")
    page.click('[data-testid="checklist-save"]')
    page.wait_for_selector('[data-testid="checklist-history"]')
    current = ChecklistTemplate.objects.get(code=copy.code, is_current=True)
    assert current.version == 2
    assert page.locator('[data-testid="checklist-version"]').inner_text() == "v2"
    assert current.items.filter(question__contains="本乡补充").exists()
    shipped.refresh_from_db()
    assert shipped.is_current

"""Main journeys in a real browser: logging in as different roles and seeing only what each may."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("ANPAI_SCREENSHOTS", "var/screenshots"))


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_township_officer_sees_the_whole_township(page_as, live_server):
    from anpai.orgs.models import Organization

    page = page_as("township")
    assert "赵安平" in page.inner_text("nav")
    page.click('nav >> text="单位"')
    page.wait_for_url(f"{live_server.url}/orgs/")
    body = page.inner_text("main")
    # Enterprises of both villages are listed; the officer can add and import.
    assert "文水县鑫源化工有限公司" in body
    assert "文水县晋丰化工有限公司" in body
    total = Organization.objects.filter(region__code__startswith="141127203").count()
    assert str(total) in page.inner_text("h1")
    assert page.locator("a", has_text="新建").count() >= 1
    _shot(page, "township-orgs")


def test_enterprise_principal_sees_only_its_own_enterprise(page_as, live_server):
    from anpai.orgs.models import Organization

    page = page_as("ent1")
    page.click('nav >> text="单位"')
    rows = page.locator("table tbody tr")
    assert rows.count() == 1
    assert "文水县鑫源化工有限公司" in rows.first.inner_text()
    assert page.locator("a", has_text="新建").count() == 0
    _shot(page, "ent1-orgs")
    # Another enterprise's page answers 404, as if it did not exist.
    other = Organization.objects.get(name="文水县晋丰化工有限公司")
    response = page.goto(f"{live_server.url}/orgs/{other.pk}/")
    assert response.status == 404


def test_phone_layout_collapses_navigation(page_as, live_server):
    page = page_as("village1", mobile=True)
    assert page.locator(".navbar-toggler").is_visible()
    page.click(".navbar-toggler")
    page.click('nav >> text="单位"')
    page.wait_for_url(f"{live_server.url}/orgs/")
    assert "西槽头村" in page.inner_text("main")
    assert "东槽头村村民委员会" not in page.inner_text("main")
    _shot(page, "village1-phone")

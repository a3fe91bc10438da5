"""Assessing a risk point in the browser: ent1 opens a point, chooses the LEC factors
and sees the score, level and colour computed live; changing L changes the level
without a page load; saving puts the assessment in the point's history. Screenshots
(in ``$ANPAI_SCREENSHOTS``): the assess page on a desktop, the point's page on a phone."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("ANPAI_SCREENSHOTS", "var/screenshots"))
PREVIEW = '[data-testid="assess-preview"]'


def _point(demo):
    from anpai.orgs.models import Organization
    from anpai.risks import actions

    ent1 = demo["ent1"]
    org = Organization.objects.filter(memberships__user=ent1).first()
    point = actions.create_point(
        by=ent1,
        organization=org,
        code="FX-91",
        name="液氯钢瓶库",
        kind="area",
        location="原料库东侧",
        hazard_sources="液氯钢瓶 20 只（每只 1 t）",
        accident_types=["poisoning", "vessel"],
        consequences="氯气泄漏致人中毒窒息",
        emergency_actions="佩戴正压式空气呼吸器，启动碱液喷淋",
        emergency_phone="0358-1234567",
        department="储运部",
        responsible_user=demo["ent1safety"],
    )
    actions.save_measure(
        point,
        by=ent1,
        kind="engineering",
        text="设置氯气泄漏检测报警仪并与碱液喷淋联锁",
        responsible_user=demo["ent1safety"],
        check_cadence="daily",
        check_user=demo["ent1safety"],
    )
    actions.save_measure(point, by=ent1, kind="ppe", text="库区配备正压式空气呼吸器 2 套")
    actions.save_measure(point, by=ent1, kind="emergency", text="每半年一次氯气泄漏应急演练")
    actions.request_reassessment(point, reason="钢瓶数量由 10 只增至 20 只")
    return point


def test_assess_with_live_preview(page_as, live_server, demo):
    from anpai.risks.models import RiskPoint

    SHOTS.mkdir(parents=True, exist_ok=True)
    point = _point(demo)
    page = page_as("ent1")
    page.goto(f"{live_server.url}/risks/{point.pk}/")
    assert page.locator('[data-testid="risk-reassess-banner"]').is_visible()
    page.click('[data-testid="risk-assess"]')
    page.wait_for_url(re.compile(rf"/risks/{point.pk}/assess/$"))

    # A marker on the window survives only if the page is never reloaded.
    page.evaluate("window.__stillHere = true")
    page.select_option('select[name="l"]', "6")
    page.select_option('select[name="e"]', "6")
    page.select_option('select[name="c"]', "15")
    preview = page.locator(PREVIEW)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=assess-preview]').dataset.level === 'major'"
    )
    assert preview.get_attribute("data-score") == "540"
    assert preview.get_attribute("data-colour") == "red"
    red = page.eval_on_selector(PREVIEW, "el => getComputedStyle(el).backgroundColor")
    assert red == "rgb(230, 0, 18)"  # FILL red #e60012

    # L from 6 to 3: 3 × 6 × 15 = 270, significant (orange), with no page load.
    page.select_option('select[name="l"]', "3")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=assess-preview]').dataset.level "
        "=== 'significant'"
    )
    assert preview.get_attribute("data-score") == "270"
    assert page.evaluate("window.__stillHere") is True
    orange = page.eval_on_selector(PREVIEW, "el => getComputedStyle(el).backgroundColor")
    assert orange == "rgb(243, 152, 0)"  # FILL orange #f39800
    page.screenshot(path=str(SHOTS / "risk-assess-desktop.png"), full_page=True)

    # The matrix: the factors change in place, and the preview with them.
    page.check('input[name="method"][value="matrix"]')
    page.wait_for_selector('select[name="s"]')
    assert page.locator('select[name="e"]').count() == 0
    assert page.evaluate("window.__stillHere") is True
    page.check('input[name="method"][value="lec"]')
    page.wait_for_selector('select[name="c"]')
    page.select_option('select[name="l"]', "3")
    page.select_option('select[name="e"]', "6")
    page.select_option('select[name="c"]', "15")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=assess-preview]').dataset.score === '270'"
    )

    page.select_option('select[name="reason"]', "change")
    page.fill('textarea[name="note"]', "钢瓶增加后复评")
    page.click('[data-testid="assess-submit"]')
    page.wait_for_url(re.compile(rf"/risks/{point.pk}/$"))
    assert page.locator('[data-testid="risk-band"]').get_attribute("data-colour") == "orange"
    assert page.locator('[data-testid="risk-reassess-banner"]').count() == 0
    assert page.locator('[data-testid="assessment"]').count() == 1
    point = RiskPoint.objects.get(pk=point.pk)
    assert (point.level, point.score, point.control_level) == ("significant", 270, "department")

    phone = page_as("ent1", mobile=True)
    phone.goto(f"{live_server.url}/risks/{point.pk}/")
    band = phone.locator('[data-testid="risk-band"]')
    assert band.is_visible()
    # Nothing wider than the phone: the page does not scroll sideways.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(SHOTS / "risk-detail-phone.png"), full_page=True)
    phone.goto(f"{live_server.url}/risks/?organization={point.organization_id}")
    assert phone.locator(f'[data-testid="risk-row"][data-pk="{point.pk}"]').is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(SHOTS / "risk-list-phone.png"), full_page=True)

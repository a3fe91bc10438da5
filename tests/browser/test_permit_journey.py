"""A confined-space permit on phones, in a real browser: the team leader applies for it
(type first, then the form with a second worker row added), the workshop head approves
it on a 390 px screen, the team leader confirms the measures, records the briefing and a
passing gas analysis, and starts the work. Screenshots of each main screen go to
``$ANPAI_SCREENSHOTS`` (default var/screenshots)."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("ANPAI_SCREENSHOTS", "var/screenshots"))
FMT = "%Y-%m-%dT%H:%M"


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"permit-{name}.png"), full_page=True)


def _fits(page) -> None:
    """Nothing wider than the phone: the page does not scroll sideways."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def _accounts() -> None:
    """The workshop head and the team leader of ent1's organisation (the demo has them;
    made here if not), with the demo password so ``page_as`` can log them in."""
    from anpai.orgs.models import Organization
    from anpai.people.choices import Role
    from anpai.people.models import Membership, User
    from conftest import DEMO_PASSWORD

    org = Organization.objects.get(
        memberships__user__username="ent1", memberships__role=Role.ENT_PRINCIPAL
    )
    for username, name, role in (
        ("ent1workshop", "郭春生", Role.ENT_DEPT_HEAD),
        ("ent1team", "马俊杰", Role.ENT_TEAM_LEADER),
    ):
        user, _ = User.objects.get_or_create(username=username, defaults={"full_name": name})
        user.set_password(DEMO_PASSWORD)
        user.is_active = True
        user.save()
        Membership.objects.get_or_create(user=user, organization=org, role=role)


def _state(page, state: str) -> None:
    page.wait_for_selector(f'[data-testid="permit-header"][data-state="{state}"]')


def test_confined_space_permit_applied_approved_and_started_on_phones(page_as, live_server):
    from anpai.permits.models import Permit

    _accounts()
    url = live_server.url

    # 1. The team leader applies on a phone: the eight types first.
    team = page_as("ent1team", mobile=True)
    team.goto(f"{url}/permits/")
    _fits(team)
    _shot(team, "list-phone")
    team.click('[data-testid="permit-new"]')
    team.wait_for_selector('[data-testid="type-confined_space"]')
    assert team.locator('[data-testid^="type-"]').count() == 8
    assert "受限空间作业" in team.inner_text('[data-testid="type-confined_space"]')
    _fits(team)
    _shot(team, "choose-type-phone")

    # Hot work: the level follows the answers live, without a page load.
    team.click('[data-testid="type-hot_work"]')
    team.wait_for_selector('[data-testid="permit-form"]')
    team.evaluate("window.__stillHere = true")
    team.check('input[name="area"][value="hazardous_area"]')
    team.wait_for_selector('[data-testid="level-preview"][data-level="1"]')
    assert team.get_attribute('[data-testid="level-preview"]', "data-chain") == "unit,safety"
    team.check('input[name="night_or_holiday"]')
    team.wait_for_selector('[data-testid="level-preview"][data-level="special"]')
    chain = team.get_attribute('[data-testid="level-preview"]', "data-chain")
    assert chain == "unit,safety,principal"
    assert team.evaluate("window.__stillHere") is True
    _fits(team)
    team.screenshot(path=str(SHOTS / "permit-apply-hot-work-phone.png"))
    team.click('[data-testid="change-type"]')
    team.wait_for_selector('[data-testid="type-confined_space"]')
    team.click('[data-testid="type-confined_space"]')
    team.wait_for_selector('[data-testid="permit-form"]')

    # The single level, its validity and its one-step chain are shown at once.
    preview = team.locator('[data-testid="level-preview"]')
    assert preview.get_attribute("data-level") == "single"
    assert preview.get_attribute("data-chain") == "unit"
    assert preview.get_attribute("data-validity") == "24"

    start = timezone.localtime()
    team.fill("#id_planned_start", start.strftime(FMT))
    # A window longer than the 24 hours a confined-space permit allows is named live.
    team.fill("#id_planned_end", (start + timedelta(hours=30)).strftime(FMT))
    team.locator("#id_planned_end").dispatch_event("change")
    team.wait_for_selector('[data-testid="window-error"]')
    team.fill("#id_planned_end", (start + timedelta(hours=6)).strftime(FMT))
    team.locator("#id_planned_end").dispatch_event("change")
    team.wait_for_selector('[data-testid="window-ok"]')

    team.fill("#id_content", "清理 2# 污水池底部淤泥")
    team.fill("#id_location", "污水处理站 2# 池")
    team.fill("#id_unit", "环保车间")
    team.fill("#id_medium", "硫化氢、沼气")
    team.fill("#id_medium_lel", "5")
    team.fill("#id_person_in_charge", "郭春生")
    team.fill("#id_guardian", "监护人丁")
    team.fill("#id_guardian_certificate", "JH-2024-017")
    team.fill("#id_hazard_identification", "硫化氢中毒、缺氧窒息、淹溺")
    team.fill("#id_workers-0-name", "作业人丙")
    team.fill("#id_workers-0-certificate_kind", "有限空间作业")
    team.fill("#id_workers-0-certificate_no", "T140000021")
    team.fill("#id_workers-0-certificate_expires", "2030-06-30")
    # A second worker: a row added by the static script (no page load).
    team.click('[data-testid="worker-add"]')
    team.wait_for_selector("#id_workers-1-name")
    assert team.locator('[data-testid="worker-row"]').count() == 2
    team.fill("#id_workers-1-name", "作业人戊")
    team.fill("#id_workers-1-certificate_kind", "有限空间作业")
    team.fill("#id_workers-1-certificate_no", "T140000022")
    team.fill("#id_workers-1-certificate_expires", "2029-12-31")
    _fits(team)
    _shot(team, "apply-phone")
    team.click('[data-testid="permit-save-submit"]')
    team.wait_for_url(re.compile(r"/permits/\d+/$"))
    _state(team, "submitted")
    permit = Permit.objects.get(content="清理 2# 污水池底部淤泥")
    assert permit.type == "confined_space"
    assert permit.number.startswith("SX-")
    assert sorted(permit.workers.values_list("name", flat=True)) == ["作业人丙", "作业人戊"]
    assert team.locator('[data-testid="form-approve"]').count() == 0  # not their own
    _shot(team, "submitted-phone")

    # 2. The workshop head approves on a phone: it is their turn, the form is open.
    head = page_as("ent1workshop", mobile=True)
    head.goto(f"{url}/permits/")
    row = head.locator(f'[data-testid="permit-row"][data-pk="{permit.pk}"]')
    assert row.locator('[data-testid="badge-my-turn"]').is_visible()
    row.locator('[data-testid="permit-link"]').click()
    _state(head, "submitted")
    approve = head.locator('[data-testid="submit-approve"]')
    assert approve.is_visible()
    box = approve.bounding_box()
    assert box is not None
    assert box["height"] >= 44  # a thumb-sized button
    assert box["width"] >= 300
    assert head.locator('[data-testid="signs-next"]').is_visible()
    _fits(head)
    head.screenshot(path=str(SHOTS / "permit-approve-phone.png"))  # what the head sees first
    _shot(head, "approve-phone-full")
    head.fill('textarea[name="opinion"]', "同意，检测合格后方可进入")
    approve.click()
    _state(head, "approved")
    assert head.locator('[data-testid="chain-step"][data-signed="1"]').count() == 1
    assert "郭春生" in head.inner_text('[data-testid="chain"]')
    _shot(head, "approved-phone")

    # 3. The team leader confirms the measures, records the briefing and the gas analysis.
    team.reload()
    _state(team, "approved")
    assert team.locator('[data-testid="ready-gas"]').get_attribute("data-ok") == "0"
    team.click('[data-testid="step-measures"]')
    team.wait_for_selector('[data-testid="form-measures"] #id_all_by', state="visible")
    assert team.locator('[data-testid="measure-row"]').count() == 7
    team.fill('[data-testid="form-measures"] #id_all_by', "马俊杰")
    _shot(team, "measures-phone")
    team.click('[data-testid="submit-measures"]')
    team.wait_for_selector('[data-testid="ready-measures"][data-ok="1"]')

    team.click('[data-testid="step-briefing"]')
    given = team.locator('[data-testid="form-briefing"] input[name="given_by"]')
    given.wait_for(state="visible")
    assert given.input_value() == "郭春生"  # the person in charge, prefilled
    received = team.locator('[data-testid="form-briefing"] input[name="received_by"]')
    assert received.input_value() == "作业人丙、作业人戊、监护人丁"
    team.click('[data-testid="submit-briefing"]')
    team.wait_for_selector('[data-testid="ready-briefing"][data-ok="1"]')

    # Starting without a gas analysis is refused with the rule, and nothing changes.
    team.click('[data-testid="submit-start"]')
    team.wait_for_selector('[data-testid="refusal"]')
    assert "30" in team.inner_text('[data-testid="refusal-message"]')
    _state(team, "approved")
    _fits(team)
    team.screenshot(path=str(SHOTS / "permit-refusal-phone.png"))

    team.click('[data-testid="step-gas-analysis"]')
    gas = team.locator('[data-testid="form-gas-analysis"]')
    gas.locator('input[name="lel_percent"]').wait_for(state="visible")
    gas.locator('input[name="point"]').fill("池底中部")
    gas.locator('input[name="lel_percent"]').fill("0.1")
    gas.locator('input[name="o2_percent"]').fill("20.6")
    gas.locator('input[name="h2s"]').fill("2")
    gas.locator('input[name="analyst"]').fill("分析员己")
    _shot(team, "gas-phone")
    team.click('[data-testid="submit-gas-analysis"]')
    team.wait_for_selector('[data-testid="analysis"][data-passed="1"]')
    for check in ("approved", "measures", "briefing", "gas", "window"):
        ok = team.locator(f'[data-testid="ready-{check}"]').get_attribute("data-ok")
        assert ok == "1", check
    _fits(team)
    _shot(team, "ready-phone")

    # 4. And starts the work.
    team.click('[data-testid="submit-start"]')
    _state(team, "in_progress")
    permit.refresh_from_db()
    assert permit.state == "in_progress"
    assert permit.started_at is not None
    _fits(team)
    _shot(team, "started-phone")

    # Today's work shows it, on the phone and on the township's desktop.
    team.goto(f"{url}/permits/board/")
    card = team.locator(f'[data-testid="board-permit"][data-pk="{permit.pk}"]')
    assert card.get_attribute("data-state") == "in_progress"
    assert card.get_attribute("data-gas-warn") == "0"
    _fits(team)
    _shot(team, "board-phone")
    township = page_as("township")
    township.goto(f"{url}/permits/board/")
    assert township.locator(f'[data-testid="board-permit"][data-pk="{permit.pk}"]').is_visible()
    _shot(township, "board-desktop")
    township.goto(f"{url}/permits/{permit.pk}/")
    _shot(township, "detail-desktop")
    township.goto(f"{url}/permits/rules/")
    _shot(township, "rules-desktop")

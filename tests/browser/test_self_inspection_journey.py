"""The self-inspection report (自查检视报告) in a real browser: ent1's principal drafts and
submits it, the township officer returns it with a comment, the principal sees the
comment, edits and resubmits, the township files it (备案) — and both sides see each step
in the timeline. Also: ent2's principal signs this year's commitment on the canvas.
Screenshots (desktop and phone) go to ``$ANPAI_SCREENSHOTS`` (default var/screenshots)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("ANPAI_SCREENSHOTS", "var/screenshots"))
TITLE = "2026年度安全生产自查检视报告（浏览器）"
PROBLEMS = "1. 全员安全生产责任制未公示；\n2. 应急预案未演练。"
COMMENT = "报告未写明安全生产费用提取和使用情况，请补充后重新报送。"


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"self-inspection-{name}.png"), full_page=True)


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def _state(page, state: str) -> None:
    page.wait_for_selector(f'[data-testid="report-heading"] ~ [data-state="{state}"]')


def _timeline(page) -> list[str]:
    return page.eval_on_selector_all(
        '[data-testid="timeline-step"]', "els => els.map(e => e.dataset.kind)"
    )


def test_report_submitted_returned_resubmitted_and_filed(page_as, live_server):
    from anpai.enterprise.models import SelfInspectionReport

    base = live_server.url
    # ent1's principal drafts the report on a desktop and submits it.
    ent1 = page_as("ent1")
    ent1.goto(f"{base}/responsibility/reports/")
    ent1.click('[data-testid="report-new"]')
    ent1.fill('[data-testid="report-title"]', TITLE)
    ent1.fill('[data-testid="report-overview"]', "对照七项职责逐项检视责任制、制度、培训、投入。")
    ent1.fill('[data-testid="report-problems"]', PROBLEMS)
    ent1.fill('[data-testid="report-rectification"]', "已公示责任制，本月组织演练。")
    _shot(ent1, "1-draft-form-desktop")
    ent1.click('[data-testid="report-save"]')
    _state(ent1, "draft")
    ent1.click('[data-testid="report-submit"]')
    _state(ent1, "submitted")
    report = SelfInspectionReport.objects.get(title=TITLE)
    detail = f"{base}/responsibility/reports/{report.pk}/"

    # The township officer finds it first in the queue (phone), and returns it.
    township = page_as("township", mobile=True)
    township.goto(f"{base}/responsibility/reports/")
    first = township.locator('[data-testid="report-row"]').first
    assert first.get_attribute("data-state") == "submitted"
    assert township.locator(f'[data-testid="report-row"][data-pk="{report.pk}"]').count() == 1
    _fits(township)
    _shot(township, "2-queue-phone")
    township.goto(detail)
    _fits(township)
    _shot(township, "2b-file-or-return-phone")
    township.click('[data-testid="report-return"]')  # without a comment: refused
    township.wait_for_selector('[data-testid="return-errors"]')
    township.fill('[data-testid="return-comment-input"]', COMMENT)
    township.click('[data-testid="report-return"]')
    _state(township, "returned")
    _fits(township)
    _shot(township, "3-returned-phone")

    # The principal sees the comment (phone), edits and resubmits.
    phone = page_as("ent1", mobile=True)
    phone.goto(detail)
    assert COMMENT in phone.inner_text('[data-testid="return-comment"]')
    _fits(phone)
    _shot(phone, "4-comment-phone")
    phone.click('[data-testid="report-edit"]')
    phone.fill(
        '[data-testid="report-problems"]',
        PROBLEMS + "\n3. 安全生产费用：提取12万元，已使用8.6万元。",
    )
    phone.click('[data-testid="report-save-submit"]')
    _state(phone, "submitted")
    assert phone.locator('[data-testid="return-comment"]').count() == 0

    # The township files it with the next number of its series.
    township.goto(detail)
    township.click('[data-testid="report-file"]')
    _state(township, "filed")
    number = township.inner_text('[data-testid="filing-number"]')
    assert re.fullmatch(r".+备〔\d{4}〕\d+号", number), number
    _shot(township, "5-filed-phone")

    # Both sides see every step, who took it, and the comment.
    expected = ["created", "submitted", "returned", "edited", "submitted", "filed"]
    for page in (ent1, township):
        page.goto(detail)
        assert _timeline(page) == expected
        assert COMMENT in page.inner_text('[data-testid="timeline"]')
        assert "赵安平" in page.inner_text('[data-testid="timeline"]')
    _shot(ent1, "6-timeline-desktop")
    ent1.goto(f"{base}/responsibility/reports/")
    _shot(ent1, "7-list-desktop")
    report.refresh_from_db()
    assert report.state == "filed"
    assert report.filing_number == number


def test_ent2_signs_this_years_commitment_on_the_canvas(page_as, live_server):
    from anpai.enterprise import actions
    from anpai.enterprise.models import Commitment

    base = live_server.url
    page = page_as("ent2", mobile=True)
    page.goto(f"{base}/responsibility/commitments/")
    page.click('[data-testid="commitment-sign"]')
    page.wait_for_selector('[data-testid="duty-check"]')  # the form page, not the list
    page.wait_for_load_state()  # and its signature pad script
    boxes = page.locator('[data-testid="duty-check"]')
    assert boxes.count() == 7
    for index in range(6):
        boxes.nth(index).check()
    pad = page.locator('[data-testid="signature-pad"]')
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 100)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 30 + step * 25, box["y"] + 60 + (step % 3) * 30)
    page.mouse.up()
    page.click('[data-testid="commitment-submit"]')  # the seventh duty not ticked
    page.wait_for_selector('[data-testid="duties-errors"]')
    page.wait_for_load_state()  # the refused form's own signature pad script
    assert not Commitment.objects.filter(signer__username="ent2").exists()
    _fits(page)
    _shot(page, "8-commitment-refused-phone")
    for index in range(7):
        page.locator('[data-testid="duty-check"]').nth(index).check()
    pad = page.locator('[data-testid="signature-pad"]')
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 90)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 25, box["y"] + 50 + (step % 4) * 25)
    page.mouse.up()
    page.click('[data-testid="commitment-submit"]')
    page.wait_for_selector('[data-testid="commitment-card"]')
    commitment = Commitment.objects.get(signer__username="ent2")
    assert commitment.year == actions.this_year()
    assert page.locator('[data-testid="commitment-duties"] li').count() == 7
    # The signature image loads (and is a real picture): wait for it rather than race it.
    page.wait_for_function(
        "(() => { const i = document.querySelector('[data-testid=signature-image]');"
        " return i && i.complete && i.naturalWidth > 0; })()",
        timeout=10_000,
    )
    _fits(page)
    _shot(page, "9-commitment-phone")
    township = page_as("township")
    township.goto(f"{base}/responsibility/commitments/?status=unsigned")
    assert township.locator(f'[data-org="{commitment.organization_id}"]').count() == 0
    _shot(township, "10-commitments-desktop")

"""Leaders' lists in a real browser: the township leader (李志刚) opens his lists, marks
an item done in place (htmx), submits his self-review (检视履职); the township safety
officer then sees his completion and the submitted review on the overview, on a
desktop and on a phone. Screenshots go to ``$ANPAI_SCREENSHOTS`` (default
var/screenshots)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("ANPAI_SCREENSHOTS", "var/screenshots"))


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"leaders-{name}.png"), full_page=True)


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_leader_marks_an_item_done_and_submits_his_self_review(page_as, live_server, demo):
    from django.utils import timezone

    from anpai.responsibility.models import ListItem, SelfReview

    url = live_server.url
    year = timezone.localdate().year
    leader = demo["leader"]

    # 1. The leader opens the section and goes to his own lists.
    page = page_as("leader")
    page.goto(f"{url}/responsibility/")
    page.wait_for_selector('[data-testid="overview-table"]')
    page.click('[data-testid="my-lists"]')
    page.wait_for_selector('[data-testid="list-duty"]')
    assert "李志刚" in page.inner_text('[data-testid="leader-title"]')

    # 2. He marks a task in progress as done, in place.
    item = (
        ListItem.objects.filter(list__leader=leader, list__year=year, list__kind="task")
        .exclude(status="done")
        .order_by("order")
        .first()
    )
    row = page.locator(f"#item-{item.pk}")
    row.locator('[data-testid="item-update"]').click()
    row.locator("select[name=status]").select_option("done")
    row.locator("input[name=note]").fill("已组织企业全面自查自改")
    page.evaluate("window.__stillHere = true")
    row.locator('[data-testid="progress-save"]').click()
    page.wait_for_selector(f'#item-{item.pk}[data-status="done"] [data-testid="item-saved"]')
    assert page.evaluate("window.__stillHere") is True  # no page load
    assert page.inner_text(f'#item-{item.pk} [data-testid="item-progress"]') == "100%"
    item.refresh_from_db()
    assert (item.status, item.progress_note) == ("done", "已组织企业全面自查自改")
    _shot(page, "leader-page-desktop")

    # 3. His self-review: every item assessed, a summary, submitted.
    page.click('[data-testid="review-link"]')
    page.wait_for_selector('[data-testid="review-form"]')
    cards = page.locator('[data-testid="review-item"]')
    count = cards.count()
    assert count == ListItem.objects.filter(list__leader=leader, list__year=year).count()
    # First try without the last item: refused, the item is named and outlined.
    for index in range(count - 1):
        cards.nth(index).locator('input[value="fulfilled"]').check()
    page.fill("#f-summary", "对照职责清单、任务清单和办实事解难题清单逐项检视，总体履职到位。")
    page.fill("#f-gaps", "隐患排查信息系统建设进度滞后。")
    page.fill("#f-next", "年底前完成信息系统建设并投入使用。")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click('[data-testid="review-submit"]')
    page.wait_for_selector('[data-testid="review-errors"]')
    assert page.locator(".rl-missing").count() == 1
    _shot(page, "review-refused-desktop")
    page.locator(".rl-missing input[value=partly]").check()
    page.locator(".rl-missing textarea").fill("系统已招标，尚未上线")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click('[data-testid="review-submit"]')
    page.wait_for_selector('[data-testid="review-state"]')
    review = SelfReview.objects.get(leader=leader, year=year, period="全年")
    assert review.submitted_at is not None
    assert review.lines.count() == count
    _shot(page, "review-submitted-desktop")

    # 4. The township officer sees it on the overview, desktop and phone.
    officer = page_as("township")
    officer.goto(f"{url}/responsibility/leaders/")
    row = officer.locator(f'[data-testid="overview-row"][data-leader="{leader.pk}"]')
    assert row.locator('[data-testid="review-submitted"]').count() == 1
    task_cell = row.locator('[data-kind="task"] [data-testid="cell-count"]').inner_text()
    done = ListItem.objects.filter(
        list__leader=leader, list__year=year, list__kind="task", status="done"
    ).count()
    assert task_cell.startswith(f"{done}/")
    _shot(officer, "overview-desktop")

    # The officer writes 刘秀英's missing practical-matters list from the overview.
    village2 = demo["village2"]
    row = officer.locator(f'[data-testid="overview-row"][data-leader="{village2.pk}"]')
    row.locator('[data-kind="matters"] a').click()
    officer.wait_for_selector('[data-testid="list-form"]')
    assert officer.locator("[data-rl-category]:not(.d-none)").count() >= 3  # matters: shown
    rows = officer.locator('[data-testid="item-row"]')
    rows.nth(0).locator("textarea").fill("为村网格员配备巡查手持终端")
    rows.nth(0).locator("select").select_option("equipment")
    rows.nth(1).locator("textarea").fill("落实村级安全巡查补助经费")
    _shot(officer, "list-form-desktop")
    officer.click('[data-testid="list-save"]')
    officer.wait_for_selector('[data-testid="form-errors"]')  # row 2 lacks its category
    rows.nth(1).locator("select").select_option("funding")
    officer.click('[data-testid="list-save"]')
    officer.wait_for_selector('[data-testid="list-matters"] [data-testid="item"]')
    assert officer.locator('[data-testid="list-matters"] [data-testid="item"]').count() == 2

    phone = page_as("township", mobile=True)
    phone.goto(f"{url}/responsibility/leaders/")
    phone.wait_for_selector('[data-testid="overview-cards"]')
    assert phone.locator('[data-testid="card-review-submitted"]').count() == 2
    _fits(phone)
    _shot(phone, "overview-phone")

    leader_phone = page_as("leader", mobile=True)
    leader_phone.goto(f"{url}/responsibility/leaders/mine/")
    leader_phone.wait_for_selector('[data-testid="list-matters"]')
    _fits(leader_phone)
    _shot(leader_phone, "leader-page-phone")
    leader_phone.click('[data-testid="print-link"]')
    leader_phone.wait_for_selector('[data-testid="print-page"]')
    _shot(leader_phone, "print-phone")
    # The whole-year review is final (it opens read-only); the second half's form is open.
    review_url = f"{url}/responsibility/leaders/{review.organization_id}/{leader.pk}/review/"
    leader_phone.goto(f"{review_url}?year={year}")
    leader_phone.wait_for_selector('[data-testid="review-state"]')
    leader_phone.goto(f"{review_url}?year={year}&period=下半年")
    leader_phone.wait_for_selector('[data-testid="review-form"]')
    _fits(leader_phone)
    _shot(leader_phone, "review-form-phone")

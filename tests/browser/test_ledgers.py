"""The enterprise's ledgers in a real browser: the team leader acknowledges his post's
revised duties on the board; the safety manager records a spending line (the category
shows only for money spent) and sees the year's totals; a 三违 with a fine (the fine
field shows only for a fine); the township's summary and the printable board, on a
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
    page.screenshot(path=str(SHOTS / f"ledgers-{name}.png"), full_page=True)


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_team_leader_acknowledges_his_revised_duties(page_as, live_server):
    from anpai.enterprise.models import PostDuty

    page = page_as("ent1team")
    page.goto(f"{live_server.url}/responsibility/posts/")
    page.wait_for_selector('[data-testid="post-cards"]')
    _shot(page, "posts-desktop")
    card = page.locator('[data-testid="post-card"]', has_text="班组长")
    card.locator('[data-testid="acknowledge"]').click()
    page.wait_for_selector('[data-testid="post-cards"]')
    card = page.locator('[data-testid="post-card"]', has_text="班组长")
    assert "马俊杰" in card.locator('[data-testid="ack-names"]').inner_text()
    assert (
        PostDuty.objects.get(post="班组长", is_current=True, version=2)
        .acknowledgements.filter(person_name="马俊杰")
        .exists()
    )

    phone = page_as("ent1team", mobile=True)
    phone.goto(f"{live_server.url}/responsibility/posts/")
    phone.wait_for_selector('[data-testid="post-cards"]')
    _fits(phone)
    _shot(phone, "posts-phone")


def test_safety_manager_records_spending_and_a_violation(page_as, live_server):
    from anpai.enterprise.models import SafetyExpense, Violation

    page = page_as("ent1safety")
    page.goto(f"{live_server.url}/responsibility/expenses/")
    page.wait_for_selector('[data-testid="expense-totals"]')
    _shot(page, "expenses-desktop")
    page.click('[data-testid="expense-new"]')
    page.wait_for_selector('[data-testid="expense-form"]')
    page.select_option("#id_direction", "provision")
    assert page.locator("[data-category-row]").is_hidden()
    page.select_option("#id_direction", "use")
    assert page.locator("[data-category-row]").is_visible()
    page.select_option("#id_category", "ppe")
    page.fill("#id_amount", "-3")
    page.fill("#id_description", "采购安全帽50顶")
    page.click('[data-testid="expense-form"] button[type=submit] >> nth=0')
    page.wait_for_selector('[data-testid="error-amount"]')
    _shot(page, "expense-form-error")
    page.fill("#id_amount", "3250.00")
    page.click('[data-testid="expense-form"] button[type=submit] >> nth=0')
    page.wait_for_selector('[data-testid="expense-totals"]')
    assert SafetyExpense.objects.filter(description="采购安全帽50顶").exists()

    page.goto(f"{live_server.url}/responsibility/violations/new/")
    page.wait_for_selector('[data-testid="violation-form"]')
    assert page.locator("[data-fine-row]").is_hidden()
    page.select_option("#id_kind", "operation")
    page.fill("#id_person_name", "赵晓军")
    page.fill("#id_post", "操作工")
    page.fill("#id_description", "动火作业现场未配备灭火器")
    page.select_option("#id_action", "fine")
    assert page.locator("[data-fine-row]").is_visible()
    page.fill("#id_fine", "200")
    page.click('[data-testid="violation-form"] button[type=submit]')
    page.wait_for_selector('[data-testid="violation-counts"]')
    assert Violation.objects.filter(person_name="赵晓军", fine=200).exists()
    _shot(page, "violations-desktop")

    phone = page_as("ent1safety", mobile=True)
    for path, ready, name in (
        ("expenses/", "expense-totals", "expenses-phone"),
        ("violations/", "violation-counts", "violations-phone"),
    ):
        phone.goto(f"{live_server.url}/responsibility/{path}")
        phone.wait_for_selector(f'[data-testid="{ready}"]')
        _fits(phone)
        _shot(phone, name)


def test_township_summary_and_printable_board(page_as, live_server, demo):
    from anpai.orgs.models import Organization

    org = Organization.objects.get(memberships__user=demo["ent1"])
    page = page_as("township")
    page.goto(f"{live_server.url}/responsibility/expenses/?recorded=1")
    page.wait_for_selector('[data-testid="expense-summary"]')
    assert page.locator('[data-testid="summary-row"]').count() == 5
    _shot(page, "expense-summary")
    page.goto(f"{live_server.url}/responsibility/posts/board/{org.pk}/")
    page.wait_for_selector('[data-testid="board-post"]')
    assert page.locator('[data-testid="board-post"]').count() == 8
    _shot(page, "board")
    page.goto(
        f"{live_server.url}/responsibility/violations/person/?organization={org.pk}&name=王强"
    )
    page.wait_for_selector('[data-testid="person-records"]')
    _shot(page, "person")

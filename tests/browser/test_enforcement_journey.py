"""The issue's "done when", in the browser: the township's safety officer opens a
submitted inspection that found problems, opens a case from it, issues a
责令限期整改指令书 with a deadline, sees its number and the review due after the
deadline, records the review as rectified and sees the case closed. Screenshots
(in ``$ANPAI_SCREENSHOTS``): the case on a desktop and on a phone, the order page
on a phone, the case list on a phone."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from anpai.enforcement.tests.conftest import (  # noqa: F401 - fixtures used here
    answered,
    checklist,
    inspection,
    org,
    org_of,
    photo,
    started,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("ANPAI_SCREENSHOTS", "var/screenshots"))


def _shot(page, name: str, full_page: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def test_inspection_finding_to_order_to_review_to_closed(
    page_as,
    live_server,
    demo,
    inspection,  # noqa: F811 - the imported fixture
    org,  # noqa: F811
):
    from anpai.enforcement.models import Case, Document, Review

    page = page_as("township")
    page.goto(f"{live_server.url}/inspections/{inspection.pk}/")
    # 1. "Open a case" on the inspection (loaded for those who may open one).
    page.click('[data-testid="open-case"]')
    page.wait_for_url(re.compile(r"/enforcement/new/\?inspection=\d+$"))
    assert page.locator('[data-testid="from-inspection"]').is_visible()
    facts = page.locator('textarea[name="facts"]').input_value()
    assert "1. " in facts  # the two failed items
    assert "2. " in facts
    page.check('input[name="grounds"][value="major_not_acted"]')
    _shot(page, "enforcement-case-create-desktop", full_page=False)
    page.click('[data-testid="case-submit"]')
    page.wait_for_url(re.compile(r"/enforcement/\d+/$"))
    case = Case.objects.get(inspection=inspection)
    assert page.locator('[data-testid="case-number"]').inner_text() == case.number
    assert page.locator('[data-testid="case-inspection"]').is_visible()

    # 2. The order: the problems come from the failed items; a deadline is set.
    page.click('[data-testid="step-order"]')
    page.wait_for_url(re.compile(rf"/enforcement/{case.pk}/order/$"))
    next_number = page.locator('[data-testid="next-number"]').inner_text()
    items = page.locator('textarea[name="items"]').input_value()
    assert items.count("\n") == 1  # two problems
    deadline = timezone.localdate() + timedelta(days=15)
    page.fill('input[name="deadline"]', deadline.isoformat())
    page.click('[data-testid="step-submit"]')
    page.wait_for_url(re.compile(rf"/enforcement/{case.pk}/$"))
    order = Document.objects.get(case=case, kind="order")
    review = Review.objects.get(case=case)
    assert order.number in next_number
    assert page.locator('[data-testid="document-number"]').first.inner_text() == order.number
    due = page.locator('[data-testid="review-due"]').inner_text()
    assert due == review.due_on.isoformat()
    assert review.due_on > deadline
    assert page.locator('[data-testid="review-row"][data-state="pending"]').count() == 1
    # The order as PDF, named by its number.
    response = page.request.get(f"{live_server.url}/enforcement/documents/{order.pk}.pdf")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body()[:4] == b"%PDF"
    _shot(page, "enforcement-case-ordered-desktop")

    # 3. The review: rectified, which closes the case.
    page.click('[data-testid="step-review"]')
    page.wait_for_url(re.compile(rf"/enforcement/{case.pk}/review/$"))
    page.check('input[name="result"][value="passed"]')
    page.fill(
        'textarea[name="findings"]', "经复查，可燃气体报警装置已安装并投入使用，气瓶间已单独设置。"
    )
    page.click('[data-testid="step-submit"]')
    page.wait_for_url(re.compile(rf"/enforcement/{case.pk}/$"))
    header = page.locator('[data-testid="case-header"]')
    assert header.get_attribute("data-state") == "closed"
    assert page.locator('[data-testid="case-steps"]').count() == 0
    assert page.locator('[data-testid="document-row"]').count() == 2
    assert page.locator('[data-testid="review-row"][data-state="passed"]').count() == 1
    case.refresh_from_db()
    assert case.state == "closed"
    _shot(page, "enforcement-case-closed-desktop")

    # 4. On a phone: the case, the list.
    phone = page_as("township", mobile=True)
    phone.goto(f"{live_server.url}/enforcement/{case.pk}/")
    assert phone.locator('[data-testid="case-header"]').get_attribute("data-state") == "closed"
    _shot(phone, "enforcement-case-closed-phone")
    phone.goto(f"{live_server.url}/enforcement/")
    assert phone.locator(f'[data-testid="case-row"][data-pk="{case.pk}"]').count() == 1
    _shot(phone, "enforcement-list-phone")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the list fits a phone without sideways scrolling"


def test_order_page_and_suspended_organisation_on_a_phone(page_as, live_server, demo):
    """The demo's suspended unit shows so on its case; the order form fits a phone."""
    from anpai.enforcement.models import Case

    suspended = Case.objects.filter(organization__status="suspended").first()
    if suspended is None:
        pytest.skip("the demo has no suspended organisation yet")
    phone = page_as("township", mobile=True)
    phone.goto(f"{live_server.url}/enforcement/{suspended.pk}/")
    assert phone.locator('[data-testid="org-status-banner"]').is_visible()
    assert phone.locator('[data-testid="org-status-badge"]').first.is_visible()
    _shot(phone, "enforcement-case-suspended-phone")
    open_case = Case.objects.exclude(state="closed").first()
    phone.goto(f"{live_server.url}/enforcement/{open_case.pk}/order/")
    _shot(phone, "enforcement-order-form-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_lists_settings_and_organisation_page(page_as, live_server, demo):
    """Reviews due (overdue first, red), documents, suggestions, settings with the live
    sample number, and the organisation page listing its cases."""
    from anpai.enforcement.models import Case

    phone = page_as("township", mobile=True)
    phone.goto(f"{live_server.url}/enforcement/reviews/")
    items = phone.locator('[data-testid="review-item"]')
    if items.count():
        overdue = phone.locator('[data-testid="review-item"][data-overdue="1"]').count()
        flags = [items.nth(i).get_attribute("data-overdue") for i in range(items.count())]
        assert flags == ["1"] * overdue + [None] * (len(flags) - overdue)
    _shot(phone, "enforcement-reviews-phone")
    phone.goto(f"{live_server.url}/enforcement/accountability/suggestions/")
    _shot(phone, "enforcement-suggestions-phone")
    phone.goto(f"{live_server.url}/enforcement/documents/")
    _shot(phone, "enforcement-documents-phone")

    desk = page_as("township")
    desk.goto(f"{live_server.url}/enforcement/settings/")
    sample = desk.locator('[data-testid="sample-number"] [data-sample-for="order"]')
    year = timezone.localdate().year
    assert sample.inner_text() == f"西安监责改〔{year}〕1号"
    desk.fill('input[name="prefix"]', "西槽监")
    desk.wait_for_function(
        "() => document.querySelector('[data-testid=sample-number] [data-sample-for=order]')"
        ".textContent.startsWith('西槽监责改')"
    )
    _shot(desk, "enforcement-settings-desktop", full_page=False)

    case = Case.objects.filter(organization__status="suspended").first()
    if case is not None:
        desk.goto(f"{live_server.url}/orgs/{case.organization_id}/")
        desk.wait_for_selector('[data-testid="org-cases"]')
        assert desk.locator('[data-testid="org-case"]').count() >= 1
        assert desk.locator('[data-testid="org-status-badge"]').first.is_visible()
        _shot(desk, "enforcement-org-page-desktop")
        hazard = case.organization.hazards.first()
        if hazard is not None:
            desk.goto(f"{live_server.url}/hazards/{hazard.pk}/")
            desk.wait_for_selector('[data-testid="open-case"]')
            _shot(desk, "enforcement-hazard-open-button-desktop", full_page=False)
            desk.click('[data-testid="open-case"]')
            desk.wait_for_url(re.compile(rf"/enforcement/new/\?hazard={hazard.pk}$"))
            assert desk.locator('input[name="title"]').input_value() == hazard.title

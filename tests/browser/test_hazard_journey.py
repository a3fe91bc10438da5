"""A general hazard's whole loop in a real browser: reported with a phone photo,
assigned, rectified with an after-photo, accepted by the principal."""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every thumbnail has loaded through the checked view (naturalWidth > 0).
THUMBS_LOADED = """() => [...document.querySelectorAll('img.hz-thumb')]
    .every(i => i.complete && i.naturalWidth > 0)"""
SHOTS = Path(os.environ.get("ANPAI_SCREENSHOTS", "var/screenshots"))


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _photo(path: Path, *, rectified: bool) -> Path:
    """A stand-in for a phone photo: a distribution box, worn or repaired."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1200, 900), (188, 196, 204))
    draw = ImageDraw.Draw(image)
    draw.rectangle((300, 120, 900, 820), fill=(90, 98, 110), outline=(40, 40, 40), width=12)
    draw.rectangle((360, 180, 840, 520), fill=(235, 235, 228))
    for i, x in enumerate(range(400, 820, 70)):
        colour = (40, 150, 60) if rectified else ((200, 40, 30) if i % 2 else (30, 30, 30))
        draw.line((x, 520, x + (0 if rectified else 25), 860), fill=colour, width=18)
    if not rectified:
        draw.ellipse((520, 600, 700, 760), outline=(230, 30, 30), width=14)
    image.save(path, format="JPEG", quality=85)
    return path


def _wait_state(page, state: str) -> None:
    page.wait_for_selector(f'[data-testid="hazard-header"][data-state="{state}"]')


def test_general_hazard_loop_on_phone_and_desktop(page_as, live_server, tmp_path):
    from anpai.hazards.models import Category, Hazard
    from anpai.hazards.reference import ensure_categories

    before = _photo(tmp_path / "before.jpg", rectified=False)
    after = _photo(tmp_path / "after.jpg", rectified=True)
    ensure_categories()  # a transactional test's flush removes the seeded rows
    category = Category.objects.get(code="electrical")

    # 1. The safety manager reports it on a phone, with a photo from the camera.
    phone = page_as("ent1safety", mobile=True)
    phone.goto(f"{live_server.url}/hazards/new/")
    assert phone.locator('input[name="organization"]').get_attribute("type") == "hidden"
    file_input = phone.locator('input[name="photos"]')
    assert file_input.get_attribute("capture") == "environment"
    assert file_input.get_attribute("accept") == "image/*"
    phone.fill('[name="title"]', "二车间配电箱线路老化")
    phone.fill('[name="description"]', "配电箱内电线绝缘层老化破损，存在触电和火灾风险。")
    phone.select_option('[name="category"]', str(category.pk))
    phone.fill('[name="place"]', "二车间东侧")
    file_input.set_input_files(str(before))
    _shot(phone, "hazard-report-phone")
    phone.click('[data-testid="report-submit"]')
    _wait_state(phone, "reported")
    hazard = Hazard.objects.latest("id")
    assert phone.url == f"{live_server.url}/hazards/{hazard.pk}/"
    assert phone.locator('[data-testid="photo-before"]').count() == 1

    # 2. Assigns the five implementations.
    phone.click('[data-testid="action-assign"]')
    phone.wait_for_selector("#act-assign.show")
    phone.fill('[name="assign-responsible_name"]', "周晓东")
    phone.fill('[name="assign-measures"]', "更换老化线路，加装漏电保护器")
    phone.fill('[name="assign-funds"]', "3500")
    phone.fill('[name="assign-deadline"]', (timezone.localdate() + timedelta(days=10)).isoformat())
    phone.fill('[name="assign-contingency"]', "停用该配电箱，设置警示标识")
    _shot(phone, "hazard-assign-phone")
    phone.click('[data-testid="submit-assign"]')
    _wait_state(phone, "assigned")

    # 3. Rectifies it, with a photo of the result.
    phone.click('[data-testid="action-rectify"]')
    phone.fill('[name="rectify-rectification"]', "已更换全部老化线路并加装漏电保护器")
    phone.fill('[name="rectify-actual_cost"]', "3200")
    phone.locator('input[name="rectify-photos"]').set_input_files(str(after))
    phone.click('[data-testid="submit-rectify"]')
    _wait_state(phone, "rectified")
    # Whoever rectified may not accept.
    assert phone.locator('[data-testid="action-verify"]').count() == 0

    # 4. The principal accepts it (desktop).
    desk = page_as("ent1")
    desk.goto(f"{live_server.url}/hazards/{hazard.pk}/")
    desk.click('[data-testid="action-verify"]')
    desk.wait_for_selector("#act-verify.show")
    desk.check('[name="verify-accepted"][value="yes"]')
    desk.fill('[name="verify-comment"]', "现场验收合格")
    _shot(desk, "hazard-verify-desktop")
    desk.click('[data-testid="submit-verify"]')
    _wait_state(desk, "closed")
    assert desk.locator('[data-testid="timeline-step"]').count() == 4
    kinds = desk.locator('[data-testid="timeline-step"]').evaluate_all(
        "els => els.map(e => e.dataset.kind)"
    )
    assert kinds == ["report", "assign", "rectify", "accept"]
    assert desk.locator('[data-testid="photo-before"]').count() == 1
    assert desk.locator('[data-testid="photo-after"]').count() == 1
    desk.wait_for_function(THUMBS_LOADED)
    assert desk.locator('[data-testid="hazard-actions"]').count() == 0
    _shot(desk, "hazard-detail-desktop")

    phone.reload()
    _wait_state(phone, "closed")
    phone.wait_for_function(THUMBS_LOADED)
    _shot(phone, "hazard-detail-phone")

    desk.goto(f"{live_server.url}/hazards/")
    assert desk.locator('[data-testid="hazard-row"]').count() >= 1
    _shot(desk, "hazard-list-ent1")

    # 5. The neighbouring enterprise does not even learn it exists.
    other = page_as("ent2")
    response = other.goto(f"{live_server.url}/hazards/{hazard.pk}/")
    assert response.status == 404
    attachment = hazard.attachments.first()
    response = other.goto(f"{live_server.url}/hazards/attachments/{attachment.pk}/")
    assert response.status == 404


def test_township_list_filters_and_tabs(page_as, live_server):
    from anpai.hazards import actions
    from anpai.hazards.models import Category, Hazard
    from anpai.hazards.reference import ensure_categories
    from anpai.people.models import Membership, User

    user = User.objects.get(username="ent1safety")
    org = Membership.objects.filter(user=user).first().organization
    ensure_categories()
    category = Category.objects.get(code="gas")
    township = User.objects.get(username="township")
    made = [
        actions.report(
            by=user,
            organization=org,
            title=f"燃气软管测试{i}",
            description="燃气软管老化",
            category=category,
            level=level,
            place="食堂后厨",
        )
        for i, level in enumerate(["general", "major", "general"])
    ]
    # One is being rectified and already late, one is under listed supervision.
    late = actions.assign(
        made[2],
        by=user,
        responsible_name="周晓东",
        measures="更换燃气软管",
        funds=Decimal("800"),
        deadline=timezone.localdate() + timedelta(days=1),
        contingency="关闭燃气总阀",
    )
    Hazard.objects.filter(pk=late.pk).update(deadline=timezone.localdate() - timedelta(days=4))
    actions.supervise(
        made[1],
        by=township,
        supervisor=User.objects.get(username="leader"),
        deadline=timezone.localdate() + timedelta(days=30),
        note="每周报告进度",
    )
    page = page_as("township")
    page.goto(f"{live_server.url}/hazards/")
    _shot(page, "hazard-list-desktop")  # with the demo township's hazards
    page.goto(f"{live_server.url}/hazards/?q=燃气软管测试")
    assert page.locator('[data-testid="hazard-row"]').count() == 3
    assert page.locator('[data-testid="badge-overdue"]').count() == 1
    assert page.locator('[data-testid="badge-supervised"]').count() == 1
    _shot(page, "hazard-list-filtered")
    page.click('[data-testid="tab-major"]')
    page.wait_for_url("**/hazards/?level=major")
    rows = page.locator('[data-testid="hazard-row"]')
    assert rows.count() >= 1
    assert (
        rows.count()
        == page.locator('[data-testid="hazard-row"] [data-testid="badge-major"]').count()
    )
    assert page.locator('[data-testid="tab-major"]').get_attribute("aria-current") == "page"
    # The filter bar swaps the results in place (htmx) and keeps the URL.
    page.goto(f"{live_server.url}/hazards/")
    page.fill("#f-q", "燃气软管测试2")
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=hazard-row]').length === 1"
    )
    assert "q=" in page.url
    phone = page_as("township", mobile=True)
    phone.goto(f"{live_server.url}/hazards/")
    assert not phone.locator("#f-q").is_visible()  # the filter bar folds away on a phone
    _shot(phone, "hazard-list-phone")

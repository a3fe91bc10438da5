"""The issue's "done when": a township inspector completes the campaign checklist on a
phone-sized browser for a demo enterprise, fails two items (one whose clause makes the
hazard major, one that does not), photographs them, has the enterprise sign on the
screen and submits; the two hazards appear on the enterprise's list, one major."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every photo and the signature have loaded through the checked views.
PHOTOS_LOADED = """() => [...document.querySelectorAll('.insp-photo img, .insp-sig-img')]
    .every(i => i.complete && i.naturalWidth > 0)"""
SHOTS = Path(os.environ.get("ANPAI_SCREENSHOTS", "var/screenshots"))


def _shot(target, name: str, *, full_page: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    if hasattr(target, "goto"):
        target.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)
    else:  # an element
        target.screenshot(path=str(SHOTS / f"{name}.png"))


def _photo(path: Path, colour) -> Path:
    """A stand-in for a phone photo: a blocked exit or a missing licence board."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1000, 750), (200, 205, 210))
    draw = ImageDraw.Draw(image)
    draw.rectangle((320, 80, 680, 700), fill=(60, 120, 70), outline=(30, 30, 30), width=10)
    draw.rectangle((250, 420, 750, 700), fill=colour)
    image.save(path, format="JPEG", quality=85)
    return path


def _reference_data() -> None:
    """A transactional test's flush removes migration-loaded rows: load them again."""
    from anpai.hazards.reference import ensure_categories
    from anpai.inspections.checklists import load_shipped_checklists
    from anpai.standards.loader import load_standards

    ensure_categories()
    load_standards()
    load_shipped_checklists()


def test_township_inspects_on_a_phone_and_two_hazards_are_reported(
    page_as, live_server, demo, tmp_path
):
    from anpai.hazards.models import Hazard
    from anpai.inspections.models import ChecklistItem, Inspection
    from anpai.people.models import Membership

    _reference_data()
    org = Membership.objects.get(user=demo["ent1"]).organization
    items = list(
        ChecklistItem.objects.filter(template__code="campaign-2023", template__is_current=True)
        .select_related("clause")
        .order_by("order")
    )
    assert len(items) >= 10
    major = next(i for i in items if i.clause is not None and i.clause.makes_major)
    general = next(i for i in items if i.clause is None or not i.clause.makes_major)
    before = set(Hazard.objects.filter(organization=org).values_list("number", flat=True))

    # 1. Start: the organisation, the kind, the campaign checklist; today by default.
    phone = page_as("township", mobile=True)
    phone.on("dialog", lambda dialog: dialog.accept())
    phone.goto(f"{live_server.url}/inspections/new/")
    phone.select_option('[name="organization"]', str(org.pk))
    phone.select_option('[name="kind"]', "township")
    phone.select_option('[name="template"]', "campaign-2023")
    phone.click('[data-testid="start-submit"]')
    phone.wait_for_url(re.compile(r"/inspections/\d+/$"))
    insp = Inspection.objects.latest("id")
    assert insp.organization == org
    assert insp.template.code == "campaign-2023"
    form = phone.locator('[data-testid="inspection-form"]')
    assert form.locator('[data-testid="item"]').count() == len(items)
    _shot(phone, "inspection-form-phone", full_page=False)

    # 2. Every item: a tap on pass, or fail with a photo from the camera and a note.
    for item in items:
        box = f"#item-{item.pk}"
        result = "fail" if item.pk in (major.pk, general.pk) else "pass"
        phone.click(f'{box} label[for="r-{item.pk}-{result}"]')
        phone.wait_for_selector(f'{box}[data-result="{result}"]')
        if result == "fail":
            camera = phone.locator(f'{box} [data-testid="photos"]')
            assert camera.get_attribute("capture") == "environment"
            assert camera.get_attribute("accept") == "image/*"
            camera.set_input_files(str(_photo(tmp_path / f"{item.pk}.jpg", (170, 60, 40))))
            phone.wait_for_selector(f'{box} [data-testid="answer-photo"]')
            phone.fill(f'{box} [data-testid="note"]', "现场检查发现问题，已拍照留证。")
            phone.locator(f'{box} [data-testid="note"]').blur()
            phone.wait_for_function(
                "id => document.querySelector('#item-' + id + ' [name=note]').defaultValue !== ''",
                arg=item.pk,
            )
    phone.wait_for_selector(f'[data-testid="progress"][data-answered="{len(items)}"]')
    _shot(phone.locator(f"#item-{major.pk}"), "inspection-item-failed-phone")

    # 3. Findings: two, one major because of its clause; the general one gets a shorter title.
    findings = phone.locator('[data-testid="finding"]')
    assert findings.count() == 2
    assert phone.locator('[data-testid="finding"][data-level="major"]').count() == 1
    title = phone.locator('[data-testid="finding"][data-level="general"] [name="hazard_title"]')
    title.fill("现场隐患（巡查发现）")
    title.blur()
    phone.wait_for_function(
        "() => document.querySelector('[data-testid=finding][data-level=general] "
        "[name=hazard_title]').defaultValue === '现场隐患（巡查发现）'"
    )
    outcome = phone.locator('[data-testid="outcome"]')
    assert outcome.get_attribute("data-hazards") == "2"
    assert outcome.get_attribute("data-major") == "1"
    phone.locator('[data-testid="findings"]').scroll_into_view_if_needed()
    _shot(phone.locator('[data-testid="findings"]'), "inspection-findings-phone")

    # 4. The enterprise's representative signs with a finger (mouse moves here).
    pad = phone.locator('[data-testid="signature-pad"]')
    pad.scroll_into_view_if_needed()
    area = pad.bounding_box()
    assert area is not None
    x, y = area["x"], area["y"]
    phone.mouse.move(x + 30, y + area["height"] * 0.7)
    phone.mouse.down()
    for step in range(1, 16):
        phone.mouse.move(
            x + 30 + step * (area["width"] - 60) / 15,
            y + area["height"] * (0.7 - 0.4 * (step % 2)),
        )
    phone.mouse.up()
    phone.fill('[data-testid="signer-name"]', "周晓东")
    phone.click('[data-testid="sign-save"]')
    phone.wait_for_selector('[data-testid="signed"]')
    _shot(phone.locator('[data-testid="signature-panel"]'), "inspection-signature-phone")

    # 5. Submit: the button says what will happen; then the record is read-only.
    phone.fill('[data-testid="summary"]', "两项不合格，已现场告知，限期整改。")
    assert "2" in phone.locator('[data-testid="outcome"]').inner_text()
    _shot(phone.locator('[data-testid="submit-panel"]'), "inspection-submit-phone")
    phone.click('[data-testid="submit"]')
    phone.wait_for_selector('[data-testid="insp-state"][data-state="submitted"]')
    assert phone.locator('[data-testid="insp-hazard"]').count() == 2
    assert phone.locator('[data-testid="signature-image"]').count() == 1
    phone.wait_for_function(PHOTOS_LOADED)
    _shot(phone, "inspection-detail-phone")

    insp.refresh_from_db()
    assert insp.state == "submitted"
    assert insp.signer_name == "周晓东"
    new = Hazard.objects.filter(organization=org).exclude(number__in=before)
    assert new.count() == 2
    by_clause = {h.standard_clause_id: h for h in new}
    assert by_clause[major.clause_id].level == "major"
    other = next(h for h in new if h.standard_clause_id != major.clause_id)
    assert other.level == "general"
    assert other.title == "现场隐患（巡查发现）"
    assert all(h.state == "reported" and h.attachments.count() == 1 for h in new)

    # 6. The enterprise's hazard list shows both, one major.
    ent = page_as("ent1safety", mobile=True)
    ent.goto(f"{live_server.url}/hazards/")
    for hazard in new:
        row = ent.locator(f'[data-testid="hazard-row"][data-number="{hazard.number}"]')
        assert row.count() == 1
        assert row.locator('[data-testid="badge-major"]').count() == (hazard.level == "major")
    _shot(ent, "inspection-hazards-enterprise-phone", full_page=False)


def test_answers_given_offline_are_kept_and_sent_later(page_as, live_server, demo):
    """A lost connection loses nothing: the answer waits on the phone and is sent when the
    connection returns, or when the form is opened again after the tab was closed."""
    from anpai.inspections import actions
    from anpai.inspections.models import Answer
    from anpai.people.models import Membership

    _reference_data()
    org = Membership.objects.get(user=demo["ent1"]).organization
    insp = actions.start(
        by=demo["township"], organization=org, kind="township", template="campaign-2023"
    )
    first, second = (a.item_id for a in insp.answers.order_by("item__order")[:2])
    url = f"{live_server.url}/inspections/{insp.pk}/"
    phone = page_as("township", mobile=True)
    phone.goto(url)

    # The connection drops: the tap is kept and the banner says so.
    phone.context.set_offline(True)
    phone.click(f'#item-{first} label[for="r-{first}-pass"]')
    phone.wait_for_selector('[data-testid="offline"]:not([hidden])')
    phone.wait_for_selector(f"#item-{first}.is-unsaved")
    _shot(phone, "inspection-offline-phone", full_page=False)
    assert Answer.objects.get(inspection=insp, item_id=first).result == ""
    # It comes back: the kept answer is sent.
    phone.context.set_offline(False)
    phone.wait_for_selector(f'#item-{first}[data-result="pass"]')
    phone.wait_for_selector('[data-testid="offline"][hidden]', state="attached")
    assert Answer.objects.get(inspection=insp, item_id=first).result == "pass"

    # Offline again, and the tab is closed before the connection returns.
    phone.context.set_offline(True)
    phone.click(f'#item-{second} label[for="r-{second}-fail"]')
    phone.wait_for_selector(f"#item-{second}.is-unsaved")
    context = phone.context
    phone.close()
    context.set_offline(False)
    again = context.new_page()
    again.goto(url)
    again.wait_for_selector(f'#item-{second}[data-result="fail"]')
    answer = Answer.objects.get(inspection=insp, item_id=second)
    assert answer.result == "fail"
    assert answer.hazard_title

"""The issue's "done when": a demo enterprise's four-colour map, drawn in the browser,
renders with the right colours. ent1 assesses three risk points (red, yellow, blue),
draws each area by clicking corners on the site plan, saves, reloads and sees them;
the PNG downloaded from the page has each level's colour at each area's centroid,
and the PDF renders on one landscape page."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("ANPAI_SCREENSHOTS", "var/screenshots"))

# name, code, assessment, corners in plan units (the blank grid is 1000 × 700)
POINTS = [
    (
        "液氨储罐区",
        "FX-01",
        ("lec", {"l": 6, "e": 6, "c": 15}),
        [[80, 80], [330, 80], [330, 300], [80, 300]],
    ),
    (
        "机加工车间",
        "FX-02",
        ("lec", {"l": 3, "e": 6, "c": 7}),
        [[420, 90], [640, 110], [610, 330], [400, 300]],
    ),
    (
        "成品仓库",
        "FX-03",
        ("matrix", {"l": 1, "s": 2}),
        [[720, 120], [920, 120], [920, 400], [820, 460], [720, 400]],
    ),
]
LEVEL = {"FX-01": ("major", "red"), "FX-02": ("general", "yellow"), "FX-03": ("low", "blue")}

# Plan units → viewport pixels through the SVG's own transform.
TO_SCREEN = """([x, y]) => {
  const svg = document.querySelector('#rm-map svg');
  const px = parseFloat(svg.dataset.planX) + x, py = parseFloat(svg.dataset.planY) + y;
  const m = svg.getScreenCTM();
  return [m.a * px + m.c * py + m.e, m.b * px + m.d * py + m.f];
}"""


def family(rgb) -> str:
    r, g, b = rgb[:3]
    if r > 180 and g < 110 and b < 120:
        return "red"
    if r > 200 and 110 <= g < 205 and b < 110:
        return "orange"
    if r > 200 and g >= 205 and b < 140:
        return "yellow"
    if b > 150 and r < 130 and g < 190:
        return "blue"
    return "other"


def _save(name: str, data: bytes) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / name
    path.write_bytes(data)
    return path


def test_enterprise_draws_its_four_colour_map(page_as, browser, live_server, demo):
    import pypdfium2 as pdfium
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from anpai.orgs.models import Organization
    from anpai.risks import actions, maps
    from anpai.risks.choices import FILL
    from anpai.risks.models import RiskPoint

    ent1 = demo["ent1"]
    org = Organization.objects.get(memberships__user=ent1)
    # The demo's own points and plan are retired: the test draws on a blank grid.
    for old in RiskPoint.objects.filter(organization=org, is_active=True):
        actions.deactivate_point(old, by=ent1)
    actions.save_site_plan(org, by=ent1, blank=True)
    points = {}
    for name, code, (method, values), _corners in POINTS:
        point = actions.create_point(by=ent1, organization=org, name=name, code=code, kind="area")
        actions.assess(point, by=ent1, method=method, values=values)
        points[code] = point

    page = page_as("ent1")
    page.on("dialog", lambda dialog: dialog.accept())
    url = f"{live_server.url}/risks/plan/{org.pk}/"
    page.goto(url)
    svg = page.locator("#rm-map svg")
    svg.scroll_into_view_if_needed()

    for _name, code, _assessment, corners in POINTS:
        pk = points[code].pk
        page.click(f'[data-testid="draw-{pk}"]')
        assert page.locator('[data-testid="finish"]').is_disabled()
        for i, corner in enumerate(corners):
            x, y = page.evaluate(TO_SCREEN, corner)
            page.mouse.click(x, y)
            if i == 1:  # a wrong corner, taken back
                page.mouse.click(x + 40, y + 40)
                page.click('[data-testid="undo"]')
        assert page.locator(".rm-draft-corner").count() == len(corners)
        page.click('[data-testid="finish"]')
        page.wait_for_selector(f'#rm-map[data-saved="{pk}"]')
        assert page.locator('[data-testid="area-error"]').is_hidden()

    # Saved in plan units whatever the display size (within a pixel's worth).
    for _name, code, _assessment, corners in POINTS:
        point = RiskPoint.objects.get(pk=points[code].pk)
        assert len(point.area) == len(corners)
        for (x, y), (want_x, want_y) in zip(point.area, corners, strict=True):
            assert abs(x - want_x) <= 2
            assert abs(y - want_y) <= 2
        points[code] = point

    page.set_viewport_size({"width": 1280, "height": 1100})
    page.reload()
    for code, point in points.items():
        area = page.locator(f'#rm-map polygon.rm-area[data-point="{point.pk}"]')
        assert area.get_attribute("fill") == FILL[LEVEL[code][1]]
        assert area.get_attribute("data-level") == LEVEL[code][0]
    page.locator('[data-testid="point-{}"]'.format(points["FX-01"].pk)).wait_for()
    editor = page.screenshot(full_page=True)
    _save("map-editor.png", editor)

    # The PNG through the page's own link, as the user downloads it.
    with page.expect_download() as download:
        page.click('[data-testid="download-png"]')
    png_path = SHOTS / "map-drawn.png"
    SHOTS.mkdir(parents=True, exist_ok=True)
    download.value.save_as(str(png_path))
    assert download.value.suggested_filename.endswith(".png")
    image = Image.open(png_path).convert("RGB")
    scene = maps.org_scene(org)
    for code, point in points.items():
        x, y = scene.from_plan(*maps.centroid(point.area))
        pixel = image.getpixel((round(x * maps.PNG_SCALE), round(y * maps.PNG_SCALE)))
        assert family(pixel) == LEVEL[code][1], (code, pixel)

    # The PDF (A3) with the logged-in context: one landscape page, the colours on it.
    response = page.context.request.get(f"{live_server.url}/risks/map/{org.pk}.pdf?paper=A3")
    assert response.status == 200
    pdf = pdfium.PdfDocument(response.body())
    width, height = pdf[0].get_size()
    assert (round(width), round(height)) == (1191, 842)
    rendered = pdf[0].render(scale=1.5).to_pil().convert("RGB")
    out = io.BytesIO()
    rendered.save(out, format="PNG")
    _save("map-drawn-pdf.png", out.getvalue())
    small = rendered.resize((300, 212))
    seen = {family(small.getpixel((x, y))) for x in range(300) for y in range(212)}
    assert {"red", "yellow", "blue"} <= seen

    # A person who may only look gets the map, without the drawing tools.
    viewer = page_as("leader")
    viewer.goto(url)
    assert viewer.locator(f'#rm-map polygon[data-point="{points["FX-01"].pk}"]').count() == 1
    assert viewer.locator('[data-testid="toolbar"]').count() == 0
    assert viewer.locator('[data-rm="draw"]').count() == 0

    # On a phone, with a finger: redraw the yellow area as a triangle by tapping.
    phone = _touch_page(browser, live_server, "ent1")
    phone.goto(url)
    phone.on("dialog", lambda dialog: dialog.accept())
    pk = points["FX-02"].pk
    phone.tap(f'[data-testid="draw-{pk}"]')
    triangle = [[450, 100], [620, 140], [480, 320]]
    for corner in triangle:
        phone.locator("#rm-map svg").scroll_into_view_if_needed()
        x, y = phone.evaluate(TO_SCREEN, corner)
        phone.touchscreen.tap(x, y)
    phone.tap('[data-testid="finish"]')
    phone.wait_for_selector(f'#rm-map[data-saved="{pk}"]')
    redrawn = RiskPoint.objects.get(pk=pk).area
    assert len(redrawn) == 3
    for (x, y), (want_x, want_y) in zip(redrawn, triangle, strict=True):
        assert abs(x - want_x) <= 4
        assert abs(y - want_y) <= 4
    _save("map-editor-phone.png", phone.screenshot(full_page=True))
    phone.context.close()

    # The township's map: the enterprise's dot is red and opens its map.
    township = page_as("township", mobile=True)
    township.goto(f"{live_server.url}/risks/township-map/")
    dot = township.locator(f'[data-testid="township-map"] circle[data-org="{org.pk}"]')
    assert dot.get_attribute("data-level") == "major"
    assert dot.get_attribute("fill") == FILL["red"]
    _save("map-township-phone.png", township.screenshot(full_page=True))
    dot.click()
    township.wait_for_url(url)
    assert township.locator(f'#rm-map polygon[data-point="{points["FX-01"].pk}"]').count() == 1

    # Meanwhile someone uploads a portrait plan (700 × 1000 units): a corner drawn at
    # x = 950 on the page opened before is refused, the reason shown, nothing saved.
    portrait = io.BytesIO()
    Image.new("RGB", (560, 800), (235, 235, 235)).save(portrait, format="PNG")
    actions.save_site_plan(
        org, by=ent1, image=SimpleUploadedFile("plan.png", portrait.getvalue(), "image/png")
    )
    before = RiskPoint.objects.get(pk=points["FX-03"].pk).area
    page.click(f'[data-testid="draw-{points["FX-03"].pk}"]')
    for corner in ([700, 120], [950, 120], [950, 300]):
        x, y = page.evaluate(TO_SCREEN, corner)
        page.mouse.click(x, y)
    page.click('[data-testid="finish"]')
    error = page.locator('[data-testid="area-error"]')
    error.wait_for()
    assert "0–700" in error.inner_text()
    _save("map-editor-refused.png", page.screenshot(full_page=True))
    # Reloaded, the editor shows the new plan picture through the checked view.
    page.reload()
    picture = page.locator("#rm-map svg image")
    page.wait_for_function(
        "() => { const i = document.querySelector('#rm-map svg image');"
        " return i && i.getBBox().width > 0; }"
    )
    _save("map-editor-plan.png", page.screenshot(full_page=True))
    assert f"/risks/plan/{org.pk}/image" in picture.get_attribute("xlink:href")
    assert (
        page.evaluate(
            "() => fetch(document.querySelector('#rm-map svg image')"
            ".getAttribute('xlink:href')).then(r => r.status)"
        )
        == 200
    )
    assert RiskPoint.objects.get(pk=points["FX-03"].pk).area == before


def _touch_page(browser, live_server, username: str):
    """A phone with a touch screen (``page_as`` gives a mouse), logged in as ``username``."""
    from conftest import DEMO_PASSWORD

    ctx = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", has_touch=True, is_mobile=True
    )
    page = ctx.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page

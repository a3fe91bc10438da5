"""The four-colour map: SVG, PNG and PDF agree on the areas and their colours, the site
plan editor's endpoints refuse what they should, and the township map counts right."""

from __future__ import annotations

import io
import json
from xml.etree import ElementTree

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from anpai.orgs.models import Organization
from anpai.risks import actions, maps
from anpai.risks.choices import FILL
from anpai.risks.models import RiskPoint, SitePlan

SQUARES = {
    "major": [[60, 60], [300, 60], [300, 260], [60, 260]],
    "significant": [[360, 60], [620, 60], [620, 260], [360, 260]],
    "general": [[60, 340], [300, 340], [300, 640], [60, 640]],
    "low": [[700, 340], [950, 340], [950, 640], [700, 640]],
}
VALUES = {
    "major": ("lec", {"l": 6, "e": 6, "c": 15}),
    "significant": ("matrix", {"l": 4, "s": 4}),
    "general": ("lec", {"l": 3, "e": 6, "c": 7}),
    "low": ("matrix", {"l": 1, "s": 2}),
}


def family(rgb: tuple[int, ...]) -> str:
    """Which of the four map colours a pixel belongs to (or "other")."""
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


COLOUR = {"major": "red", "significant": "orange", "general": "yellow", "low": "blue"}


def org_of(user) -> Organization:
    return Organization.objects.get(memberships__user=user)


def start_afresh(org: Organization, by) -> Organization:
    """Retire the demo's risk points of ``org`` and put its map back on the blank grid."""
    for point in RiskPoint.objects.filter(organization=org, is_active=True):
        actions.deactivate_point(point, by=by)
    actions.save_site_plan(org, by=by, blank=True)
    return org


@pytest.fixture
def org(demo):
    return start_afresh(org_of(demo["ent1"]), demo["ent1"])


@pytest.fixture
def points(demo, org):
    """One drawn point per level, on the blank grid of ent1's organisation."""
    made = {}
    for i, (level, (method, values)) in enumerate(VALUES.items()):
        point = actions.create_point(
            by=demo["ent1"], organization=org, name=f"区域{i + 1}", code=f"A-{i + 1}", kind="area"
        )
        actions.assess(point, by=demo["ent1"], method=method, values=values)
        made[level] = actions.save_area(point, by=demo["ent1"], area=SQUARES[level])
    for level, point in made.items():
        assert point.level == level
    return made


@pytest.mark.django_db
def test_svg_has_each_area_with_its_fill_and_escapes_names(demo, org, points):
    evil = actions.create_point(
        by=demo["ent1"], organization=org, name='<script>alert("x")</script>\x07&', kind="area"
    )
    actions.save_area(evil, by=demo["ent1"], area=[[400, 400], [600, 400], [500, 600]])
    svg = maps.org_map_svg(org)
    for level, point in points.items():
        corners = " ".join(f"{x + maps.MARGIN:g},{y + maps.TITLE_BAND:g}" for x, y in point.area)
        assert f'<polygon points="{corners}" fill="{maps.level_fill(level)}"' in svg
    assert maps.level_fill("major") == FILL["red"]
    assert "<script" not in svg
    assert "&lt;script&gt;alert(" in svg
    ElementTree.fromstring(svg.encode())  # noqa: S314 - our own output: well-formed, no \x07
    # The unassessed point is grey and hatched, and the standalone file needs nothing else.
    assert f'fill="{maps.UNASSESSED_FILL}"' in svg
    assert "url(#rm-hatch)" in svg
    assert svg.startswith("<?xml")
    assert "http://" not in svg.replace("http://www.w3.org", "")
    assert org.name in svg


@pytest.mark.django_db
def test_svg_embeds_the_plan_image_as_data(demo, org, points):
    upload = SimpleUploadedFile("plan.png", _png((800, 400), (230, 230, 230)), "image/png")
    plan = actions.save_site_plan(org, by=demo["ent1"], image=upload)
    assert (plan.width, plan.height) == (1000, 500)
    svg = maps.org_map_svg(org)
    assert 'xlink:href="data:image/png;base64,' in svg
    assert "/media/" not in svg
    # Areas drawn on the 1000 × 700 grid were scaled to the new plan.
    points["major"].refresh_from_db()
    assert points["major"].area[2] == [300.0, round(260 * 500 / 700, 1)]


@pytest.mark.django_db
def test_png_pixel_at_each_centroid_is_the_level_colour(org, points):
    scene = maps.org_scene(org)
    image = Image.open(io.BytesIO(maps.org_map_png(org))).convert("RGB")
    assert image.size == (round(scene.width * maps.PNG_SCALE), round(scene.height * maps.PNG_SCALE))
    for level, point in points.items():
        x, y = scene.from_plan(*maps.centroid(point.area))
        pixel = image.getpixel((round(x * maps.PNG_SCALE), round(y * maps.PNG_SCALE)))
        assert family(pixel) == COLOUR[level], (level, pixel)
    # Outside every area the grid is white.
    x, y = scene.from_plan(665, 305)
    assert image.getpixel((round(x * maps.PNG_SCALE), round(y * maps.PNG_SCALE))) == (
        255,
        255,
        255,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("paper", "size"), [("A4", (841.9, 595.3)), ("A3", (1190.6, 841.9))])
def test_pdf_is_one_landscape_page_of_the_paper(login, org, points, paper, size):
    import pypdfium2 as pdfium

    response = login("ent1").get(reverse("risks:map_pdf", args=[org.pk]), {"paper": paper})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"-{paper}.pdf" in response["Content-Disposition"]
    pdf = pdfium.PdfDocument(response.content)
    assert len(pdf) == 1
    width, height = pdf[0].get_size()
    assert (round(width, 1), round(height, 1)) == size
    bitmap = pdf[0].render(scale=1).to_pil().convert("RGB")
    small = bitmap.resize((200, 140))
    colours = {family(small.getpixel((x, y))) for x in range(200) for y in range(140)}
    assert {"red", "orange", "yellow", "blue"} <= colours


@pytest.mark.django_db
def test_downloads_name_their_files_and_bad_paper_is_refused(login, org, points):
    client = login("ent1")
    svg = client.get(reverse("risks:map_svg", args=[org.pk]))
    assert svg.status_code == 200
    assert svg["Content-Type"].startswith("image/svg+xml")
    assert "attachment" in svg["Content-Disposition"]
    assert ".svg" in svg["Content-Disposition"]
    png = client.get(reverse("risks:map_png", args=[org.pk]))
    assert png.status_code == 200
    assert png.content.startswith(b"\x89PNG")
    assert ".png" in png["Content-Disposition"]
    bad = client.get(reverse("risks:map_pdf", args=[org.pk]), {"paper": "Letter"})
    assert bad.status_code == 400
    assert "A4" in bad.content.decode()
    assert "A3" in bad.content.decode()


@pytest.mark.django_db
def test_another_organisations_map_is_not_found(login, demo):
    other = org_of(demo["ent2"])
    client = login("ent1")
    for name in ("plan", "plan_image", "map_svg", "map_png", "map_pdf"):
        assert client.get(reverse(f"risks:{name}", args=[other.pk])).status_code == 404, name
    foreign = actions.create_point(by=demo["ent2"], organization=other, name="锅炉房", kind="area")
    response = client.post(
        reverse("risks:area", args=[foreign.pk]),
        {"area": [[1, 1], [50, 1], [50, 50]]},
        content_type="application/json",
    )
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.area == []


@pytest.mark.django_db
def test_viewer_sees_the_map_without_controls_and_may_not_change(login, org, points):
    client = login("leader")  # township leader: may view the enterprise's risks, not change
    page = client.get(reverse("risks:plan", args=[org.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="toolbar"' not in html
    assert 'data-testid="upload-form"' not in html
    assert 'data-level="major"' in html
    response = client.post(
        reverse("risks:area", args=[points["major"].pk]),
        {"area": [[1, 1], [50, 1], [50, 50]]},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert client.post(reverse("risks:plan", args=[org.pk]), {"do": "blank"}).status_code == 403
    points["major"].refresh_from_db()
    assert points["major"].area == SQUARES["major"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"area": [[10, 10], [200, 10]]}, "three corners"),
        ({"area": [[10, 10], [200, 10], [200, 900]]}, "0–1000 × 0–700"),
        ({"area": [[10, 10], ["a", "b"], [200, 300]]}, "[x, y]"),
        ({"area": "10,10 20,20 30,30"}, "[x, y]"),
        ({"polygon": []}, "JSON"),
    ],
)
def test_bad_polygons_are_refused_with_the_rule_and_nothing_changes(
    login, points, english, body, message
):
    point = points["general"]
    response = login("ent1").post(
        reverse("risks:area", args=[point.pk]),
        json.dumps(body),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]["area"]
    assert any(message in e for e in errors), errors
    before = point.version
    point.refresh_from_db()
    assert point.area == SQUARES["general"]
    assert point.version == before


@pytest.mark.django_db
def test_area_post_saves_and_answers_the_level(login, points):
    point = points["low"]
    area = [[100.5, 100], [180, 120], [140, 200]]
    response = login("ent1").post(
        reverse("risks:area", args=[point.pk]), {"area": area}, content_type="application/json"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["level"], body["colour"], body["fill"]) == ("low", "blue", FILL["blue"])
    point.refresh_from_db()
    assert point.area == area
    cleared = login("ent1").post(
        reverse("risks:area", args=[point.pk]), {"area": []}, content_type="application/json"
    )
    assert cleared.status_code == 200
    point.refresh_from_db()
    assert point.area == []


@pytest.mark.django_db
def test_area_post_needs_the_csrf_token(demo, points):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(demo["ent1"])
    response = client.post(
        reverse("risks:area", args=[points["low"].pk]),
        {"area": [[1, 1], [50, 1], [50, 50]]},
        content_type="application/json",
    )
    assert response.status_code == 403


def _png(size=(300, 200), colour=(200, 200, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("plan.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("plan.png", b"this is not a picture at all"),
        ("plan.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"),
    ],
)
def test_upload_that_is_not_an_image_is_refused(login, org, points, name, content):
    client = login("ent1")
    response = client.post(
        reverse("risks:plan", args=[org.pk]),
        {"do": "image", "image": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 400
    assert 'data-testid="plan-errors"' in response.content.decode()
    assert name in response.content.decode() or "JPEG" in response.content.decode()
    plan = SitePlan.objects.get(organization=org)
    assert not plan.image


@pytest.mark.django_db
def test_upload_serves_the_plan_through_the_checked_view(login, demo, org, points):
    client = login("ent1")
    response = client.post(
        reverse("risks:plan", args=[org.pk]),
        {"do": "image", "image": SimpleUploadedFile("厂区.png", _png((1200, 900)))},
    )
    assert response.status_code == 302
    plan = SitePlan.objects.get(organization=org)
    assert (plan.width, plan.height) == (1000, 750)
    image = client.get(reverse("risks:plan_image", args=[org.pk]))
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
    page = client.get(reverse("risks:plan", args=[org.pk])).content.decode()
    assert reverse("risks:plan_image", args=[org.pk]) in page
    assert "/media/" not in page
    # Back to the grid, and a new title on the map.
    client.post(reverse("risks:plan", args=[org.pk]), {"do": "blank"})
    client.post(reverse("risks:plan", args=[org.pk]), {"do": "title", "title": "二号厂区"})
    plan.refresh_from_db()
    assert not plan.image
    assert (plan.width, plan.height) == (1000, 700)
    assert "二号厂区" in maps.org_map_svg(org)
    assert client.get(reverse("risks:plan_image", args=[org.pk])).status_code == 404


# ---------------------------------------------------------------- the township map


def _counts(response) -> dict[str, dict]:
    return {row["code"]: row for row in response.context["rows"]}


@pytest.mark.django_db
def test_township_map_counts_points_per_level_per_village(login, demo):
    client = login("township")
    url = reverse("risks:township_map")
    before = client.get(url)
    assert before.status_code == 200
    org = org_of(demo["ent1"])
    other = org_of(demo["ent2"])
    for level, (method, values) in VALUES.items():
        point = actions.create_point(by=demo["ent1"], organization=org, name=level, kind="area")
        actions.assess(point, by=demo["ent1"], method=method, values=values)
    actions.create_point(by=demo["ent1"], organization=org, name="未评估", kind="post")
    major = actions.create_point(by=demo["ent2"], organization=other, name="x", kind="area")
    actions.assess(major, by=demo["ent2"], method="lec", values={"l": 6, "e": 6, "c": 15})
    retired = actions.create_point(by=demo["ent2"], organization=other, name="y", kind="area")
    actions.assess(retired, by=demo["ent2"], method="lec", values={"l": 6, "e": 6, "c": 15})
    actions.deactivate_point(retired, by=demo["ent2"])

    after = client.get(url)
    old, new = _counts(before), _counts(after)
    empty = {"major": 0, "significant": 0, "general": 0, "low": 0, "none": 0, "total": 0}

    def diff(code):
        was = old.get(code, empty)
        return {k: new[code][k] - was[k] for k in empty}

    expected: dict[str, dict[str, int]] = {}
    for code, add in (
        (org.region.code, {"major": 1, "significant": 1, "general": 1, "low": 1, "none": 1}),
        (other.region.code, {"major": 1}),
    ):
        row = expected.setdefault(code, dict.fromkeys(empty, 0))
        for key, n in add.items():
            row[key] += n
            row["total"] += n
    for code, want in expected.items():
        assert diff(code) == want
    totals_was = before.context["totals"]
    totals = after.context["totals"]
    assert totals["total"] - totals_was["total"] == 6
    assert totals["major"] - totals_was["major"] == 2
    # The dots are coloured by the highest level.
    html = after.content.decode()
    assert f'data-org="{org.pk}" data-level="major"' in html
    assert f'href="{reverse("risks:plan", args=[org.pk])}"' in html


@pytest.mark.django_db
def test_enterprise_sees_only_itself_on_the_township_map(login, demo):
    org = start_afresh(org_of(demo["ent1"]), demo["ent1"])
    point = actions.create_point(by=demo["ent1"], organization=org, name="仓库", kind="area")
    actions.assess(point, by=demo["ent1"], method="matrix", values={"l": 1, "s": 2})
    other = org_of(demo["ent2"])
    actions.create_point(by=demo["ent2"], organization=other, name="车间", kind="area")
    response = login("ent1").get(reverse("risks:township_map"))
    assert response.status_code == 200
    assert [o.pk for o in response.context["data"].orgs] == [org.pk]
    assert response.context["data"].highest[org.pk] == "low"
    assert other.name not in response.content.decode()
    assert response.context["totals"]["low"] >= 1
    assert response.context["totals"]["orgs"] == 1
    svg = login("ent1").get(reverse("risks:township_map_svg"))
    assert svg.status_code == 200
    assert other.name not in svg.content.decode()


@pytest.mark.django_db
def test_orgs_without_coordinates_sit_in_their_village_cell(login, demo):
    org = start_afresh(org_of(demo["ent1"]), demo["ent1"])
    Organization.objects.filter(pk=org.pk).update(latitude=None, longitude=None)
    actions.create_point(by=demo["ent1"], organization=org, name="仓库", kind="area")
    svg = maps.render_svg(maps.township_scene(maps.township_data(demo["township"])))
    ElementTree.fromstring(svg.encode())  # noqa: S314 - our own output, well-formed
    assert org.region.name in svg
    assert f'data-org="{org.pk}" data-level="none"' in svg


@pytest.mark.django_db
def test_township_map_queries_do_not_grow_with_organisations(
    login, demo, django_assert_max_num_queries
):
    client = login("township")
    url = reverse("risks:township_map")
    client.get(url)
    orgs = list(Organization.objects.filter(kind__in=["enterprise", "place"]).order_by("id")[:12])
    for org in orgs[:3]:
        RiskPoint.objects.create(organization=org, name="a", kind="area", level="low")
    with django_assert_max_num_queries(12) as small:
        client.get(url)
    for org in orgs[3:]:
        RiskPoint.objects.create(organization=org, name="a", kind="area", level="major")
        RiskPoint.objects.create(organization=org, name="b", kind="area", level="")
    Organization.objects.filter(pk__in=[o.pk for o in orgs[6:]]).update(
        latitude=None, longitude=None
    )
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert len(response.context["data"].orgs) >= 12


@pytest.mark.django_db
def test_plan_page_queries_do_not_grow_with_points(login, demo, org, django_assert_max_num_queries):
    client = login("ent1")
    url = reverse("risks:plan", args=[org.pk])
    for i in range(2):
        point = actions.create_point(by=demo["ent1"], organization=org, name=f"点{i}", kind="area")
        actions.save_area(point, by=demo["ent1"], area=[[10, 10], [90, 10], [50, 80]])
    client.get(url)
    with django_assert_max_num_queries(20) as small:
        assert client.get(url).status_code == 200
    for i in range(12):
        point = actions.create_point(by=demo["ent1"], organization=org, name=f"新{i}", kind="post")
        actions.assess(point, by=demo["ent1"], method="matrix", values={"l": 2, "s": 2})
        actions.save_area(point, by=demo["ent1"], area=[[100, 100], [190, 100], [150, 180]])
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('class="rm-area"') == 14


@pytest.mark.django_db
def test_png_without_a_cjk_font_still_renders(monkeypatch, org, points):
    monkeypatch.setattr(maps, "_png_font_path", lambda: None)
    maps._png_font.cache_clear()
    try:
        image = Image.open(io.BytesIO(maps.org_map_png(org))).convert("RGB")
    finally:
        maps._png_font.cache_clear()
    scene = maps.org_scene(org)
    x, y = scene.from_plan(*maps.centroid(points["major"].area))
    assert family(image.getpixel((round(x * maps.PNG_SCALE), round(y * maps.PNG_SCALE)))) == "red"

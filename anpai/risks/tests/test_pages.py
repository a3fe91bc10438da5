"""The risk pages: the list, identifying and editing a point, its page, assessing it with
the live preview, and its control measures, for the people who may (and may not)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from anpai.hazards.models import Hazard
from anpai.orgs.models import Organization
from anpai.risks import actions
from anpai.risks.choices import FILL, INK
from anpai.risks.models import Assessment, ControlMeasure, RiskPoint

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def no_demo_points(demo):
    """The demo's risk points out of the way (rolled back after each test)."""
    RiskPoint.objects.all().delete()


def _org(user) -> Organization:
    return Organization.objects.filter(memberships__user=user).first()


@pytest.fixture
def org1(demo):
    return _org(demo["ent1"])


@pytest.fixture
def point(demo, org1):
    return actions.create_point(
        by=demo["ent1"],
        organization=org1,
        code="FX-01",
        name="液氨储罐区",
        kind="area",
        location="厂区东北角",
        hazard_sources="液氨储罐 2 × 50 m³",
        accident_types=["poisoning", "vessel"],
        department="生产部",
        responsible_name="李卫东",
    )


def _points(org, user, n: int, start: int = 0) -> list[RiskPoint]:
    """``n`` assessed points, each with a measure and an open hazard at it."""
    made = []
    for i in range(start, start + n):
        p = actions.create_point(by=user, organization=org, name=f"风险点{i}", kind="equipment")
        actions.assess(p, by=user, method="matrix", values={"l": 1 + i % 5, "s": 3})
        actions.save_measure(p, by=user, kind="engineering", text=f"联锁{i}")
        Hazard.objects.filter(pk=_hazard(org, user).pk).update(risk_point=p)
        made.append(p)
    return made


def _hazard(org, user) -> Hazard:
    from django.utils import timezone

    from anpai.hazards import actions as hazard_actions
    from anpai.hazards.models import Category

    return hazard_actions.report(
        by=user,
        organization=org,
        title="储罐区可燃气体报警器失效",
        description="报警器不响",
        category=Category.objects.filter(is_active=True).first(),
        level="general",
        source="self_inspection",
        place="",
        found_at=timezone.now(),
        clause="",
        photos=[],
    )


# ---------------------------------------------------------------- list


def test_list_for_the_enterprise_and_the_township(login, point, demo):
    actions.assess(point, by=demo["ent1"], method="lec", values={"l": 6, "e": 6, "c": 15})
    for who in ("ent1", "township", "village1"):
        response = login(who).get(reverse("risks:list"))
        assert response.status_code == 200
        html = response.content.decode()
        assert "液氨储罐区" in html
        assert f'data-testid="risk-row" data-level="major" data-pk="{point.pk}"' in html
        assert 'class="badge risk-red" data-testid="badge-level" data-colour="red"' in html
    # Another enterprise does not see it.
    assert "液氨储罐区" not in login("ent2").get(reverse("risks:list")).content.decode()


def test_list_new_button_only_for_those_who_may_add(login, point):
    assert b'data-testid="risk-new"' in login("ent1").get(reverse("risks:list")).content
    assert b'data-testid="risk-new"' in login("township").get(reverse("risks:list")).content
    assert b'data-testid="risk-new"' not in login("village1").get(reverse("risks:list")).content


def test_list_filters_and_htmx_fragment(login, point, demo, org1):
    other = actions.create_point(by=demo["ent1"], organization=org1, name="配电室", kind="area")
    actions.assess(other, by=demo["ent1"], method="matrix", values={"l": 1, "s": 1})
    actions.request_reassessment(point, reason="工艺变更")
    client = login("township")
    response = client.get(reverse("risks:list"), {"level": "low"}, **HTMX)
    html = response.content.decode()
    assert "<html" not in html
    assert "配电室" in html
    assert "液氨储罐区" not in html
    assert 'hx-swap-oob="true"' in html
    assert "HX-Request" in response.get("Vary", "")
    html = client.get(reverse("risks:list"), {"level": "none"}).content.decode()
    assert "液氨储罐区" in html
    assert "配电室" not in html
    html = client.get(reverse("risks:list"), {"reassess": "true"}).content.decode()
    assert "液氨储罐区" in html
    assert "配电室" not in html
    html = client.get(reverse("risks:list"), {"q": "储罐"}).content.decode()
    assert "液氨储罐区" in html
    assert "配电室" not in html
    ent2_org = _org(demo["ent2"])
    html = client.get(reverse("risks:list"), {"organization": ent2_org.pk}).content.decode()
    assert 'data-testid="risk-row"' not in html
    bad = client.get(reverse("risks:list"), {"level": "purple"})
    assert bad.status_code == 200
    assert b"filter-errors" in bad.content


def test_list_constant_queries(login, demo, org1, django_assert_max_num_queries):
    client = login("township")
    _points(org1, demo["ent1"], 2)
    with django_assert_max_num_queries(30) as few:
        response = client.get(reverse("risks:list"))
    assert response.content.count(b'data-testid="risk-row"') == 2
    _points(org1, demo["ent1"], 10, start=2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("risks:list"))
    html = response.content.decode()
    assert html.count('data-testid="risk-row"') == 12
    # Each point has one open hazard at it, counted in its row.
    assert html.count('<span class="badge text-bg-danger">1</span>') == 12


def test_retired_points_leave_the_list(login, point):
    client = login("ent1")
    response = client.post(reverse("risks:retire", args=[point.pk]))
    assert response.status_code == 302
    point.refresh_from_db()
    assert not point.is_active
    row = f'data-pk="{point.pk}"'
    assert row not in client.get(reverse("risks:list")).content.decode()
    assert row in client.get(reverse("risks:list"), {"retired": "true"}).content.decode()


# ---------------------------------------------------------------- scope


def test_another_enterprise_gets_404(login, point):
    client = login("ent2")
    for name in ("risks:detail", "risks:edit", "risks:assess", "risks:measure_add"):
        assert client.get(reverse(name, args=[point.pk])).status_code == 404, name
    preview = client.post(reverse("risks:assess_preview", args=[point.pk]), {"method": "lec"})
    assert preview.status_code == 404
    assert client.post(reverse("risks:retire", args=[point.pk])).status_code == 404
    assert client.post(reverse("risks:edit", args=[point.pk]), {"name": "x"}).status_code == 404


def test_village_officer_sees_but_may_not_change(login, point):
    client = login("village1")
    page = client.get(reverse("risks:detail", args=[point.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="risk-edit"' not in html
    assert 'data-testid="risk-assess"' not in html
    assert 'data-testid="measure-add"' not in html
    assert client.get(reverse("risks:edit", args=[point.pk])).status_code == 403
    response = client.post(
        reverse("risks:edit", args=[point.pk]),
        {"name": "改名", "kind": "area", "version": point.version},
    )
    assert response.status_code == 403
    assert client.get(reverse("risks:assess", args=[point.pk])).status_code == 403
    assert client.post(reverse("risks:retire", args=[point.pk])).status_code == 403
    assert client.get(reverse("risks:create")).status_code == 403
    point.refresh_from_db()
    assert point.name == "液氨储罐区"
    assert point.is_active


# ---------------------------------------------------------------- create and edit


def test_create_with_bad_input_shows_field_errors_and_saves_nothing(login, org1):
    client = login("ent1")
    before = RiskPoint.objects.count()
    response = client.post(
        reverse("risks:create"),
        {"organization": org1.pk, "name": "", "kind": "castle", "accident_types": ["meteor"]},
    )
    assert response.status_code == 400
    html = response.content.decode()
    for field in ("name", "kind", "accident_types"):
        assert f'data-testid="error-{field}"' in html
    assert 'data-testid="form-errors"' in html
    assert RiskPoint.objects.count() == before


def test_create_for_ones_own_organisation(login, org1, demo):
    client = login("ent1")
    page = client.get(reverse("risks:create")).content.decode()
    # One organisation: no choice, its people to pick from.
    assert 'data-testid="point-org"' in page
    assert demo["ent1safety"].full_name in page
    response = client.post(
        reverse("risks:create"),
        {
            "organization": org1.pk,
            "name": "抛光车间",
            "kind": "area",
            "accident_types": ["other_explosion", "fire"],
            "responsible_user": demo["ent1safety"].pk,
        },
    )
    point = RiskPoint.objects.get(name="抛光车间")
    assert response.status_code == 302
    assert response["Location"] == reverse("risks:detail", args=[point.pk])
    assert point.organization == org1
    assert point.accident_types == ["other_explosion", "fire"]
    assert point.responsible_user == demo["ent1safety"]


def test_township_chooses_among_organisations_and_preselects(login, org1, demo):
    client = login("township")
    page = client.get(reverse("risks:create"), {"organization": org1.pk}).content.decode()
    assert f'<option value="{org1.pk}" selected>' in page
    assert demo["ent1"].full_name in page  # the preselected organisation's people
    # Someone of another organisation is refused as the responsible person.
    response = client.post(
        reverse("risks:create"),
        {
            "organization": org1.pk,
            "name": "锅炉房",
            "kind": "area",
            "responsible_user": demo["ent2"].pk,
        },
    )
    assert response.status_code == 400
    assert b'data-testid="error-responsible_user"' in response.content
    assert not RiskPoint.objects.filter(name="锅炉房").exists()


def test_edit_and_a_stale_form_is_refused(login, point, demo):
    client = login("ent1")
    page = client.get(reverse("risks:edit", args=[point.pk]))
    assert page.status_code == 200
    assert 'value="液氨储罐区"' in page.content.decode()
    stale = point.version
    actions.update_point(point, by=demo["ent1safety"], location="罐区北侧")
    response = client.post(
        reverse("risks:edit", args=[point.pk]),
        {"name": "液氨罐区", "kind": "area", "version": stale},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("risks:edit", args=[point.pk])
    point.refresh_from_db()
    assert point.name == "液氨储罐区"
    assert point.location == "罐区北侧"
    again = client.get(response["Location"])
    assert b"alert-danger" in again.content
    response = client.post(
        reverse("risks:edit", args=[point.pk]),
        {"name": "液氨罐区", "kind": "area", "location": "罐区北侧", "version": point.version},
    )
    assert response.status_code == 302
    point.refresh_from_db()
    assert point.name == "液氨罐区"


# ---------------------------------------------------------------- detail


def test_detail_shows_level_history_measures_and_links(login, point, demo, org1):
    actions.assess(point, by=demo["ent1"], method="lec", values={"l": 6, "e": 6, "c": 15})
    actions.assess(
        point, by=demo["ent1"], method="lec", values={"l": 1, "e": 6, "c": 15}, residual=True
    )
    actions.save_measure(
        point,
        by=demo["ent1"],
        kind="engineering",
        text="储罐区设置氨气泄漏检测报警仪",
        responsible_user=demo["ent1safety"].pk,
        check_cadence="daily",
        check_user=demo["ent1safety"].pk,
    )
    actions.save_measure(point, by=demo["ent1"], kind="ppe", text="配备正压式空气呼吸器")
    hazard = _hazard(org1, demo["ent1"])
    Hazard.objects.filter(pk=hazard.pk).update(risk_point=point)
    actions.request_reassessment(point, reason="发现重大事故隐患")

    html = login("ent1").get(reverse("risks:detail", args=[point.pk])).content.decode()
    assert 'data-testid="risk-band" data-colour="red"' in html
    assert 'class="risk-band mb-3 risk-red"' in html
    assert 'data-testid="risk-reassess-banner"' in html
    assert "发现重大事故隐患" in html
    assert 'data-testid="risk-assess-again"' in html
    # Both assessments, the residual one marked, with the factors' meanings and bands used.
    assert html.count('data-testid="assessment"') == 2
    assert 'data-testid="assessment-residual"' in html
    assert "D = 6 × 6 × 15 = 540" in html
    assert "相当可能" in html  # L = 6 in the default LEC table
    assert "≥ 320" in html
    # Measures by kind, with who answers for them and who checks them.
    kinds = re.findall(r'data-testid="measure-kind" data-kind="(\w+)"', html)
    assert kinds == ["engineering", "ppe"]
    assert "储罐区设置氨气泄漏检测报警仪" in html
    assert demo["ent1safety"].full_name in html
    # The open hazard, and the buttons.
    assert hazard.title in html
    assert f"{reverse('hazards:create')}?risk_point={point.pk}" in html
    assert reverse("risks:card", args=[point.pk]) in html
    assert reverse("risk_public", args=[point.public_token]) in html
    assert reverse("risks:plan", args=[org1.pk]) in html


def test_detail_for_the_township_and_unassessed(login, point):
    html = login("township").get(reverse("risks:detail", args=[point.pk])).content.decode()
    assert 'data-testid="risk-band" data-colour=""' in html
    assert 'data-testid="risk-assess"' in html  # the township's officer may assess
    assert 'data-testid="measures-empty"' in html


# ---------------------------------------------------------------- assessment


def _preview(client, point, **data):
    return client.post(reverse("risks:assess_preview", args=[point.pk]), data, **HTMX)


def test_assess_page_shows_factors_with_meanings_and_bands(login, point):
    response = login("ent1").get(reverse("risks:assess", args=[point.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="l"' in html
    assert 'name="e"' in html
    assert 'name="c"' in html
    assert "6 — 相当可能" in html
    assert "15 — 非常严重，一人死亡" in html
    bands = re.findall(r'<tr data-level="(\w+)">', html)
    assert bands == ["major", "significant", "general", "low"]
    assert f'hx-post="{reverse("risks:assess_preview", args=[point.pk])}"' in html
    # The matrix on request (what the method radio asks htmx for).
    fragment = login("ent1").get(
        reverse("risks:assess", args=[point.pk]), {"method": "matrix"}, **HTMX
    )
    text = fragment.content.decode()
    assert "<html" not in text
    assert 'name="s"' in text
    assert 'name="e"' not in text
    assert "几乎肯定发生" in text


def test_live_preview(login, point):
    client = login("ent1")
    major = _preview(client, point, method="lec", l="6", e="6", c="15")
    assert major.status_code == 200
    html = major.content.decode()
    assert 'data-level="major"' in html
    assert 'data-colour="red"' in html
    assert 'data-score="540"' in html
    assert "risk-red" in html
    general = _preview(client, point, method="lec", l="3", e="6", c="7").content.decode()
    assert 'data-level="general"' in general
    assert 'data-colour="yellow"' in general
    assert 'data-score="126"' in general
    matrix = _preview(client, point, method="matrix", l="4", s="4").content.decode()
    assert 'data-level="significant"' in matrix
    assert 'data-score="16"' in matrix


def test_live_preview_with_incomplete_input_names_what_is_missing(login, point):
    client = login("ent1")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the messages' wording is checked
    response = _preview(client, point, method="lec", l="6")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-level=""' in html
    missing = re.search(r'data-testid="preview-missing">(.*?)</ul>', html, re.S).group(1)
    assert missing.count("<li>") == 2
    response = _preview(client, point, method="lec", l="5", e="6", c="15")
    assert response.status_code == 200
    assert b"must be one of" in response.content
    response = _preview(client, point, method="pyramid")
    assert response.status_code == 200
    assert b"Choose a method" in response.content


def test_assessing_saves_history_and_sets_the_level(login, point):
    client = login("ent1")
    url = reverse("risks:assess", args=[point.pk])
    response = client.post(
        url, {"method": "lec", "l": "6", "e": "6", "c": "15", "reason": "initial"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("risks:detail", args=[point.pk])
    point.refresh_from_db()
    assert (point.level, point.score, point.control_level) == ("major", 540, "company")
    response = client.post(
        url,
        {"method": "lec", "l": "3", "e": "6", "c": "7", "reason": "change", "note": "加装联锁"},
    )
    assert response.status_code == 302
    point.refresh_from_db()
    assert point.level == "general"
    history = list(Assessment.objects.filter(point=point).order_by("assessed_at", "id"))
    assert [(a.level, a.score) for a in history] == [("major", 540), ("general", 126)]
    html = client.get(reverse("risks:detail", args=[point.pk])).content.decode()
    assert html.count('data-testid="assessment"') == 2
    assert "加装联锁" in html
    # The form opens with the latest factors chosen.
    page = client.get(url).content.decode()
    assert 'data-score="126"' in page


def test_assessing_with_a_missing_factor_saves_nothing(login, point):
    client = login("ent1")
    response = client.post(
        reverse("risks:assess", args=[point.pk]),
        {"method": "lec", "l": "6", "c": "15", "reason": "initial"},
    )
    assert response.status_code == 400
    assert b'data-testid="error-e"' in response.content
    assert not Assessment.objects.filter(point=point).exists()


def test_residual_assessment_sets_only_the_residual_level(login, point, demo):
    actions.assess(point, by=demo["ent1"], method="lec", values={"l": 6, "e": 6, "c": 15})
    client = login("ent1")
    response = client.post(
        reverse("risks:assess", args=[point.pk]),
        {"method": "matrix", "l": "1", "s": "4", "residual": "on", "reason": "periodic"},
    )
    assert response.status_code == 302
    point.refresh_from_db()
    assert (point.level, point.residual_level) == ("major", "low")


# ---------------------------------------------------------------- measures


def test_measures_add_edit_remove(login, point, demo):
    client = login("ent1")
    add = reverse("risks:measure_add", args=[point.pk])
    page = client.get(add).content.decode()
    assert demo["ent1safety"].full_name in page
    assert demo["ent2"].full_name not in page
    # A regular check needs a checker: refused, nothing saved.
    response = client.post(
        add, {"kind": "engineering", "text": "可燃气体报警", "check_cadence": "daily"}
    )
    assert response.status_code == 400
    assert b'data-testid="error-check_user"' in response.content
    assert not ControlMeasure.objects.filter(point=point).exists()
    response = client.post(
        add,
        {
            "kind": "engineering",
            "text": "可燃气体报警",
            "check_cadence": "daily",
            "check_user": demo["ent1safety"].pk,
            "responsible_name": "张班长",
        },
    )
    assert response.status_code == 302
    measure = ControlMeasure.objects.get(point=point)
    assert (measure.check_user, measure.responsible_name) == (demo["ent1safety"], "张班长")
    edit = reverse("risks:measure_edit", args=[point.pk, measure.pk])
    assert "可燃气体报警" in client.get(edit).content.decode()
    response = client.post(edit, {"kind": "management", "text": "每班巡检报警器"})
    assert response.status_code == 302
    measure.refresh_from_db()
    assert (measure.kind, measure.text, measure.check_cadence) == (
        "management",
        "每班巡检报警器",
        "",
    )
    html = client.get(reverse("risks:detail", args=[point.pk])).content.decode()
    assert "每班巡检报警器" in html
    remove = reverse("risks:measure_remove", args=[point.pk, measure.pk])
    assert client.post(remove).status_code == 302
    measure.refresh_from_db()
    assert not measure.is_active
    assert client.get(edit).status_code == 404
    # Someone who may only read is refused; another enterprise does not find it.
    assert login("village1").get(add).status_code == 403
    assert login("ent2").post(remove).status_code == 404


# ---------------------------------------------------------------- navigation and colours


def test_navigation_shows_risks_to_those_with_access(login):
    html = login("ent1").get(reverse("risks:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'href="{reverse("risks:list")}">Risks</a>' in html
    assert 'data-testid="subnav"' in html
    assert reverse("risks:control_list") in html
    assert reverse("risks:schemes") in html
    assert reverse("risks:township_map") in html
    home = login("auditor").get(reverse("home")).content.decode()
    assert f'href="{reverse("risks:list")}"' not in home
    assert login("auditor").get(reverse("risks:list")).status_code == 403


def test_organisation_page_links_to_its_risks(login, org1):
    html = login("township").get(reverse("orgs:detail", args=[org1.pk])).content.decode()
    assert f"{reverse('risks:list')}?organization={org1.pk}" in html
    assert f"{reverse('risks:control_list')}?organization={org1.pk}" in html
    assert reverse("risks:plan", args=[org1.pk]) in html
    assert f"{reverse('risks:cards')}?organization={org1.pk}" in html
    # The system administrator may read the registry but has no access to risks.
    html = login("admin").get(reverse("orgs:detail", args=[org1.pk])).content.decode()
    assert 'data-testid="org-risks"' not in html


def test_badge_colours_are_the_map_fills():
    css = (Path(__file__).parents[1] / "static" / "risks" / "pages.css").read_text()
    for colour, fill in FILL.items():
        rule = re.search(r"\.risk-" + colour + r" \{([^}]*)\}", css).group(1)
        assert f"background-color: {fill}" in rule
        assert f"color: {INK[colour]}" in rule

"""The assessment schemes page: the township's safety officer edits the factor tables and
bands (a new version; history keeps its level), others read them, admins are refused."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from anpai.orgs.models import Organization
from anpai.risks import actions, scoring
from anpai.risks.choices import LEVEL_ORDER
from anpai.risks.models import RiskScheme

pytestmark = pytest.mark.django_db


@pytest.fixture
def point(demo):
    org = Organization.objects.filter(memberships__user=demo["ent1"]).first()
    return actions.create_point(by=demo["ent1"], organization=org, name="喷漆房", kind="area")


def _form(method: str, *, bands: dict[str, str] | None = None) -> dict[str, str]:
    """The scheme form as the page posts it, from the shipped default."""
    data = scoring.defaults()[method]
    post = {"method": method}
    for name, options in data["factors"].items():
        post[f"{name}-count"] = str(len(options) + 2)
        for i, option in enumerate(options):
            for key in ("value", "zh", "en"):
                post[f"{name}-{i}-{key}"] = option[key]
    for band in data["bands"]:
        post[f"band-{band['level']}"] = (bands or {}).get(band["level"], band["min"])
    return post


def test_township_officer_sees_editable_tables(login):
    html = login("township").get(reverse("risks:schemes")).content.decode()
    assert 'data-testid="scheme-form-lec"' in html
    assert 'data-testid="scheme-form-matrix"' in html
    assert 'value="完全可以预料"' in html
    assert 'value="Quite expected"' in html
    assert 'data-testid="band-major"' in html


def test_others_read_the_scheme_in_force_and_admins_are_refused(login):
    for who in ("ent1", "village1", "leader", "county"):
        response = login(who).get(reverse("risks:schemes"))
        assert response.status_code == 200, who
        html = response.content.decode()
        assert 'data-testid="scheme-form-lec"' not in html
        assert "完全可以预料" in html
    for who in ("admin", "auditor", "secadmin"):
        assert login(who).get(reverse("risks:schemes")).status_code == 403, who
    response = login("ent1").post(reverse("risks:schemes"), _form("lec"))
    assert response.status_code == 403


def test_new_bands_apply_to_later_assessments_and_history_keeps_its_level(login, point, demo):
    ent1 = login("ent1")
    assess = reverse("risks:assess", args=[point.pk])
    earlier = {"method": "lec", "l": "3", "e": "6", "c": "7", "reason": "initial"}
    assert ent1.post(assess, earlier).status_code == 302
    point.refresh_from_db()
    assert point.level == "general"

    township = login("township")
    bands = {"major": "160", "significant": "70", "general": "20", "low": "0"}
    response = township.post(reverse("risks:schemes"), _form("lec", bands=bands))
    assert response.status_code == 302
    scheme = RiskScheme.objects.get(region=point.organization.township, method="lec")
    assert (scheme.version, scheme.is_current) == (1, True)
    assert [b["min"] for b in scheme.bands] == ["160", "70", "20", "0"]
    page = township.get(response["Location"]).content.decode()
    assert 'data-version="1" data-own="true"' in page

    # The assess page and its preview use the new bands now.
    ent1 = login("ent1")
    form = ent1.get(assess).content.decode()
    assert (
        re.findall(r'<tr data-level="\w+"><td>.*?</td><td class="font-monospace">(.*?)</td>', form)[
            0
        ]
        == "≥ 160"
    )
    later = {"method": "lec", "l": "3", "e": "6", "c": "7", "reason": "periodic"}
    preview = ent1.post(reverse("risks:assess_preview", args=[point.pk]), later).content.decode()
    assert 'data-level="significant"' in preview
    assert ent1.post(assess, later).status_code == 302
    point.refresh_from_db()
    assert point.level == "significant"
    first, second = point.assessments.order_by("assessed_at", "id")
    assert (first.level, first.bands[0]["min"]) == ("general", "320")
    assert (second.level, second.scheme_id) == ("significant", scheme.pk)
    detail = ent1.get(reverse("risks:detail", args=[point.pk])).content.decode()
    levels = re.findall(r'data-testid="assessment" data-level="(\w+)"', detail)
    assert levels == ["significant", "general"]


def test_bad_scheme_is_refused_with_the_rule_and_nothing_saved(login):
    client = login("township")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the rules' wording is checked
    post = _form("lec", bands={"significant": "400"})
    post["l-0-value"] = "-1"
    response = client.post(reverse("risks:schemes"), post)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-bands"' in html
    assert "must be below the one above it" in html
    assert 'data-testid="error-l"' in html
    assert "is not a positive number" in html
    # What was typed is shown again.
    assert 'name="band-significant" value="400"' in html
    assert not RiskScheme.objects.filter(region__isnull=False).exists()


def test_editing_values_and_meanings_and_reset(login, point, demo):
    client = login("township")
    post = _form("matrix")
    # Remove the last severity row and change a meaning; add a likelihood of 6.
    count = int(post["s-count"])
    for key in ("value", "zh", "en"):
        post[f"s-{count - 3}-{key}"] = ""
    post["s-0-zh"] = "特别严重"
    post["l-5-value"], post["l-5-zh"], post["l-5-en"] = "6", "经常发生", "Frequent"
    assert client.post(reverse("risks:schemes"), post).status_code == 302
    scheme = actions.scheme_for(point.organization.region, "matrix")
    assert [o["value"] for o in scheme.factors["s"]] == ["5", "4", "3", "2"]
    assert scheme.factors["s"][0]["zh"] == "特别严重"
    assert scheme.factors["l"][0] == {"value": "6", "zh": "经常发生", "en": "Frequent"}
    # The assess form offers the township's values.
    form = login("ent1").get(reverse("risks:assess", args=[point.pk]), {"method": "matrix"})
    assert "6 — 经常发生" in form.content.decode()
    # Saving again makes version 2; reset goes back to the default, history stays.
    client = login("township")  # the one test client, logged in as the officer again
    post["s-0-zh"] = "特别严重：多人死亡"
    client.post(reverse("risks:schemes"), post)
    response = client.post(reverse("risks:schemes"), {"method": "matrix", "reset": "1"})
    assert response.status_code == 302
    versions = RiskScheme.objects.filter(region=point.organization.township, method="matrix")
    assert sorted(versions.values_list("version", "is_current")) == [(1, False), (2, False)]
    assert actions.scheme_for(point.organization.region, "matrix").region_id is None
    html = client.get(reverse("risks:schemes")).content.decode()
    assert html.count('data-testid="scheme-history"') == 1
    assert 'data-method="matrix" data-version="1" data-own="false"' in html
    assert [b["level"] for b in scheme.bands] == [str(level) for level in LEVEL_ORDER]

"""The division tree: codes, levels, prefixes, validation, and the regions API."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from anpai.regions.choices import RegionLevel
from anpai.regions.models import Region, level_of_code


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("141127000000", RegionLevel.COUNTY),
        ("141127203000", RegionLevel.TOWNSHIP),
        ("141127203201", RegionLevel.VILLAGE),
    ],
)
def test_level_and_prefix_follow_the_code(code, level):
    assert level_of_code(code) == level
    region = Region(code=code, level=level)
    assert region.prefix == code[: {1: 6, 2: 9, 3: 12}[level]]


def test_prefix_selects_exactly_the_subtree(demo):
    township = Region.objects.get(level=RegionLevel.TOWNSHIP)
    subtree = Region.objects.within(township)
    assert set(subtree.values_list("level", flat=True)) == {
        RegionLevel.TOWNSHIP,
        RegionLevel.VILLAGE,
    }
    assert subtree.count() == 1 + township.children.count()


def test_full_name_reads_top_down(demo):
    village = Region.objects.filter(level=RegionLevel.VILLAGE).first()
    assert village.full_name == village.parent.parent.name + village.parent.name + village.name


def test_clean_refuses_a_level_the_code_contradicts(demo):
    county = Region.objects.get(level=RegionLevel.COUNTY)
    region = Region(code="141127999000", name="x", level=RegionLevel.VILLAGE, parent=county)
    with pytest.raises(ValidationError) as err:
        region.full_clean()
    assert "level" in err.value.message_dict


def test_clean_refuses_a_code_outside_the_parent(demo):
    county = Region.objects.get(level=RegionLevel.COUNTY)
    region = Region(code="149999100000", name="x", level=RegionLevel.TOWNSHIP, parent=county)
    with pytest.raises(ValidationError) as err:
        region.full_clean()
    assert "code" in err.value.message_dict


@pytest.mark.parametrize("code", ["14112700000", "1411270000000", "14112700000a"])
def test_clean_refuses_a_malformed_code(db, code):
    with pytest.raises(ValidationError) as err:
        Region(code=code, name="x", level=RegionLevel.COUNTY).full_clean()
    assert "code" in err.value.message_dict


def test_township_needs_a_parent(db):
    with pytest.raises(ValidationError) as err:
        Region(code="141127203000", name="x", level=RegionLevel.TOWNSHIP).full_clean()
    assert "parent" in err.value.message_dict


def test_api_lists_the_tree_in_code_order(api):
    body = api("township").get("/api/v1/regions/", {"page_size": 100}).json()
    codes = [r["code"] for r in body["results"]]
    assert codes == sorted(codes)
    assert body["count"] == Region.objects.count()
    levels = {r["level"] for r in body["results"]}
    assert levels == {RegionLevel.COUNTY, RegionLevel.TOWNSHIP, RegionLevel.VILLAGE}


def test_api_filters(api):
    client = api("township")
    township = Region.objects.get(level=RegionLevel.TOWNSHIP)
    villages = client.get(
        "/api/v1/regions/", {"level": RegionLevel.VILLAGE, "page_size": 100}
    ).json()
    assert villages["count"] == township.children.count()
    children = client.get("/api/v1/regions/", {"parent": township.pk, "page_size": 100}).json()
    assert {r["id"] for r in children["results"]} == {r["id"] for r in villages["results"]}
    one = client.get("/api/v1/regions/", {"code": township.code}).json()
    assert [r["id"] for r in one["results"]] == [township.pk]


def test_api_hides_regions_out_of_reach(api, demo):
    county = Region.objects.get(level=RegionLevel.COUNTY)
    other = Region.objects.create(code="141128000000", name="汾阳市", level=RegionLevel.COUNTY)
    client = api("ent1")
    assert client.get(f"/api/v1/regions/{county.pk}/").status_code == 200
    assert client.get(f"/api/v1/regions/{other.pk}/").status_code == 404

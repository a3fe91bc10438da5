"""The read-only standards API: filters, nested clauses, scope and 404s."""

from __future__ import annotations

from datetime import date

import pytest

from anpai.regions.choices import RegionLevel
from anpai.regions.models import Region
from anpai.standards.models import Standard

URL = "/api/v1/standards/"


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    return [row["code"] for row in response.json()["results"]]


@pytest.mark.django_db
def test_list_filters(api):
    client = api("ent1")
    assert set(_codes(client.get(URL, {"family": "gb35181"}))) == {
        "gb35181-2017",
        "gb35181-2025",
    }
    assert _codes(client.get(URL, {"family": "gb35181", "in_force_on": "2025-10-31"})) == [
        "gb35181-2017"
    ]
    assert _codes(client.get(URL, {"family": "gb35181", "in_force_on": "2025-11-01"})) == [
        "gb35181-2025"
    ]
    assert set(_codes(client.get(URL, {"industry": "construction"}))) == {
        "construction-2022",
        "construction-2024",
    }
    assert _codes(client.get(URL, {"q": "应急管理部令第10号"})) == ["gongmao-2023"]
    # q also searches the clause paraphrases.
    assert "hazchem-2017" in _codes(client.get(URL, {"q": "万向管道"}))
    assert _codes(client.get(URL, {"industry": "no-such-industry"})) == []


@pytest.mark.django_db
def test_bad_date_is_a_400_naming_the_field(api):
    response = api("township").get(URL, {"in_force_on": "2025-13-40"})
    assert response.status_code == 400
    assert "in_force_on" in response.json()


@pytest.mark.django_db
def test_detail_nests_clauses(api):
    pk = Standard.objects.get(code="hazchem-2017").pk
    body = api("county").get(f"{URL}{pk}/").json()
    assert body["industry"] == "hazchem"
    assert body["is_shipped"] is True
    assert body["clause_count"] == 20 == len(body["clauses"])
    first = body["clauses"][0]
    assert first["ref"] == "hazchem-2017#第1项"
    assert first["makes_major"] is True


@pytest.mark.django_db
def test_local_standard_is_seen_only_in_its_area_and_404_elsewhere(api, demo):
    township = demo["township"].memberships.get().organization.region
    local = Standard.objects.create(
        code="xct-local",
        family="xct",
        name="乡本级补充规定",
        effective_from=date(2024, 1, 1),
        region=township,
    )
    county = Region.objects.create(code="141128000000", name="外县", level=RegionLevel.COUNTY)
    outside = Standard.objects.create(
        code="far-local",
        family="far",
        name="外县规定",
        effective_from=date(2024, 1, 1),
        region=county,
    )
    client = api("ent2")
    codes = _codes(client.get(URL, {"page_size": 100}))
    assert "xct-local" in codes
    assert "far-local" not in codes
    assert client.get(f"{URL}{local.pk}/").status_code == 200
    assert client.get(f"{URL}{outside.pk}/").status_code == 404
    assert client.get(f"{URL}999999/").status_code == 404


@pytest.mark.django_db
def test_list_query_count_is_constant(api, django_assert_max_num_queries):
    client = api("township")
    with django_assert_max_num_queries(8):
        response = client.get(URL, {"page_size": 100})
    assert response.json()["count"] >= 11

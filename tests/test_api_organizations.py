"""The organisations API: scope per persona, writes, validation, filters, pagination, queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anpai.audit.models import AuditAction, AuditRecord
from anpai.core.validators import credit_code_check_char
from anpai.orgs.choices import OrgKind
from anpai.orgs.models import Industry, Organization
from anpai.regions.choices import RegionLevel
from anpai.regions.models import Region

LIST = "/api/v1/organizations/"


def detail(pk: int) -> str:
    return f"{LIST}{pk}/"


def org_of(user) -> Organization:
    return user.memberships.select_related("organization__region").get().organization


def valid_code(body: str = "91141127MA0TEXT01") -> str:
    return body + credit_code_check_char(body)


def all_pages(client, url: str, **params) -> list[dict]:
    results, page = [], 1
    while True:
        body = client.get(url, {**params, "page": page, "page_size": 100}).json()
        results.extend(body["results"])
        if not body["next"]:
            return results
        page += 1


@pytest.fixture
def township_region():
    return Region.objects.get(level=RegionLevel.TOWNSHIP)


def new_org(where: Region, **extra) -> dict:
    data = {
        "name": "测试化工有限公司",
        "kind": OrgKind.ENTERPRISE,
        "credit_code": valid_code(),
        "region": where.code,
        "industries": ["hazchem"],
        "is_key": True,
        "principal_phone": "13912345678",
    }
    data.update(extra)
    return data


# --- reading: who sees what ---------------------------------------------------------------


def test_ent1_sees_exactly_its_own_organisation(api, demo):
    body = api("ent1").get(LIST).json()
    assert body["count"] == 1
    assert [o["id"] for o in body["results"]] == [org_of(demo["ent1"]).pk]


def test_ent1safety_sees_the_same_organisation(api, demo):
    body = api("ent1safety").get(LIST).json()
    assert [o["id"] for o in body["results"]] == [org_of(demo["ent1"]).pk]


def test_ent1_cannot_see_ent2(api, demo):
    ent2_org = org_of(demo["ent2"])
    assert api("ent1").get(detail(ent2_org.pk)).status_code == 404
    # Not found and not yours answer alike.
    assert api("ent1").get(detail(10**9)).status_code == 404
    assert api("ent1").get(detail(org_of(demo["ent1"]).pk)).status_code == 200


def test_village1_sees_only_its_village(api, demo):
    village = org_of(demo["village1"]).region
    results = all_pages(api("village1"), LIST)
    assert results
    assert {o["region"] for o in results} == {village.code}
    assert len(results) == Organization.objects.filter(region=village).count()
    village2_org = Organization.objects.filter(region=org_of(demo["village2"]).region).first()
    assert api("village1").get(detail(village2_org.pk)).status_code == 404


def test_county_reads_the_whole_township(api, demo, township_region):
    body = api("county").get(LIST).json()
    in_township = Organization.objects.filter(region__code__startswith=township_region.prefix)
    assert body["count"] >= in_township.count()
    ent2_org = org_of(demo["ent2"])
    assert api("county").get(detail(ent2_org.pk)).status_code == 200


def test_dept_sees_supervised_industries_only(api, demo):
    dept_org = org_of(demo["dept"])
    supervised = set(dept_org.supervisions.values_list("industry__code", flat=True))
    results = all_pages(api("dept"), LIST)
    assert any(o["id"] == dept_org.pk for o in results)
    for org in results:
        if org["id"] != dept_org.pk:
            assert supervised & set(org["industries"]), org


def test_anonymous_is_401(api, demo):
    assert api().get(LIST).status_code == 401
    assert api().get(detail(org_of(demo["ent1"]).pk)).status_code == 401
    assert api().post(LIST, {}, format="json").status_code == 401


# --- writing --------------------------------------------------------------------------------


def test_township_creates_and_the_audit_trail_names_it(api, township_region):
    village = Region.objects.filter(parent=township_region).first()
    response = api("township").post(LIST, new_org(village), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    org = Organization.objects.get(pk=body["id"])
    assert org.credit_code == valid_code()
    assert list(org.industries.values_list("code", flat=True)) == ["hazchem"]
    record = AuditRecord.objects.get(
        action=AuditAction.CREATE, object_type="orgs.organization", object_id=str(org.pk)
    )
    assert record.actor_username == "township"
    assert record.source == "api"


def test_invalid_credit_code_is_400_naming_the_field(api, township_region):
    before = Organization.objects.count()
    bad = valid_code()[:-1] + ("0" if valid_code()[-1] != "0" else "1")
    response = api("township").post(LIST, new_org(township_region, credit_code=bad), format="json")
    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == ["credit_code"]
    assert "check" in errors["credit_code"][0].lower() or "校验" in errors["credit_code"][0]
    assert Organization.objects.count() == before


@pytest.mark.parametrize("code", ["", None])
def test_enterprise_needs_a_credit_code(api, township_region, code):
    response = api("township").post(LIST, new_org(township_region, credit_code=code), format="json")
    assert response.status_code == 400
    assert "credit_code" in response.json()


def test_places_without_codes_store_null(api, township_region):
    client = api("township")
    for name in ("甲小卖部", "乙小卖部"):
        response = client.post(
            LIST,
            new_org(township_region, name=name, kind=OrgKind.PLACE, credit_code=""),
            format="json",
        )
        assert response.status_code == 201, response.content
        assert response.json()["credit_code"] is None


def test_duplicate_credit_code_is_400(api, demo, township_region):
    taken = org_of(demo["ent2"]).credit_code
    for code in (taken, taken.lower(), f" {taken} "):
        response = api("township").post(
            LIST, new_org(township_region, credit_code=code), format="json"
        )
        assert response.status_code == 400, code
        assert "credit_code" in response.json()


def test_lowercase_code_is_stored_uppercase(api, township_region):
    response = api("township").post(
        LIST, new_org(township_region, credit_code=valid_code().lower()), format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["credit_code"] == valid_code()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kind", "factory"),
        ("region", "999999999999"),
        ("industries", ["no-such-industry"]),
        ("principal_phone", "12345"),
        ("latitude", "123.5"),
        ("name", ""),
    ],
)
def test_bad_fields_are_named(api, township_region, field, value):
    response = api("township").post(LIST, new_org(township_region, **{field: value}), format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_township_cannot_place_an_organisation_outside_its_township(api):
    county = Region.objects.get(level=RegionLevel.COUNTY)
    response = api("township").post(LIST, new_org(county), format="json")
    assert response.status_code == 400
    assert "region" in response.json()


def test_village_officer_creates_in_own_village_only(api, demo):
    own = org_of(demo["village1"]).region
    other = org_of(demo["village2"]).region
    client = api("village1")
    response = client.post(LIST, new_org(other), format="json")
    assert response.status_code == 400
    assert "region" in response.json()
    response = client.post(LIST, new_org(own), format="json")
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("username", ["county", "leader", "dept", "secadmin", "ent1"])
def test_readers_cannot_create(api, township_region, username):
    assert api(username).post(LIST, new_org(township_region), format="json").status_code == 403


def test_auditor_cannot_read_or_create(api, township_region):
    assert api("auditor").get(LIST).status_code == 403
    assert api("auditor").post(LIST, new_org(township_region), format="json").status_code == 403


def test_county_cannot_patch(api, demo):
    org = org_of(demo["ent1"])
    response = api("county").patch(detail(org.pk), {"name": "改名"}, format="json")
    assert response.status_code == 403
    org.refresh_from_db()
    assert org.name != "改名"


def test_ent1_cannot_patch_its_own_organisation(api, demo):
    org = org_of(demo["ent1"])
    assert api("ent1").patch(detail(org.pk), {"name": "x"}, format="json").status_code == 403


def test_village1_patches_own_village_but_not_village2(api, demo):
    own = Organization.objects.filter(
        region=org_of(demo["village1"]).region, kind=OrgKind.ENTERPRISE
    ).first()
    other = Organization.objects.filter(region=org_of(demo["village2"]).region).first()
    client = api("village1")
    response = client.patch(detail(own.pk), {"employee_count": 99}, format="json")
    assert response.status_code == 200, response.content
    own.refresh_from_db()
    assert own.employee_count == 99
    assert client.patch(detail(other.pk), {"employee_count": 1}, format="json").status_code == 404
    # Nor can it move its own organisation into village2.
    response = client.patch(detail(own.pk), {"region": other.region.code}, format="json")
    assert response.status_code == 400
    assert "region" in response.json()


def test_patch_changes_only_what_is_sent_and_is_audited(api, demo):
    org = org_of(demo["ent2"])
    industries = set(org.industries.values_list("code", flat=True))
    response = api("township").patch(detail(org.pk), {"is_sensitive": True}, format="json")
    assert response.status_code == 200, response.content
    org.refresh_from_db()
    assert org.is_sensitive is True
    assert set(org.industries.values_list("code", flat=True)) == industries
    record = (
        AuditRecord.objects.filter(
            action=AuditAction.UPDATE, object_type="orgs.organization", object_id=str(org.pk)
        )
        .order_by("-seq")
        .first()
    )
    assert record.actor_username == "township"
    assert record.after == {"is_sensitive": True}


def test_patch_industries_replaces_them(api, demo):
    org = org_of(demo["ent2"])
    response = api("township").patch(
        detail(org.pk), {"industries": ["gas", "fire_crowded"]}, format="json"
    )
    assert response.status_code == 200
    assert sorted(response.json()["industries"]) == ["fire_crowded", "gas"]


def test_patch_keeps_the_enterprise_rule(api, demo):
    client = api("township")
    enterprise = org_of(demo["ent2"])
    response = client.patch(detail(enterprise.pk), {"credit_code": None}, format="json")
    assert response.status_code == 400
    assert "credit_code" in response.json()
    place = Organization.objects.filter(kind=OrgKind.PLACE, credit_code__isnull=True).first()
    response = client.patch(detail(place.pk), {"kind": OrgKind.ENTERPRISE}, format="json")
    assert response.status_code == 400
    assert "credit_code" in response.json()
    response = client.patch(
        detail(place.pk), {"kind": OrgKind.ENTERPRISE, "credit_code": valid_code()}, format="json"
    )
    assert response.status_code == 200, response.content


def test_patch_own_code_in_lowercase_is_not_a_duplicate(api, demo):
    org = org_of(demo["ent2"])
    response = api("township").patch(
        detail(org.pk), {"credit_code": org.credit_code.lower()}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["credit_code"] == org.credit_code


def test_patch_to_another_organisations_code_is_400(api, demo):
    response = api("township").patch(
        detail(org_of(demo["ent2"]).pk),
        {"credit_code": org_of(demo["ent1"]).credit_code},
        format="json",
    )
    assert response.status_code == 400
    assert "credit_code" in response.json()


def test_put_and_delete_are_not_offered(api, demo):
    org = org_of(demo["ent1"])
    client = api("admin")
    assert client.put(detail(org.pk), new_org(org.region), format="json").status_code == 405
    assert client.delete(detail(org.pk)).status_code == 405
    assert Organization.objects.filter(pk=org.pk).exists()


# --- filters and pagination -------------------------------------------------------------------


def test_filter_by_industry(api):
    hazchem = Industry.objects.get(code="hazchem")
    results = all_pages(api("township"), LIST, industry=hazchem.code)
    assert results
    assert all("hazchem" in o["industries"] for o in results)
    assert len(results) == Organization.objects.filter(industries=hazchem).count()
    # An unknown industry code is a field error, not an empty list.
    response = api("township").get(LIST, {"industry": "no-such-industry"})
    assert response.status_code == 400
    assert "industry" in response.json()


def test_filter_by_flags_and_kind(api):
    client = api("township")
    keys = all_pages(client, LIST, is_key="true")
    assert keys
    assert all(o["is_key"] for o in keys)
    assert len(keys) == Organization.objects.filter(is_key=True).count()
    places = all_pages(client, LIST, kind="place", is_crowded="true")
    assert places
    assert all(o["kind"] == "place" and o["is_crowded"] for o in places)


def test_filter_by_text(api, demo):
    org = org_of(demo["ent1"])
    results = all_pages(api("township"), LIST, q=org.name[2:6])
    assert org.pk in {o["id"] for o in results}
    assert all(
        org.name[2:6] in o["name"]
        or org.name[2:6] in (o["address"] or "")
        or org.name[2:6] in (o["credit_code"] or "")
        or org.name[2:6] in o["principal_name"]
        for o in results
    )
    by_code = all_pages(api("township"), LIST, q=org.credit_code)
    assert [o["id"] for o in by_code] == [org.pk]


def test_filter_by_village_and_region(api, demo):
    village = org_of(demo["village2"]).region
    client = api("township")
    by_village = all_pages(client, LIST, village=village.pk)
    assert by_village
    assert {o["region"] for o in by_village} == {village.code}
    by_region = all_pages(client, LIST, region=village.code)
    assert {o["id"] for o in by_region} == {o["id"] for o in by_village}


def test_filters_cannot_widen_the_scope(api, demo):
    village2 = org_of(demo["village2"]).region
    client = api("village1")
    body = client.get(LIST, {"region": village2.code}).json()
    assert body["count"] == 0
    assert client.get(LIST, {"village": village2.pk}).json()["count"] == 0


def test_bad_filter_value_is_400(api):
    response = api("township").get(LIST, {"kind": "spaceship"})
    assert response.status_code == 400
    assert "kind" in response.json()


def test_pagination_shape(api):
    client = api("township")
    first = client.get(LIST, {"page_size": 5}).json()
    assert set(first) == {"count", "next", "previous", "results"}
    assert len(first["results"]) == 5
    assert first["previous"] is None
    assert first["next"]
    assert "page=2" in first["next"]
    second = client.get(first["next"]).json()
    assert second["previous"]
    assert not {o["id"] for o in first["results"]} & {o["id"] for o in second["results"]}
    assert second["count"] == first["count"]
    assert client.get(LIST, {"page": 999}).status_code == 404


# --- query counts -----------------------------------------------------------------------------


def _queries(client, url: str, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("username", ["township", "dept", "village1", "ent1", "county"])
def test_list_query_count_is_constant(api, username, django_assert_max_num_queries):
    client = api(username)
    client.get(LIST)  # the token's last-use stamp is written once; measure later requests
    counts = {size: _queries(client, LIST, page_size=size) for size in (1, 10, 100)}
    assert len(set(counts.values())) == 1, counts
    with django_assert_max_num_queries(8):
        client.get(LIST, {"page_size": 100, "industry": Industry.objects.first().pk})


def test_detail_query_count(api, demo, django_assert_max_num_queries):
    client = api("township")
    client.get(LIST)
    with django_assert_max_num_queries(6):
        assert client.get(detail(org_of(demo["ent1"]).pk)).status_code == 200


@pytest.mark.parametrize(
    ("username", "offered"),
    [("township", True), ("village1", True), ("county", False), ("ent1", False)],
)
def test_options_offers_only_allowed_writes(api, username, offered):
    response = api(username).options(LIST)
    assert response.status_code == 200
    assert ("POST" in response.json().get("actions", {})) is offered

"""The organisation list: scope per persona, filters, htmx fragment, buttons, queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from anpai.orgs.choices import OrgKind
from anpai.orgs.models import Industry, Organization
from anpai.orgs.tests.conftest import org_of

URL = reverse("orgs:list")


def listed(response) -> list[Organization]:
    return list(response.context["object_list"])


@pytest.mark.django_db
def test_ent1_sees_exactly_its_own_organisation(login, demo):
    response = login("ent1").get(URL)
    assert response.status_code == 200
    assert [o.pk for o in listed(response)] == [org_of(demo["ent1"]).pk]
    assert response.context["paginator"].count == 1
    body = response.content.decode()
    assert org_of(demo["ent2"]).name not in body
    # An enterprise principal may only view: no New / Import / Export.
    for testid in ("org-new", "org-import", "org-export"):
        assert f'data-testid="{testid}"' not in body


@pytest.mark.django_db
def test_village1_sees_only_its_village(login, demo):
    village = org_of(demo["village1"]).region
    response = login("village1").get(URL)
    rows = listed(response)
    assert rows
    assert {o.region_id for o in rows} == {village.pk}
    assert (
        response.context["paginator"].count == Organization.objects.filter(region=village).count()
    )


@pytest.mark.django_db
def test_county_sees_everything_but_no_write_buttons(login):
    response = login("county").get(URL)
    assert (
        response.context["paginator"].count
        == Organization.objects.filter(region__code__startswith="141127").count()
    )
    body = response.content.decode()
    assert 'data-testid="org-new"' not in body
    assert 'data-testid="org-import"' not in body
    assert 'data-testid="org-export"' in body  # the county may export


@pytest.mark.django_db
def test_township_gets_all_buttons_and_a_page_of_fifty(login):
    response = login("township").get(URL)
    body = response.content.decode()
    for testid in ("org-new", "org-import", "org-export"):
        assert f'data-testid="{testid}"' in body
    assert len(listed(response)) == min(50, response.context["paginator"].count)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "check"),
    [
        ({"is_key": "true"}, lambda o: o.is_key),
        ({"is_crowded": "true"}, lambda o: o.is_crowded),
        ({"kind": OrgKind.PLACE}, lambda o: o.kind == OrgKind.PLACE),
        ({"status": "operating"}, lambda o: o.status == "operating"),
        ({"q": "化工"}, lambda o: "化工" in o.name),
    ],
)
def test_filters(login, params, check):
    response = login("township").get(URL, params)
    rows = listed(response)
    assert rows
    assert all(check(o) for o in rows)


@pytest.mark.django_db
def test_industry_and_village_filters(login, demo):
    gas = Industry.objects.get(code="gas")
    rows = listed(login("township").get(URL, {"industry": gas.code}))
    assert rows
    assert all(gas in o.industries.all() for o in rows)
    village = org_of(demo["village1"]).region
    rows = listed(login("township").get(URL, {"village": village.pk}))
    assert {o.region_id for o in rows} == {village.pk}


@pytest.mark.django_db
def test_export_link_keeps_filters_but_not_page(login):
    response = login("township").get(URL, {"is_key": "true", "page": "1"})
    body = response.content.decode()
    assert reverse("orgs:export") + "?is_key=true" in body


@pytest.mark.django_db
def test_bad_filter_values_do_not_fail(login):
    response = login("township").get(URL, {"village": "abc", "kind": "nonsense", "page": "1"})
    assert response.status_code == 200


@pytest.mark.django_db
def test_htmx_request_gets_only_the_results_fragment(login):
    client = login("township")
    response = client.get(URL, {"is_key": "true"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert 'data-testid="org-table"' in body
    assert "HX-Request" in response["Vary"]
    # A history restore needs the whole page.
    full = client.get(URL, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in full.content.decode()


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def _page_queries(client, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_query_count_does_not_grow_with_rows(login, demo):
    client = login("township")
    village = org_of(demo["village2"]).region
    params = {"village": village.pk}
    client.get(URL, params)  # warm the session
    few = _page_queries(client, params)
    industries = list(Industry.objects.all()[:3])
    for n in range(40):
        org = Organization.objects.create(
            name=f"查询计数测试{n:02d}", kind=OrgKind.PLACE, region=village, is_key=n % 2 == 0
        )
        org.industries.set(industries)
    many = _page_queries(client, params)
    assert many == few
    assert many <= 13  # 12 + the navbar bell's unread-notification count


@pytest.mark.django_db
def test_fragment_updates_the_count_in_the_heading(login):
    client = login("township")
    page = client.get(URL).content.decode()
    assert page.count(' id="org-count"') == 1
    fragment = client.get(URL, {"is_key": "true"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="org-count" data-testid="org-count" hx-swap-oob="true"' in fragment

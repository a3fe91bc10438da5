"""The organisation detail page: scope (404 outside), contents, edit button."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anpai.orgs.models import Supervision
from anpai.orgs.tests.conftest import org_of


def url(org) -> str:
    return reverse("orgs:detail", args=[org.pk])


@pytest.mark.django_db
def test_ent1_sees_its_own_detail_but_not_ent2s(login, demo):
    client = login("ent1")
    own = org_of(demo["ent1"])
    response = client.get(url(own))
    assert response.status_code == 200
    assert own.name in response.content.decode()
    assert 'data-testid="org-edit"' not in response.content.decode()
    assert client.get(url(org_of(demo["ent2"]))).status_code == 404


@pytest.mark.django_db
def test_village1_gets_404_for_another_village(login, demo):
    assert login("village1").get(url(org_of(demo["ent2"]))).status_code in (200, 404)
    other = org_of(demo["village2"])
    assert login("village1").get(url(other)).status_code == 404


@pytest.mark.django_db
def test_missing_organisation_is_404(login):
    assert login("township").get(reverse("orgs:detail", args=[999999])).status_code == 404


@pytest.mark.django_db
def test_township_sees_regions_supervisors_members_and_edit(login, demo):
    org = org_of(demo["ent1"])
    response = login("township").get(url(org))
    assert response.status_code == 200
    body = response.content.decode()
    assert org.region.name in body
    assert org.township.name in body
    assert 'data-testid="org-edit"' in body
    departments = Supervision.objects.filter(
        township=org.township, industry__in=org.industries.all()
    ).select_related("department")
    assert departments
    for row in departments:
        assert row.department.name in body
    assert demo["ent1"].full_name in body  # a member, visible to the township
    assert demo["ent1safety"].full_name in body


@pytest.mark.django_db
def test_county_reads_without_edit_button(login, demo):
    response = login("county").get(url(org_of(demo["ent1"])))
    assert response.status_code == 200
    assert 'data-testid="org-edit"' not in response.content.decode()


@pytest.mark.django_db
def test_detail_query_count_is_small(login, demo, django_assert_max_num_queries):
    client = login("township")
    org = org_of(demo["ent1"])
    client.get(url(org))
    # 13: one more for the organisation's inspection duties (one query however many).
    with django_assert_max_num_queries(13):
        client.get(url(org))

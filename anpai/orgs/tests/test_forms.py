"""Create and edit pages: permissions, region scope, the model's validation, audit."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anpai.audit.models import AuditAction, AuditRecord
from anpai.orgs.choices import OrgKind
from anpai.orgs.models import Industry, Organization
from anpai.orgs.tests.conftest import bad_code, org_of, valid_code

CREATE = reverse("orgs:create")


def edit_url(org) -> str:
    return reverse("orgs:edit", args=[org.pk])


def form_data(region, **extra) -> dict:
    data = {
        "name": "页面测试建材有限公司",
        "kind": OrgKind.ENTERPRISE,
        "credit_code": valid_code(),
        "status": "operating",
        "region": region.pk,
        "address": "工业路8号",
        "phone": "0358-1234567",
        "principal_name": "张三",
        "principal_phone": "13912345678",
        "industries": [i.pk for i in Industry.objects.filter(code__in=["construction", "gas"])],
        "is_key": "on",
    }
    data.update(extra)
    return data


@pytest.mark.django_db
def test_county_gets_403_on_create_and_edit(login, demo):
    client = login("county")
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, form_data(org_of(demo["village1"]).region)).status_code == 403
    assert client.get(edit_url(org_of(demo["ent1"]))).status_code == 403


@pytest.mark.django_db
def test_enterprise_gets_403_editing_its_own_and_404_for_others(login, demo):
    client = login("ent1")
    assert client.get(edit_url(org_of(demo["ent1"]))).status_code == 403
    assert client.get(CREATE).status_code == 403


@pytest.mark.django_db
def test_village_officer_edit_outside_village_is_404(login, demo):
    other = org_of(demo["village2"])
    assert login("village1").get(edit_url(other)).status_code == 404


@pytest.mark.django_db
def test_township_creates_an_organisation(login, demo):
    village = org_of(demo["village1"]).region
    client = login("township")
    assert client.get(CREATE).status_code == 200
    before = AuditRecord.objects.count()
    response = client.post(CREATE, form_data(village))
    org = Organization.objects.get(credit_code=valid_code())
    assert response.status_code == 302
    assert response["Location"] == reverse("orgs:detail", args=[org.pk])
    assert org.region == village
    assert org.is_key
    assert set(org.industries.values_list("code", flat=True)) == {"construction", "gas"}
    records = AuditRecord.objects.order_by("seq")[before:]
    assert any(r.action == AuditAction.CREATE and r.object_id == str(org.pk) for r in records)
    page = client.get(response["Location"])
    assert "页面测试建材有限公司" in page.content.decode()


@pytest.mark.django_db
def test_wrong_credit_code_is_refused_with_the_rule(login, demo):
    village = org_of(demo["village1"]).region
    count = Organization.objects.count()
    response = login("township").post(CREATE, form_data(village, credit_code=bad_code()))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "credit_code" in errors
    assert "校验码" in errors["credit_code"][0]  # the interface is Chinese by default
    assert 'data-testid="error-credit_code"' in response.content.decode()
    assert Organization.objects.count() == count


@pytest.mark.django_db
def test_enterprise_without_credit_code_and_bad_phones_are_refused(login, demo):
    village = org_of(demo["village1"]).region
    response = login("township").post(
        CREATE, form_data(village, credit_code="", principal_phone="12345", phone="abc")
    )
    errors = response.context["form"].errors
    assert set(errors) >= {"credit_code", "principal_phone", "phone"}
    assert not Organization.objects.filter(name="页面测试建材有限公司").exists()


@pytest.mark.django_db
def test_village_officer_may_only_choose_their_village(login, demo):
    own = org_of(demo["village1"]).region
    other = org_of(demo["village2"]).region
    client = login("village1")
    response = client.get(CREATE)
    assert list(response.context["form"].fields["region"].queryset) == [own]
    response = client.post(CREATE, form_data(other))
    assert "region" in response.context["form"].errors
    assert not Organization.objects.filter(credit_code=valid_code()).exists()
    assert client.post(CREATE, form_data(own)).status_code == 302


@pytest.mark.django_db
def test_township_edits_and_the_change_is_audited(login, demo):
    org = org_of(demo["ent1"])
    client = login("township")
    response = client.get(edit_url(org))
    assert response.status_code == 200
    form = response.context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None
    }
    data["industries"] = [i.pk for i in org.industries.all()]
    for flag in ("is_key", "is_crowded", "is_sensitive", "is_mixed"):
        if data.pop(flag, False):
            data[flag] = "on"
    data["principal_phone"] = "13800000001"
    response = client.post(edit_url(org), data)
    assert response.status_code == 302, response.context["form"].errors
    org.refresh_from_db()
    assert org.principal_phone == "13800000001"
    record = AuditRecord.objects.filter(object_id=str(org.pk), action=AuditAction.UPDATE).first()
    assert record is not None
    assert record.after["principal_phone"] == "13800000001"

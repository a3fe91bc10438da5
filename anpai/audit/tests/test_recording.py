"""What the trail records: data changes with before/after, authentication, tokens, who and where."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings
from django.utils.functional import SimpleLazyObject

from anpai.audit import context
from anpai.audit.log import append, verify
from anpai.audit.models import AuditAction, AuditRecord
from anpai.core import access
from anpai.orgs.models import Industry, Organization
from conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def _last(**filters) -> AuditRecord:
    return AuditRecord.objects.filter(**filters).order_by("-seq").first()


def _ent1_org(demo) -> Organization:
    return access.memberships(demo["ent1"])[0].organization


def test_web_login_is_recorded_with_the_address(client, demo):
    response = client.post(
        "/login/", {"username": "township", "password": DEMO_PASSWORD}, REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 302
    record = _last(action=AuditAction.LOGIN)
    assert record.actor_id == demo["township"].pk
    assert record.actor_username == "township"
    assert record.ip == "10.1.2.3"
    assert record.source == "web"
    assert len(record.request_id) == 32
    assert response["X-Request-ID"] == record.request_id


def test_failed_login_records_the_username_but_never_the_password(client, demo):
    secret = "Wrong-Secret-987"
    response = client.post(
        "/login/", {"username": "ent1", "password": secret}, REMOTE_ADDR="10.9.9.9"
    )
    assert response.status_code == 200
    record = _last(action=AuditAction.LOGIN_FAILED)
    assert record.actor_id is None
    assert record.actor_username == "ent1"
    assert record.ip == "10.9.9.9"
    dumped = json.dumps(list(AuditRecord.objects.values()), default=str)
    assert secret not in dumped


@override_settings(ANPAI_CLIENT_IP_HEADER="X-Forwarded-For")
def test_address_comes_from_the_configured_proxy_header(client, demo):
    client.post(
        "/login/",
        {"username": "township", "password": DEMO_PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.7, 10.0.0.1",
    )
    assert _last(action=AuditAction.LOGIN).ip == "203.0.113.7"


def test_logout_is_recorded(login, demo):
    client = login("village1")
    client.post("/logout/", REMOTE_ADDR="10.1.1.1")
    record = _last(action=AuditAction.LOGOUT)
    assert record.actor_username == "village1"
    assert record.ip == "10.1.1.1"


def test_saving_an_organization_records_exactly_the_changed_fields(demo):
    org = _ent1_org(demo)
    old_name, old_address = org.name, org.address
    org.name = old_name + "（改）"
    org.address = "新地址 1 号"
    with context.acting(demo["township"], ip="10.2.2.2"):
        org.save()
    record = _last(action=AuditAction.UPDATE, object_type="orgs.organization")
    assert record.object_id == str(org.pk)
    assert record.before == {"name": old_name, "address": old_address}
    assert record.after == {"name": org.name, "address": "新地址 1 号"}
    assert record.actor_username == "township"
    assert record.ip == "10.2.2.2"


def test_saving_without_changes_records_nothing(demo):
    org = _ent1_org(demo)
    before = AuditRecord.objects.count()
    org.save()
    assert AuditRecord.objects.count() == before


def test_create_and_delete_carry_after_and_before(demo):
    org = _ent1_org(demo)
    created = Organization.objects.create(name="临时商店", kind="place", region=org.region)
    record = _last(action=AuditAction.CREATE, object_type="orgs.organization")
    assert record.object_id == str(created.pk)
    assert record.after["name"] == "临时商店"
    pk = created.pk
    created.delete()
    record = _last(action=AuditAction.DELETE, object_type="orgs.organization")
    assert record.object_id == str(pk)
    assert record.before["name"] == "临时商店"


def test_industry_changes_are_recorded(demo):
    org = _ent1_org(demo)
    before_ids = sorted(org.industries.values_list("pk", flat=True))
    extra = Industry.objects.exclude(pk__in=before_ids).first()
    org.industries.add(extra)
    record = _last(action=AuditAction.UPDATE, object_type="orgs.organization")
    assert record.before == {"industries": before_ids}
    assert record.after == {"industries": sorted([*before_ids, extra.pk])}
    org.industries.remove(extra)
    record = _last(action=AuditAction.UPDATE, object_type="orgs.organization")
    assert record.after == {"industries": before_ids}
    org.industries.clear()
    record = _last(action=AuditAction.UPDATE, object_type="orgs.organization")
    assert record.before == {"industries": before_ids}
    assert record.after == {"industries": []}


def test_password_changes_are_recorded_without_the_password(demo):
    user = demo["ent2"]
    user.set_password("Another-pass-2024")
    user.save()
    record = _last(action=AuditAction.UPDATE, object_type="people.user")
    assert record.object_id == str(user.pk)
    assert record.after == {"password": "[secret changed]"}
    assert user.password not in json.dumps(record.before) + json.dumps(record.after)
    for stored in AuditRecord.objects.filter(object_type="people.user"):
        text = json.dumps(stored.before) + json.dumps(stored.after)
        assert "md5$" not in text
        assert "argon2" not in text
        assert "pbkdf2" not in text


def test_api_token_issue_is_recorded_without_the_key(api, demo):
    response = api().post(
        "/api/v1/auth/token/",
        {"username": "township", "password": DEMO_PASSWORD},
        format="json",
        REMOTE_ADDR="10.3.3.3",
    )
    assert response.status_code == 200
    key = response.json()["token"]
    record = _last(action=AuditAction.TOKEN)
    assert record.actor_username == "township"
    assert record.ip == "10.3.3.3"
    assert record.source == "api"
    created = _last(action=AuditAction.CREATE, object_type="people.apitoken")
    assert created.after["key_hash"] == "[secret]"
    from anpai.people.models import ApiToken

    token = ApiToken.objects.get(pk=created.object_id)
    assert token.key_hash not in json.dumps(list(AuditRecord.objects.values()), default=str)
    assert key not in json.dumps(list(AuditRecord.objects.values()), default=str)


def test_failed_api_token_request_is_recorded(api, demo):
    response = api().post(
        "/api/v1/auth/token/", {"username": "ent1", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    record = _last(action=AuditAction.LOGIN_FAILED)
    assert record.actor_username == "ent1"
    assert record.source == "api"


def test_api_changes_name_the_token_user(api, demo):
    org = _ent1_org(demo)
    response = api("township").patch(
        f"/api/v1/organizations/{org.pk}/",
        {"address": "API 路 2 号"},
        format="json",
        REMOTE_ADDR="10.4.4.4",
    )
    assert response.status_code == 200, response.content
    record = _last(action=AuditAction.UPDATE, object_type="orgs.organization")
    assert record.after == {"address": "API 路 2 号"}
    assert record.actor_username == "township"
    assert record.actor_id == demo["township"].pk
    assert record.ip == "10.4.4.4"
    assert record.source == "api"


def test_the_lazy_request_user_is_a_valid_actor(demo):
    user = demo["township"]
    lazy = SimpleLazyObject(lambda: user)
    with context.acting(lazy, ip="10.5.5.5"):
        record = append(AuditAction.EXPORT, object_type="orgs.organization")
    assert record.actor_id == user.pk
    assert record.actor_username == "township"
    assert verify().ok


def test_anonymous_actor_is_recorded_as_nobody(demo):
    from django.contrib.auth.models import AnonymousUser

    with context.acting(SimpleLazyObject(AnonymousUser)):
        record = append(AuditAction.EXPORT, object_type="orgs.organization")
    assert record.actor_id is None
    assert record.actor_username == ""


def test_membership_changes_are_recorded(demo):
    from anpai.people.models import Membership

    membership = access.memberships(demo["ent1safety"])[0]
    membership.title = "安全员"
    membership.save()
    record = _last(action=AuditAction.UPDATE, object_type="people.membership")
    assert record.after == {"title": "安全员"}
    pk = membership.pk
    Membership.objects.filter(pk=pk).delete()
    assert _last(action=AuditAction.DELETE, object_type="people.membership").object_id == str(pk)

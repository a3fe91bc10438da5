"""API authentication: issuing, using, expiring and revoking tokens; who ``me`` is."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from anpai.audit.models import AuditAction, AuditRecord
from anpai.people.models import ApiToken, Membership
from conftest import DEMO_PASSWORD

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"


def _issue(username: str, password: str = DEMO_PASSWORD):
    return APIClient().post(TOKEN_URL, {"username": username, "password": password}, format="json")


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_token_issue_and_use(demo):
    response = _issue("ent1")
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"token", "expires_at"}
    key = body["token"]

    # Only the hash is stored.
    token = ApiToken.objects.get(key_hash=hashlib.sha256(key.encode()).hexdigest())
    assert token.user == demo["ent1"]
    assert not ApiToken.objects.filter(key_hash=key).exists()
    assert token.expires_at > timezone.now()

    me = _client(key).get(ME_URL)
    assert me.status_code == 200
    assert me.json()["username"] == "ent1"

    issued = AuditRecord.objects.filter(action=AuditAction.TOKEN, actor_username="ent1")
    assert issued.exists()


def test_wrong_password_is_400_and_audited(demo):
    before = AuditRecord.objects.filter(action=AuditAction.LOGIN_FAILED).count()
    response = _issue("ent1", "not-the-password")
    assert response.status_code == 400
    assert response.json()["non_field_errors"]
    assert "token" not in response.json()
    failed = AuditRecord.objects.filter(action=AuditAction.LOGIN_FAILED, actor_username="ent1")
    assert failed.count() == before + 1


def test_unknown_user_is_400(demo):
    response = _issue("nobody-here", "whatever")
    assert response.status_code == 400
    assert AuditRecord.objects.filter(
        action=AuditAction.LOGIN_FAILED, actor_username="nobody-here"
    ).exists()


def test_missing_fields_name_the_field(demo):
    response = APIClient().post(TOKEN_URL, {"username": "ent1"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()


def test_inactive_user_gets_no_token_and_loses_access(demo, api):
    client = api("ent1")
    assert client.get(ME_URL).status_code == 200
    user = demo["ent1"]
    user.is_active = False
    user.save()
    assert _issue("ent1").status_code == 400
    assert client.get(ME_URL).status_code == 401


def test_stale_header_does_not_block_getting_a_token(demo):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token definitely-not-a-token")
    response = client.post(
        TOKEN_URL, {"username": "ent1", "password": DEMO_PASSWORD}, format="json"
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "header",
    [None, "Token ", "Token not-a-real-token", "Bearer abc", "Token a b"],
)
def test_missing_or_bad_token_is_401(demo, header):
    client = APIClient()
    if header is not None:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(ME_URL)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_revoked_token_is_401(demo):
    token, key = ApiToken.issue(demo["township"])
    client = _client(key)
    assert client.get("/api/v1/organizations/").status_code == 200
    token.revoked_at = timezone.now()
    token.save()
    assert client.get("/api/v1/organizations/").status_code == 401
    assert client.get(ME_URL).status_code == 401


def test_expired_token_is_401(demo):
    token, key = ApiToken.issue(demo["township"])
    token.expires_at = timezone.now() - timedelta(seconds=1)
    token.save()
    assert _client(key).get(ME_URL).status_code == 401


def test_token_use_is_recorded(demo):
    token, key = ApiToken.issue(demo["leader"])
    assert token.last_used_at is None
    _client(key).get(ME_URL)
    token.refresh_from_db()
    assert token.last_used_at is not None


# username → (roles, kind of the organisation of the membership)
ME_CASES = {
    "admin": (["sys_admin"], "township"),
    "secadmin": (["sec_admin"], "township"),
    "auditor": (["audit_admin"], "township"),
    "township": (["township_officer"], "township"),
    "leader": (["township_leader"], "township"),
    "dept": (["dept_officer"], "department"),
    "village1": (["village_officer"], "village"),
    "village2": (["village_officer"], "village"),
    "ent1": (["ent_principal"], "enterprise"),
    "ent2": (["ent_principal"], "enterprise"),
    "ent1safety": (["ent_safety"], "enterprise"),
    "county": (["county_viewer"], "county"),
}


@pytest.mark.parametrize("username", sorted(ME_CASES))
def test_me_for_each_persona(api, demo, username):
    roles, kind = ME_CASES[username]
    response = api(username).get(ME_URL)
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == username
    assert body["id"] == demo[username].pk
    assert body["full_name"] == demo[username].full_name
    assert body["roles"] == roles
    assert len(body["memberships"]) == 1
    membership = body["memberships"][0]
    assert membership["role"] == roles[0]
    assert membership["organization_kind"] == kind
    assert membership["role_display"]
    assert len(membership["region"]) == 12


def test_me_ent1_and_ent1safety_share_their_enterprise(api):
    ent1 = api("ent1").get(ME_URL).json()["memberships"][0]
    safety = api("ent1safety").get(ME_URL).json()["memberships"][0]
    ent2 = api("ent2").get(ME_URL).json()["memberships"][0]
    assert ent1["organization"] == safety["organization"]
    assert ent1["organization"] != ent2["organization"]
    assert ent1["region"] != ent2["region"]  # different villages


def test_me_with_two_memberships_lists_both(api, demo):
    own = demo["village1"].memberships.get().organization_id
    other = demo["village2"].memberships.get().organization_id
    Membership.objects.create(user=demo["village1"], organization_id=other, role="village_officer")
    body = api("village1").get(ME_URL).json()
    assert body["roles"] == ["village_officer"]
    assert {m["organization"] for m in body["memberships"]} == {own, other}

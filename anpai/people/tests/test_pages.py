"""People pages: the list in scope, accounts by the system administrator, roles by the
security administrator, and the separation of the three administrators."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anpai.audit.models import AuditAction, AuditRecord
from anpai.core import access
from anpai.orgs.choices import OrgKind
from anpai.orgs.models import Organization
from anpai.people.choices import Role
from anpai.people.models import Membership, User
from anpai.regions.choices import RegionLevel
from anpai.regions.models import Region

pytestmark = pytest.mark.django_db

NEW_USER = {
    "username": "wangxiao",
    "full_name": "王晓",
    "phone": "13912345678",
    "email": "wx@example.com",
    "is_active": "on",
    "password1": "Safe-Work-2024!",
    "password2": "Safe-Work-2024!",
}


def _org(demo, username) -> Organization:
    return access.memberships(demo[username])[0].organization


def _village_committee(demo) -> Organization:
    return _org(demo, "village1")


def _elsewhere() -> Organization:
    """An organisation in another township, outside every demo persona's scope but the county's."""
    county = Region.objects.get(level=RegionLevel.COUNTY)
    township = Region.objects.create(
        code=county.code[:6] + "999000", name="别处乡", level=RegionLevel.TOWNSHIP, parent=county
    )
    return Organization.objects.create(
        name="别处乡人民政府", kind=OrgKind.TOWNSHIP, region=township
    )


# --- the list ---------------------------------------------------------------


@pytest.mark.parametrize("username", ["admin", "secadmin", "township", "leader"])
def test_staff_with_a_role_for_people_see_the_list(login, username):
    response = login(username).get("/people/")
    assert response.status_code == 200
    assert "ent1" in response.content.decode()


@pytest.mark.parametrize(
    "username", ["auditor", "ent1", "ent1safety", "village1", "dept", "county"]
)
def test_others_get_403(login, username):
    client = login(username)
    assert client.get("/people/").status_code == 403
    assert client.get("/people/new/").status_code == 403


def test_list_shows_only_people_in_scope(login, demo):
    stranger = User.objects.create_user("stranger", full_name="外乡人")
    Membership.objects.create(user=stranger, organization=_elsewhere(), role=Role.TOWNSHIP_OFFICER)
    page = login("township").get("/people/").content.decode()
    assert "stranger" not in page
    assert login("township").get(f"/people/{stranger.pk}/").status_code == 404


def test_search_by_name_username_and_phone(login, demo):
    client = login("township")
    ent1 = demo["ent1"]

    def found(q):
        return {u.username for u in client.get("/people/", {"q": q}).context["object_list"]}

    assert found("ent1") >= {"ent1", "ent1safety"}
    assert "ent1" in found(ent1.full_name)
    assert found(ent1.phone) == {"ent1"}
    assert found("no-such-person-xyz") == set()


def test_list_roles_and_htmx(login, demo):
    client = login("township")
    response = client.get("/people/", {"q": "ent1"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="people-results"')
    assert str(Role.ENT_PRINCIPAL.label) in page
    assert "<html" not in page


def test_list_query_count_is_constant(login, demo):
    client = login("township")
    client.get("/people/")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/people/").status_code == 200
        return len(queries)

    first = count()
    org = _org(demo, "ent1")
    for i in range(20):
        user = User.objects.create_user(f"extra{i:02d}")
        Membership.objects.create(user=user, organization=org, role=Role.ENT_EMPLOYEE)
    assert count() == first


# --- accounts: the system administrator ------------------------------------------


def test_admin_creates_an_account_with_a_valid_password(login, demo):
    client = login("admin")
    assert client.get("/people/new/").status_code == 200
    response = client.post("/people/new/", NEW_USER, REMOTE_ADDR="10.0.1.1")
    user = User.objects.get(username="wangxiao")
    assert response.status_code == 302
    assert response["Location"] == f"/people/{user.pk}/"
    assert user.full_name == "王晓"
    assert user.phone == "13912345678"
    assert user.is_active
    assert user.check_password("Safe-Work-2024!")
    record = AuditRecord.objects.filter(
        action=AuditAction.CREATE, object_type="people.user", object_id=str(user.pk)
    ).get()
    assert record.actor_username == "admin"
    assert record.ip == "10.0.1.1"
    assert record.after["password"] == "[secret]"
    assert "Safe-Work" not in str(record.after)
    # The new account has no role yet, but its administrators can find it.
    for username in ("admin", "secadmin"):
        listed = login(username).get("/people/", {"q": "wangx"}).context["object_list"]
        assert [u.username for u in listed] == ["wangxiao"]
    assert list(login("township").get("/people/", {"q": "wangx"}).context["object_list"]) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"password1": "12345678", "password2": "12345678"}, "password2"),
        ({"password1": "wangxiao1", "password2": "wangxiao1"}, "password2"),
        ({"password2": "Other-Pass-2024!"}, "password2"),
        ({"phone": "12345"}, "phone"),
        ({"phone": "23912345678"}, "phone"),
        ({"username": "ent1"}, "username"),
        ({"username": "bad name!"}, "username"),
        ({"email": "not-an-email"}, "email"),
    ],
)
def test_bad_account_input_is_refused_under_the_field(login, demo, changes, field):
    before = User.objects.count()
    response = login("admin").post("/people/new/", {**NEW_USER, **changes})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert f'id="id_{field}_error"' in response.content.decode()
    assert User.objects.count() == before


@pytest.mark.parametrize("username", ["secadmin", "auditor", "township"])
def test_only_the_system_administrator_creates_accounts(login, demo, username):
    response = login(username).post("/people/new/", NEW_USER)
    assert response.status_code == 403
    assert not User.objects.filter(username="wangxiao").exists()


def test_admin_edits_an_account_and_resets_its_password(login, demo):
    ent2 = demo["ent2"]
    client = login("admin")
    assert client.get(f"/people/{ent2.pk}/edit/").status_code == 200
    response = client.post(
        f"/people/{ent2.pk}/edit/",
        {
            "full_name": "杨立新（改）",
            "phone": "13800001111",
            "email": "",
            "is_active": "",
            "password1": "Fresh-Start-2024",
            "password2": "Fresh-Start-2024",
        },
    )
    assert response.status_code == 302
    ent2.refresh_from_db()
    assert ent2.full_name == "杨立新（改）"
    assert not ent2.is_active
    assert ent2.check_password("Fresh-Start-2024")
    record = (
        AuditRecord.objects.filter(
            action=AuditAction.UPDATE, object_type="people.user", object_id=str(ent2.pk)
        )
        .order_by("-seq")
        .first()
    )
    assert record.after["full_name"] == "杨立新（改）"
    assert record.after["is_active"] is False
    assert record.after["password"] == "[secret changed]"


def test_edit_keeps_the_password_when_none_is_typed(login, demo):
    ent2 = demo["ent2"]
    old = ent2.password
    response = login("admin").post(
        f"/people/{ent2.pk}/edit/",
        {
            "full_name": "杨立新",
            "phone": ent2.phone,
            "email": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    ent2.refresh_from_db()
    assert ent2.password == old


def test_admin_cannot_deactivate_themselves(login, demo):
    admin = demo["admin"]
    response = login("admin").post(
        f"/people/{admin.pk}/edit/",
        {
            "full_name": admin.full_name,
            "phone": admin.phone,
            "email": "",
            "is_active": "",
        },
    )
    assert response.status_code == 200
    assert "is_active" in response.context["form"].errors


@pytest.mark.parametrize("target", ["secadmin", "auditor"])
def test_admin_cannot_take_over_the_other_administrators(login, demo, target):
    person = demo[target]
    client = login("admin")
    assert client.get(f"/people/{person.pk}/edit/").status_code == 403
    response = client.post(
        f"/people/{person.pk}/edit/",
        {
            "full_name": "x",
            "phone": "",
            "email": "",
            "is_active": "on",
            "password1": "Taken-Over-2024",
            "password2": "Taken-Over-2024",
        },
    )
    assert response.status_code == 403
    person.refresh_from_db()
    assert not person.check_password("Taken-Over-2024")


@pytest.mark.parametrize(
    ("username", "status"),
    # Those who may see the account get 403; the auditor, who sees no accounts, 404.
    [("secadmin", 403), ("township", 403), ("auditor", 404)],
)
def test_only_the_system_administrator_edits_accounts(login, demo, username, status):
    assert login(username).get(f"/people/{demo['ent2'].pk}/edit/").status_code == status


def test_edit_outside_scope_is_404(login, demo):
    stranger = User.objects.create_user("stranger")
    Membership.objects.create(user=stranger, organization=_elsewhere(), role=Role.TOWNSHIP_OFFICER)
    assert login("admin").get(f"/people/{stranger.pk}/edit/").status_code == 404


# --- roles: the security administrator ------------------------------------------


def _new_person() -> User:
    return User.objects.create_user("newbie", full_name="新人", password="Newbie-pass-2024")


def test_secadmin_gives_a_new_account_its_first_role(login, demo):
    person = _new_person()
    committee = _village_committee(demo)
    client = login("secadmin")
    page = client.get(f"/people/{person.pk}/roles/new/")
    assert page.status_code == 200
    assert committee.name in page.content.decode()
    response = client.post(
        f"/people/{person.pk}/roles/new/",
        {
            "role": Role.VILLAGE_OFFICER,
            "organization": committee.pk,
            "title": "网格员",
        },
        REMOTE_ADDR="10.0.2.2",
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=person)
    assert membership.organization == committee
    assert membership.role == Role.VILLAGE_OFFICER
    record = (
        AuditRecord.objects.filter(action=AuditAction.CREATE, object_type="people.membership")
        .order_by("-seq")
        .first()
    )
    assert record.actor_username == "secadmin"
    assert record.after["role"] == Role.VILLAGE_OFFICER


def test_role_on_the_wrong_kind_of_organisation_is_refused_under_the_field(login, demo):
    person = _new_person()
    response = login("secadmin").post(
        f"/people/{person.pk}/roles/new/",
        {
            "role": Role.ENT_PRINCIPAL,
            "organization": _village_committee(demo).pk,
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "role" in errors
    assert str(OrgKind.VILLAGE.label) in errors["role"][0]
    assert 'id="id_role_error"' in response.content.decode()
    assert not Membership.objects.filter(user=person).exists()


def test_organisations_outside_scope_are_not_offered(login, demo):
    person = _new_person()
    other = _elsewhere()
    client = login("secadmin")
    choices = (
        client.get(f"/people/{person.pk}/roles/new/")
        .context["form"]
        .fields["organization"]
        .queryset
    )
    assert other not in choices
    response = client.post(
        f"/people/{person.pk}/roles/new/",
        {
            "role": Role.TOWNSHIP_OFFICER,
            "organization": other.pk,
        },
    )
    assert response.status_code == 200
    assert "organization" in response.context["form"].errors
    assert not Membership.objects.filter(user=person).exists()


def test_duplicate_role_is_refused(login, demo):
    ent1 = demo["ent1"]
    response = login("secadmin").post(
        f"/people/{ent1.pk}/roles/new/",
        {
            "role": Role.ENT_PRINCIPAL,
            "organization": _org(demo, "ent1").pk,
        },
    )
    assert response.status_code == 200
    assert "role" in response.context["form"].errors


def test_one_person_never_holds_two_administrator_roles(login, demo):
    admin = demo["admin"]
    response = login("secadmin").post(
        f"/people/{admin.pk}/roles/new/",
        {
            "role": Role.AUDIT_ADMIN,
            "organization": _org(demo, "admin").pk,
        },
    )
    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert not Membership.objects.filter(user=admin, role=Role.AUDIT_ADMIN).exists()


def test_secadmin_cannot_grant_themselves_a_role(login, demo):
    secadmin = demo["secadmin"]
    client = login("secadmin")
    assert client.get(f"/people/{secadmin.pk}/roles/new/").status_code == 403
    response = client.post(
        f"/people/{secadmin.pk}/roles/new/",
        {
            "role": Role.AUDIT_ADMIN,
            "organization": _org(demo, "secadmin").pk,
        },
    )
    assert response.status_code == 403
    own = access.memberships(secadmin)[0]
    assert client.post(f"/people/roles/{own.pk}/delete/").status_code == 403


@pytest.mark.parametrize("username", ["admin", "auditor", "township"])
def test_only_the_security_administrator_grants_roles(login, demo, username):
    person = _new_person()
    response = login(username).post(
        f"/people/{person.pk}/roles/new/",
        {
            "role": Role.VILLAGE_OFFICER,
            "organization": _village_committee(demo).pk,
        },
    )
    assert response.status_code == 403
    assert not Membership.objects.filter(user=person).exists()


def test_secadmin_withdraws_a_role(login, demo):
    membership = access.memberships(demo["ent1safety"])[0]
    client = login("secadmin")
    detail = client.get(f"/people/{demo['ent1safety'].pk}/").content.decode()
    assert f"/people/roles/{membership.pk}/delete/" in detail
    assert client.get(f"/people/roles/{membership.pk}/delete/").status_code == 405
    response = client.post(f"/people/roles/{membership.pk}/delete/")
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditRecord.objects.filter(
        action=AuditAction.DELETE, object_type="people.membership", object_id=str(membership.pk)
    ).exists()


@pytest.mark.parametrize(
    ("username", "status"), [("admin", 403), ("township", 403), ("auditor", 404)]
)
def test_only_the_security_administrator_withdraws_roles(login, demo, username, status):
    membership = access.memberships(demo["ent1safety"])[0]
    response = login(username).post(f"/people/roles/{membership.pk}/delete/")
    assert response.status_code == status
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_withdrawing_outside_scope_is_404(login, demo):
    stranger = User.objects.create_user("stranger")
    membership = Membership.objects.create(
        user=stranger, organization=_elsewhere(), role=Role.TOWNSHIP_OFFICER
    )
    assert login("secadmin").post(f"/people/roles/{membership.pk}/delete/").status_code == 404


def test_detail_page_offers_each_administrator_only_their_part(login, demo):
    ent2 = demo["ent2"]
    admin_page = login("admin").get(f"/people/{ent2.pk}/").content.decode()
    assert 'data-testid="user-edit"' in admin_page
    assert 'data-testid="role-add"' not in admin_page
    sec_page = login("secadmin").get(f"/people/{ent2.pk}/").content.decode()
    assert 'data-testid="user-edit"' not in sec_page
    assert 'data-testid="role-add"' in sec_page
    township_page = login("township").get(f"/people/{ent2.pk}/").content.decode()
    assert 'data-testid="user-edit"' not in township_page
    assert 'data-testid="role-add"' not in township_page

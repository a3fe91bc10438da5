"""The access policy itself: ``grants``, ``can``, ``scope_q`` and ``restrict`` semantics."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from anpai.core import access
from anpai.core.validators import credit_code_check_char
from anpai.orgs.choices import OrgKind
from anpai.orgs.models import Industry, Organization, Supervision
from anpai.people.models import Membership, User
from anpai.regions.choices import RegionLevel
from anpai.regions.models import Region


def fresh(user: User) -> User:
    """A new instance: grants are cached per user object (i.e. per request)."""
    return User.objects.get(pk=user.pk)


def org_of(user: User) -> Organization:
    return user.memberships.select_related("organization__region").get().organization


def visible(user, action: str = access.VIEW) -> set[int]:
    return set(Organization.objects.restrict(user, action).values_list("id", flat=True))


def enterprise(name: str, region: Region, body: str, *industries: str) -> Organization:
    org = Organization.objects.create(
        name=name,
        kind=OrgKind.ENTERPRISE,
        region=region,
        credit_code=body + credit_code_check_char(body),
    )
    org.industries.set(Industry.objects.filter(code__in=industries))
    return org


@pytest.fixture
def township():
    return Region.objects.get(level=RegionLevel.TOWNSHIP)


@pytest.fixture
def second_township(township):
    """Another township of the same county, with a hazchem enterprise in it."""
    region = Region.objects.create(
        code="141127100000", name="凤城镇", level=RegionLevel.TOWNSHIP, parent=township.parent
    )
    village = Region.objects.create(
        code="141127100201", name="城南村", level=RegionLevel.VILLAGE, parent=region
    )
    org = enterprise("凤城化工有限公司", village, "91141127MA0AAAA01", "hazchem")
    return region, org


# --- department officers ----------------------------------------------------------------------


def test_department_sees_its_supervised_industries_in_its_township(demo, township):
    dept = demo["dept"]
    own = org_of(dept)
    supervised = set(
        Supervision.objects.filter(department=own).values_list("industry_id", flat=True)
    )
    assert supervised  # the demo's 应急管理站 supervises hazchem, metallurgy, other
    ids = visible(dept)
    assert own.pk in ids
    expected = set(
        Organization.objects.filter(
            region__code__startswith=township.prefix, industries__in=supervised
        ).values_list("id", flat=True)
    ) | {own.pk}
    assert ids == expected
    unsupervised = Organization.objects.exclude(industries__in=supervised).exclude(pk=own.pk)
    assert unsupervised.exists()
    assert not ids & set(unsupervised.values_list("id", flat=True))


def test_department_does_not_reach_another_township(demo, second_township):
    _, outside = second_township
    assert outside.pk not in visible(demo["dept"])


def test_county_level_department_reaches_only_the_townships_it_supervises(
    demo, township, second_township
):
    other_township, outside = second_township
    station = Organization.objects.create(
        name="县危化监管站", kind=OrgKind.DEPARTMENT, region=township.parent
    )
    hazchem = Industry.objects.get(code="hazchem")
    Supervision.objects.create(township=township, industry=hazchem, department=station)
    officer = User.objects.create(username="station")
    Membership.objects.create(user=officer, organization=station, role="dept_officer")

    ids = visible(officer)
    in_first = set(
        Organization.objects.filter(
            region__code__startswith=township.prefix, industries=hazchem
        ).values_list("id", flat=True)
    )
    assert in_first
    assert in_first <= ids
    assert outside.pk not in ids  # hazchem too, but in a township it does not supervise

    Supervision.objects.create(township=other_township, industry=hazchem, department=station)
    assert outside.pk in visible(fresh(officer))


def test_department_without_supervision_sees_only_itself(demo):
    finance = Organization.objects.get(name="西槽头乡财政所")
    clerk = User.objects.create(username="clerk")
    Membership.objects.create(user=clerk, organization=finance, role="dept_officer")
    assert visible(clerk) == {finance.pk}


def test_department_reads_but_does_not_write(demo):
    dept = demo["dept"]
    assert access.can(dept, "orgs.organization", access.VIEW)
    assert not access.can(dept, "orgs.organization", access.ADD)
    assert visible(dept, access.CHANGE) == set()


# --- the three administrators -----------------------------------------------------------------


def test_security_administrator_sees_organisations_but_cannot_add(demo, township):
    sec = demo["secadmin"]
    in_township = set(
        Organization.objects.filter(region__code__startswith=township.prefix).values_list(
            "id", flat=True
        )
    )
    assert visible(sec) == in_township
    assert not access.can(sec, "orgs.organization", access.ADD)
    assert not access.can(sec, "orgs.organization", access.CHANGE)
    assert visible(sec, access.ADD) == set()
    assert not access.allows_region(sec, "orgs.organization", access.ADD, township)


def test_audit_administrator_sees_no_organisations(demo):
    auditor = demo["auditor"]
    assert visible(auditor) == set()
    assert access.scope_q(auditor, "orgs.organization", access.VIEW, org_path="") is None
    assert access.can(auditor, "audit.auditrecord", access.VIEW)


def test_system_administrator_cannot_read_the_audit_log(demo):
    assert not access.can(demo["admin"], "audit.auditrecord", access.VIEW)
    assert access.can(demo["admin"], "orgs.organization", access.ADD)


# --- who sees nothing -------------------------------------------------------------------------


def test_inactive_user_sees_nothing(demo):
    township = fresh(demo["township"])
    assert visible(township)
    township.is_active = False
    township.save()
    township = fresh(township)
    assert access.grants(township) == []
    assert visible(township) == set()
    assert not access.can(township, "orgs.organization", access.VIEW)
    assert not Region.objects.restrict(township).exists()


@pytest.mark.parametrize("user", [None, AnonymousUser()])
def test_anonymous_sees_nothing(db, user):
    assert visible(user) == set()
    assert access.scope_q(user, "orgs.organization", access.VIEW) is None


def test_user_without_membership_sees_nothing(db):
    loner = User.objects.create(username="loner")
    assert visible(loner) == set()
    assert not Region.objects.restrict(loner).exists()


# --- own organisation, villages, unions ------------------------------------------------------


def test_enterprise_staff_see_their_own_organisation_only(demo):
    assert visible(demo["ent1"]) == {org_of(demo["ent1"]).pk}
    assert visible(demo["ent1safety"]) == {org_of(demo["ent1"]).pk}
    assert visible(demo["ent2"]) == {org_of(demo["ent2"]).pk}
    assert visible(demo["ent1"], access.CHANGE) == set()


def test_village_officer_sees_and_changes_its_village(demo):
    village = org_of(demo["village1"]).region
    in_village = set(Organization.objects.filter(region=village).values_list("id", flat=True))
    assert visible(demo["village1"]) == in_village
    assert visible(demo["village1"], access.CHANGE) == in_village
    other = org_of(demo["village2"]).region
    assert access.allows_region(demo["village1"], "orgs.organization", access.ADD, village)
    assert not access.allows_region(demo["village1"], "orgs.organization", access.ADD, other)


def test_two_memberships_give_the_union(demo):
    first, second = demo["village1"], demo["village2"]
    Membership.objects.create(user=first, organization=org_of(second), role="village_officer")
    both = fresh(first)
    assert visible(both) == visible(first) | visible(second)
    assert access.roles(both) == {"village_officer"}


def test_union_of_different_roles(demo):
    ent1 = demo["ent1"]
    Membership.objects.create(
        user=ent1, organization=org_of(demo["village2"]), role="village_officer"
    )
    both = fresh(ent1)
    assert visible(both) == visible(ent1) | visible(demo["village2"])
    # The new role adds "change" in village2 only; still nothing in ent1's own village.
    assert visible(both, access.CHANGE) == visible(demo["village2"], access.CHANGE)


def test_county_viewer_reads_the_county_but_writes_nothing(demo, second_township):
    _, outside_township_org = second_township
    county = demo["county"]
    assert outside_township_org.pk in visible(county)
    assert visible(county) == set(Organization.objects.values_list("id", flat=True))
    for action in (access.ADD, access.CHANGE, access.DELETE):
        assert visible(county, action) == set()


# --- other models through the same policy -----------------------------------------------------


def test_supervision_rows_follow_the_department(demo):
    dept = demo["dept"]
    own = org_of(dept)
    rows = set(Supervision.objects.restrict(dept).values_list("department_id", flat=True))
    assert rows == {own.pk}
    assert Supervision.objects.restrict(demo["township"]).count() == Supervision.objects.count()
    assert not Supervision.objects.restrict(demo["ent1"]).exists()


def test_users_are_visible_through_their_memberships(demo):
    township_users = User.objects.restrict(demo["township"])
    assert township_users.filter(username="ent1").exists()
    assert not User.objects.restrict(demo["ent1"]).exists()
    assert not User.objects.restrict(demo["auditor"]).exists()


def test_regions_keep_the_tree_whole_but_stay_in_reach(demo, second_township):
    other_township, _ = second_township
    regions = Region.objects.restrict(demo["ent1"])
    assert regions.filter(level=RegionLevel.COUNTY).exists()  # ancestor, so the tree is whole
    assert not regions.filter(pk=other_township.pk).exists()
    assert Region.objects.restrict(demo["county"]).filter(pk=other_township.pk).exists()
    assert not Region.objects.restrict(demo["township"], access.CHANGE).exists()


def test_grants_load_once_per_user_object(demo, django_assert_num_queries):
    user = fresh(demo["dept"])
    with django_assert_num_queries(2):  # memberships, then the department's supervision rows
        access.grants(user)
    with django_assert_num_queries(0):
        access.grants(user)
        access.can(user, "orgs.organization", access.VIEW)
        access.scope_q(user, "orgs.organization", access.VIEW, org_path="")

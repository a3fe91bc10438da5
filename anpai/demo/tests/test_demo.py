"""The demo township: the accounts of the contract, spread over villages and industries."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from anpai.demo import data
from anpai.demo.build import build_demo
from anpai.orgs.choices import OrgKind
from anpai.orgs.models import Industry, Organization
from anpai.people.models import Membership, User
from anpai.risks.models import RiskPoint


def test_demo_has_every_account_in_the_right_role(demo):
    roles = dict(
        Membership.objects.filter(user__username__in=demo).values_list("user__username", "role")
    )
    assert roles == {
        "admin": "sys_admin",
        "secadmin": "sec_admin",
        "auditor": "audit_admin",
        "township": "township_officer",
        "leader": "township_leader",
        "dept": "dept_officer",
        "village1": "village_officer",
        "village2": "village_officer",
        "ent1": "ent_principal",
        "ent2": "ent_principal",
        "ent1safety": "ent_safety",
        "county": "county_viewer",
    }


def test_demo_spreads_units_over_every_industry_and_ten_villages(demo):
    units = Organization.objects.filter(kind__in=[OrgKind.ENTERPRISE, OrgKind.PLACE])
    assert units.count() >= 40
    for industry in Industry.objects.all():
        assert units.filter(industries=industry).exists(), industry.name
    assert units.values("region").distinct().count() == 10
    # Every enterprise carries a valid credit code (full_clean runs the check character).
    for org in units.filter(kind=OrgKind.ENTERPRISE):
        org.full_clean()


def test_ent1_and_ent2_are_in_the_villages_of_village1_and_village2(demo):
    def org_of(username):
        return Membership.objects.get(user__username=username).organization

    assert org_of("ent1").region == org_of("village1").region
    assert org_of("ent2").region == org_of("village2").region
    assert org_of("ent1").region != org_of("ent2").region
    assert org_of("ent1safety") == org_of("ent1")


def _wipe():
    from anpai.hazards.models import Hazard
    from anpai.permits.models import Permit
    from anpai.regions.models import Region

    Permit.objects.all().delete()  # protects its organisation, applicant and approvers
    # Enforcement and responsibility rows protect their organisations (and leaders).
    from anpai.enforcement.models import AccountabilityRecord, Case, Document
    from anpai.enterprise import models as enterprise
    from anpai.responsibility.models import LeaderList, SelfReview

    AccountabilityRecord.objects.all().delete()
    Document.objects.all().delete()  # protects its case
    Case.objects.all().delete()
    SelfReview.objects.all().delete()
    LeaderList.objects.all().delete()
    for model in (
        enterprise.Commitment,
        enterprise.SelfInspectionReport,
        enterprise.PostDuty,
        enterprise.SafetyExpense,
        enterprise.Violation,
    ):
        model.objects.all().delete()
    Hazard.objects.all().delete()  # protects its organisation and people
    # So do the demo season's inspections and rounds (organisation, lead, planner).
    from anpai.inspections.models import Inspection, InspectionRound

    InspectionRound.objects.all().delete()
    Inspection.objects.all().delete()
    RiskPoint.objects.all().delete()  # protects its organisation; assessments protect people
    Membership.objects.all().delete()
    User.objects.all().delete()
    Organization.objects.all().delete()
    for level in (3, 2, 1):
        Region.objects.filter(level=level).delete()


def test_demo_is_deterministic(demo):
    first = list(
        Organization.objects.order_by("id").values_list("name", "credit_code", "region__code")
    )
    _wipe()
    build_demo(password="x-Demo-2024")
    again = list(
        Organization.objects.order_by("id").values_list("name", "credit_code", "region__code")
    )
    assert again == first


def test_scale_multiplies_organisations_and_people(demo):
    base_orgs, base_users = Organization.objects.count(), User.objects.count()
    _wipe()
    result = build_demo(password="x-Demo-2024", scale=3)
    units = len(data.UNITS)
    assert result.organizations == base_orgs + 2 * units
    assert Organization.objects.count() == base_orgs + 2 * units
    assert User.objects.count() == base_users + 2 * 2 * units
    # Credit codes stay unique and valid across the copies.
    codes = list(
        Organization.objects.exclude(credit_code=None).values_list("credit_code", flat=True)
    )
    assert len(codes) == len(set(codes))


@pytest.mark.django_db(transaction=True)
def test_demo_command_sets_up_an_empty_database_and_prints_logins(settings, tmp_path):
    settings.DEMO_PASSWORD = "Printed-pass-2024"
    call_command("flush", interactive=False)
    out = StringIO()
    call_command("demo", "--no-serve", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8000/" in text
    assert "Printed-pass-2024" in text
    for username in ("admin", "township", "ent1", "county"):
        assert username in text
    assert User.objects.get(username="ent1").check_password("Printed-pass-2024")
    # A second run keeps the data.
    out = StringIO()
    call_command("demo", "--no-serve", "--port", "9001", stdout=out)
    assert "already" in out.getvalue()
    assert "http://127.0.0.1:9001/" in out.getvalue()

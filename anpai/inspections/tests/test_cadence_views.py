"""Duty pages, the home page panel, the organisation's duties, and the duties API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from anpai.inspections.cadence import ensure_periods
from anpai.inspections.choices import Cadence, PeriodState
from anpai.inspections.models import (
    ChecklistTemplate,
    DutyPeriod,
    Inspection,
    InspectionDuty,
)
from anpai.people.models import Membership


def org_of(demo, username):
    return Membership.objects.get(user=demo[username]).organization


def fresh(org):
    """Without the demo season's duties and self-inspections there."""
    InspectionDuty.objects.filter(organization=org).delete()
    Inspection.objects.filter(organization=org, kind="self").delete()


@pytest.fixture
def code(db):
    template = ChecklistTemplate.objects.current().order_by("code").first()
    assert template is not None, "the shipped checklists are loaded by migration"
    return template.code


def test_duty_list_pages(login):
    for persona in ("ent1", "township", "county", "dept", "village1"):
        response = login(persona).get(reverse("inspections:duties"))
        assert response.status_code == 200, persona
    assert login("secadmin").get(reverse("inspections:duties")).status_code == 403


def test_duty_list_shows_only_the_scope(login, demo):
    ent2_org = org_of(demo, "ent2")
    InspectionDuty.objects.create(
        organization=ent2_org, cadence=Cadence.WEEKLY, role="ent_safety", template_code="gas"
    )
    page = login("ent1").get(reverse("inspections:duties")).content.decode()
    assert org_of(demo, "ent1").name in page
    assert ent2_org.name not in page


def test_principal_assigns_a_duty_and_its_periods_appear(login, demo, code):
    client = login("ent1")
    org = org_of(demo, "ent1")
    assert client.get(reverse("inspections:duty_create")).status_code == 200
    start = timezone.localdate() - timedelta(days=20)
    response = client.post(
        reverse("inspections:duty_create"),
        {
            "organization": org.pk,
            "cadence": Cadence.TEN_DAY,
            "person": demo["ent1safety"].pk,
            "role": "",
            "template_code": code,
            "starts_on": start.isoformat(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    duty = InspectionDuty.objects.filter(organization=org, cadence=Cadence.TEN_DAY).latest("pk")
    assert duty.person == demo["ent1safety"]
    assert DutyPeriod.objects.filter(duty=duty, state=PeriodState.DUE).exists()
    assert DutyPeriod.objects.filter(duty=duty, start__lte=start, end__gte=start).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"person": "", "role": ""}, "person"),
        ({"template_code": "no-such-checklist"}, "template_code"),
        ({"cadence": "hourly"}, "cadence"),
        ({"starts_on": "2024-13-45"}, "starts_on"),
    ],
)
def test_bad_duty_input_names_the_field(login, demo, code, change, field):
    org = org_of(demo, "ent1")
    before = InspectionDuty.objects.count()
    data = {
        "organization": org.pk,
        "cadence": Cadence.DAILY,
        "person": "",
        "role": "ent_team_leader",
        "template_code": code,
        "starts_on": timezone.localdate().isoformat(),
        **change,
    }
    response = login("ent1").post(reverse("inspections:duty_create"), data)
    assert response.status_code == 200
    assert f'data-testid="error-{field}"' in response.content.decode()
    assert InspectionDuty.objects.count() == before


def test_person_must_belong_to_the_organisation(login, demo, code):
    response = login("ent1").post(
        reverse("inspections:duty_create"),
        {
            "organization": org_of(demo, "ent1").pk,
            "cadence": Cadence.DAILY,
            "person": demo["ent2"].pk,
            "template_code": code,
            "starts_on": timezone.localdate().isoformat(),
        },
    )
    assert 'data-testid="error-person"' in response.content.decode()


def test_enterprise_cannot_assign_duties_elsewhere(login, demo, code):
    response = login("ent1").post(
        reverse("inspections:duty_create"),
        {
            "organization": org_of(demo, "ent2").pk,
            "cadence": Cadence.DAILY,
            "role": "ent_team_leader",
            "template_code": code,
            "starts_on": timezone.localdate().isoformat(),
        },
    )
    assert 'data-testid="error-organization"' in response.content.decode()
    assert login("township").get(reverse("inspections:duty_create")).status_code == 403


def test_edit_and_stop(login, demo, code):
    org = org_of(demo, "ent1")
    duty = InspectionDuty.objects.create(
        organization=org,
        cadence=Cadence.DAILY,
        role="ent_team_leader",
        template_code=code,
        starts_on=timezone.localdate() - timedelta(days=3),
    )
    ensure_periods(duties=[duty])
    client = login("ent1safety")
    url = reverse("inspections:duty_edit", args=[duty.pk])
    response = client.post(
        url,
        {
            "person": demo["ent1safety"].pk,
            "role": "",
            "template_code": code,
            # Disabled fields: what is posted is ignored.
            "cadence": Cadence.QUARTERLY,
            "organization": org_of(demo, "ent2").pk,
        },
    )
    assert response.status_code == 302
    duty.refresh_from_db()
    assert (duty.person, duty.cadence, duty.organization) == (demo["ent1safety"], "daily", org)
    # Another enterprise's principal: not in scope at all.
    assert login("ent2").get(url).status_code == 404
    # Township staff see duties but do not change them.
    assert login("township").get(url).status_code == 403
    stop = reverse("inspections:duty_deactivate", args=[duty.pk])
    assert login("ent2").post(stop).status_code == 404
    assert login("ent1").post(stop).status_code == 302
    duty.refresh_from_db()
    assert not duty.is_active
    assert not DutyPeriod.objects.filter(duty=duty, end__gte=timezone.localdate()).exists()


def test_home_shows_my_due_and_missed_periods(login, demo, code):
    org = org_of(demo, "ent1")
    fresh(org)
    today = timezone.localdate()
    duty = InspectionDuty.objects.create(
        organization=org,
        cadence=Cadence.DAILY,
        person=demo["ent1safety"],
        template_code=code,
        starts_on=today - timedelta(days=2),
    )
    ensure_periods(today)
    page = login("ent1safety").get(reverse("home")).content.decode()
    assert 'data-testid="my-duties"' in page
    assert page.count('data-testid="duty-due"') == 1
    assert page.count('data-testid="duty-missed"') == 2
    period = DutyPeriod.objects.get(duty=duty, start=today)
    template_id = ChecklistTemplate.objects.current().get(code=code).pk
    assert (
        f"/inspections/new/?organization={org.pk}&amp;kind=self&amp;cadence=daily"
        f"&amp;template={template_id}&amp;period={period.pk}"
    ) in page
    # Not ent1's: the duty names a person.
    assert 'data-testid="duty-due"' not in login("ent1").get(reverse("home")).content.decode()


def test_role_duty_reaches_the_role(login, demo, code):
    org = org_of(demo, "ent1")
    fresh(org)
    InspectionDuty.objects.create(
        organization=org,
        cadence=Cadence.MONTHLY,
        role="ent_principal",
        template_code=code,
        starts_on=timezone.localdate(),
    )
    ensure_periods()
    assert 'data-testid="duty-due"' in login("ent1").get(reverse("home")).content.decode()
    assert 'data-testid="duty-due"' not in login("ent1safety").get(reverse("home")).content.decode()


def test_home_query_count_stays_small(login, django_assert_max_num_queries):
    client = login("ent1safety")
    with django_assert_max_num_queries(20):
        client.get(reverse("home"))


def test_organisation_page_shows_duties(login, demo):
    org = org_of(demo, "ent1")
    page = login("township").get(reverse("orgs:detail", args=[org.pk])).content.decode()
    assert 'data-testid="org-duties"' in page
    # The demo season gives ent1's enterprise all five levels.
    for cadence in Cadence:
        assert str(cadence.label) in page
    own = login("ent1").get(reverse("orgs:detail", args=[org.pk])).content.decode()
    assert reverse("inspections:duty_create") in own
    assert reverse("inspections:duty_create") not in page


# ---------------------------------------------------------------- API


def test_api_lists_duties_with_period_status(api, demo):
    org = org_of(demo, "ent1")
    response = api("ent1").get("/api/v1/inspection-duties/", {"page_size": 500})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert rows
    assert {r["organization"] for r in rows} == {org.pk}
    daily = next(r for r in rows if r["cadence"] == "daily")
    today = timezone.localdate().isoformat()
    assert daily["current_period"]["start"] == today == daily["current_period"]["end"]
    assert daily["current_period"]["state"] in PeriodState.values
    assert daily["done"] + daily["missed"] > 0
    ids = {r["id"] for r in rows}
    assert ids == set(InspectionDuty.objects.restrict(demo["ent1"]).values_list("id", flat=True))


def test_api_filters(api, demo):
    client = api("township")
    org = org_of(demo, "ent1")
    rows = client.get(
        "/api/v1/inspection-duties/", {"organization": org.pk, "cadence": "weekly"}
    ).json()["results"]
    # The demo's weekly duty, and any generated from risk control measures checked weekly.
    weekly = InspectionDuty.objects.filter(organization=org, cadence="weekly")
    assert rows
    assert {r["id"] for r in rows} == set(weekly.values_list("pk", flat=True))
    assert {r["organization"] for r in rows} == {org.pk}
    due = client.get("/api/v1/inspection-duties/", {"state": "due", "page_size": 500}).json()
    assert all(r["current_period"]["state"] == "due" for r in due["results"])
    assert client.get("/api/v1/inspection-duties/", {"state": "bogus"}).status_code == 400
    # Another enterprise's id filters to nothing rather than revealing anything.
    other = api("ent2").get("/api/v1/inspection-duties/", {"organization": org.pk}).json()
    assert other["count"] == 0


def test_api_list_query_count_is_constant(api, django_assert_max_num_queries):
    client = api("township")
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/inspection-duties/", {"page_size": 500})
    assert response.json()["count"] > 20

"""Control measures become inspection duties: one organisation-own checklist per cadence,
versioned when its items change, and one duty per cadence and checker, with its periods."""

from __future__ import annotations

import pytest
from django.utils import timezone

from anpai.inspections.checklists import new_version
from anpai.inspections.models import ChecklistTemplate, DutyPeriod, InspectionDuty
from anpai.people.models import Membership
from anpai.risks import actions, duties


def org_of(user):
    return Membership.objects.get(user=user).organization


@pytest.fixture
def org(demo):
    """ent1's enterprise with the demo's risk points retired (and so its generated duties
    stopped), so each test starts from no checked measures; earlier checklist versions stay."""
    from anpai.risks.models import RiskPoint

    organization = org_of(demo["ent1"])
    for p in RiskPoint.objects.filter(organization=organization, is_active=True):
        actions.deactivate_point(p, by=demo["ent1"])
    duties.sync(organization.pk)
    return organization


@pytest.fixture
def point(demo, org):
    return actions.create_point(
        by=demo["ent1"], organization=org, name="液氨储罐区", kind="area", location="厂区北侧"
    )


def latest_version(org, cadence="weekly") -> int:
    return max(generated(org, cadence).values_list("version", flat=True), default=0)


@pytest.fixture
def measure(demo, point, django_capture_on_commit_callbacks):
    """``measure(text, cadence="weekly", checker="ent1safety")``: saved as the pages do,
    with the on-commit sync run."""

    def _measure(text: str, cadence: str = "weekly", checker: str = "ent1safety", on=None):
        with django_capture_on_commit_callbacks(execute=True):
            return actions.save_measure(
                on or point,
                by=demo["ent1"],
                kind="management",
                text=text,
                check_cadence=cadence,
                check_user=demo[checker],
            )

    return _measure


def generated(org, cadence="weekly"):
    return ChecklistTemplate.objects.filter(code=duties.checklist_code(org.pk, cadence))


def active_duties(org):
    return InspectionDuty.objects.filter(
        organization=org, is_active=True, template_code__startswith="risk-"
    )


@pytest.mark.django_db
def test_a_checked_measure_makes_a_checklist_a_duty_and_its_period(demo, point, measure):
    org = point.organization
    before = latest_version(org)
    m = measure("液氨储罐区每周检查喷淋装置")
    template = generated(org).get(is_current=True)
    assert (template.version, template.is_shipped) == (before + 1, False)
    assert (template.organization, template.region) == (org, org.region)
    assert template.name  # named after the cadence, in the product's language
    item = template.items.get()
    assert (item.measure, item.section, item.question) == (m, "液氨储罐区", m.text)
    assert item.guidance == "厂区北侧"
    assert item.photo_required_on_fail
    duty = active_duties(org).get()
    assert (duty.cadence, duty.person, duty.template_code) == (
        "weekly", demo["ent1safety"], template.code,
    )  # fmt: skip
    today = timezone.localdate()
    current = DutyPeriod.objects.get(duty=duty, start__lte=today, end__gte=today)
    assert current.start.weekday() == 0
    # Due, unless a weekly self-inspection of the enterprise this week already counts.
    assert current.state == "due" or (
        current.state == "done" and current.inspection.cadence == "weekly"
    )


@pytest.mark.django_db
def test_a_measure_without_a_cadence_makes_nothing(demo, point, django_capture_on_commit_callbacks):
    checklists = ChecklistTemplate.objects.filter(organization=point.organization).count()
    with django_capture_on_commit_callbacks(execute=True):
        actions.save_measure(point, by=demo["ent1"], kind="ppe", text="佩戴防毒面具")
    assert ChecklistTemplate.objects.filter(organization=point.organization).count() == checklists
    assert not active_duties(point.organization).exists()


@pytest.mark.django_db
def test_a_second_measure_is_a_new_version_and_the_old_one_stays(demo, point, measure):
    org = point.organization
    first = measure("检查喷淋装置")
    v1 = generated(org).get(is_current=True)
    second = measure("检查可燃气体报警器")
    v1.refresh_from_db()
    v2 = generated(org).get(is_current=True)
    assert (v1.is_current, v2.version) == (False, v1.version + 1)
    assert [i.measure_id for i in v1.items.all()] == [first.pk]
    assert [i.measure_id for i in v2.items.order_by("order")] == [first.pk, second.pk]
    # Same cadence, same checker: still one duty.
    assert active_duties(org).count() == 1


@pytest.mark.django_db
def test_each_checker_has_a_duty_and_each_cadence_a_checklist(demo, point, measure):
    org = point.organization
    measure("检查喷淋装置", checker="ent1safety")
    measure("检查储罐液位", checker="ent1")
    measure("巡查罐区", cadence="daily", checker="ent1safety")
    rows = set(active_duties(org).values_list("cadence", "person__username", "template_code"))
    assert rows == {
        ("weekly", "ent1safety", duties.checklist_code(org.pk, "weekly")),
        ("weekly", "ent1", duties.checklist_code(org.pk, "weekly")),
        ("daily", "ent1safety", duties.checklist_code(org.pk, "daily")),
    }
    assert generated(org, "weekly").get(is_current=True).items.count() == 2
    assert generated(org, "daily").get(is_current=True).items.count() == 1


@pytest.mark.django_db
def test_removing_the_last_measure_stops_the_duty(
    demo, point, measure, django_capture_on_commit_callbacks
):
    org = point.organization
    a = measure("检查喷淋装置")
    b = measure("检查可燃气体报警器")
    duty = active_duties(org).get()
    with django_capture_on_commit_callbacks(execute=True):
        actions.remove_measure(point, by=demo["ent1"], measure=a)
    assert active_duties(org).get() == duty
    assert [i.measure_id for i in generated(org).get(is_current=True).items.all()] == [b.pk]
    with django_capture_on_commit_callbacks(execute=True):
        actions.remove_measure(point, by=demo["ent1"], measure=b)
    duty.refresh_from_db()
    assert not duty.is_active
    today = timezone.localdate()
    # It owes nothing from today on; the checklist stays for the inspections that used it.
    assert not DutyPeriod.objects.filter(duty=duty, state="due", end__gte=today).exists()
    assert generated(org).filter(is_current=True).exists()


@pytest.mark.django_db
def test_changing_the_checker_moves_the_duty(
    demo, point, measure, django_capture_on_commit_callbacks
):
    org = point.organization
    m = measure("检查喷淋装置", checker="ent1safety")
    old = active_duties(org).get()
    version = latest_version(org)
    with django_capture_on_commit_callbacks(execute=True):
        actions.save_measure(
            point, by=demo["ent1"], measure=m, kind="management", text=m.text,
            check_cadence="weekly", check_user=demo["ent1"],
        )  # fmt: skip
    old.refresh_from_db()
    assert not old.is_active
    assert active_duties(org).get().person == demo["ent1"]
    # The items did not change: no new checklist version.
    assert latest_version(org) == version
    assert generated(org).get(is_current=True).items.get().measure == m


@pytest.mark.django_db
def test_retiring_the_point_stops_its_duties(
    demo, point, measure, django_capture_on_commit_callbacks
):
    measure("检查喷淋装置")
    with django_capture_on_commit_callbacks(execute=True):
        actions.deactivate_point(point, by=demo["ent1"])
    assert not active_duties(point.organization).exists()


@pytest.mark.django_db
def test_sync_twice_changes_nothing(demo, point, measure):
    org = point.organization
    measure("检查喷淋装置")
    measure("巡查罐区", cadence="daily", checker="ent1")
    checklists = list(
        ChecklistTemplate.objects.filter(organization=org).values_list("pk", "version")
    )
    duty_rows = list(InspectionDuty.objects.filter(organization=org).values_list("pk", "is_active"))
    periods = DutyPeriod.objects.filter(duty__organization=org).count()
    assert duties.sync(org.pk) == {"versions": 0, "created": 0, "deactivated": 0}
    assert duties.sync(org.pk) == {"versions": 0, "created": 0, "deactivated": 0}
    assert (
        list(ChecklistTemplate.objects.filter(organization=org).values_list("pk", "version"))
        == checklists
    )
    assert (
        list(InspectionDuty.objects.filter(organization=org).values_list("pk", "is_active"))
        == duty_rows
    )
    assert DutyPeriod.objects.filter(duty__organization=org).count() == periods


@pytest.mark.django_db
def test_an_organisations_checklist_is_seen_only_by_those_who_see_the_organisation(
    demo, point, measure
):
    measure("检查喷淋装置")
    template = generated(point.organization).get(is_current=True)

    def sees(username: str, action: str = "view") -> bool:
        return (
            ChecklistTemplate.objects.restrict(demo[username], action)
            .filter(pk=template.pk)
            .exists()
        )

    assert sees("ent1")
    assert sees("ent1safety")
    assert sees("township")
    assert sees("village1")
    # Same township, another enterprise or village: not theirs.
    assert not sees("ent2")
    assert not sees("village2")
    # Shipped checklists are still read by everyone.
    shipped = ChecklistTemplate.objects.get(code="campaign-2023")
    assert ChecklistTemplate.objects.restrict(demo["ent2"]).filter(pk=shipped.pk).exists()
    # Exported by those who may export checklists and see the organisation.
    assert sees("ent1safety", "export")
    assert not sees("ent1", "export")
    # Nobody edits it as a checklist: it follows the measures.
    assert not sees("township", "change")


@pytest.mark.django_db
def test_the_checklist_editor_cannot_version_a_generated_checklist(demo, point, measure):
    from anpai.core.errors import Forbidden

    measure("检查喷淋装置")
    template = generated(point.organization).get(is_current=True)
    with pytest.raises(Forbidden):
        new_version(template, by=demo["township"], changes={"name": "改名"})
    assert latest_version(point.organization) == template.version

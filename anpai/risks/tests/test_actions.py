"""Risk actions: who may do what, what bad input is refused, and that nothing half-happens."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from anpai.core.errors import Conflict, Forbidden, Invalid, NotFound
from anpai.notifications.models import Notification
from anpai.orgs.models import Organization
from anpai.risks import actions
from anpai.risks.models import ControlMeasure, RiskPoint, SitePlan


def _org(user):
    return Organization.objects.filter(memberships__user=user).first()


@pytest.fixture
def point(demo):
    return actions.create_point(
        by=demo["ent1"],
        organization=_org(demo["ent1"]),
        name="粉尘爆炸危险区域（抛光车间）",
        kind="area",
        accident_types=["other_explosion", "fire"],
    )


def _png(w=400, h=200):
    buffer = io.BytesIO()
    Image.new("RGB", (w, h), "white").save(buffer, format="PNG")
    return SimpleUploadedFile("plan.png", buffer.getvalue(), content_type="image/png")


@pytest.mark.django_db
def test_create_refuses_bad_fields_and_saves_nothing(demo):
    org = _org(demo["ent1"])
    before = RiskPoint.objects.count()
    with pytest.raises(Invalid) as err:
        actions.create_point(
            by=demo["ent1"], organization=org, name=" ", kind="castle", accident_types=["meteor"]
        )
    assert set(err.value.fields) == {"name", "kind", "accident_types"}
    assert RiskPoint.objects.count() == before


@pytest.mark.django_db
def test_scope_another_enterprise_is_not_found_a_viewer_is_forbidden(point, demo):
    with pytest.raises(NotFound):
        actions.assess(point, by=demo["ent2"], method="lec", values={"l": 1, "e": 1, "c": 1})
    with pytest.raises(NotFound):
        actions.create_point(
            by=demo["ent2"], organization=point.organization, name="x", kind="area"
        )
    with pytest.raises(Forbidden):
        actions.update_point(point, by=demo["village1"], name="改名")
    with pytest.raises(Forbidden):
        actions.assess(point, by=demo["leader"], method="matrix", values={"l": 1, "s": 1})


@pytest.mark.django_db
def test_stale_edit_is_a_conflict(point, demo):
    actions.update_point(point, by=demo["ent1"], version=point.version, location="二号车间")
    with pytest.raises(Conflict):
        actions.update_point(point, by=demo["ent1"], version=point.version, location="三号车间")
    point.refresh_from_db()
    assert point.location == "二号车间"


@pytest.mark.django_db
def test_residual_assessment_leaves_the_inherent_level(point, demo):
    actions.assess(point, by=demo["ent1"], method="lec", values={"l": 6, "e": 6, "c": 15})
    actions.assess(
        point, by=demo["ent1"], method="lec", values={"l": 1, "e": 6, "c": 7}, residual=True
    )
    point.refresh_from_db()
    assert (point.level, point.residual_level, point.assessments.count()) == ("major", "low", 2)


@pytest.mark.django_db
def test_a_measure_checked_regularly_needs_a_checker_of_the_organisation(point, demo):
    with pytest.raises(Invalid) as err:
        actions.save_measure(
            point, by=demo["ent1"], kind="engineering", text="除尘系统", check_cadence="weekly"
        )
    assert "check_user" in err.value.fields
    with pytest.raises(Invalid) as err:
        actions.save_measure(
            point,
            by=demo["ent1"],
            kind="engineering",
            text="除尘系统",
            check_cadence="weekly",
            check_user=demo["ent2"].pk,
        )
    assert "check_user" in err.value.fields
    assert not ControlMeasure.objects.filter(point=point).exists()
    measure = actions.save_measure(
        point,
        by=demo["ent1"],
        kind="engineering",
        text="除尘系统每周清灰",
        check_cadence="weekly",
        check_user=demo["ent1safety"].pk,
    )
    assert measure.check_user == demo["ent1safety"]
    actions.remove_measure(point, by=demo["ent1"], measure=measure)
    measure.refresh_from_db()
    assert not measure.is_active


@pytest.mark.django_db
def test_area_must_lie_on_the_plan(point, demo):
    for bad in ([[1, 1], [2, 2]], [[0, 0], [1200, 0], [0, 10]], [["a", 1], [1, 1], [2, 2]], "x"):
        with pytest.raises(Invalid) as err:
            actions.save_area(point, by=demo["ent1"], area=bad)
        assert "area" in err.value.fields
    point.refresh_from_db()
    assert point.area == []
    saved = actions.save_area(point, by=demo["ent1"], area=[[10, 10], [200, 10], [200, 150]])
    assert saved.area == [[10.0, 10.0], [200.0, 10.0], [200.0, 150.0]]


@pytest.mark.django_db
def test_site_plan_keeps_proportions_and_rescales_drawn_areas(point, demo):
    org = point.organization
    actions.save_area(point, by=demo["ent1"], area=[[100, 100], [500, 100], [500, 600]])
    plan = actions.save_site_plan(org, by=demo["ent1"], image=_png(400, 200))
    assert (plan.width, plan.height) == (1000, 500)
    point.refresh_from_db()
    assert point.area == [[100.0, 71.4], [500.0, 71.4], [500.0, 428.6]]
    with pytest.raises(Invalid):
        actions.save_site_plan(
            org,
            by=demo["ent1"],
            image=SimpleUploadedFile(
                "plan.svg", b"<svg onload='x'/>", content_type="image/svg+xml"
            ),
        )
    assert SitePlan.objects.get(organization=org).width == 1000


@pytest.mark.django_db
def test_reassessment_request_flags_and_notifies_once(point, demo):
    actions.request_reassessment(point, reason="发现重大事故隐患")
    actions.request_reassessment(point, reason="发现重大事故隐患")
    point.refresh_from_db()
    assert point.needs_reassessment
    assert point.reassessment_reason == "发现重大事故隐患"
    assert (
        Notification.objects.filter(
            recipient=demo["ent1"], url__contains=f"/risks/{point.pk}/"
        ).count()
        == 1
    )
    actions.assess(point, by=demo["ent1"], method="matrix", values={"l": 2, "s": 3})
    point.refresh_from_db()
    assert not point.needs_reassessment


@pytest.mark.django_db
def test_township_scheme_then_reset(point, demo):
    township = point.organization.township
    data = actions.scheme_for(township, "matrix").data
    data["bands"][0]["min"] = "20"
    actions.save_scheme(by=demo["township"], region=township, method="matrix", data=data)
    assert actions.scheme_for(point.organization.region, "matrix").region == township
    again = actions.save_scheme(by=demo["township"], region=township, method="matrix", data=data)
    assert again.version == 1  # unchanged data makes no new version
    actions.reset_scheme(by=demo["township"], region=township, method="matrix")
    assert actions.scheme_for(township, "matrix").region is None

"""The two halves of dual prevention meet: a hazard references the risk point it was
found at (report action, form, detail page, API, and a failed check of a control
measure on submit), and a major hazard at a point asks for its re-assessment."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from anpai.core.errors import Invalid
from anpai.hazards import actions as hazard_actions
from anpai.hazards.models import Category, Hazard
from anpai.hazards.tests.conftest import make_jpeg
from anpai.inspections import actions as inspection_actions
from anpai.notifications.models import Notification
from anpai.people.models import Membership
from anpai.risks import actions, duties
from anpai.risks.models import RiskPoint

NEW = "/hazards/new/"


def org_of(user):
    return Membership.objects.get(user=user).organization


@pytest.fixture
def category(db):
    from anpai.hazards.reference import ensure_categories

    ensure_categories()
    return Category.objects.get(code="electrical")


@pytest.fixture
def point(demo):
    """``point("ent1", name=…)``: an assessed (significant, orange) risk point."""

    def _point(owner: str = "ent1", name: str = "液氨储罐区") -> RiskPoint:
        p = actions.create_point(
            by=demo[owner], organization=org_of(demo[owner]), name=name, kind="area"
        )
        actions.assess(p, by=demo[owner], method="lec", values={"l": 6, "e": 3, "c": 15})
        p.refresh_from_db()
        return p

    return _point


def report(demo, category, by="ent1safety", **extra):
    return hazard_actions.report(
        by=demo[by],
        organization=extra.pop("organization", None) or org_of(demo[by]),
        title=extra.pop("title", "储罐区喷淋装置损坏"),
        description="喷淋头锈蚀堵塞，无法正常喷淋",
        category=category,
        **extra,
    )


def reassess_notes(point: RiskPoint) -> set[str]:
    return set(
        Notification.objects.filter(key__startswith=f"risk:{point.pk}:reassess").values_list(
            "recipient__username", flat=True
        )
    )


# ---------------------------------------------------------------- the report action


@pytest.mark.django_db
def test_a_hazard_is_reported_at_a_point_of_its_organisation_only(demo, category, point):
    own, other = point("ent1"), point("ent2")
    hazard = report(demo, category, risk_point=own)
    assert hazard.risk_point == own
    before = Hazard.objects.count()
    with pytest.raises(Invalid) as err:
        report(demo, category, risk_point=other)
    assert set(err.value.fields) == {"risk_point"}
    assert Hazard.objects.count() == before


@pytest.mark.django_db
def test_a_major_hazard_at_a_point_asks_for_its_reassessment(demo, category, point):
    p = point()
    general = report(demo, category, risk_point=p)
    p.refresh_from_db()
    assert not p.needs_reassessment
    assert not reassess_notes(p)
    major = report(demo, category, risk_point=p, level="major", title="液氨储罐无泄漏报警")
    p.refresh_from_db()
    assert p.needs_reassessment
    assert major.number in p.reassessment_reason
    # The enterprise's principal and safety manager are told.
    assert reassess_notes(p) == {"ent1", "ent1safety"}
    assert general.risk_point == major.risk_point == p


@pytest.mark.django_db
def test_grading_a_hazard_major_asks_for_the_reassessment(demo, category, point):
    p = point()
    hazard = report(demo, category, risk_point=p)
    hazard_actions.grade(hazard, by=demo["township"], level="major", comment="构成重大事故隐患")
    p.refresh_from_db()
    assert p.needs_reassessment
    assert hazard.number in p.reassessment_reason
    assert reassess_notes(p) == {"ent1", "ent1safety"}
    # A new assessment settles it.
    actions.assess(p, by=demo["ent1"], method="lec", values={"l": 6, "e": 6, "c": 15},
                   reason="hazard")  # fmt: skip
    p.refresh_from_db()
    assert not p.needs_reassessment


@pytest.mark.django_db
def test_a_major_hazard_elsewhere_flags_no_point(demo, category, point):
    p = point()
    report(demo, category, level="major")
    p.refresh_from_db()
    assert not p.needs_reassessment


# ---------------------------------------------------------------- inspections


@pytest.fixture
def checked_point(demo, point, django_capture_on_commit_callbacks):
    """A point whose measure ent1safety checks weekly: the generated checklist and duty."""
    p = point()
    with django_capture_on_commit_callbacks(execute=True):
        measure = actions.save_measure(
            p, by=demo["ent1"], kind="engineering", text="喷淋装置完好，每周试喷一次",
            check_cadence="weekly", check_user=demo["ent1safety"],
        )  # fmt: skip
    return p, measure, duties.checklist_code(p.organization_id, "weekly")


@pytest.mark.django_db
def test_a_failed_check_of_a_measure_is_a_hazard_at_its_point(demo, checked_point):
    p, measure, code = checked_point
    by = demo["ent1safety"]
    inspection = inspection_actions.start(
        by=by, organization=p.organization, kind="self", template=code, cadence="weekly"
    )
    answers = list(inspection.answers.select_related("item"))
    assert measure.pk in {a.item.measure_id for a in answers}
    for a in answers:
        failed = a.item.measure_id == measure.pk
        inspection_actions.answer(
            inspection, a.item, by=by, result="fail" if failed else "pass",
            note="喷淋头堵塞" if failed else None, photos=[make_jpeg()] if failed else (),
        )  # fmt: skip
    inspection_actions.submit(inspection, by=by)
    hazard = Hazard.objects.get(answers__item__measure=measure, answers__inspection=inspection)
    assert hazard.risk_point == p
    assert hazard.source == "self_inspection"
    # The other items were passed: no hazard at another point.
    assert Hazard.objects.filter(answers__inspection=inspection).count() == 1


@pytest.mark.django_db
def test_another_organisation_cannot_use_the_generated_checklist(demo, checked_point):
    p, _measure, code = checked_point
    with pytest.raises(Invalid) as err:
        inspection_actions.start(
            by=demo["ent2"], organization=org_of(demo["ent2"]), kind="self", template=code
        )
    assert "template" in err.value.fields
    # Not even the township, inspecting another enterprise with it.
    with pytest.raises(Invalid) as err:
        inspection_actions.start(
            by=demo["township"], organization=org_of(demo["ent2"]), kind="township",
            template=code,
        )  # fmt: skip
    assert "template" in err.value.fields
    inspection = inspection_actions.start(
        by=demo["township"], organization=p.organization, kind="township", template=code
    )
    assert inspection.template.organization == p.organization


# ---------------------------------------------------------------- pages


@pytest.mark.django_db
def test_report_form_preselects_the_point_from_the_link(login, point):
    p = point()
    page = login("ent1safety").get(f"{NEW}?risk_point={p.pk}")
    assert page.status_code == 200
    form = page.context["form"]
    assert form["risk_point"].value() == p.pk
    assert p in form.fields["risk_point"].queryset
    assert f'value="{p.pk}" selected' in page.content.decode()


@pytest.mark.django_db
def test_township_gets_the_organisation_and_its_points(login, point):
    p, other = point("ent1"), point("ent2", name="锅炉房")
    page = login("township").get(f"{NEW}?risk_point={p.pk}")
    form = page.context["form"]
    assert form["organization"].value() == p.organization_id
    assert form["risk_point"].value() == p.pk
    points = set(form.fields["risk_point"].queryset)
    assert p in points
    assert other not in points
    body = page.content.decode()
    # Another organisation chosen: the page fetches that one's points (htmx).
    assert 'hx-get="/hazards/new/"' in body
    assert 'hx-select="#risk-point-field"' in body
    swapped = login("township").get(NEW, {"organization": other.organization_id})
    assert set(swapped.context["form"].fields["risk_point"].queryset) >= {other}
    assert p not in set(swapped.context["form"].fields["risk_point"].queryset)


@pytest.mark.django_db
def test_a_point_the_user_may_not_see_is_ignored(login, point):
    other = point("ent2")
    page = login("ent1safety").get(f"{NEW}?risk_point={other.pk}")
    assert page.status_code == 200
    form = page.context["form"]
    assert form["risk_point"].value() is None
    assert other not in set(form.fields["risk_point"].queryset)


@pytest.mark.django_db
def test_report_form_saves_the_point_and_refuses_another_organisations(login, category, point):
    p, other = point("ent1"), point("ent2")
    client = login("ent1safety")
    data = {
        "organization": p.organization_id,
        "title": "喷淋装置损坏",
        "description": "喷淋头堵塞",
        "category": category.pk,
        "level": "general",
        "source": "self_inspection",
        "found_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }
    before = Hazard.objects.count()
    refused = client.post(NEW, {**data, "risk_point": other.pk})
    assert refused.status_code == 400
    assert "risk_point" in refused.context["form"].errors
    assert 'data-testid="error-risk_point"' in refused.content.decode()
    assert Hazard.objects.count() == before
    made = client.post(NEW, {**data, "risk_point": p.pk})
    assert made.status_code == 302
    hazard = Hazard.objects.latest("id")
    assert hazard.risk_point == p
    detail = client.get(made["Location"]).content.decode()
    assert reverse("risks:detail", args=[p.pk]) in detail
    assert 'data-testid="hazard-risk-point" data-level="significant" data-colour="orange"' in detail
    assert 'fill="#f39800"' in detail  # the level's colour on the four-colour map


# ---------------------------------------------------------------- API


@pytest.mark.django_db
def test_api_reports_a_hazard_at_a_point(api, category, point):
    p, other = point("ent1"), point("ent2")
    client = api("ent1safety")
    body = {"title": "喷淋装置损坏", "description": "喷淋头堵塞", "category": "electrical"}
    made = client.post("/api/v1/hazards/", {**body, "risk_point": p.pk}, format="json")
    assert made.status_code == 201, made.content
    assert (made.json()["risk_point"], made.json()["risk_point_name"]) == (p.pk, p.name)
    # Another enterprise's point does not exist for ent1safety.
    refused = client.post("/api/v1/hazards/", {**body, "risk_point": other.pk}, format="json")
    assert refused.status_code == 400
    assert "risk_point" in refused.json()
    # The township sees both, but a point of another organisation than the hazard's is refused.
    township = api("township")
    mismatch = township.post(
        "/api/v1/hazards/",
        {**body, "organization": p.organization_id, "risk_point": other.pk},
        format="json",
    )
    assert mismatch.status_code == 400
    assert set(mismatch.json()) == {"risk_point"}
    plain = client.post("/api/v1/hazards/", body, format="json")
    assert plain.status_code == 201
    assert plain.json()["risk_point"] is None

"""A check made on a date follows the version of the standard in force that day."""

from __future__ import annotations

from datetime import date

import pytest

from anpai.standards.models import Clause, Standard

pytestmark = pytest.mark.django_db


@pytest.fixture
def versions():
    old = Standard.objects.create(
        family="t-fire",
        code="t-fire-2017",
        name="判定规则",
        version="2017",
        effective_from=date(2018, 7, 1),
        repealed_on=date(2025, 11, 1),
    )
    new = Standard.objects.create(
        family="t-fire",
        code="t-fire-2025",
        name="判定规则",
        version="2025",
        effective_from=date(2025, 11, 1),
    )
    old_clause = Clause.objects.create(standard=old, number="5.1", text="旧", makes_major=False)
    new_clause = Clause.objects.create(standard=new, number="5.1", text="新", makes_major=True)
    gone = Clause.objects.create(standard=old, number="9.9", text="新版已删除")
    return old_clause, new_clause, gone


def test_a_clause_resolves_to_the_version_in_force_on_the_date(versions):
    old_clause, new_clause, gone = versions
    assert old_clause.in_force_on(date(2025, 10, 31)) == old_clause
    assert old_clause.in_force_on(date(2025, 11, 1)) == new_clause
    assert new_clause.in_force_on(date(2024, 1, 1)) == old_clause
    # A clause the new version dropped stays as cited.
    assert gone.in_force_on(date(2026, 1, 1)) == gone
    # Before any version was in force, the cited clause stands.
    assert old_clause.in_force_on(date(2000, 1, 1)) == old_clause


def test_an_inspection_finding_cites_the_clause_in_force_on_its_date(versions, demo):
    from anpai.hazards.reference import ensure_categories
    from anpai.inspections import actions
    from anpai.inspections.choices import AnswerResult, InspectionKind
    from anpai.inspections.models import ChecklistItem, ChecklistTemplate

    old_clause, new_clause, _gone = versions
    ensure_categories()
    template = ChecklistTemplate.objects.create(code="t-fire-check", name="消防检查")
    item = ChecklistItem.objects.create(
        template=template,
        order=1,
        question="安全出口是否畅通？",
        clause=old_clause,
        photo_required_on_fail=False,
    )
    from anpai.people.models import Membership

    ent1 = Membership.objects.get(user=demo["ent1"]).organization
    insp = actions.start(
        by=demo["township"],
        organization=ent1,
        kind=InspectionKind.TOWNSHIP,
        template=template,
        date=date(2025, 12, 1),
    )
    actions.answer(insp, item, by=demo["township"], result=AnswerResult.FAIL, note="堵塞")
    actions.submit(insp, by=demo["township"])
    hazard = item.answers.get().hazard
    assert hazard.standard_clause == new_clause
    assert hazard.level == "major"  # the 2025 version makes it major

"""The self-inspection report's steps: draft → submitted → returned → submitted → filed,
who may take each (403), whose reports one reaches (404), in which state (409), and
what input is refused (400)."""

from __future__ import annotations

import re

import pytest

from anpai.core.errors import Conflict, Forbidden, Invalid, NotFound
from anpai.enterprise import actions
from anpai.enterprise.models import ReportEvent, SelfInspectionReport
from anpai.notifications.models import Notification

FIELDS = {
    "title": "2026年度安全生产自查检视报告",
    "year": 2026,
    "overview": "对照七项职责逐项自查。",
    "problems": "责任制未公示。",
    "rectification": "已公示。",
    "next_steps": "每月检查。",
}


def _org(user):
    return user.memberships.get().organization


@pytest.fixture
def draft(demo):
    return actions.create_report(by=demo["ent1safety"], **FIELDS)


def _notes(user, url_part: str) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user, url__contains=url_part).values_list(
            "title", flat=True
        )
    )


def test_the_whole_cycle_with_history_versions_and_notices(demo, draft):
    url = f"/reports/{draft.pk}/"
    assert draft.state == "draft"
    assert draft.organization == _org(demo["ent1"])
    assert draft.version == 1

    submitted = actions.submit(draft.pk, by=demo["ent1"], version=1)
    assert submitted.state == "submitted"
    assert submitted.submitted_at is not None
    assert submitted.version == 2
    assert _notes(demo["township"], url), "the township officer is told a report waits"

    returned = actions.send_back(draft.pk, by=demo["township"], comment="请补充安全投入情况")
    assert returned.state == "returned"
    assert returned.version == 3
    assert _notes(demo["ent1"], url)
    assert _notes(demo["ent1safety"], url)

    edited = actions.update_report(draft.pk, by=demo["ent1safety"], problems="补充：安全投入不足。")
    assert edited.problems == "补充：安全投入不足。"
    assert edited.version == 4

    again = actions.submit(draft.pk, by=demo["ent1"])
    assert again.state == "submitted"

    filed = actions.file(draft.pk, by=demo["township"], comment="予以备案")
    assert filed.state == "filed"
    assert filed.filed_by == demo["township"]
    assert re.fullmatch(r".+备〔\d{4}〕\d+号", filed.filing_number), filed.filing_number
    assert any("filed" in t.lower() or "备案" in t for t in _notes(demo["ent1"], url))

    steps = list(
        ReportEvent.objects.filter(report=draft).values_list(
            "kind", "from_state", "to_state", "actor__username", "comment"
        )
    )
    assert steps == [
        ("created", "", "draft", "ent1safety", ""),
        ("submitted", "draft", "submitted", "ent1", ""),
        ("returned", "submitted", "returned", "township", "请补充安全投入情况"),
        ("edited", "returned", "returned", "ent1safety", ""),
        ("submitted", "returned", "submitted", "ent1", ""),
        ("filed", "submitted", "filed", "township", "予以备案"),
    ]


def test_filing_numbers_follow_each_other_in_the_township(demo):
    first = actions.create_report(by=demo["ent1"], **FIELDS)
    second = actions.create_report(by=demo["ent2"], **FIELDS)
    numbers = []
    for report, by in ((first, "ent1"), (second, "ent2")):
        actions.submit(report.pk, by=demo[by])
        numbers.append(actions.file(report.pk, by=demo["township"]).filing_number)
    serials = [int(re.search(r"〕(\d+)号", n).group(1)) for n in numbers]
    assert serials[1] == serials[0] + 1


def test_an_entered_filing_number_must_be_unique_in_the_township(demo):
    first = actions.create_report(by=demo["ent1"], **FIELDS)
    second = actions.create_report(by=demo["ent2"], **FIELDS)
    actions.submit(first.pk, by=demo["ent1"])
    actions.submit(second.pk, by=demo["ent2"])
    actions.file(first.pk, by=demo["township"], filing_number="西安监备〔2026〕99号")
    with pytest.raises(Invalid) as caught:
        actions.file(second.pk, by=demo["dept"], filing_number="西安监备〔2026〕99号")
    assert "filing_number" in caught.value.fields
    second.refresh_from_db()
    assert second.state == "submitted"
    assert second.filing_number == ""


def test_the_department_officer_files_too(demo, draft):
    actions.submit(draft.pk, by=demo["ent1"])
    assert actions.file(draft.pk, by=demo["dept"]).state == "filed"


@pytest.mark.parametrize("who", ["ent1safety", "township", "leader", "village1", "county"])
def test_only_the_principal_submits(demo, draft, who):
    # Government users do not even see the draft: 404 for them, 403 for the safety manager.
    expected = Forbidden if who == "ent1safety" else NotFound
    with pytest.raises(expected):
        actions.submit(draft.pk, by=demo[who])
    draft.refresh_from_db()
    assert draft.state == "draft"


@pytest.mark.parametrize("who", ["ent1", "ent1safety", "leader", "village1", "county"])
def test_only_township_and_department_officers_return_or_file(demo, draft, who):
    actions.submit(draft.pk, by=demo["ent1"])
    with pytest.raises(Forbidden):
        actions.send_back(draft.pk, by=demo[who], comment="x")
    with pytest.raises(Forbidden):
        actions.file(draft.pk, by=demo[who])
    draft.refresh_from_db()
    assert draft.state == "submitted"
    assert draft.version == 2


def test_another_enterprise_reaches_nothing(demo, draft):
    for step in (
        lambda: actions.submit(draft.pk, by=demo["ent2"]),
        lambda: actions.update_report(draft.pk, by=demo["ent2"], title="x"),
    ):
        with pytest.raises(NotFound):
            step()
    actions.submit(draft.pk, by=demo["ent1"])
    with pytest.raises(NotFound):
        actions.file(draft.pk, by=demo["ent2"])
    with pytest.raises(NotFound):  # village2 is not ent1's village
        actions.send_back(draft.pk, by=demo["village2"], comment="x")


def test_government_never_sees_drafts(demo, draft):
    for who in ("township", "leader", "dept", "village1", "county"):
        visible = SelfInspectionReport.objects.restrict(demo[who], "view")
        assert not visible.filter(pk=draft.pk).exists(), who
        assert not ReportEvent.objects.restrict(demo[who], "view").filter(report=draft).exists()
    for who in ("ent1", "ent1safety"):
        assert SelfInspectionReport.objects.restrict(demo[who], "view").filter(pk=draft.pk)
    actions.submit(draft.pk, by=demo["ent1"])
    for who in ("township", "leader", "dept", "village1", "county"):
        assert SelfInspectionReport.objects.restrict(demo[who], "view").filter(pk=draft.pk)
    assert not SelfInspectionReport.objects.restrict(demo["ent2"], "view").filter(pk=draft.pk)


def test_steps_in_the_wrong_state_are_refused(demo, draft):
    with pytest.raises(NotFound):  # a draft is not the township's to file yet
        actions.file(draft.pk, by=demo["township"])
    actions.submit(draft.pk, by=demo["ent1"])
    with pytest.raises(Conflict):
        actions.submit(draft.pk, by=demo["ent1"])
    with pytest.raises(Conflict):
        actions.update_report(draft.pk, by=demo["ent1safety"], title="改")
    actions.file(draft.pk, by=demo["township"])
    for step in (
        lambda: actions.file(draft.pk, by=demo["township"]),
        lambda: actions.send_back(draft.pk, by=demo["township"], comment="晚了"),
        lambda: actions.submit(draft.pk, by=demo["ent1"]),
    ):
        with pytest.raises(Conflict):
            step()
    draft.refresh_from_db()
    assert draft.state == "filed"
    assert draft.version == 3


def test_a_stale_version_is_a_conflict(demo, draft):
    actions.update_report(draft.pk, by=demo["ent1"], title="新标题")
    with pytest.raises(Conflict):
        actions.submit(draft.pk, by=demo["ent1"], version=1)
    draft.refresh_from_db()
    assert draft.state == "draft"


def test_returning_needs_a_comment(demo, draft):
    actions.submit(draft.pk, by=demo["ent1"])
    with pytest.raises(Invalid) as caught:
        actions.send_back(draft.pk, by=demo["township"], comment="   ")
    assert "comment" in caught.value.fields
    draft.refresh_from_db()
    assert draft.state == "submitted"


def test_required_fields_and_the_year(demo, english):
    with pytest.raises(Invalid) as caught:
        actions.create_report(by=demo["ent1"], title=" ", overview="", year="20x6")
    fields = caught.value.fields
    assert set(fields) == {"title", "overview", "year"}
    assert "Title is required." in [str(m) for m in fields["title"]]
    assert SelfInspectionReport.objects.filter(title=" ").count() == 0


def test_village_officers_and_county_read_but_do_not_write(demo):
    with pytest.raises(Forbidden):
        actions.create_report(by=demo["village1"], **FIELDS)
    with pytest.raises(Forbidden):
        actions.create_report(by=demo["township"], **FIELDS)


def test_an_enterprise_cannot_draft_for_another(demo):
    with pytest.raises(NotFound):
        actions.create_report(by=demo["ent1"], organization=_org(demo["ent2"]).pk, **FIELDS)


def test_available_actions_follow_role_and_state(demo, draft):
    assert actions.available_actions(draft, demo["ent1"]) == ["edit", "submit"]
    assert actions.available_actions(draft, demo["ent1safety"]) == ["edit"]
    draft = actions.submit(draft.pk, by=demo["ent1"])
    assert actions.available_actions(draft, demo["ent1"]) == []
    assert actions.available_actions(draft, demo["township"]) == ["return", "file"]
    assert actions.available_actions(draft, demo["leader"]) == []

"""The steps on leaders' lists: writing a list, recording progress (the leader on their
own list, the township officer on any), the self-review and its submission."""

from __future__ import annotations

import pytest

from anpai.audit.models import AuditRecord
from anpai.core.errors import Conflict, Forbidden, Invalid, NotFound
from anpai.notifications.models import Notification
from anpai.responsibility import actions
from anpai.responsibility.choices import Assessment, ItemStatus, ListKind
from anpai.responsibility.models import LeaderList, ListItem, SelfReview
from anpai.responsibility.overview import overview

from .conftest import lists_of

pytestmark = pytest.mark.django_db
NEXT = 2031  # a year the demo has no lists in


def test_township_officer_writes_a_practical_matters_list(demo, township_org):
    created = actions.create_list(
        by=demo["township"],
        organization=township_org,
        leader=demo["leader"],
        year=NEXT,
        kind=ListKind.MATTERS,
        post="乡长",
        items=[
            {"text": "充实乡安监站执法人员", "category": "staffing", "due_on": "2031-06-30"},
            {"text": "", "category": "", "due_on": ""},
            {"text": "配备执法记录仪", "category": "equipment", "due_on": ""},
        ],
    )
    items = list(created.items.order_by("order"))
    assert [(i.order, i.text, i.category) for i in items] == [
        (1, "充实乡安监站执法人员", "staffing"),
        (2, "配备执法记录仪", "equipment"),
    ]
    assert items[0].due_on.isoformat() == "2031-06-30"
    assert created.post == "乡长"
    assert created.created_by == demo["township"]


def test_a_practical_matter_needs_its_category_and_nothing_is_saved(demo, township_org, english):
    with pytest.raises(Invalid) as caught:
        actions.create_list(
            by=demo["township"],
            organization=township_org,
            leader=demo["leader"],
            year=NEXT,
            kind=ListKind.MATTERS,
            items=[
                {"text": "落实安全生产工作经费", "category": "funding"},
                {"text": "建设隐患排查信息系统", "category": ""},
                {"text": "配备气体检测仪", "category": "equipment", "due_on": "31/12/2031"},
            ],
        )
    messages = caught.value.fields["items"]
    assert "Item 2: choose the category of this practical matter." in messages
    assert "Item 3: the due date must be a date like 2026-12-31." in messages
    assert not LeaderList.objects.filter(year=NEXT).exists()


def test_the_leader_must_serve_in_the_organisation(demo, township_org, english):
    with pytest.raises(Invalid) as caught:
        actions.create_list(
            by=demo["township"],
            organization=township_org,
            leader=demo["village1"],
            year=NEXT,
            kind=ListKind.DUTY,
            items=[{"text": "督促村委会排查隐患"}],
        )
    assert "Leader:" in caught.value.fields["leader"][0]
    with pytest.raises(Invalid) as caught:
        actions.create_list(
            by=demo["township"],
            organization=township_org,
            leader=demo["leader"],
            year=NEXT,
            kind=ListKind.DUTY,
            items=[],
        )
    assert caught.value.fields["items"] == ["Items: write at least one item."]


def test_one_list_of_a_kind_per_leader_and_year(demo, township_org, year, english):
    with pytest.raises(Invalid) as caught:
        actions.create_list(
            by=demo["township"],
            organization=township_org,
            leader=demo["leader"],
            year=year,
            kind=ListKind.DUTY,
            items=[{"text": "x"}],
        )
    assert "already has a Duty list" in caught.value.fields["kind"][0]


def test_only_township_officers_write_lists(demo, township_org, village):
    item = [{"text": "排查出租房屋"}]
    with pytest.raises(Forbidden):  # sees the village's lists, may not write them
        actions.create_list(
            by=demo["village1"],
            organization=village,
            leader=demo["village1"],
            year=NEXT,
            kind=ListKind.DUTY,
            items=item,
        )
    with pytest.raises(NotFound):  # the township government is outside a village's scope
        actions.create_list(
            by=demo["village1"],
            organization=township_org,
            leader=demo["leader"],
            year=NEXT,
            kind=ListKind.DUTY,
            items=item,
        )


def test_the_leader_marks_an_item_of_their_own_list_done(demo, year):
    item = lists_of(demo["leader"], year)[ListKind.TASK].items.order_by("order").last()
    assert item.status != ItemStatus.DONE
    saved = actions.record_progress(
        item.pk, by=demo["leader"], status="done", progress="", note="已完成"
    )
    item.refresh_from_db()
    assert (item.status, item.progress, item.progress_note) == ("done", 100, "已完成")
    assert saved.updated_by == demo["leader"]
    record = AuditRecord.objects.filter(
        object_type="responsibility.listitem", object_id=str(item.pk)
    ).latest("seq")
    assert record.action == "update"
    assert record.after["status"] == "done"


def test_a_leader_may_not_touch_another_leaders_list(demo, year, english):
    officer_item = lists_of(demo["township"], year)[ListKind.DUTY].items.first()
    with pytest.raises(Forbidden) as caught:  # visible in the township, not his
        actions.record_progress(officer_item.pk, by=demo["leader"], status="done")
    assert "赵安平" in str(caught.value.message)
    village2_item = lists_of(demo["village2"], year)[ListKind.DUTY].items.first()
    with pytest.raises(NotFound):  # another village: as if it did not exist
        actions.record_progress(village2_item.pk, by=demo["village1"], status="done")
    with pytest.raises(Forbidden):  # the county reads only
        actions.record_progress(village2_item.pk, by=demo["county"], status="done")
    officer_item.refresh_from_db()
    assert officer_item.status != "done" or officer_item.updated_by != demo["leader"]


def test_the_township_officer_records_progress_on_any_list(demo, year):
    item = lists_of(demo["village2"], year)[ListKind.TASK].items.order_by("order").last()
    actions.record_progress(item.pk, by=demo["township"], status="in_progress", progress="30")
    item.refresh_from_db()
    assert (item.status, item.progress, item.updated_by) == ("in_progress", 30, demo["township"])


@pytest.mark.parametrize(
    ("status", "progress", "field", "message"),
    [
        ("finished", "10", "status", "Status: choose not started, in progress or done."),
        ("in_progress", "150", "progress", "Progress: a whole number from 0 to 100."),
        ("in_progress", "half", "progress", "Progress: a whole number from 0 to 100."),
        ("not_started", "40", "progress", "Progress: an item not started is 0 % done"),
    ],
)
def test_bad_progress_names_the_field(demo, year, english, status, progress, field, message):
    item = lists_of(demo["leader"], year)[ListKind.DUTY].items.order_by("order").last()
    before = (item.status, item.progress)
    with pytest.raises(Invalid) as caught:
        actions.record_progress(item.pk, by=demo["leader"], status=status, progress=progress)
    assert caught.value.fields[field][0].startswith(message)
    item.refresh_from_db()
    assert (item.status, item.progress) == before


def _all_lines(items, assessment=Assessment.FULFILLED):
    return {i.pk: {"assessment": assessment, "remark": "已落实"} for i in items}


def test_submitting_with_items_unassessed_is_refused_naming_them(demo, township_org, year, english):
    leader = demo["leader"]
    items = list(actions.review_items(leader, township_org, year))
    left_out = items[-2:]
    lines = _all_lines(items[:-2])
    with pytest.raises(Invalid) as caught:
        actions.save_self_review(
            by=leader,
            leader=leader,
            organization=township_org,
            year=year,
            period="全年",
            summary="总体履职较好",
            lines=lines,
            submit=True,
        )
    message = caught.value.fields["lines"][0]
    assert message.startswith("Assess every item before submitting. Not assessed (2):")
    for item in left_out:
        assert item.text[:30] in message
    assert caught.value.fields["missing"] == [str(i.pk) for i in left_out]
    assert not SelfReview.objects.filter(leader=leader, year=year).exists()

    # The same, saved as a draft: kept, not submitted.
    draft = actions.save_self_review(
        by=leader,
        leader=leader,
        organization=township_org,
        year=year,
        period="全年",
        lines=lines,
    )
    assert draft.submitted_at is None
    assert draft.lines.count() == len(items) - 2


def test_a_submitted_review_notifies_the_township_and_shows_on_the_overview(
    demo, township_org, year
):
    leader = demo["leader"]
    items = list(actions.review_items(leader, township_org, year))
    review = actions.save_self_review(
        by=leader,
        leader=leader,
        organization=township_org,
        year=year,
        period="全年",
        summary="对照清单逐项检视",
        gaps="信息化建设滞后",
        next_steps="年底前完成系统建设",
        lines=_all_lines(items, Assessment.PARTLY),
        submit=True,
    )
    assert review.submitted_at is not None
    assert review.lines.count() == len(items)
    note = Notification.objects.get(recipient=demo["township"], key=f"selfreview:{review.pk}")
    assert "李志刚" in note.title
    assert not Notification.objects.filter(recipient=demo["village1"], key=note.key).exists()
    row = next(r for r in overview(demo["township"], "view", year) if r.leader_id == leader.pk)
    assert [(r.period, r.submitted_at) for r in row.submitted] == [("全年", review.submitted_at)]

    # Final: a second submission is refused, nothing changes.
    with pytest.raises(Conflict):
        actions.save_self_review(
            by=leader,
            leader=leader,
            organization=township_org,
            year=year,
            period="全年",
            summary="改",
            lines=_all_lines(items),
            submit=True,
        )
    review.refresh_from_db()
    assert review.summary == "对照清单逐项检视"


def test_only_the_leader_reviews_their_own_lists(demo, township_org, village, year):
    with pytest.raises(Forbidden):
        actions.save_self_review(
            by=demo["township"],
            leader=demo["leader"],
            organization=township_org,
            year=year,
            period="全年",
            summary="x",
        )
    with pytest.raises(NotFound):
        actions.save_self_review(
            by=demo["village2"],
            leader=demo["village1"],
            organization=village,
            year=year,
            period="全年",
            summary="x",
        )


def test_a_review_line_for_an_item_not_on_the_leaders_lists_is_refused(
    demo, township_org, year, english
):
    other = lists_of(demo["township"], year)[ListKind.DUTY].items.first()
    with pytest.raises(Invalid) as caught:
        actions.save_self_review(
            by=demo["leader"],
            leader=demo["leader"],
            organization=township_org,
            year=year,
            period="全年",
            lines={other.pk: {"assessment": "fulfilled"}},
        )
    assert caught.value.fields["lines"] == ["An assessed item is not on your lists."]
    with pytest.raises(Invalid) as caught:
        actions.save_self_review(
            by=demo["leader"],
            leader=demo["leader"],
            organization=township_org,
            year=year,
            period="第三季度",
        )
    assert caught.value.fields["period"][0].startswith("Period: choose one of")


def test_editing_a_list_updates_adds_and_removes_items(demo, year, english):
    the_list = lists_of(demo["village2"], year)[ListKind.TASK]
    items = list(the_list.items.order_by("order"))
    payload = [
        {"id": items[0].pk, "text": items[0].text + "（修订）", "due_on": ""},
        {"id": items[1].pk, "text": ""},  # removed
        *({"id": i.pk, "text": i.text} for i in items[2:]),
        {"text": "新增：组织消防演练"},
    ]
    actions.edit_list(the_list.pk, by=demo["township"], post="村支书", items=payload)
    the_list.refresh_from_db()
    texts = list(the_list.items.order_by("order").values_list("text", flat=True))
    assert texts[0].endswith("（修订）")
    assert texts[-1] == "新增：组织消防演练"
    assert not ListItem.objects.filter(pk=items[1].pk).exists()
    assert the_list.post == "村支书"
    assert the_list.version == 2
    with pytest.raises(Conflict):  # a stale form
        actions.edit_list(the_list.pk, by=demo["township"], post="x", version=1)
    with pytest.raises(Forbidden):
        actions.edit_list(the_list.pk, by=demo["leader"], post="x")


def test_an_item_assessed_in_a_submitted_review_stays(demo, village, year, english):
    the_list = lists_of(demo["village1"], year)[ListKind.DUTY]  # the demo's submitted review
    first = the_list.items.order_by("order").first()
    with pytest.raises(Invalid) as caught:
        actions.edit_list(
            the_list.pk,
            by=demo["township"],
            items=[
                {"id": i.pk, "text": "" if i == first else i.text} for i in the_list.items.all()
            ],
        )
    assert "stays on the list" in caught.value.fields["items"][0]
    assert ListItem.objects.filter(pk=first.pk).exists()

"""The xlsx exports of the overview and of every item: their content read back, who may
export, and a constant number of queries."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from anpai.audit.models import AuditRecord
from anpai.responsibility.models import ListItem

pytestmark = pytest.mark.django_db


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def test_the_overview_export_has_one_row_per_leader(login, demo, year):
    rows = _sheet(login("township").get(reverse("responsibility:export"), {"year": year}))
    assert rows[0][0] == f"{year}年领导干部安全生产责任清单落实情况"
    header = rows[2]
    assert header[:3] == ["单位", "姓名", "职务"]
    assert header[3] == "职责清单（完成/总数）"
    assert header[-1] == "检视履职"
    body = {r[1]: r for r in rows[3:]}
    assert set(body) == {"李志刚", "赵安平", "王建国", "刘秀英"}
    leader = body["李志刚"]
    items = ListItem.objects.filter(list__leader=demo["leader"], list__year=year)
    done = items.filter(status="done", list__kind="duty").count()
    total = items.filter(list__kind="duty").count()
    assert leader[2] == "分管安全副乡长"
    assert leader[3] == f"{done}/{total}"
    assert leader[-1] == "未提交"
    assert body["王建国"][-1].startswith("上半年已提交（")
    assert body["刘秀英"][5] == "—"  # no practical-matters list
    assert AuditRecord.objects.filter(action="export", object_type="responsibility.leaderlist")


def test_the_items_export_lists_every_item(login, demo, village, year):
    rows = _sheet(
        login("county").get(
            reverse("responsibility:export_items"), {"year": year, "organization": village.pk}
        )
    )
    assert rows[2] == [
        "单位",
        "姓名",
        "职务",
        "清单",
        "序号",
        "事项",
        "类别",
        "完成时限",
        "状态",
        "进度（%）",
        "进展情况",
        "更新时间",
    ]
    items = ListItem.objects.filter(list__organization=village, list__year=year)
    assert len(rows) - 3 == items.count()
    matter = items.filter(list__kind="matters").order_by("order").first()
    row = next(r for r in rows[3:] if r[5] == matter.text)
    assert row[0] == village.name
    assert row[1] == "王建国"
    assert row[3] == "办实事解难题清单"
    assert row[6] in {"执法装备", "经费保障"}
    assert row[8] in {"未开始", "推进中", "已完成"}
    assert row[9] == matter.progress


def test_a_formula_in_an_item_is_written_as_text(login, demo, year):
    item = ListItem.objects.filter(list__leader=demo["leader"], list__year=year).first()
    item.text = '=HYPERLINK("http://x")'
    item.save()
    rows = _sheet(login("township").get(reverse("responsibility:export_items"), {"year": year}))
    assert any(r[5] == item.text for r in rows[3:])


def test_village_officers_and_enterprises_may_not_export(login):
    assert login("village1").get(reverse("responsibility:export")).status_code == 403
    assert login("ent1").get(reverse("responsibility:export_items")).status_code == 403


@pytest.mark.parametrize("name", ["responsibility:export", "responsibility:export_items"])
def test_exports_run_constant_queries(
    login, demo, year, make_leaders, django_assert_max_num_queries, name
):
    client = login("township")
    with django_assert_max_num_queries(30) as few:
        before = _sheet(client.get(reverse(name), {"year": year}))
    make_leaders(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        after = _sheet(client.get(reverse(name), {"year": year}))
    assert len(after) > len(before)

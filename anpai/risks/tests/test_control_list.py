"""The risk control list (风险管控清单): the page and the xlsx, per organisation or for
everything in a township officer's scope, in a constant number of queries."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from anpai.audit.models import AuditRecord
from anpai.orgs.models import Organization
from anpai.risks import actions
from anpai.risks.models import RiskPoint

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_demo_points(demo):
    """The demo's risk points out of the way (rolled back after each test)."""
    RiskPoint.objects.all().delete()


def _org(user) -> Organization:
    return Organization.objects.filter(memberships__user=user).first()


def _point(user, name: str, *, values=None, measures=(), **extra) -> RiskPoint:
    point = actions.create_point(
        by=user, organization=_org(user), name=name, kind=extra.pop("kind", "area"), **extra
    )
    if values:
        actions.assess(point, by=user, method="lec", values=values)
    for kind, text in measures:
        actions.save_measure(point, by=user, kind=kind, text=text, responsible_name="王工")
    return point


@pytest.fixture
def points(demo):
    ent1, ent2 = demo["ent1"], demo["ent2"]
    return {
        "tank": _point(
            ent1,
            "液氨储罐区",
            values={"l": 6, "e": 6, "c": 15},
            measures=[("engineering", "氨泄漏报警联锁"), ("emergency", "配备应急喷淋")],
            code="FX-01",
            location="厂区东北角",
            hazard_sources="液氨储罐",
            accident_types=["poisoning", "vessel"],
            department="生产部",
            responsible_name="李卫东",
            responsible_phone="13800000000",
        ),
        "room": _point(ent1, "配电室", values={"l": 1, "e": 3, "c": 7}),  # no measures
        "other": _point(
            ent2,
            "锅炉房",
            values={"l": 3, "e": 6, "c": 7},
            measures=[("training", "司炉工持证上岗")],
        ),
    }


def test_page_for_the_enterprise(login, points, org_ids):
    html = login("ent1").get(reverse("risks:control_list")).content.decode()
    assert html.count('data-testid="control-row"') == 1
    assert "液氨储罐区" in html
    assert "氨泄漏报警联锁" in html
    assert "配备应急喷淋" in html
    assert "厂区东北角" in html
    assert "李卫东" in html
    assert "risk-red" in html
    assert "锅炉房" not in html
    # The point without measures is not a row, but counted as a gap.
    assert 'data-testid="control-without"' in html
    assert f'data-pk="{points["room"].pk}"' not in html
    # Another enterprise's list is not found.
    other = login("ent1").get(reverse("risks:control_list"), {"organization": org_ids["ent2"]})
    assert other.status_code == 404


@pytest.fixture
def org_ids(demo):
    return {name: _org(demo[name]).pk for name in ("ent1", "ent2")}


def test_township_sees_all_grouped_or_one(login, points, org_ids):
    client = login("township")
    html = client.get(reverse("risks:control_list")).content.decode()
    assert html.count('data-testid="control-group"') == 2
    assert "液氨储罐区" in html
    assert "锅炉房" in html
    one = client.get(reverse("risks:control_list"), {"organization": org_ids["ent2"]})
    html = one.content.decode()
    assert html.count('data-testid="control-row"') == 1
    assert "司炉工持证上岗" in html
    assert "液氨储罐区" not in html
    assert f'<option value="{org_ids["ent2"]}" selected>' in html


def test_xlsx_columns_title_frozen_header_and_audit(login, points, demo):
    actions.save_measure(points["tank"], by=demo["ent1"], kind="management", text="=HYPERLINK(1)")
    before = AuditRecord.objects.filter(action="export").count()
    response = login("ent1").get(reverse("risks:control_list_xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == f"{_org(demo['ent1']).name} 风险分级管控清单"
    header = rows[2]
    assert header[:3] == ("序号", "风险点名称", "类型")
    assert "工程技术措施" in header
    assert "管控层级" in header
    assert "单位名称" not in header  # one organisation
    assert sheet.freeze_panes == "C4"
    assert sheet.column_dimensions["B"].width == 18
    body = rows[3:]
    assert len(body) == 1
    row = dict(zip(header, body[0], strict=True))
    assert row["风险点名称"] == "FX-01 液氨储罐区"
    assert row["风险等级"] == "重大风险（红）"
    assert row["可能导致的事故类型"] == "中毒和窒息、容器爆炸"
    assert row["工程技术措施"] == "氨泄漏报警联锁（责任人：王工）"
    assert row["管控层级"] == "公司级"
    assert row["责任人"] == "李卫东 13800000000"
    # A measure that looks like a formula stays text.
    level_cell = sheet.cell(row=4, column=header.index("管理措施") + 1)
    assert level_cell.data_type == "s"
    assert level_cell.value.startswith("=HYPERLINK")
    assert sheet.cell(row=4, column=header.index("风险等级") + 1).fill.fgColor.rgb.endswith(
        "E60012"
    )
    record = AuditRecord.objects.filter(action="export").order_by("-id").first()
    assert AuditRecord.objects.filter(action="export").count() == before + 1
    assert record.object_type == "risks.riskpoint"
    assert record.after["rows"] == 1


def test_xlsx_for_the_township_names_the_organisations(login, points, demo):
    response = login("township").get(reverse("risks:control_list_xlsx"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][1] == "单位名称"
    assert sheet.freeze_panes == "D4"
    names = {r[2] for r in rows[3:]}
    assert names == {"FX-01 液氨储罐区", "锅炉房"}
    # Who may not export gets 403; an enterprise's staff cannot ask for another's.
    assert login("auditor").get(reverse("risks:control_list_xlsx")).status_code == 403
    other = login("ent2").get(
        reverse("risks:control_list_xlsx"), {"organization": _org(demo["ent1"]).pk}
    )
    assert other.status_code == 404


def test_constant_queries_at_two_sizes(login, demo, django_assert_max_num_queries):
    ent1, ent2 = demo["ent1"], demo["ent2"]
    client = login("township")

    def add(user, n, start):
        for i in range(start, start + n):
            _point(
                user,
                f"点{i}",
                values={"l": 3, "e": 6, "c": 7},
                measures=[("engineering", f"措施{i}"), ("ppe", f"防护{i}")],
            )

    add(ent1, 1, 0)
    add(ent2, 1, 1)
    with django_assert_max_num_queries(30) as page_few:
        page = client.get(reverse("risks:control_list"))
    assert page.content.count(b'data-testid="control-row"') == 2
    with django_assert_max_num_queries(30) as xlsx_few:
        client.get(reverse("risks:control_list_xlsx"))
    add(ent1, 6, 2)
    add(ent2, 6, 8)
    with django_assert_max_num_queries(len(page_few.captured_queries)):
        page = client.get(reverse("risks:control_list"))
    assert page.content.count(b'data-testid="control-row"') == 14
    assert page.content.count(b'data-testid="control-measure"') == 28
    with django_assert_max_num_queries(len(xlsx_few.captured_queries)):
        response = client.get(reverse("risks:control_list_xlsx"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row == 3 + 14

"""Importing hazards found on paper: the template, all-or-nothing validation, scope, history."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from anpai.audit.models import AuditAction, AuditRecord
from anpai.hazards.choices import EventKind, HazardLevel, HazardSource, HazardState
from anpai.hazards.imports import COLUMNS
from anpai.hazards.models import Event, Hazard

URL = reverse("hazards:import")
TEMPLATE = reverse("hazards:import_template")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(rows: list[list], *, headers: list[str] | None = None, name="隐患.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers or [c.header for c in COLUMNS])
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type=XLSX)


def row(org, **values) -> list:
    data = {
        "单位": org,
        "隐患标题": "安全出口被锁闭",
        "隐患描述": "一楼东侧安全出口用铁链锁闭，无法从内部开启",
        "类别": "疏散通道与安全出口",
        "等级": "一般隐患",
        "来源": "政府检查",
        "部位": "一楼东侧",
        "发现日期": date(2023, 12, 5),
        "发现人": "王检查",
    }
    data.update(values)
    return [data[c.key] for c in COLUMNS]


@pytest.fixture
def categories(category):
    return category


def _errors(response) -> list[tuple]:
    result = response.context["result"]
    return [(e.row, e.column) for e in result.errors]


def test_a_valid_file_saves_every_row_with_history_and_numbers(demo, login, org_of, categories):
    ent1 = org_of("ent1")
    before = Hazard.objects.count()
    file = upload(
        [
            row(ent1.name),
            row(
                ent1.credit_code.lower(),  # by credit code, in any case
                隐患标题="燃气报警器失效",
                类别="gas",
                等级="重大",
                来源="联合执法",
                发现日期="2024年1月5日",
                发现人="",
            ),
        ]
    )
    response = login("township").post(URL, {"file": file})
    assert response.status_code == 200, _errors(response)
    assert "import-ok" in response.content.decode()
    created = list(Hazard.objects.order_by("-id")[:2])[::-1]
    assert Hazard.objects.count() == before + 2
    first, second = created
    assert first.organization == ent1
    assert first.state == HazardState.REPORTED
    assert first.number.startswith("YH2023-")
    assert first.source == HazardSource.GOV_INSPECTION
    assert first.place == "一楼东侧"
    assert first.finder == "王检查"
    assert timezone.localdate(first.found_at) == date(2023, 12, 5)
    assert first.category.code == "evacuation"
    assert first.reported_by == demo["township"]
    assert second.level == HazardLevel.MAJOR
    assert second.source == HazardSource.JOINT_CHECK
    assert second.category.code == "gas"
    assert timezone.localdate(second.found_at) == date(2024, 1, 5)
    assert second.finder == demo["township"].get_full_name()
    assert second.reported_up_at is not None  # a major hazard is reported up, as on the page
    for hazard in created:
        first_step = Event.objects.filter(hazard=hazard).order_by("at", "id").first()
        assert first_step.kind == EventKind.REPORT
    record = AuditRecord.objects.filter(action=AuditAction.IMPORT).last()
    assert record.object_type == "hazards.hazard"
    assert record.after["rows"] == 2
    assert record.after["ids"] == [h.pk for h in created]


def test_one_bad_row_saves_nothing_and_names_row_and_column(demo, login, org_of, categories):
    ent1 = org_of("ent1")
    before = Hazard.objects.count()
    tomorrow = timezone.localdate() + timedelta(days=1)
    file = upload(
        [
            row(ent1.name),
            row(ent1.name, 类别="天灾"),
            row(ent1.name),
            row(ent1.name, 等级="特大", 来源="听说", 发现日期=tomorrow),
            row(ent1.name, 发现日期="前天", 隐患标题=""),
        ]
    )
    response = login("township").post(URL, {"file": file})
    assert response.status_code == 400
    assert Hazard.objects.count() == before
    assert sorted(_errors(response)) == [
        (3, "类别"),
        (5, "发现日期"),
        (5, "来源"),
        (5, "等级"),
        (6, "发现日期"),
        (6, "隐患标题"),
    ]
    html = response.content.decode()
    assert "import-failed" in html
    assert "天灾" in html


def test_an_organisation_outside_the_importers_scope_is_refused(demo, login, org_of, categories):
    # ent1's safety manager may import, but only for its own enterprise.
    ent1, ent2 = org_of("ent1safety"), org_of("ent2")
    before = Hazard.objects.count()
    response = login("ent1safety").post(URL, {"file": upload([row(ent1.name), row(ent2.name)])})
    assert response.status_code == 400
    assert _errors(response) == [(3, "单位")]
    assert Hazard.objects.count() == before
    # The same words whether the organisation exists elsewhere or not at all.
    missing = login("ent1safety").post(URL, {"file": upload([row("不存在的公司")])})
    message = missing.context["result"].errors[0].message
    assert message.replace("不存在的公司", ent2.name) == (
        response.context["result"].errors[0].message
    )


def test_roles_without_import_are_refused(demo, login):
    assert login("ent1").get(URL).status_code == 403
    assert login("county").get(TEMPLATE).status_code == 403


def test_missing_columns_and_unreadable_files_are_explained(demo, login, categories):
    client = login("township")
    response = client.post(URL, {"file": upload([["x"]], headers=["单位", "隐患标题"])})
    assert response.status_code == 400
    missing = {e.column for e in response.context["result"].errors}
    assert missing == {"隐患描述", "类别", "来源", "发现日期"}
    bad = SimpleUploadedFile("x.xlsx", b"not a workbook", content_type=XLSX)
    response = client.post(URL, {"file": bad})
    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    empty = client.post(URL, {"file": upload([])})
    assert empty.status_code == 400
    assert [(e.row, e.column) for e in empty.context["result"].errors] == [(None, "")]


def test_the_template_imports_as_it_is(demo, login, org_of, categories):
    client = login("ent1safety")
    response = client.get(TEMPLATE)
    assert response.status_code == 200
    workbook = load_workbook(BytesIO(response.content))
    assert workbook.sheetnames == ["隐患", "填写说明", "单位"]
    sheet = workbook["隐患"]
    assert [c.value for c in sheet[1]] == [c.header for c in COLUMNS]
    assert sheet["A1"].value == "单位（名称或统一社会信用代码）"
    # Only the organisations this user may report for are offered.
    names = [r[0] for r in workbook["单位"].iter_rows(min_row=2, values_only=True)]
    assert names == [org_of("ent1safety").name]
    assert isinstance(sheet["H2"].value, datetime)
    # Its example row imports: the template documents a file that works.
    before = Hazard.objects.count()
    file = SimpleUploadedFile("template.xlsx", response.content, content_type=XLSX)
    imported = client.post(URL, {"file": file})
    assert imported.status_code == 200, _errors(imported)
    assert Hazard.objects.count() == before + 1

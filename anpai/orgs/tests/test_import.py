"""xlsx import: the template, a round trip, all-or-nothing validation, bad files."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from anpai.audit.models import AuditAction, AuditRecord
from anpai.orgs.models import Organization
from anpai.orgs.resources import IMPORT_COLUMNS
from anpai.orgs.tests.conftest import bad_code, org_of, valid_code

URL = reverse("orgs:import")
TEMPLATE = reverse("orgs:import_template")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(content: bytes, name: str = "orgs.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX)


def workbook_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([c.header for c in IMPORT_COLUMNS])
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def row(**values) -> list:
    """A data row in template column order, from header → value."""
    return [values.get(c.header, "") for c in IMPORT_COLUMNS]


def good_row(region_code: str, n: int = 1, **extra) -> list:
    values = {
        "名称": f"导入测试企业{n}",
        "类型": "企业",
        "统一社会信用代码": valid_code(f"91141127MA0TKMP{n:02d}"),
        "所在村/乡": region_code,
        "行业": "燃气、建筑施工",
        "重点企业": "是",
        "状态": "正常经营",
        "负责人手机": 13912345678,  # Excel stores it as a number
        "从业人数": 12,
    }
    values.update(extra)
    return row(**values)


@pytest.mark.django_db
def test_template_has_headers_example_and_instructions(login):
    response = login("township").get(TEMPLATE)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    workbook = load_workbook(BytesIO(response.content))
    sheet = workbook.worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert headers[:3] == ["名称", "类型", "统一社会信用代码"]
    for header in (
        "所在村/乡",
        "行业",
        "重点企业",
        "人员密集场所",
        "敏感特殊场所",
        "混合生产经营场所",
        "状态",
        "地址",
        "纬度",
        "经度",
        "单位电话",
        "主要负责人",
        "负责人手机",
        "安全管理人员",
        "安全管理人员手机",
        "从业人数",
    ):
        assert header in headers
    assert sheet.cell(row=2, column=1).value  # the example row
    assert workbook.sheetnames[1] == "填写说明"
    explained = {r[0] for r in workbook.worksheets[1].iter_rows(values_only=True)}
    assert set(headers) <= explained


@pytest.mark.django_db
def test_template_round_trip_imports(login):
    client = login("township")
    template = client.get(TEMPLATE).content
    before = Organization.objects.count()
    response = client.post(URL, {"file": upload(template, "template.xlsx")})
    assert response.status_code == 200, response.context["result"].errors
    assert response.context["result"].ok
    assert Organization.objects.count() == before + 1
    org = Organization.objects.latest("pk")
    assert org.name.startswith("示例")
    assert org.is_key
    assert org.industries.count() == 2
    record = AuditRecord.objects.filter(action=AuditAction.IMPORT).first()
    assert record is not None
    assert record.after["rows"] == 1
    assert record.after["file"] == "template.xlsx"
    assert record.actor_username == "township"


@pytest.mark.django_db
def test_valid_rows_import_with_their_values(login, demo):
    village = org_of(demo["village1"]).region
    content = workbook_bytes(
        [good_row(village.code, 1), good_row(village.name, 2, 类型="场所", 统一社会信用代码="")]
    )
    response = login("township").post(URL, {"file": upload(content)})
    assert response.context["result"].ok
    first = Organization.objects.get(name="导入测试企业1")
    assert first.region == village
    assert first.principal_phone == "13912345678"
    assert first.employee_count == 12
    assert set(first.industries.values_list("code", flat=True)) == {"gas", "construction"}
    assert Organization.objects.get(name="导入测试企业2").kind == "place"


@pytest.mark.django_db
def test_one_bad_credit_code_saves_nothing_and_names_row_and_column(login, demo):
    village = org_of(demo["village1"]).region
    rows = [good_row(village.code, n) for n in range(1, 5)]
    rows[2] = good_row(village.code, 3, 统一社会信用代码=bad_code("91141127MA0TKMP03"))
    client = login("township")  # logging in is itself audited
    before = Organization.objects.count()
    audit_before = AuditRecord.objects.count()
    response = client.post(URL, {"file": upload(workbook_bytes(rows))})
    assert response.status_code == 400
    errors = response.context["result"].errors
    assert len(errors) == 1
    assert errors[0].row == 4  # header is row 1; the third data row is Excel row 4
    assert errors[0].column == "统一社会信用代码"
    assert "校验码" in errors[0].message
    assert Organization.objects.count() == before
    assert AuditRecord.objects.count() == audit_before
    body = response.content.decode()
    assert 'data-testid="import-errors"' in body
    assert "统一社会信用代码" in body


@pytest.mark.django_db
def test_row_errors_in_the_files_own_terms(login, demo):
    village = org_of(demo["village1"]).region
    rows = [
        good_row(village.code, 1, 类型="工厂"),
        good_row("999999999999", 2),
        good_row(village.code, 3, 行业="养殖"),
        good_row(village.code, 4, 重点企业="可能"),
        good_row(village.code, 5, 负责人手机="123"),
        good_row(village.code, 6, 统一社会信用代码=valid_code("91141127MA0TKMP05")),
        row(类型="企业"),
    ]
    response = login("township").post(URL, {"file": upload(workbook_bytes(rows))})
    found = {(e.row, e.column) for e in response.context["result"].errors}
    assert (2, "类型") in found
    assert (3, "所在村/乡") in found
    assert (4, "行业") in found
    assert (5, "重点企业") in found
    assert (6, "负责人手机") in found
    assert (7, "统一社会信用代码") in found  # the same code as row 6
    assert (8, "名称") in found
    assert not Organization.objects.filter(name__startswith="导入测试企业").exists()


@pytest.mark.django_db
def test_existing_credit_code_is_refused(login, demo):
    village = org_of(demo["village1"]).region
    taken = org_of(demo["ent1"]).credit_code
    response = login("township").post(
        URL, {"file": upload(workbook_bytes([good_row(village.code, 1, 统一社会信用代码=taken)]))}
    )
    errors = response.context["result"].errors
    assert [(e.row, e.column) for e in errors] == [(2, "统一社会信用代码")]


@pytest.mark.django_db
def test_region_outside_scope_is_an_error(login, demo):
    # A division code that exists in the database but not in the importer's scope.
    from anpai.regions.models import Region

    outside = Region.objects.create(
        code="141127999000", name="外乡", level=2, parent=Region.objects.get(code="141127000000")
    )
    response = login("township").post(
        URL, {"file": upload(workbook_bytes([good_row(outside.code, 1)]))}
    )
    errors = response.context["result"].errors
    assert [(e.row, e.column) for e in errors] == [(2, "所在村/乡")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("orgs.csv", b"a,b,c\n1,2,3\n"),
        ("orgs.xlsx", b"this is not a workbook"),
        ("orgs.xlsx", b"PK\x03\x04broken zip"),
    ],
)
def test_non_xlsx_upload_is_a_clear_error(login, name, content):
    response = login("township").post(URL, {"file": upload(content, name)})
    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    assert 'data-testid="error-file"' in response.content.decode()


@pytest.mark.django_db
def test_missing_header_and_empty_file(login):
    client = login("township")
    workbook = Workbook()
    workbook.active.append(["foo", "bar"])
    out = BytesIO()
    workbook.save(out)
    response = client.post(URL, {"file": upload(out.getvalue())})
    assert response.context["result"].errors
    response = client.post(URL, {"file": upload(workbook_bytes([]))})
    assert response.context["result"].errors


@pytest.mark.django_db
def test_row_limit(login, demo, settings):
    settings.ANPAI_IMPORT_MAX_ROWS = 2
    village = org_of(demo["village1"]).region
    rows = [good_row(village.code, n) for n in range(1, 4)]
    response = login("township").post(URL, {"file": upload(workbook_bytes(rows))})
    errors = response.context["result"].errors
    assert len(errors) == 1
    assert "2" in errors[0].message
    assert not Organization.objects.filter(name__startswith="导入测试企业").exists()


@pytest.mark.django_db
def test_file_size_limit(login, settings):
    settings.ANPAI_IMPORT_MAX_BYTES = 100
    response = login("township").post(URL, {"file": upload(workbook_bytes([]))})
    assert response.status_code == 400
    assert response.context["form"].errors["file"]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["ent1", "county", "village1", "leader"])
def test_import_needs_the_import_permission(login, persona):
    client = login(persona)
    assert client.get(URL).status_code == 403
    assert client.get(TEMPLATE).status_code == 403

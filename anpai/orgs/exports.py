"""xlsx files of the registry: the filtered export and the import template.

Both use :data:`anpai.orgs.resources.COLUMNS`, so a column is named, ordered
and sized in one place.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from datetime import date

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from anpai.core import access
from anpai.core.validators import credit_code_check_char
from anpai.core.xlsx import safe
from anpai.orgs.forms import region_scope
from anpai.orgs.models import Industry, Organization
from anpai.orgs.resources import (
    COLUMNS,
    IMPORT_COLUMNS,
    KIND_NAMES,
    NO,
    STATUS_NAMES,
    YES,
)
from anpai.regions.choices import RegionLevel

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 1000
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F3A5F")
REQUIRED_FILL = PatternFill("solid", fgColor="B3261E")


def scope_title(user) -> str:
    """The places a user's scope covers, for a file title (西槽头乡, or 文水县)."""
    names: list[str] = []
    for membership in access.memberships(user):
        org = membership.organization
        region = org.township or org.region
        if region.name not in names:
            names.append(region.name)
    return "、".join(names)


def export_workbook(queryset, *, user) -> tuple[tempfile.SpooledTemporaryFile, int]:
    """Write ``queryset`` (restricted, filtered, ``with_list_related``) to an xlsx file.

    Rows stream from the database in chunks with their industries prefetched
    per chunk, and openpyxl's write-only mode keeps memory flat however many
    organisations there are. Returns the rewound file and the row count.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("组织名录")
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "B3"  # title and header rows, and the name column

    title = WriteOnlyCell(
        sheet, f"{scope_title(user)} 组织名录（导出日期 {timezone.localdate():%Y-%m-%d}）"
    )
    title.font = Font(bold=True, size=13)
    sheet.append([title])
    sheet.append([_header_cell(sheet, c.header) for c in COLUMNS])
    count = 0
    rows = queryset.iterator(chunk_size=CHUNK)
    for org in rows:
        # Names and addresses are typed by users: never let one run as a formula.
        sheet.append([safe(sheet, column.value(org)) for column in COLUMNS])
        count += 1
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (returned open)
    workbook.save(out)
    out.seek(0)
    return out, count


def _header_cell(sheet, text: str, fill: PatternFill = HEADER_FILL) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, text)
    cell.font = HEADER_FONT
    cell.fill = fill
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    return cell


def _example_credit_code() -> str:
    """A valid code for the example row that no organisation has yet."""
    for n in range(1000):
        body = f"91141127MA0T{n:04d}X"
        code = body + credit_code_check_char(body)
        if not Organization.objects.filter(credit_code=code).exists():
            return code
    return ""


def import_template(user) -> Workbook:
    """The import template: a header row with an example row, an instructions
    sheet, and the industries and regions the user may use."""
    regions = list(region_scope(user, access.ADD))
    industries = list(Industry.objects.filter(is_active=True))
    example_region = next((r for r in regions if r.level == RegionLevel.VILLAGE), None) or (
        regions[0] if regions else None
    )
    examples = {
        "credit_code": _example_credit_code(),
        "region": example_region.code if example_region else "",
        "industries": "、".join(i.name for i in industries[:2]),
    }

    industry_names = "、".join(i.name for i in industries)

    def allowed(column) -> str:
        return industry_names if column.field == "industries" else column.allowed

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "组织"
    for index, column in enumerate(IMPORT_COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = HEADER_FONT
        cell.fill = REQUIRED_FILL if column.required else HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.comment = Comment(f"{column.help}\n{allowed(column)}".strip(), "anpai")
        example = examples.get(column.field or "", column.example)
        value_cell = sheet.cell(row=2, column=index, value=example)
        if column.field in {
            "credit_code",
            "region",
            "phone",
            "principal_phone",
            "safety_contact_phone",
        }:
            value_cell.number_format = "@"  # text: keep leading zeros and long digits
    sheet.freeze_panes = "B2"
    _validations(sheet)

    help_sheet = workbook.create_sheet("填写说明")
    help_sheet.append(["列名", "是否必填", "说明", "可填的值"])
    for cell in help_sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for column in IMPORT_COLUMNS:
        help_sheet.append(
            [column.header, "必填" if column.required else "选填", column.help, allowed(column)]
        )
    help_sheet.append([])
    for line in (
        "第1行是列名，请勿修改；第2行是示例，导入前请改成实际数据或删除。",
        "任何一行有错误时，整个文件都不会导入；请按页面给出的行号和列名改正后重新上传。",
        "红色列名为必填列。企业必须填写统一社会信用代码。",
    ):
        help_sheet.append([line])
    for letter, width in zip("ABCD", (18, 10, 50, 40), strict=True):
        help_sheet.column_dimensions[letter].width = width
    for row in help_sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    region_sheet = workbook.create_sheet("村乡代码")
    region_sheet.append(["区划代码", "名称", "级别", "所属"])
    for cell in region_sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for region in regions:
        region_sheet.append(
            [
                region.code,
                region.name,
                str(_level_name(region.level)),
                region.parent.name if region.parent_id else "",
            ]
        )
    for letter, width in zip("ABCD", (16, 20, 8, 16), strict=True):
        region_sheet.column_dimensions[letter].width = width
    return workbook


LEVEL_NAMES = {RegionLevel.COUNTY: "县", RegionLevel.TOWNSHIP: "乡镇", RegionLevel.VILLAGE: "村"}


def _level_name(level: int) -> str:
    return LEVEL_NAMES[RegionLevel(level)]


def _validations(sheet) -> None:
    """Drop-down lists for the choice columns (typing still works in WPS and Excel)."""
    lists: dict[str, Iterable[str]] = {
        "kind": KIND_NAMES.values(),
        "status": STATUS_NAMES.values(),
        "is_key": (YES, NO),
        "is_crowded": (YES, NO),
        "is_sensitive": (YES, NO),
        "is_mixed": (YES, NO),
    }
    for index, column in enumerate(IMPORT_COLUMNS, start=1):
        values = lists.get(column.field or "")
        if values is None:
            continue
        validation = DataValidation(
            type="list", formula1='"' + ",".join(values) + '"', allow_blank=True
        )
        validation.error = "请从下拉列表中选择：" + "、".join(values)
        validation.showErrorMessage = True
        letter = get_column_letter(index)
        validation.add(f"{letter}2:{letter}5001")
        sheet.add_data_validation(validation)


def export_filename(today: date | None = None) -> str:
    return f"orgs-{(today or timezone.localdate()):%Y%m%d}.xlsx"

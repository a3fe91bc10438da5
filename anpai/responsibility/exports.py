"""xlsx exports of the leaders' lists: the overview (one row per leader) and every item.

Column headers and the Chinese names of lists, categories and states are the file
format the township files, not UI text: they stay Chinese in every interface
language (as the risk control list's do). Both run a constant number of queries.
"""

from __future__ import annotations

import tempfile
from typing import Any

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from anpai.audit.log import append
from anpai.audit.models import AuditAction
from anpai.core import access
from anpai.core.xlsx import XLSX_TYPE, header_cell, safe
from anpai.responsibility.actions import RESOURCE
from anpai.responsibility.choices import ItemStatus, ListKind, MatterCategory
from anpai.responsibility.models import ListItem
from anpai.responsibility.overview import LeaderRow, overview

KIND_NAMES = {
    ListKind.DUTY: "职责清单",
    ListKind.TASK: "任务清单",
    ListKind.MATTERS: "办实事解难题清单",
}
STATUS_NAMES = {
    ItemStatus.NOT_STARTED: "未开始",
    ItemStatus.IN_PROGRESS: "推进中",
    ItemStatus.DONE: "已完成",
}
CATEGORY_NAMES = {
    MatterCategory.LEADERSHIP: "领导班子",
    MatterCategory.STAFFING: "干部队伍",
    MatterCategory.DUTIES: "监管职责",
    MatterCategory.ENFORCEMENT: "执法力量",
    MatterCategory.FUNDING: "经费保障",
    MatterCategory.EQUIPMENT: "执法装备",
    MatterCategory.INFORMATION: "信息化建设",
    MatterCategory.OTHER: "其他",
}

OVERVIEW_HEADERS = [
    ("单位", 28),
    ("姓名", 12),
    ("职务", 18),
    *((f"{KIND_NAMES[k]}（完成/总数）", 16) for k in ListKind.values),
    ("总体进度（%）", 12),
    ("检视履职", 30),
]
ITEM_HEADERS = [
    ("单位", 28),
    ("姓名", 12),
    ("职务", 18),
    ("清单", 16),
    ("序号", 6),
    ("事项", 50),
    ("类别", 12),
    ("完成时限", 12),
    ("状态", 10),
    ("进度（%）", 10),
    ("进展情况", 40),
    ("更新时间", 18),
]


def review_text(row: LeaderRow) -> str:
    if row.submitted:
        return "；".join(
            f"{r.period}已提交（{timezone.localtime(r.submitted_at):%Y-%m-%d}）"
            for r in row.submitted
        )
    if row.drafts:
        return "未提交（草稿）"
    return "未提交"


def _sheet(title: str, subtitle: str, headers: list[tuple[str, int]]):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for index, (_name, width) in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A4"
    cell = WriteOnlyCell(sheet, safe(sheet, title))
    cell.font = Font(bold=True, size=14)
    sheet.append([cell])
    sheet.append([safe(sheet, subtitle)])
    sheet.append([header_cell(sheet, name) for name, _width in headers])
    return workbook, sheet


def _respond(workbook, filename: str, *, what: str, rows: int, filters: dict[str, Any]):
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (returned open)
    workbook.save(out)
    out.seek(0)
    append(
        AuditAction.EXPORT,
        object_type=RESOURCE,
        object_repr=f"{what}（{rows}条）",
        after={"filters": filters, "rows": rows, "format": "xlsx"},
    )
    return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


def overview_response(user, year: int, organization=None, filters=None) -> FileResponse:
    """The overview for ``year`` as xlsx: one row per leader."""
    rows = [r for r in overview(user, access.EXPORT, year, organization) if r.has_lists]
    where = organization.name if organization is not None else ""
    today = timezone.localdate()
    title = f"{where}{year}年领导干部安全生产责任清单落实情况".strip()
    workbook, sheet = _sheet(title, f"导出日期：{today:%Y-%m-%d}", OVERVIEW_HEADERS)
    for row in rows:
        cells = [row.organization_name, row.leader_name, row.post]
        for cell in row.lists:
            cells.append(f"{cell.done}/{cell.total}" if cell.exists else "—")
        cells += [row.percent, review_text(row)]
        sheet.append([safe(sheet, v) for v in cells])
    return _respond(
        workbook,
        f"责任清单落实情况-{year}-{today:%Y%m%d}.xlsx",
        what=f"{year}年责任清单落实情况",
        rows=len(rows),
        filters=filters or {},
    )


def items_response(user, year: int, organization=None, filters=None) -> FileResponse:
    """Every item of the leaders' lists for ``year`` as xlsx."""
    items = (
        ListItem.objects.restrict(user, access.EXPORT)
        .filter(list__year=year)
        .select_related("list__organization", "list__leader")
        .order_by("list__organization__name", "list__leader__full_name", "list__kind", "order")
    )
    if organization is not None:
        items = items.filter(list__organization=organization)
    today = timezone.localdate()
    title = f"{year}年领导干部安全生产责任清单事项"
    workbook, sheet = _sheet(title, f"导出日期：{today:%Y-%m-%d}", ITEM_HEADERS)
    count = 0
    for item in items.iterator(chunk_size=500):
        the_list = item.list
        count += 1
        values = [
            the_list.organization.name,
            the_list.leader.full_name or the_list.leader.username,
            the_list.post,
            KIND_NAMES.get(the_list.kind, the_list.kind),
            item.order,
            item.text,
            CATEGORY_NAMES.get(item.category, ""),
            item.due_on.isoformat() if item.due_on else "",
            STATUS_NAMES.get(item.status, item.status),
            item.progress,
            item.progress_note,
            f"{timezone.localtime(item.updated_at):%Y-%m-%d %H:%M}" if item.updated_at else "",
        ]
        sheet.append([safe(sheet, v) for v in values])
    return _respond(
        workbook,
        f"责任清单事项-{year}-{today:%Y%m%d}.xlsx",
        what=f"{year}年责任清单事项",
        rows=count,
        filters=filters or {},
    )

"""The risk control list (风险管控清单): its rows for the page, and the xlsx export.

One row per risk point that carries control measures, in the order an
inspector reads it: organisation, level (most severe first), code. The
columns are defined once, in :data:`COLUMNS`, for the page's header and the
workbook. Column headers and the Chinese names of levels, kinds and accident
types are the file format inspectors expect, not UI text: they stay Chinese in
every interface language (as the rectification ledger's do).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, QuerySet, Value, When
from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from anpai.audit.log import append
from anpai.audit.models import AuditAction
from anpai.core import access
from anpai.core.xlsx import XLSX_TYPE, header_cell, safe
from anpai.orgs.exports import scope_title
from anpai.orgs.models import Organization
from anpai.risks.choices import (
    FILL,
    INK,
    LEVEL_COLOUR,
    LEVEL_ORDER,
    AccidentType,
    ControlLevel,
    MeasureKind,
    PointKind,
    RiskLevel,
)
from anpai.risks.models import ControlMeasure, RiskPoint

RESOURCE = "risks.riskpoint"
SHEET = "风险管控清单"

LEVEL_NAMES: dict[str, str] = {
    RiskLevel.MAJOR: "重大风险",
    RiskLevel.SIGNIFICANT: "较大风险",
    RiskLevel.GENERAL: "一般风险",
    RiskLevel.LOW: "低风险",
}
COLOUR_NAMES: dict[str, str] = {
    RiskLevel.MAJOR: "红",
    RiskLevel.SIGNIFICANT: "橙",
    RiskLevel.GENERAL: "黄",
    RiskLevel.LOW: "蓝",
}
CONTROL_NAMES: dict[str, str] = {
    ControlLevel.COMPANY: "公司级",
    ControlLevel.DEPARTMENT: "部门（车间）级",
    ControlLevel.TEAM: "班组级",
    ControlLevel.POST: "岗位级",
}
KIND_NAMES: dict[str, str] = {
    PointKind.AREA: "区域/场所",
    PointKind.EQUIPMENT: "设备设施",
    PointKind.POST: "岗位",
    PointKind.OPERATION: "作业活动",
}
MEASURE_NAMES: dict[str, str] = {
    MeasureKind.ENGINEERING: "工程技术措施",
    MeasureKind.MANAGEMENT: "管理措施",
    MeasureKind.TRAINING: "培训教育措施",
    MeasureKind.PPE: "个体防护措施",
    MeasureKind.EMERGENCY: "应急处置措施",
}
ACCIDENT_NAMES: dict[str, str] = {
    AccidentType.STRUCK: "物体打击",
    AccidentType.VEHICLE: "车辆伤害",
    AccidentType.MACHINERY: "机械伤害",
    AccidentType.LIFTING: "起重伤害",
    AccidentType.ELECTRIC: "触电",
    AccidentType.DROWNING: "淹溺",
    AccidentType.BURN: "灼烫",
    AccidentType.FIRE: "火灾",
    AccidentType.FALL: "高处坠落",
    AccidentType.COLLAPSE: "坍塌",
    AccidentType.ROOF_FALL: "冒顶片帮",
    AccidentType.FLOODING: "透水",
    AccidentType.BLASTING: "放炮",
    AccidentType.EXPLOSIVES: "火药爆炸",
    AccidentType.GAS_EXPLOSION: "瓦斯爆炸",
    AccidentType.BOILER: "锅炉爆炸",
    AccidentType.VESSEL: "容器爆炸",
    AccidentType.OTHER_EXPLOSION: "其他爆炸",
    AccidentType.POISONING: "中毒和窒息",
    AccidentType.OTHER: "其他伤害",
}
MEASURE_KINDS: list[str] = [str(k) for k in MeasureKind.values]


# ---------------------------------------------------------------- rows


def active_measures() -> QuerySet[ControlMeasure]:
    return (
        ControlMeasure.objects.filter(is_active=True)
        .select_related("responsible_user", "check_user")
        .order_by("position", "id")
    )


def control_points(user: Any, action: str, organization: Organization | None = None) -> QuerySet:
    """The active risk points ``user`` may ``action`` that carry control measures, in list order.

    A constant number of queries however many points: the points with their
    organisation and responsible person, then every point's measures at once.
    """
    has_measures = Exists(ControlMeasure.objects.filter(point=OuterRef("pk"), is_active=True))
    rank = Case(
        *(When(level=level, then=Value(i)) for i, level in enumerate(LEVEL_ORDER)),
        default=Value(len(LEVEL_ORDER)),
        output_field=IntegerField(),
    )
    points = RiskPoint.objects.restrict(user, action).active().filter(has_measures)
    if organization is not None:
        points = points.filter(organization=organization)
    return (
        points.select_related("organization__region", "responsible_user")
        .prefetch_related(Prefetch("measures", queryset=active_measures(), to_attr="live_measures"))
        .annotate(level_rank=rank)
        .order_by("organization__name", "organization_id", "level_rank", "code", "id")
    )


def points_without_measures(
    user: Any, action: str, organization: Organization | None = None
) -> int:
    """How many active points in scope have no control measure yet (the list's gap)."""
    has_measures = Exists(ControlMeasure.objects.filter(point=OuterRef("pk"), is_active=True))
    points = RiskPoint.objects.restrict(user, action).active().exclude(has_measures)
    if organization is not None:
        points = points.filter(organization=organization)
    return points.count()


def measures_by_kind(point: RiskPoint) -> dict[str, list[ControlMeasure]]:
    """The point's measures (prefetched as ``live_measures``) per kind, in the kinds' order."""
    grouped: dict[str, list[ControlMeasure]] = {kind: [] for kind in MEASURE_KINDS}
    for measure in getattr(point, "live_measures", None) or []:
        grouped.setdefault(measure.kind, []).append(measure)
    return grouped


def responsible(point: RiskPoint) -> str:
    if point.responsible_user_id and point.responsible_user is not None:
        name = point.responsible_user.get_full_name()
    else:
        name = point.responsible_name
    return f"{name} {point.responsible_phone}".strip() if name else point.responsible_phone


@dataclass
class Group:
    """The rows of one organisation on the page."""

    organization: Organization
    points: list[RiskPoint] = field(default_factory=list)


def grouped(points: Iterable[RiskPoint]) -> list[Group]:
    """Points (in list order) grouped by organisation, each with its measures by kind."""
    groups: list[Group] = []
    for point in points:
        by_kind = measures_by_kind(point)
        # For the page: every kind's column, in order (measures, if any).
        point.by_kind = [  # type: ignore[attr-defined]
            {"kind": kind, "label": MeasureKind(kind).label, "measures": by_kind[kind]}
            for kind in MEASURE_KINDS
        ]
        if not groups or groups[-1].organization.pk != point.organization_id:
            groups.append(Group(point.organization))
        groups[-1].points.append(point)
    return groups


# ---------------------------------------------------------------- the workbook


def _measure_text(measures: list[ControlMeasure]) -> str:
    lines = []
    for i, m in enumerate(measures, start=1):
        who = f"（责任人：{m.responsible}）" if m.responsible else ""
        lines.append(f"{i}. {m.text}{who}" if len(measures) > 1 else f"{m.text}{who}")
    return "\n".join(lines)


def _measures_of(kind: str) -> Callable[[RiskPoint], str]:
    def cell(point: RiskPoint) -> str:
        return _measure_text(measures_by_kind(point)[kind])

    return cell


def _level(point: RiskPoint) -> str:
    if not point.level:
        return "未评估"
    return f"{LEVEL_NAMES[point.level]}（{COLOUR_NAMES[point.level]}）"


@dataclass(frozen=True)
class Column:
    """One column: its header, width (characters) and the cell for a point."""

    header: str
    width: int
    value: Callable[[RiskPoint], Any]


ORG_COLUMN = Column("单位名称", 26, lambda p: p.organization.name)
COLUMNS: list[Column] = [
    Column("风险点名称", 18, lambda p: f"{p.code} {p.name}".strip()),
    Column("类型", 10, lambda p: KIND_NAMES.get(p.kind, p.kind)),
    Column("危险源/风险描述", 30, lambda p: p.hazard_sources),
    Column("所在位置", 16, lambda p: p.location),
    Column("风险等级", 12, _level),
    Column(
        "可能导致的事故类型",
        18,
        lambda p: "、".join(ACCIDENT_NAMES.get(t, t) for t in p.accident_types),
    ),
    *(Column(MEASURE_NAMES[kind], 30, _measures_of(kind)) for kind in MEASURE_KINDS),
    Column("管控层级", 12, lambda p: CONTROL_NAMES.get(p.control_level, "")),
    Column("责任部门", 14, lambda p: p.department),
    Column("责任人", 16, responsible),
]
LEVEL_HEADER = "风险等级"
TITLE_ROWS = 2  # the title and the date line, above the header row


def columns(with_org: bool) -> list[Column]:
    return [ORG_COLUMN, *COLUMNS] if with_org else list(COLUMNS)


def title_for(user: Any, organization: Organization | None) -> str:
    where = organization.name if organization is not None else scope_title(user)
    return f"{where} 风险分级管控清单".strip()


def filename(organization: Organization | None, today: date | None = None) -> str:
    day = f"{(today or timezone.localdate()):%Y%m%d}"
    return (
        f"风险管控清单-{organization.name}-{day}.xlsx"
        if organization
        else f"风险管控清单-{day}.xlsx"
    )


def _wrapped(sheet: Any, value: Any) -> Any:
    """A body cell: formula-safe (see :func:`anpai.core.xlsx.safe`), wrapped, top-aligned."""
    value = safe(sheet, value)
    cell = value if isinstance(value, Cell) else WriteOnlyCell(sheet, value)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def write_control_list(
    points: Iterable[RiskPoint], out: IO[bytes], *, title: str, subtitle: str, with_org: bool
) -> int:
    """Write the control list to ``out``: a title row, the date line, the header row
    (frozen with the point's name), widths, one row per point. Returns the row count."""
    cols = columns(with_org)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET)
    widths = [6, *(c.width for c in cols)]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    # The header rows stay in view; so do 序号 and the point's name when scrolling right.
    first_free = 3 + (1 if with_org else 0)
    sheet.freeze_panes = f"{get_column_letter(first_free)}{TITLE_ROWS + 2}"

    title_cell = WriteOnlyCell(sheet, safe(sheet, title))
    title_cell.font = Font(bold=True, size=14)
    sheet.append([title_cell])
    sheet.append([safe(sheet, subtitle)])
    sheet.append([header_cell(sheet, "序号"), *(header_cell(sheet, c.header) for c in cols)])

    level_at = next(i for i, c in enumerate(cols) if c.header == LEVEL_HEADER)
    count = 0
    for seq, point in enumerate(points, start=1):
        cells = [_wrapped(sheet, seq), *(_wrapped(sheet, c.value(point)) for c in cols)]
        if point.level:
            colour = LEVEL_COLOUR[RiskLevel(point.level)]
            level_cell = cells[level_at + 1]
            level_cell.fill = PatternFill("solid", fgColor=FILL[colour].lstrip("#").upper())
            level_cell.font = Font(bold=True, color=INK[colour].lstrip("#").upper())
        sheet.append(cells)
        count += 1
    workbook.save(out)
    return count


def export_response(
    user: Any, organization: Organization | None, filters: dict[str, list[str]]
) -> FileResponse:
    """The control list of ``user``'s exportable points (of ``organization``, else all) as
    xlsx, recorded in the audit trail with the filters and the row count."""
    points = control_points(user, access.EXPORT, organization)
    with_org = organization is None
    today = timezone.localdate()
    subtitle = f"导出日期：{today:%Y-%m-%d}"
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (returned open)
    written = write_control_list(
        _iterate(points),
        out,
        title=title_for(user, organization),
        subtitle=subtitle,
        with_org=with_org,
    )
    out.seek(0)
    append(
        AuditAction.EXPORT,
        object_type=RESOURCE,
        object_repr=f"风险管控清单（{written}条）",
        after={"filters": filters, "rows": written, "format": "xlsx"},
    )
    return FileResponse(
        out, as_attachment=True, filename=filename(organization, today), content_type=XLSX_TYPE
    )


def _iterate(points: QuerySet) -> Iterator[RiskPoint]:
    # The measures are prefetched per point set; a list is read once, in order.
    yield from points

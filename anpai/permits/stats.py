"""Permit statistics per organisation (作业票统计), and the link that reports work found
without a permit (无票特殊作业) as a hazard.

For a date range (default: this year) and every organisation in the user's
scope that had permits or violations in it: the permits by type and level,
how many are in progress now, completed, cancelled and expired (the validity
ended before completion), and the hazards of category ``work_without_permit``
found in the range (violations; a voided report is not one). Refusals are not
recorded anywhere and so are not counted.

A permit belongs to the range when its planned window overlaps it, exactly as
the permit list's ``date_from``/``date_to`` filter selects (the same
filterset does it), so every count links to the list showing those permits.
Three queries whatever the number of organisations and permits.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, QuerySet
from django.http import FileResponse, QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell as XlCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from anpai.audit.log import append
from anpai.audit.models import AuditAction
from anpai.core import access
from anpai.core.xlsx import XLSX_TYPE, header_cell, safe
from anpai.hazards.choices import HazardState
from anpai.hazards.models import Hazard
from anpai.orgs.exports import scope_title
from anpai.orgs.models import Organization
from anpai.permits import rules as R
from anpai.permits.choices import PermitState, PermitType
from anpai.permits.filtersets import PermitFilterSet
from anpai.permits.models import Permit

RESOURCE = "permits.permit"
VIOLATION = "work_without_permit"
# The states counted apart, in the table's order.
STATE_COLUMNS = (
    PermitState.IN_PROGRESS,
    PermitState.COMPLETED,
    PermitState.CANCELLED,
    PermitState.EXPIRED,
)
MIN_YEAR, MAX_YEAR = 1900, 2999  # dates outside are typing errors
# A violation is any report of the category except one voided as mistaken.
VIOLATION_STATES = tuple(s for s in HazardState.values if s != HazardState.VOIDED)


def report_url(org: Organization | int | None = None) -> str:
    """The hazard report form with the category 无票特殊作业 chosen (and the organisation)."""
    params: dict[str, Any] = {"category": VIOLATION}
    if org is not None:
        params["organization"] = org.pk if isinstance(org, Organization) else int(org)
    return f"{reverse('hazards:create')}?{urlencode(params)}"


def may_report(user: Any) -> bool:
    """Whether ``user`` may report a hazard anywhere (so the link is worth showing)."""
    return access.can(user, "hazards.hazard", access.ADD)


def own_organization(user: Any) -> Organization | None:
    """The one organisation an enterprise's staff report for; None for government staff,
    who choose the organisation on the form."""
    orgs = {
        m.organization_id: m.organization
        for m in access.memberships(user)
        if access.ROLE_SCOPE.get(m.role) == access.OWN
    }
    return next(iter(orgs.values())) if len(orgs) == 1 else None


# ---------------------------------------------------------------- the range


def date_range(get: QueryDict | dict[str, str]) -> tuple[date, date, list[str]]:
    """``from``/``to`` (or the list's ``date_from``/``date_to``), default this year, and errors."""
    today = timezone.localdate()
    default = (date(today.year, 1, 1), date(today.year, 12, 31))
    start, end = default
    errors: list[str] = []
    for names, label in ((("from", "date_from"), _("From")), (("to", "date_to"), _("To"))):
        raw = next((str(get.get(n, "")).strip() for n in names if get.get(n)), "")
        if not raw:
            continue
        try:
            day = date.fromisoformat(raw)
            if not MIN_YEAR <= day.year <= MAX_YEAR:  # 9999-12-31 + 1 day overflows
                raise ValueError(raw)
        except ValueError:
            errors.append(
                _("%(field)s must be a date like 2024-01-31; showing this year.") % {"field": label}
            )
            return (*default, errors)
        if names[0] == "from":
            start = day
        else:
            end = day
    if end < start:
        errors.append(_("“To” is before “From”; showing this year instead."))
        return (*default, errors)
    return start, end, errors


# ---------------------------------------------------------------- the counts


def list_url(start: date, end: date, **filters: Any) -> str:
    """The permit list filtered to what a count counts (organisation, type, level, state)."""
    try:
        base = reverse("permits:list")
    except NoReverseMatch:  # the list page is another part of the app
        base = "/permits/"
    params = {k: v for k, v in filters.items() if v not in (None, "")}
    params.update(date_from=start.isoformat(), date_to=end.isoformat())
    return f"{base}?{urlencode(params)}"


def hazards_url(start: date, end: date, organization: int | None = None) -> str:
    """The hazard list showing the violations counted (voided reports left out)."""
    params: list[tuple[str, Any]] = [("category", VIOLATION)]
    if organization is not None:
        params.append(("organization", organization))
    params += [("state", s) for s in VIOLATION_STATES]
    params += [("found_after", start.isoformat()), ("found_before", end.isoformat())]
    return f"{reverse('hazards:list')}?{urlencode(params)}"


@dataclass
class Cell:
    """A count and the list that shows what it counts."""

    n: int = 0
    url: str = ""


@dataclass
class TypeCell:
    """A type's count with its levels' counts (only levels that occur)."""

    total: Cell = field(default_factory=Cell)
    levels: list[tuple[str, Cell]] = field(default_factory=list)


@dataclass
class Row:
    organization_id: int | None
    name: str
    types: list[TypeCell] = field(default_factory=list)
    states: list[Cell] = field(default_factory=list)
    violations: Cell = field(default_factory=Cell)
    total: Cell = field(default_factory=Cell)


def level_names() -> dict[tuple[str, str], str]:
    """(type, level code) → the level's name in the default rules (codes never change)."""
    return {
        (t["code"], lv["code"]): R.text(lv) for t in R.defaults()["types"] for lv in t["levels"]
    }


def level_order() -> dict[tuple[str, str], int]:
    return {
        (t["code"], lv["code"]): i
        for t in R.defaults()["types"]
        for i, lv in enumerate(t["levels"])
    }


def permits_in_range(user: Any, action: str, start: date, end: date) -> QuerySet[Permit]:
    """The permits ``user`` may ``action`` whose planned window overlaps the range."""
    base = Permit.objects.restrict(user, action)
    data = {"date_from": start.isoformat(), "date_to": end.isoformat()}
    return PermitFilterSet(data=data, queryset=base).qs


def violations_in_range(user: Any, action: str, start: date, end: date) -> QuerySet[Hazard]:
    hazard_action = access.VIEW if action == access.VIEW else access.EXPORT
    return Hazard.objects.restrict(user, hazard_action).filter(
        category__code=VIOLATION,
        state__in=VIOLATION_STATES,
        found_at__date__gte=start,
        found_at__date__lte=end,
    )


def permit_stats(user: Any, start: date, end: date, *, action: str = access.VIEW) -> dict[str, Any]:
    """The table: one row per organisation with permits or violations in the range, and totals.

    Two aggregate queries (permits by organisation, type, level and state;
    violations by organisation) however many rows.
    """
    grouped = (
        permits_in_range(user, action, start, end)
        .values("organization_id", "organization__name", "type", "level", "state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    violations = (
        violations_in_range(user, action, start, end)
        .values("organization_id", "organization__name")
        .annotate(n=Count("pk"))
        .order_by()
    )
    types = list(PermitType.values)
    names = level_names()
    order = level_order()
    graded = {code for code in types if sum(1 for key in names if key[0] == code) > 1}

    counts: dict[int, dict[str, Any]] = {}

    def org(pk: int, name: str) -> dict[str, Any]:
        return counts.setdefault(
            pk, {"name": name, "types": {}, "levels": {}, "states": {}, "violations": 0, "n": 0}
        )

    for row in grouped:
        o = org(row["organization_id"], row["organization__name"])
        n = row["n"]
        o["n"] += n
        o["types"][row["type"]] = o["types"].get(row["type"], 0) + n
        key = (row["type"], row["level"])
        o["levels"][key] = o["levels"].get(key, 0) + n
        o["states"][row["state"]] = o["states"].get(row["state"], 0) + n
    for row in violations:
        org(row["organization_id"], row["organization__name"])["violations"] = row["n"]

    def make_row(pk: int | None, name: str, c: dict[str, Any]) -> Row:
        def link(**filters: Any) -> str:
            return list_url(start, end, organization=pk, **filters)

        type_cells = []
        for code in types:
            levels = sorted(
                (key for key in c["levels"] if key[0] == code), key=lambda k: order.get(k, 99)
            )
            cell = TypeCell(
                total=Cell(c["types"].get(code, 0), link(type=code)),
                levels=[
                    (
                        names.get(key, key[1]),
                        Cell(c["levels"][key], link(type=code, level=key[1])),
                    )
                    for key in levels
                    if code in graded  # a type with one level needs no breakdown
                ],
            )
            type_cells.append(cell)
        return Row(
            organization_id=pk,
            name=name,
            types=type_cells,
            states=[Cell(c["states"].get(s, 0), link(state=s)) for s in STATE_COLUMNS],
            violations=Cell(c["violations"], hazards_url(start, end, pk)),
            total=Cell(c["n"], link()),
        )

    rows = [make_row(pk, c["name"], c) for pk, c in counts.items()]
    rows.sort(key=lambda r: (-r.total.n, -r.violations.n, r.name))

    total: dict[str, Any] = {"types": {}, "levels": {}, "states": {}, "violations": 0, "n": 0}
    for c in counts.values():
        total["n"] += c["n"]
        total["violations"] += c["violations"]
        for key in ("types", "levels", "states"):
            for k, v in c[key].items():
                total[key][k] = total[key].get(k, 0) + v
    totals = make_row(None, _("Total"), total)
    return {
        "rows": rows,
        "totals": totals,
        "types": [(code, PermitType(code).label) for code in types],
        "states": [(s, PermitState(s).label) for s in STATE_COLUMNS],
        "start": start,
        "end": end,
    }


# ---------------------------------------------------------------- the workbook


SHEET = "作业票统计"


def _level_text(cell: TypeCell) -> str:
    return "，".join(f"{name} {c.n}" for name, c in cell.levels)


def write_stats(data: dict[str, Any], out: io.BytesIO | Any, *, title: str) -> int:
    """The table as a workbook: title, range, header, one row per organisation, totals.

    Per type two columns: the count and its levels (e.g. 特级 1，一级 2). Every
    text cell is formula-safe (:func:`anpai.core.xlsx.safe`). Returns the row count.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET)
    header = [_("Organisation")]
    for _code, label in data["types"]:
        header += [str(label), _("%(type)s by level") % {"type": label}]
    header += [str(label) for _s, label in data["states"]]
    header += [_("Work without a permit (hazards)"), _("Total permits")]
    widths = [28] + [8, 16] * len(data["types"]) + [10] * (len(data["states"]) + 2)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "B4"
    title_cell = WriteOnlyCell(sheet, safe(sheet, title))
    title_cell.font = Font(bold=True, size=14)
    sheet.append([title_cell])
    sheet.append(
        [
            safe(
                sheet,
                _("Planned between %(start)s and %(end)s; exported %(today)s")
                % {
                    "start": data["start"].isoformat(),
                    "end": data["end"].isoformat(),
                    "today": timezone.localdate().isoformat(),
                },
            )
        ]
    )
    sheet.append([header_cell(sheet, str(h)) for h in header])

    def line(row: Row) -> list[Any]:
        cells: list[Any] = [safe(sheet, row.name)]
        for cell in row.types:
            cells += [cell.total.n, safe(sheet, _level_text(cell))]
        cells += [c.n for c in row.states]
        cells += [row.violations.n, row.total.n]
        return cells

    for row in data["rows"]:
        sheet.append(line(row))
    bold = Font(bold=True)
    totals = []
    for value in line(data["totals"]):
        cell = value if isinstance(value, XlCell) else WriteOnlyCell(sheet, value)
        cell.font = bold
        totals.append(cell)
    sheet.append(totals)
    workbook.save(out)
    return len(data["rows"])


def filename(start: date, end: date) -> str:
    return f"作业票统计-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"


def export_response(user: Any, start: date, end: date) -> FileResponse:
    """The statistics of what ``user`` may export, as xlsx, recorded in the audit trail."""
    data = permit_stats(user, start, end, action=access.EXPORT)
    out = io.BytesIO()
    title = f"{scope_title(user)} {SHEET}".strip()
    rows = write_stats(data, out, title=title)
    out.seek(0)
    append(
        AuditAction.EXPORT,
        object_type=RESOURCE,
        object_repr=f"{SHEET}（{rows}个单位）",
        after={
            "from": start.isoformat(),
            "to": end.isoformat(),
            "rows": rows,
            "format": "xlsx",
        },
    )
    return FileResponse(
        out, as_attachment=True, filename=filename(start, end), content_type=XLSX_TYPE
    )

"""Importing hazards found on paper from an xlsx workbook, and its template.

The same approach as the organisation import (:mod:`anpai.orgs.resources`):
read the workbook with openpyxl, check every row, report each problem with its
Excel row number and the column header, and save nothing unless every row is
valid. Each row is then saved through :func:`anpai.hazards.actions.report` in
one transaction, so numbering, history and notifications happen exactly as for
a hazard reported on a page.

Headers and the Chinese names of levels and sources are the file format:
fixed, so that a file filled in one interface language imports in the other.
"""

from __future__ import annotations

import itertools
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation

from anpai.audit.log import append
from anpai.audit.models import AuditAction
from anpai.core import access
from anpai.core.errors import ActionError
from anpai.core.xlsx import (
    HEADER_FILL,
    HEADER_FONT,
    REQUIRED_FILL,
    ImportResult,
    RowError,
    cell_text,
    choice_lookup,
    is_blank,
    open_sheet,
    read_header,
)
from anpai.hazards import actions
from anpai.hazards.choices import HazardLevel, HazardSource
from anpai.hazards.ledger import LEVEL_NAMES, SOURCE_NAMES
from anpai.hazards.models import Category, Hazard
from anpai.orgs.models import Organization

logger = logging.getLogger(__name__)

RESOURCE = "hazards.hazard"

# Other spellings people write on paper forms.
LEVEL_ALIASES = {"一般": HazardLevel.GENERAL, "重大": HazardLevel.MAJOR}
SOURCE_ALIASES = {
    "自查": HazardSource.SELF_INSPECTION,
    "自检": HazardSource.SELF_INSPECTION,
    "检查": HazardSource.GOV_INSPECTION,
    "执法检查": HazardSource.GOV_INSPECTION,
    "监督检查": HazardSource.GOV_INSPECTION,
    "联合执法": HazardSource.JOINT_CHECK,
    "联合检查": HazardSource.JOINT_CHECK,
    "暗查暗访": HazardSource.JOINT_CHECK,
    "突击检查": HazardSource.JOINT_CHECK,
    "巡查": HazardSource.VILLAGE_PATROL,
    "网格巡查": HazardSource.VILLAGE_PATROL,
    "举报": HazardSource.TIP_OFF,
    "举一反三": HazardSource.ACCIDENT_LESSON,
}
_DATE = re.compile(r"^(\d{4})\D{1,2}(\d{1,2})\D{1,2}(\d{1,2})\D?$")


@dataclass(frozen=True)
class Column:
    """One column of the import template."""

    key: str  # the header without its （…） explanation: how a file's column is found
    header: str  # as written in the template
    width: int
    required: bool
    help: str
    allowed: str = ""


COLUMNS: list[Column] = [
    Column("单位", "单位（名称或统一社会信用代码）", 30, True,
           "隐患所在的单位或场所：填全称，或18位统一社会信用代码（同名单位须填代码）。",
           "见“单位”工作表"),
    Column("隐患标题", "隐患标题", 24, True, "一句话概括隐患，200字以内。"),
    Column("隐患描述", "隐患描述", 40, True, "隐患的具体情况：位置、现状、违反的要求等。"),
    Column("类别", "类别", 16, True, "隐患类别。", "见下方类别列表"),
    Column("等级", "等级", 10, False, "一般隐患或重大隐患；空白视为一般隐患。",
           "、".join(LEVEL_NAMES.values())),
    Column("来源", "来源", 16, True, "隐患是怎样发现的。", "、".join(SOURCE_NAMES.values())),
    Column("部位", "部位", 16, False, "单位内的具体部位，如二车间、锅炉房；200字以内。"),
    Column("发现日期", "发现日期", 12, True, "发现隐患的日期，不能晚于今天。",
           "如 2024-01-05 或 2024/1/5"),
    Column("发现人", "发现人", 12, False, "发现隐患的人；空白时记为导入人。"),
]  # fmt: skip
KEYS = [c.key for c in COLUMNS]
REQUIRED = [c.key for c in COLUMNS if c.required]
# Which column an action's field error belongs to.
COLUMN_OF_FIELD = {
    "organization": "单位",
    "title": "隐患标题",
    "description": "隐患描述",
    "category": "类别",
    "level": "等级",
    "source": "来源",
    "place": "部位",
    "found_at": "发现日期",
    "finder": "发现人",
}
MAX_LENGTH = {"隐患标题": 200, "部位": 200, "发现人": 100}


@dataclass
class Row:
    """One valid row, ready for ``actions.report``."""

    excel_row: int
    values: dict[str, Any]


def import_organizations(user):
    """Organisations the user may report hazards for (the import's scope)."""
    q = access.scope_q(user, RESOURCE, access.ADD, org_path="")
    if q is None:
        return Organization.objects.none()
    return Organization.objects.filter(q)


class RowReader:
    """Turns one row's cells into ``report`` arguments, collecting per-column errors.

    Organisations, categories and the choice spellings are loaded once per file.
    """

    def __init__(self, user) -> None:
        self.user = user
        self.orgs_by_code: dict[str, Organization] = {}
        self.orgs_by_name: dict[str, list[Organization]] = {}
        for org in import_organizations(user).prefetch_related("industries"):
            if org.credit_code:
                self.orgs_by_code[org.credit_code.upper()] = org
            self.orgs_by_name.setdefault(org.name, []).append(org)
        self.categories: dict[str, Category] = {}
        for category in Category.objects.filter(is_active=True):
            for key in (category.name, category.code, category.name_en):
                if key:
                    self.categories.setdefault(key.lower(), category)
        self.category_names = "、".join(c.name for c in Category.objects.filter(is_active=True))
        self.levels = choice_lookup(LEVEL_NAMES, LEVEL_ALIASES, HazardLevel.choices)
        self.sources = choice_lookup(SOURCE_NAMES, SOURCE_ALIASES, HazardSource.choices)
        self.today = timezone.localdate()

    def read(self, cells: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """``report`` keyword arguments for one row, and its (column, message) errors."""
        values: dict[str, Any] = {}
        errors: list[tuple[str, str]] = []
        text = {key: cell_text(cells.get(key)) for key in KEYS}
        for key in REQUIRED:
            if not text[key]:
                errors.append((key, _("This column is required.")))
        for key, limit in MAX_LENGTH.items():
            if len(text[key]) > limit:
                errors.append(
                    (
                        key,
                        _("At most %(n)d characters (this has %(m)d).")
                        % {"n": limit, "m": len(text[key])},
                    )
                )

        if text["单位"]:
            values["organization"], message = self._organization(text["单位"])
            if message:
                errors.append(("单位", message))
        if text["类别"]:
            category = self.categories.get(text["类别"].lower())
            if category is None:
                errors.append(
                    (
                        "类别",
                        _("“%(value)s” is not a category. Use one of: %(allowed)s.")
                        % {"value": text["类别"], "allowed": self.category_names},
                    )
                )
            values["category"] = category
        level = self._choice(self.levels, text["等级"]) if text["等级"] else HazardLevel.GENERAL
        if level is None:
            errors.append(
                (
                    "等级",
                    _("“%(value)s” is not a level. Use one of: %(allowed)s.")
                    % {"value": text["等级"], "allowed": "、".join(LEVEL_NAMES.values())},
                )
            )
        values["level"] = level
        if text["来源"]:
            source = self._choice(self.sources, text["来源"])
            if source is None:
                errors.append(
                    (
                        "来源",
                        _("“%(value)s” is not a source. Use one of: %(allowed)s.")
                        % {"value": text["来源"], "allowed": "、".join(SOURCE_NAMES.values())},
                    )
                )
            values["source"] = source
        if text["发现日期"]:
            found, message = self._date(cells.get("发现日期"), text["发现日期"])
            if message:
                errors.append(("发现日期", message))
            values["found_at"] = found
        values.update(
            title=text["隐患标题"],
            description=text["隐患描述"],
            place=text["部位"],
            finder=text["发现人"],
        )
        org = values.get("organization")
        if org is not None:
            # A hazard takes its organisation's industry when that is unambiguous.
            industries = list(org.industries.all())
            values["industry"] = industries[0] if len(industries) == 1 else None
        return values, errors

    @staticmethod
    def _choice(table: dict[str, str], text: str) -> str | None:
        return table.get(text) or table.get(text.lower())

    def _organization(self, text: str) -> tuple[Organization | None, str]:
        org = self.orgs_by_code.get(text.upper())
        if org is not None:
            return org, ""
        matches = self.orgs_by_name.get(text, [])
        if len(matches) == 1:
            return matches[0], ""
        if len(matches) > 1:
            return None, _(
                "Several organisations are called “%(value)s”; enter the credit code instead."
            ) % {"value": text}
        # The same answer whether it does not exist or is outside the scope.
        return None, _(
            "“%(value)s” is not an organisation you may report hazards for (use its full name "
            "or credit code, as in the 单位 sheet of the template)."
        ) % {"value": text}

    def _date(self, raw: Any, text: str) -> tuple[date | None, str]:
        value: date | None = None
        if isinstance(raw, datetime):
            value = raw.date()
        elif isinstance(raw, date):
            value = raw
        elif isinstance(raw, int | float) and 20000 < raw < 80000:
            value = from_excel(raw).date()  # a date cell formatted as a number
        else:
            match = _DATE.match(text.replace(" ", ""))
            if match:
                try:
                    value = date(*(int(part) for part in match.groups()))
                except ValueError:
                    value = None
        if value is None:
            return None, _("“%(value)s” is not a date; write it as 2024-01-05.") % {"value": text}
        if value > self.today:
            return None, _("The date found cannot be in the future.")
        if value.year < 2000:
            return None, _("“%(value)s” is too long ago; check the year.") % {"value": text}
        return value, ""


def found_at(day: date) -> datetime:
    """A time for a date written on paper: noon that day, or now if that is today."""
    now = timezone.now()
    if day >= timezone.localdate(now):
        return now
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


def _validate(rows, header_row: int, positions: dict[str, int], user, result: ImportResult):
    max_rows = settings.ANPAI_IMPORT_MAX_ROWS
    reader = RowReader(user)
    valid: list[Row] = []
    for excel_row, row in enumerate(rows, start=header_row + 1):
        if is_blank(row):
            continue  # blank rows are spacing, not data
        result.rows += 1
        if result.rows > max_rows:
            result.errors = [
                RowError(
                    None,
                    "",
                    _("The file has more than %(max)d rows; import at most %(max)d at a time.")
                    % {"max": max_rows},
                )
            ]
            return []
        cells = {key: (row[pos] if pos < len(row) else None) for key, pos in positions.items()}
        values, errors = reader.read(cells)
        result.errors.extend(RowError(excel_row, column, message) for column, message in errors)
        if not errors:
            valid.append(Row(excel_row, values))
    return valid


class _Rollback(Exception):
    """Leaves the import's transaction so that nothing of it is kept."""


def run_import(upload, *, user, file_name: str = "") -> ImportResult:
    """Check every row of ``upload``; only if all are valid, report each hazard.

    All rows are saved in one transaction through ``actions.report`` (number,
    history, notifications after commit) with an ``import`` audit record; any
    refusal rolls the whole file back. Raises
    :class:`anpai.core.xlsx.ImportFileError` for a file that is not an xlsx.
    """
    result = ImportResult()
    workbook, sheet = open_sheet(upload)
    try:
        rows_iter = sheet.iter_rows(values_only=True)
        header_row, positions, first_rows = read_header(
            rows_iter,
            result,
            key="隐患标题",
            known=KEYS,
            required=REQUIRED,
            not_found=_(
                "No header row found: the first rows must contain the template's column "
                "headers (单位, 隐患标题, 隐患描述 …). Download the template and copy your "
                "data into it."
            ),
        )
        if result.errors:
            return result
        valid = _validate(
            itertools.chain(first_rows, rows_iter), header_row, positions, user, result
        )
    finally:
        workbook.close()
    if result.errors:
        return result
    if not valid:
        result.errors.append(RowError(None, "", _("The file has no data rows.")))
        return result
    created: list[Hazard] = []
    try:
        with transaction.atomic():
            for row in valid:
                values = dict(row.values)
                values["found_at"] = found_at(values["found_at"])
                try:
                    created.append(actions.report(by=user, **values))
                except ActionError as exc:
                    # Checked above; this is a change meanwhile (a role removed, say).
                    for name, messages in (exc.fields or {"": [exc.message]}).items():
                        column = COLUMN_OF_FIELD.get(name, "")
                        result.errors.extend(
                            RowError(row.excel_row, column, str(m)) for m in messages
                        )
                    raise _Rollback from exc
            append(
                AuditAction.IMPORT,
                object_type=RESOURCE,
                object_repr=(file_name or "xlsx")[:255],
                after={"rows": len(created), "file": file_name, "ids": [h.pk for h in created]},
            )
    except _Rollback:
        logger.info("hazard import refused while saving: %s", result.errors)
        return result
    result.created = created
    return result


# ---------------------------------------------------------------- the template


def import_template(user) -> Workbook:
    """The template: header and an example row, instructions, and the user's organisations."""
    orgs = list(
        import_organizations(user).select_related("region").order_by("region__code", "name")
    )
    categories = list(Category.objects.filter(is_active=True))
    example = {
        "单位": orgs[0].name if orgs else "",
        "隐患标题": "配电箱线路老化",
        "隐患描述": "二车间配电箱内电线绝缘层老化破损，未加装漏电保护器",
        "类别": categories[0].name if categories else "",
        "等级": LEVEL_NAMES[HazardLevel.GENERAL],
        "来源": SOURCE_NAMES[HazardSource.GOV_INSPECTION],
        "部位": "二车间",
        "发现日期": timezone.localdate(),
        "发现人": "张三",
    }
    category_names = "、".join(c.name for c in categories)

    def allowed(column: Column) -> str:
        return category_names if column.key == "类别" else column.allowed

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "隐患"
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = HEADER_FONT
        cell.fill = REQUIRED_FILL if column.required else HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.comment = Comment(f"{column.help}\n{allowed(column)}".strip(), "anpai")
        value_cell = sheet.cell(row=2, column=index, value=example[column.key])
        if column.key == "发现日期":
            value_cell.number_format = "yyyy-mm-dd"
        elif column.key == "单位":
            value_cell.number_format = "@"  # a credit code stays text
    sheet.freeze_panes = "A2"
    lists = {
        "类别": [c.name for c in categories],
        "等级": list(LEVEL_NAMES.values()),
        "来源": list(SOURCE_NAMES.values()),
    }
    for index, column in enumerate(COLUMNS, start=1):
        values = lists.get(column.key)
        if not values:
            continue
        validation = DataValidation(
            type="list", formula1='"' + ",".join(values) + '"', allow_blank=not column.required
        )
        validation.error = "请从下拉列表中选择：" + "、".join(values)
        validation.showErrorMessage = True
        letter = get_column_letter(index)
        validation.add(f"{letter}2:{letter}5001")
        sheet.add_data_validation(validation)

    help_sheet = workbook.create_sheet("填写说明")
    help_sheet.append(["列名", "是否必填", "说明", "可填的值"])
    for cell in help_sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for column in COLUMNS:
        help_sheet.append(
            [column.header, "必填" if column.required else "选填", column.help, allowed(column)]
        )
    help_sheet.append([])
    for line in (
        "第1行是列名，请勿修改；第2行是示例，导入前请改成实际数据或删除。",
        "每行一条隐患。任何一行有错误时，整个文件都不会导入；请按页面给出的行号和列名改正后重新上传。",
        "红色列名为必填列。导入的隐患状态为“已上报”，之后按正常流程定级、整改、验收。",
        "只能导入本人有权上报隐患的单位（见“单位”工作表）。",
    ):
        help_sheet.append([line])
    for letter, width in zip("ABCD", (26, 10, 50, 40), strict=True):
        help_sheet.column_dimensions[letter].width = width
    for row in help_sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    org_sheet = workbook.create_sheet("单位")
    org_sheet.append(["单位名称", "统一社会信用代码", "所在村/乡"])
    for cell in org_sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for org in orgs:
        org_sheet.append([org.name, org.credit_code or "", org.region.name])
        for cell in org_sheet[org_sheet.max_row]:
            if cell.data_type == "f":  # a name starting with "=" is text, never a formula
                cell.data_type = "s"
    for letter, width in zip("ABC", (36, 22, 14), strict=True):
        org_sheet.column_dimensions[letter].width = width
    return workbook

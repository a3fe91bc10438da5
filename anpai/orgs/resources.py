"""The organisation registry as a table: the columns of the xlsx import template
and of the export (defined once, here), and the import itself.

The import reads the workbook with openpyxl and validates each row through
:class:`anpai.orgs.forms.OrganizationForm` — the same form, scope and model
``full_clean`` as the edit page — so a row is refused for exactly the reasons
the page would refuse it, and each error is reported with its Excel row
number and the Chinese column header. Nothing is saved unless every row is
valid. (django-import-export's ``Resource`` was the alternative; the form
loop reuses the page's region scoping and reports errors per column header
without translating field names back.)

Column headers and the Chinese names of kinds and statuses are the file
format, not UI text: they are fixed so that a file made in one language
imports in the other.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from anpai.audit.log import append
from anpai.audit.models import AuditAction
from anpai.core import access
from anpai.core.xlsx import (
    NO,
    YES,
    ImportResult,
    RowError,
    cell_text,
    choice_lookup,
    is_blank,
    open_sheet,
    read_header,
)
from anpai.core.xlsx import (
    ImportFileError as ImportFileError,  # raised by run_import; the page catches it
)
from anpai.orgs.choices import OrgKind, OrgStatus
from anpai.orgs.forms import OrganizationForm, region_scope
from anpai.orgs.models import Industry, Organization

logger = logging.getLogger(__name__)

KIND_NAMES: dict[str, str] = {
    OrgKind.ENTERPRISE: "企业",
    OrgKind.PLACE: "场所",
    OrgKind.VILLAGE: "村委会",
    OrgKind.DEPARTMENT: "部门/站所",
    OrgKind.TOWNSHIP: "乡镇政府",
    OrgKind.COUNTY: "县级部门",
}
STATUS_NAMES: dict[str, str] = {
    OrgStatus.OPERATING: "正常经营",
    OrgStatus.SUSPENDED: "停产停业",
    OrgStatus.CLOSED: "关闭",
}
# Other spellings people type for a status.
STATUS_ALIASES: dict[str, str] = {
    "正常": OrgStatus.OPERATING,
    "在营": OrgStatus.OPERATING,
    "营业": OrgStatus.OPERATING,
    "停产": OrgStatus.SUSPENDED,
    "停业": OrgStatus.SUSPENDED,
    "停用": OrgStatus.SUSPENDED,
    "注销": OrgStatus.CLOSED,
    "取缔": OrgStatus.CLOSED,
}
_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "有"}
_FALSE = {"否", "n", "no", "false", "0", "×", "无", ""}
# 、 and commas separate industries; "/" does not (消防安全/人员密集场所 is one).
_LIST_SPLIT = re.compile(r"[、,，;；\n]+")


def yes_no(value: bool) -> str:
    return YES if value else NO


@dataclass(frozen=True)
class Column:
    """One column of the registry table.

    ``field`` is the form field a cell fills on import (None: export only);
    ``value`` gives the exported cell for an organisation (loaded with
    ``with_list_related``); ``help`` and ``allowed`` explain it on the
    template's instructions sheet.
    """

    header: str
    field: str | None
    value: Callable[[Organization], Any]
    width: int = 14
    required: bool = False
    help: str = ""
    allowed: str = ""
    example: Any = ""


def _industries(org: Organization) -> str:
    return "、".join(i.name for i in org.industries.all())


def _township(org: Organization) -> str:
    township = org.township
    return township.name if township else ""


YES_NO = "是、否（空白视为否）"
COLUMNS: list[Column] = [
    Column("名称", "name", lambda o: o.name, width=30, required=True,
           help="单位或场所的全称。", example="示例：西槽头乡某某建材有限公司"),
    Column("类型", "kind", lambda o: KIND_NAMES.get(o.kind, o.kind), width=10, required=True,
           help="单位的类型。", allowed="、".join(KIND_NAMES.values()), example="企业"),
    Column("统一社会信用代码", "credit_code", lambda o: o.credit_code or "", width=22,
           help="18位，含校验位；企业必填，其他类型可空。",
           allowed="数字和大写字母（不含 I、O、S、V、Z）"),
    Column("乡镇", None, _township, width=12, help="仅导出时给出，导入时忽略。"),
    Column("所在村/乡", "region", lambda o: o.region.name, width=14, required=True,
           help="所在村的名称或12位区划代码；单位在乡一级时填乡的名称或代码。",
           allowed="见“村乡代码”工作表"),
    Column("区划代码", None, lambda o: o.region.code, width=15,
           help="仅导出时给出，导入时忽略（导入请填在“所在村/乡”列）。"),
    Column("行业", "industries", _industries, width=24,
           help="所属行业领域，可填多个，用顿号（、）或逗号分隔。", allowed="见下方行业列表"),
    Column("重点企业", "is_key", lambda o: yes_no(o.is_key), width=10,
           help="是否重点企业。", allowed=YES_NO, example=YES),
    Column("人员密集场所", "is_crowded", lambda o: yes_no(o.is_crowded), width=12,
           help="是否人员密集场所。", allowed=YES_NO, example=NO),
    Column("敏感特殊场所", "is_sensitive", lambda o: yes_no(o.is_sensitive), width=12,
           help="是否敏感特殊场所。", allowed=YES_NO, example=NO),
    Column("混合生产经营场所", "is_mixed", lambda o: yes_no(o.is_mixed), width=14,
           help="是否“三合一”等生产、经营、住宿混合场所。", allowed=YES_NO, example=NO),
    Column("状态", "status", lambda o: STATUS_NAMES.get(o.status, o.status), width=10,
           help="经营状态；空白视为正常经营。", allowed="、".join(STATUS_NAMES.values()),
           example=STATUS_NAMES[OrgStatus.OPERATING]),
    Column("地址", "address", lambda o: o.address, width=30,
           help="详细地址。", example="西槽头乡示例村工业路1号"),
    Column("纬度", "latitude", lambda o: o.latitude, width=11,
           help="十进制度数，如 37.43。", allowed="-90 至 90"),
    Column("经度", "longitude", lambda o: o.longitude, width=11,
           help="十进制度数，如 112.02。", allowed="-180 至 180"),
    Column("单位电话", "phone", lambda o: o.phone, width=15,
           help="手机号或带区号的固定电话。", allowed="如 13912345678 或 0358-1234567",
           example="0358-1234567"),
    Column("主要负责人", "principal_name", lambda o: o.principal_name, width=12,
           help="主要负责人姓名。", example="张三"),
    Column("负责人手机", "principal_phone", lambda o: o.principal_phone, width=14,
           help="主要负责人的11位手机号。", allowed="如 13912345678", example="13912345678"),
    Column("安全管理人员", "safety_contact_name", lambda o: o.safety_contact_name, width=12,
           help="安全管理人员姓名。", example="李四"),
    Column("安全管理人员手机", "safety_contact_phone", lambda o: o.safety_contact_phone,
           width=16, help="安全管理人员的11位手机号。", allowed="如 13812345678",
           example="13812345678"),
    Column("从业人数", "employee_count", lambda o: o.employee_count, width=10,
           help="从业人员数量（整数）。", allowed="0 或正整数", example=25),
    Column("备注", "notes", lambda o: o.notes, width=30, help="其他说明。"),
]  # fmt: skip
IMPORT_COLUMNS = [c for c in COLUMNS if c.field]
HEADER_OF_FIELD = {c.field: c.header for c in IMPORT_COLUMNS}
REQUIRED_HEADERS = [c.header for c in IMPORT_COLUMNS if c.required]


class RowReader:
    """Turns one row's cells into form data, collecting per-column parse errors.

    Regions and industries are loaded once for the whole file.
    """

    def __init__(self, user) -> None:
        self.regions = list(region_scope(user, access.ADD))
        self.by_code = {r.code: r for r in self.regions}
        self.by_name: dict[str, list] = {}
        for region in self.regions:
            self.by_name.setdefault(region.name, []).append(region)
        self.industries: dict[str, int] = {}
        parts: dict[str, list[int]] = {}
        for ind in Industry.objects.filter(is_active=True):
            for key in (ind.name, ind.code, ind.name_en):
                if key:
                    self.industries[key.lower()] = ind.pk
            for part in ind.name.split("/"):
                parts.setdefault(part, []).append(ind.pk)
        for part, ids in parts.items():  # "消防安全" alone means 消防安全/人员密集场所
            if len(ids) == 1:
                self.industries.setdefault(part.lower(), ids[0])
        self.kinds = choice_lookup(KIND_NAMES, {}, OrgKind.choices)
        self.statuses = choice_lookup(STATUS_NAMES, STATUS_ALIASES, OrgStatus.choices)

    def read(self, cells: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """Form data for one row and the (column, message) errors found while parsing."""
        data: dict[str, Any] = {}
        errors: list[tuple[str, str]] = []
        for col in IMPORT_COLUMNS:
            raw = cells.get(col.header)
            text = cell_text(raw)
            name = col.field or ""
            if name == "kind":
                value = self.kinds.get(text) or self.kinds.get(text.lower())
                if text and value is None:
                    errors.append(
                        (
                            col.header,
                            _("“%(value)s” is not a kind. Use one of: %(allowed)s.")
                            % {"value": text, "allowed": col.allowed},
                        )
                    )
                data[name] = value or ""
            elif name == "status":
                value = self.statuses.get(text) or self.statuses.get(text.lower())
                if text and value is None:
                    errors.append(
                        (
                            col.header,
                            _("“%(value)s” is not a status. Use one of: %(allowed)s.")
                            % {"value": text, "allowed": col.allowed},
                        )
                    )
                data[name] = value or OrgStatus.OPERATING
            elif name == "region":
                data[name], message = self._region(text)
                if message:
                    errors.append((col.header, message))
            elif name == "industries":
                ids: list[int] = []
                for part in filter(None, (p.strip() for p in _LIST_SPLIT.split(text))):
                    pk = self.industries.get(part.lower())
                    if pk is None:
                        errors.append(
                            (
                                col.header,
                                _("“%(value)s” is not an industry in the list.") % {"value": part},
                            )
                        )
                    elif pk not in ids:
                        ids.append(pk)
                data[name] = ids
            elif name.startswith("is_"):
                if text.lower() in _TRUE:
                    data[name] = True
                elif text.lower() not in _FALSE:
                    errors.append(
                        (
                            col.header,
                            _("Enter 是 (yes) or 否 (no), not “%(value)s”.") % {"value": text},
                        )
                    )
            else:
                data[name] = text
        return data, errors

    def _region(self, text: str) -> tuple[int | None, str]:
        if not text:
            return None, ""  # the form reports the required field
        region = self.by_code.get(text)
        if region is None:
            matches = self.by_name.get(text, [])
            if len(matches) > 1:
                return None, _(
                    "“%(value)s” names several places; enter the division code: %(codes)s."
                ) % {"value": text, "codes": "、".join(r.code for r in matches)}
            region = matches[0] if matches else None
        if region is None:
            return None, _(
                "“%(value)s” is not a village or township where you may add "
                "organisations (use a name or 12-digit code from the 村乡代码 sheet)."
            ) % {"value": text}
        return region.pk, ""


def _read_header(rows_iter, result: ImportResult) -> tuple[int, dict[str, int], list[tuple]]:
    """Find the header row within the first five; returns its Excel row number, the
    position of each known column, and any data rows read past it."""
    return read_header(
        rows_iter,
        result,
        key="名称",
        known={c.header for c in COLUMNS},
        required=REQUIRED_HEADERS,
        not_found=_(
            "No header row found: the first rows must contain the template's column "
            "headers (名称, 类型, 所在村/乡 …). Download the template and copy your data "
            "into it."
        ),
    )


def _validate_rows(
    rows, header_row: int, positions: dict[str, int], user, result: ImportResult
) -> list[OrganizationForm]:
    """A bound, validated form per non-blank row; errors go to ``result``."""
    max_rows = settings.ANPAI_IMPORT_MAX_ROWS
    reader = RowReader(user)
    regions = region_scope(user, access.ADD)
    industries = Industry.objects.filter(is_active=True)
    forms: list[OrganizationForm] = []
    seen_codes: dict[str, int] = {}
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
        cells = {name: (row[pos] if pos < len(row) else None) for name, pos in positions.items()}
        data, parse_errors = reader.read(cells)
        result.errors.extend(RowError(excel_row, col, msg) for col, msg in parse_errors)
        form = OrganizationForm(data, user=user, regions=regions, industries=industries)
        if not form.is_valid():
            explained = {col for col, _msg in parse_errors}
            for name, messages in form.errors.items():
                column = HEADER_OF_FIELD.get(name, "")
                if column not in explained:  # else already said in the file's own terms
                    result.errors.extend(RowError(excel_row, column, str(m)) for m in messages)
        # Two rows with one code would each pass the database's uniqueness check.
        code = str(data.get("credit_code") or "").strip().upper()
        if code and "credit_code" not in form.errors:
            if code in seen_codes:
                result.errors.append(
                    RowError(
                        excel_row,
                        "统一社会信用代码",
                        _("The same credit code is already on row %(row)d of this file.")
                        % {"row": seen_codes[code]},
                    )
                )
            seen_codes.setdefault(code, excel_row)
        forms.append(form)
    return forms


def run_import(upload, *, user, file_name: str = "") -> ImportResult:
    """Validate every row of ``upload`` and, only if all are valid, create the
    organisations in one transaction with an ``import`` audit record.

    Raises :class:`ImportFileError` when the upload is not a readable xlsx.
    """
    result = ImportResult()
    workbook, sheet = open_sheet(upload)
    try:
        rows_iter = sheet.iter_rows(values_only=True)
        header_row, positions, first_rows = _read_header(rows_iter, result)
        if result.errors:
            return result
        rows = itertools.chain(first_rows, rows_iter)
        forms = _validate_rows(rows, header_row, positions, user, result)
    finally:
        workbook.close()
    if result.errors:
        return result
    if not forms:
        result.errors.append(RowError(None, "", _("The file has no data rows.")))
        return result
    try:
        with transaction.atomic():
            result.created = [form.save() for form in forms]
            append(
                AuditAction.IMPORT,
                object_type="orgs.organization",
                object_repr=(file_name or "xlsx")[:255],
                after={
                    "rows": len(result.created),
                    "file": file_name,
                    "ids": [o.pk for o in result.created],
                },
            )
    except IntegrityError:
        # Someone registered the same credit code between validation and saving.
        logger.warning("organisation import hit a constraint", exc_info=True)
        result.created = []
        result.errors.append(
            RowError(
                None,
                "统一社会信用代码",
                _(
                    "An organisation with one of these credit codes was registered meanwhile; "
                    "nothing was imported. Upload the file again to see which row."
                ),
            )
        )
    return result

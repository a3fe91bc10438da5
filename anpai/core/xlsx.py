"""Helpers shared by every xlsx import and export (organisations, hazards …).

Imports: reading an uploaded workbook, finding its header row, turning cells
into text, and reporting problems by Excel row number and column header.
Exports: header styling, the download file name, and escaping cells against
formula injection.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import override
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill

logger = logging.getLogger(__name__)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F3A5F")
REQUIRED_FILL = PatternFill("solid", fgColor="B3261E")
HEADER_SEARCH_ROWS = 5
YES, NO = "是", "否"

# A text cell starting with one of these is a formula to Excel (=), or to a
# spreadsheet that re-reads the data as CSV (+ - @, tab, carriage return).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class RowError:
    """One problem in an uploaded file: Excel row number, column header, message."""

    row: int | None
    column: str
    message: str


@dataclass
class ImportResult:
    """The outcome of an import: every problem found, the data rows read, what was created."""

    errors: list[RowError] = field(default_factory=list)
    rows: int = 0
    created: list[Any] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportFileError(Exception):
    """The upload is not a workbook an import can read at all."""


def cell_text(value: Any) -> str:
    """A cell as text: Excel stores 13912345678 as the number 13912345678.0."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value).strip()


def choice_lookup(
    names: Mapping[str, str], aliases: Mapping[str, str], choices: Iterable[tuple[str, Any]]
) -> dict[str, str]:
    """Every accepted spelling of a choice → its value: the file's Chinese name,
    other spellings people type, the stored value, and the label in each
    interface language (lower-cased; look up ``text`` and ``text.lower()``)."""
    table = {name: value for value, name in names.items()}
    table.update(aliases)
    for value, label in choices:
        table[value] = value
        for lang in ("en", "zh-hans"):
            with override(lang):
                table.setdefault(str(label).lower(), value)
    return table


def norm_header(value: Any) -> str:
    """A header cell as the column's key: without *, spaces and a （…） explanation."""
    text = cell_text(value).replace("*", "").replace(" ", "").replace("\u3000", "")
    return re.split(r"[（(]", text, maxsplit=1)[0]


def is_blank(row: tuple | None) -> bool:
    return row is None or all(cell_text(v) == "" for v in row)


def open_sheet(upload):
    """The workbook (read-only) and its first worksheet, or :class:`ImportFileError`."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a non-xlsx file
        logger.info("unreadable import upload: %r", exc)
        raise ImportFileError(
            _(
                "This file could not be read as an Excel .xlsx workbook. Save it from Excel or "
                "WPS as “Excel workbook (.xlsx)” and upload it again."
            )
        ) from None
    if not workbook.worksheets:
        raise ImportFileError(_("The workbook has no worksheet."))
    return workbook, workbook.worksheets[0]


def find_header(rows: list[tuple], key: str) -> int | None:
    """Index of the first row that has the ``key`` column header."""
    for index, row in enumerate(rows):
        if key in {norm_header(v) for v in row}:
            return index
    return None


def read_header(
    rows_iter: Iterator[tuple],
    result: ImportResult,
    *,
    key: str,
    known: Iterable[str],
    required: Iterable[str],
    not_found: str,
) -> tuple[int, dict[str, int], list[tuple]]:
    """Find the header row (the one with ``key``) within the first five rows.

    Returns its Excel row number, the position of each ``known`` column and any
    data rows read past it; problems (no header, a required column missing, a
    column twice) go to ``result.errors``.
    """
    head: list[tuple] = []
    for row in rows_iter:
        head.append(row)
        if len(head) >= HEADER_SEARCH_ROWS or find_header(head[-1:], key) is not None:
            break
    index = find_header(head, key)
    if index is None:
        result.errors.append(RowError(None, key, not_found))
        return 0, {}, []
    header_row = index + 1  # Excel numbers rows from 1
    known = set(known)
    positions: dict[str, int] = {}
    for pos, value in enumerate(head[index]):
        name = norm_header(value)
        if name in known:
            if name in positions:
                result.errors.append(RowError(header_row, name, _("This column appears twice.")))
            positions[name] = pos
    for name in required:
        if name not in positions:
            result.errors.append(
                RowError(
                    header_row, name, _("The column is missing. Keep the template's header row.")
                )
            )
    return header_row, positions, head[index + 1 :]


def header_cell(sheet, text: str, fill: PatternFill = HEADER_FILL) -> WriteOnlyCell:
    """A styled header cell for a write-only sheet."""
    cell = WriteOnlyCell(sheet, text)
    cell.font = HEADER_FONT
    cell.fill = fill
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    return cell


def safe(sheet, value: Any) -> Any:
    """``value`` ready for a write-only row, never evaluated as a formula.

    openpyxl turns a string starting with ``=`` into a formula; a spreadsheet
    re-reading the data as CSV does the same with ``+ - @``. Such a string is
    written as a text cell with Excel's quote prefix — what typing ``'=…``
    in Excel stores — so it shows exactly as entered and is never run.
    Control characters, which the xlsx format cannot hold, are dropped.
    """
    if not isinstance(value, str):
        return value
    if ILLEGAL_CHARACTERS_RE.search(value):
        # Control characters pasted from elsewhere make openpyxl refuse the row.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(FORMULA_PREFIXES):
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell
    return value

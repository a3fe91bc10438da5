"""An official document (:class:`anpai.enforcement.render.Sheet`) drawn as an A4 PDF.

Reportlab with the CJK font of :func:`anpai.inspections.pdf.cjk_font`; built in
invariant mode (fixed dates and file id), so the same document gives the same
bytes. Every page is numbered 第 n 页 共 m 页; later pages repeat the number at
the top; a cancelled document has a large red 作废 across every page.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib import textsplit as rl_textsplit
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import paragraph as rl_paragraph

from anpai.enforcement.render import BLANK_DATE, CERTIFICATE, DATE_LABEL, Sheet
from anpai.inspections.pdf import cjk_font

PAGE_W, PAGE_H = A4
MARGIN_X = 25 * mm
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 22 * mm
WIDTH = PAGE_W - 2 * MARGIN_X
FRAME_PAD = 6  # reportlab's frames pad their content by 6 pt on every side
RED = colors.HexColor("#C00000")
GREY = colors.HexColor("#666666")
LINE = colors.HexColor("#333333")
BODY = 13  # pt (between 小四 and 四号)
LEADING = 22


# Chinese line breaking (避头): reportlab lets a full-width comma, colon, semicolon … start
# a line; they are added to the characters that hang at the end of the line instead.
_CANNOT_START = "，：；！？、。）》」』】〕〉”’％"
for _module in (rl_paragraph, rl_textsplit):
    _module.ALL_CANNOT_START += "".join(
        ch for ch in _CANNOT_START if ch not in _module.ALL_CANNOT_START
    )


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle(
        "base", fontName=font, fontSize=BODY, leading=LEADING, wordWrap="CJK", alignment=TA_LEFT
    )
    return {
        "plain": base,
        "body": ParagraphStyle("body", parent=base, firstLineIndent=2 * BODY, alignment=TA_JUSTIFY),
        "label": ParagraphStyle("label", parent=base, spaceBefore=2 * mm),
        "number": ParagraphStyle("number", parent=base, alignment=TA_RIGHT, spaceAfter=3 * mm),
        "cancelled": ParagraphStyle(
            "cancelled", parent=base, textColor=RED, fontSize=12, leading=18, spaceAfter=2 * mm
        ),
        "addressee": ParagraphStyle("addressee", parent=base, spaceBefore=1 * mm),
        "detail": ParagraphStyle("detail", parent=base, fontSize=11.5, leading=17),
        "small": ParagraphStyle(
            "small", parent=base, fontSize=11, leading=18, firstLineIndent=2 * 11
        ),
        "sign": ParagraphStyle("sign", parent=base, fontSize=12.5, leading=16),
        "cell": ParagraphStyle("cell", parent=base, fontSize=11, leading=15),
        "heading": ParagraphStyle(
            "heading", parent=base, fontSize=14, leading=20, alignment=TA_CENTER, spaceAfter=1 * mm
        ),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    # Paragraph collapses white space: keep an ideographic space's width with no-break ones.
    return Paragraph(escape(text).replace("\n", "<br/>").replace("\u3000", "\u00a0" * 2), style)


class Centred(Flowable):
    """One centred line (the authority's name, the title), shrunk to fit, optionally bold."""

    def __init__(
        self,
        text: str,
        *,
        font: str,
        size: float,
        color: Any = colors.black,
        bold: bool = False,
        spacing: float = 0,
        space_after: float = 0,
    ) -> None:
        super().__init__()
        self.text, self.font, self.color, self.bold = text, font, color, bold
        self.spacing = spacing
        self.size = size
        self.space_after = space_after
        while self.size > 10 and self._text_width() > WIDTH:
            self.size -= 0.5

    def _text_width(self) -> float:
        gaps = max(len(self.text) - 1, 0) * self.spacing
        return stringWidth(self.text, self.font, self.size) + gaps

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return avail_width, self.size * 1.45 + self.space_after

    def draw(self) -> None:
        c = self.canv
        c.saveState()
        c.setFillColor(self.color)
        c.setStrokeColor(self.color)
        text = c.beginText()
        text.setFont(self.font, self.size)
        text.setCharSpace(self.spacing)
        if self.bold:
            text.setTextRenderMode(2)
            c.setLineWidth(self.size * 0.035)
        x = (self.width - self._text_width()) / 2
        text.setTextOrigin(x, self.space_after + self.size * 0.35)
        text.textOut(self.text)
        c.drawText(text)
        c.restoreState()


class Seal(Flowable):
    """The authority's name and the date bottom right, under a dashed circle for the seal."""

    RADIUS = 20 * mm

    def __init__(self, authority: str, issued: str, font: str) -> None:
        super().__init__()
        self.authority, self.issued, self.font = authority, issued, font

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        self.height = 2 * self.RADIUS + 1 * mm
        return avail_width, self.height

    def draw(self) -> None:
        c = self.canv
        size = BODY
        date_w = stringWidth(self.issued, self.font, size)
        auth_size = size
        while auth_size > 9 and stringWidth(self.authority, self.font, auth_size) > self.width:
            auth_size -= 0.5
        auth_w = stringWidth(self.authority, self.font, auth_size)
        # The date ends two characters from the right margin; the name is centred over it.
        cx = self.width - 2 * size - date_w / 2
        cx = max(min(cx, self.width - auth_w / 2), auth_w / 2)
        cy = self.height / 2
        c.saveState()
        c.setStrokeColor(RED)
        c.setLineWidth(0.8)
        c.setDash(4, 3)
        c.circle(cx, cy, self.RADIUS, stroke=1, fill=0)
        c.setDash()
        c.setFillColor(colors.HexColor("#B06060"))
        c.setFont(self.font, 9)
        c.drawCentredString(cx, cy + self.RADIUS - 9 * mm, "（印章）")
        c.setFillColor(colors.black)
        c.setFont(self.font, auth_size)
        c.drawCentredString(cx, cy + 1.5 * mm, self.authority)
        c.setFont(self.font, size)
        c.drawCentredString(cx, cy - 7.5 * mm, self.issued)
        c.restoreState()


def _canvas_class(sheet: Sheet, font: str) -> type[Canvas]:
    """A canvas that numbers pages 第 n 页 共 m 页 and stamps 作废 when cancelled."""

    class DocumentCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for index, state in enumerate(self._pages, 1):
                self.__dict__.update(state)
                self._decorate(index, total)
                super().showPage()
            super().save()

        def _decorate(self, page: int, total: int) -> None:
            self.saveState()
            self.setFont(font, 9.5)
            self.setFillColor(GREY)
            self.drawCentredString(PAGE_W / 2, 12 * mm, f"第 {page} 页  共 {total} 页")
            if page > 1:
                self.drawRightString(
                    PAGE_W - MARGIN_X, PAGE_H - 13 * mm, f"{sheet.title}  {sheet.number}"
                )
            if sheet.is_cancelled:
                self.setFillColor(RED)
                self.setFillAlpha(0.28)
                self.setStrokeColor(RED)
                self.setStrokeAlpha(0.28)
                self.translate(PAGE_W / 2, PAGE_H / 2)
                self.rotate(45)
                self.setFont(font, 150)
                self.drawCentredString(0, -50, "作废")
            self.restoreState()

    return DocumentCanvas


TABLE_COLS = [36 * mm, 46 * mm, 34 * mm, 44 * mm]  # label, value, label, value


def _table(rows: list[list[tuple[str, str]]], st: dict[str, ParagraphStyle]) -> Table:
    """The record's grid: four columns; a single pair's value spans the other three."""
    cells: list[list[Any]] = []
    commands: list[Any] = [
        ("GRID", (0, 0), (-1, -1), 0.6, LINE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    for r, pairs in enumerate(rows):
        row: list[Any] = []
        for label, value in pairs:
            row += [_p(label, st["cell"]), _p(value, st["cell"])]
        if len(pairs) == 1:
            row += ["", ""]
            commands.append(("SPAN", (1, r), (3, r)))
        cells.append(row)
    table = Table(cells, colWidths=TABLE_COLS)
    table.setStyle(TableStyle(commands))
    return table


def _sign_rows(rows: list[list[str]], width: float, st: dict[str, ParagraphStyle]) -> Table:
    """Rows of label, blank, second label, blank: the blanks are ruled lines to write on.

    The first and third columns fit their longest text; the blanks share the rest."""
    style = st["sign"]
    pad = 3

    def fit(col: int) -> float:
        return max(stringWidth(r[col], style.fontName, style.fontSize) for r in rows) + 2 * pad

    label_w, second_w = fit(0), fit(2)
    last_w = fit(3) if all(r[3] for r in rows) else 0
    blank = (width - label_w - second_w - last_w) / (1 if last_w else 2)
    widths = [label_w, blank, second_w, last_w or blank]
    table = Table(
        [[_p(text, style) for text in row] for row in rows],
        colWidths=widths,
        rowHeights=[LEADING + 8] * len(rows),
        hAlign="LEFT",
    )
    commands: list[Any] = [
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), pad),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LINEBELOW", (1, 0), (1, -1), 0.6, LINE),
    ]
    if not last_w:
        commands.append(("LINEBELOW", (3, 0), (3, -1), 0.6, LINE))
    table.setStyle(TableStyle(commands))
    return table


SEAL_W = 70 * mm  # the right-hand part of the closing: authority, date, seal


def _signers(sheet: Sheet, st: dict[str, ParagraphStyle], width: float) -> Table:
    """Each officer: 签名 and 证号 on ruled lines, the labels' colons aligned."""
    style = st["sign"]
    right = ParagraphStyle("sign-right", parent=style, alignment=TA_RIGHT)
    rows: list[list[Any]] = []
    for label in sheet.signers:
        rows += [[_p(label, right), ""], [_p(CERTIFICATE, right), ""]]
    label_w = max(stringWidth(t, style.fontName, style.fontSize) for t in sheet.signers) + 4
    table = Table(
        rows,
        colWidths=[label_w, width - label_w],
        rowHeights=[LEADING + 3] * len(rows),
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LINEBELOW", (1, 0), (1, -1), 0.6, LINE),
            ]
        )
    )
    return table


def _closing(sheet: Sheet, st: dict[str, ParagraphStyle], font: str) -> Table:
    """The officers' signatures on the left, the authority and date under the seal right."""
    left = WIDTH - SEAL_W
    signers = _signers(sheet, st, left - 8 * mm) if sheet.signers else ""
    band = Table([[signers, Seal(sheet.authority, sheet.issued, font)]], colWidths=[left, SEAL_W])
    band.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (0, 0), "TOP"),
                ("VALIGN", (1, 0), (1, 0), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return band


def _receipt(sheet: Sheet, st: dict[str, ParagraphStyle]) -> Table:
    inner = WIDTH - 8 * mm
    cells: list[list[Any]] = [[_p(sheet.receipt_title, st["heading"])]]
    if sheet.receipt_text:
        cells.append([_p(sheet.receipt_text, st["body"])])
    cells.append([_sign_rows([[sheet.receipt_signer, "", DATE_LABEL, BLANK_DATE]], inner, st)])
    box = Table(cells, colWidths=[WIDTH])
    box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, LINE),
                ("LEFTPADDING", (0, 0), (-1, -1), 4 * mm),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4 * mm),
                ("TOPPADDING", (0, 0), (-1, 0), 3 * mm),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 4 * mm),
            ]
        )
    )
    return box


def render(sheet: Sheet) -> bytes:
    font = cjk_font()
    st = _styles(font)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN_X - FRAME_PAD,  # the frame's padding makes up the 2.5 cm
        rightMargin=MARGIN_X - FRAME_PAD,
        topMargin=MARGIN_TOP - FRAME_PAD,
        bottomMargin=MARGIN_BOTTOM - FRAME_PAD,
        title=sheet.file_title,
        author=sheet.authority,
        subject=sheet.addressee.rstrip("："),
        creator="anpai",
        producer="anpai",
        invariant=1,
        lang="zh-CN",
    )
    story: list[Any] = [
        Centred(sheet.authority, font=font, size=22, color=RED, bold=True, spacing=2,
                space_after=2 * mm),
        Centred(sheet.title, font=font, size=20, bold=True, spacing=1, space_after=3 * mm),
        _p(sheet.number, st["number"]),
    ]  # fmt: skip
    if sheet.cancelled:
        story.append(_p(sheet.cancelled, st["cancelled"]))
    if sheet.addressee:
        story.append(_p(sheet.addressee, st["addressee"]))
    if sheet.details:
        story += [_p(f"{k}：{v}", st["detail"]) for k, v in sheet.details]
        story.append(Spacer(1, 1.5 * mm))
    if sheet.table:
        story += [_table(sheet.table, st), Spacer(1, 2 * mm)]
    story += [_p(para.text, st[para.style]) for para in sheet.body]
    if sheet.appeal:
        story.append(_p(sheet.appeal, st["body"]))
    story += [_p(line, st["small"]) for line in sheet.contact]
    closing: list[Any] = [Spacer(1, 2 * mm), _closing(sheet, st, font)]
    # The signatures and the seal never stand alone on a page: the last paragraph goes along.
    last = story.pop() if isinstance(story[-1], Paragraph) else None
    story.append(KeepTogether([last, *closing] if last is not None else closing))
    story += [Spacer(1, 3 * mm), KeepTogether([_receipt(sheet, st)])]
    doc.build(story, canvasmaker=_canvas_class(sheet, font))
    return out.getvalue()

"""An official document (:class:`anpai.enforcement.render.Sheet`) as an A4 Word file.

python-docx, with the East Asian fonts set on every run (``w:eastAsia``): 宋体
for the authority's name, 黑体 for the title, 仿宋 for the text. The seal area
is a dashed VML circle behind the authority's name and date; a cancelled
document carries a 作废 watermark (Word's own kind: a VML text path in the
page header). Fixed core properties and zip dates make the file the same bytes
every time.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from typing import Any

from docx import Document as new_document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

from anpai.enforcement.render import BLANK_DATE, CERTIFICATE, DATE_LABEL, Sheet

BODY_FONT = "仿宋"
TITLE_FONT = "黑体"
AUTHORITY_FONT = "宋体"
LATIN_FONT = "Times New Roman"
BODY = 14  # pt, 四号
LEADING = 26  # pt, exact
RED = RGBColor(0xC0, 0x00, 0x00)
GREY = RGBColor(0x66, 0x66, 0x66)
TEXT_WIDTH_PT = (210 - 2 * 25) / 25.4 * 72  # A4 less 2.5 cm margins
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

VML = 'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"'
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _fonts(run: Any, east: str, size: float | None = None, *, bold: bool = False,
           color: RGBColor | None = None) -> None:  # fmt: skip
    run.font.name = LATIN_FONT
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east)
    fonts.set(qn("w:hint"), "eastAsia")
    if size is not None:
        run.font.size = Pt(size)
    run.font.bold = bold or None
    if color is not None:
        run.font.color.rgb = color


def _format(
    paragraph: Paragraph,
    *,
    align: Any = None,
    indent: float = 0,
    size: float = BODY,
    before: float = 0,
    after: float = 0,
    leading: float | None = LEADING,
) -> None:
    pf = paragraph.paragraph_format
    if align is not None:
        paragraph.alignment = align
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    if leading is not None:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(leading)
    if indent:
        pf.first_line_indent = Pt(indent * size)
        ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
        ind.set(qn("w:firstLineChars"), str(int(indent * 100)))


def _para(container: Any, text: str, *, east: str = BODY_FONT, size: float = BODY,
          bold: bool = False, color: RGBColor | None = None, **fmt: Any) -> Paragraph:  # fmt: skip
    paragraph = container.add_paragraph()
    _format(paragraph, size=size, **fmt)
    if text:
        _fonts(paragraph.add_run(text), east, size, bold=bold, color=color)
    return paragraph


def _setup(doc: Any, sheet: Sheet) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin, section.bottom_margin = Mm(25), Mm(22)
    section.header_distance, section.footer_distance = Mm(12), Mm(10)
    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(BODY)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), BODY_FONT)
    props = doc.core_properties
    day = datetime(2000, 1, 1, tzinfo=UTC)
    props.title = sheet.file_title
    props.subject = sheet.addressee.rstrip("：")
    props.author = sheet.authority
    props.last_modified_by = sheet.authority
    props.comments = ""
    props.keywords = sheet.number
    props.revision = 1
    props.created = props.modified = props.last_printed = day
    props.language = "zh-CN"


def _field(paragraph: Paragraph, code: str, size: float) -> None:
    run = paragraph.add_run()
    _fonts(run, BODY_FONT, size, color=GREY)
    field = parse_xml(f'<w:fldSimple {W} w:instr=" {code} "><w:r><w:t>1</w:t></w:r></w:fldSimple>')
    paragraph._p.append(field)


def _footer(part: Any) -> None:
    paragraph = part.paragraphs[0] if part.paragraphs else part.add_paragraph()
    _format(paragraph, align=WD_ALIGN_PARAGRAPH.CENTER, size=10.5, leading=None)
    for text, code in (("第 ", "PAGE"), (" 页  共 ", "NUMPAGES"), (" 页", "")):
        _fonts(paragraph.add_run(text), BODY_FONT, 10.5, color=GREY)
        if code:
            _field(paragraph, code, 10.5)


WATERMARK = """<w:r {w} {vml}><w:pict>
<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800"
 path="m@7,l@8,m@5,21600l@6,21600e"><v:formulas><v:f eqn="sum #0 0 10800"/>
<v:f eqn="prod #0 2 1"/><v:f eqn="sum 21600 0 @1"/><v:f eqn="sum 0 0 @2"/>
<v:f eqn="sum 21600 0 @3"/><v:f eqn="if @0 @3 0"/><v:f eqn="if @0 21600 @1"/>
<v:f eqn="if @0 0 @2"/><v:f eqn="if @0 @4 21600"/><v:f eqn="mid @5 @6"/>
<v:f eqn="mid @8 @5"/><v:f eqn="mid @7 @8"/><v:f eqn="mid @6 @7"/>
<v:f eqn="sum @6 0 @5"/></v:formulas><v:path textpathok="t" o:connecttype="custom"
 o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800" o:connectangles="270,180,90,0"/>
<v:textpath on="t" fitshape="t"/><v:handles><v:h position="#0,bottomRight"
 xrange="6629,14971"/></v:handles><o:lock v:ext="edit" text="t" shapetype="t"/></v:shapetype>
<v:shape id="anpaiCancelled{n}" o:spid="_x0000_s{spid}" type="#_x0000_t136"
 style="position:absolute;margin-left:0;margin-top:0;width:420pt;height:210pt;rotation:315;
 z-index:-251654144;mso-position-horizontal:center;mso-position-horizontal-relative:margin;
 mso-position-vertical:center;mso-position-vertical-relative:margin" o:allowincell="f"
 fillcolor="#C00000" stroked="f"><v:fill opacity="0.35"/>
<v:textpath style="font-family:&quot;{font}&quot;;font-size:1pt" string="作废"/></v:shape>
</w:pict></w:r>"""


def _watermark(part: Any, n: int) -> None:
    paragraph = part.paragraphs[0] if part.paragraphs else part.add_paragraph()
    xml = WATERMARK.format(w=W, vml=VML, n=n, spid=2049 + n, font=AUTHORITY_FONT)
    paragraph._p.append(parse_xml(xml.replace("\n", " ")))


def _pages(doc: Any, sheet: Sheet) -> None:
    """Footer 第 n 页 共 m 页 on every page; the number atop later pages; 作废 when cancelled."""
    section = doc.sections[0]
    section.different_first_page_header_footer = True
    _footer(section.footer)
    _footer(section.first_page_footer)
    later = section.header.paragraphs[0]
    _format(later, align=WD_ALIGN_PARAGRAPH.RIGHT, size=10.5, leading=None)
    _fonts(later.add_run(f"{sheet.title}  {sheet.number}"), BODY_FONT, 10.5, color=GREY)
    if sheet.is_cancelled:
        _watermark(section.first_page_header, 1)
        _watermark(section.header, 2)


def _cell_text(cell: Any, text: str, size: float, **fmt: Any) -> None:
    paragraph = cell.paragraphs[0]
    _format(paragraph, size=size, leading=size + 7, **fmt)
    if text:
        _fonts(paragraph.add_run(text), BODY_FONT, size)


TABLE_COLS = (36, 44, 36, 44)  # mm: label, value, label, value


def _cant_split(table: Table) -> None:
    """Each row stays on one page (the closing band, the receipt)."""
    for row in table.rows:
        row._tr.get_or_add_trPr().append(parse_xml(f"<w:cantSplit {W}/>"))


def _widths(table: Table, widths_mm: tuple[float, ...]) -> None:
    """Fixed column widths, in the grid (LibreOffice reads it) and every cell (Word does)."""
    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)


def _grid(doc: Any, rows: list[list[tuple[str, str]]]) -> Table:
    """The record's grid: four columns; a single pair's value spans the other three."""
    table = doc.add_table(rows=len(rows), cols=4)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, TABLE_COLS)
    for row, pairs in zip(table.rows, rows, strict=True):
        cells = list(row.cells)
        texts = [text for pair in pairs for text in pair]
        if len(pairs) == 1:
            cells[1] = cells[1].merge(cells[3])
        for cell, text in zip(cells, texts, strict=False):
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            _cell_text(cell, text, 12, before=2, after=2)
    return table


SEAL = """<w:r {w} {vml}><w:pict><v:oval id="anpaiSeal" o:spid="_x0000_s1025"
 style="position:absolute;margin-left:0;margin-top:{top:.1f}pt;width:{d:.1f}pt;
 height:{d:.1f}pt;z-index:-251656192;mso-position-horizontal:center;
 mso-position-horizontal-relative:text;mso-position-vertical-relative:line"
 o:allowincell="t" filled="f" strokecolor="#C00000" strokeweight="0.8pt">
<v:stroke dashstyle="dash"/><v:textbox inset="0,7pt,0,0"><w:txbxContent><w:p><w:pPr>
<w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:rFonts w:ascii="{latin}" w:hAnsi="{latin}"
 w:eastAsia="{font}" w:hint="eastAsia"/><w:color w:val="B06060"/><w:sz w:val="18"/></w:rPr>
<w:t>（印章）</w:t></w:r></w:p></w:txbxContent></v:textbox></v:oval></w:pict></w:r>"""
SEAL_MM = 42
SIGN_MM = 160 - 70  # the officers' part of the closing; the seal takes the rest


def _width(text: str, size: float) -> float:
    """Printed width (pt) of ``text``: CJK characters a full em, others half."""
    return sum(size if ord(ch) > 0x2E80 else size / 2 for ch in text)


def _closing(doc: Any, sheet: Sheet) -> None:
    """A borderless band: the officers sign on the left (签名 and 证号 on ruled lines), the
    authority and the date sit right under a dashed circle for the seal."""
    _para(doc, "", leading=8).paragraph_format.keep_with_next = True
    band = doc.add_table(rows=1, cols=2)
    band.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(band, (SIGN_MM, 160 - SIGN_MM))
    _cant_split(band)
    row = band.rows[0]
    row.height = Mm(SEAL_MM + 4)
    row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    left, right = row.cells
    left.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    right.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    # Officers: a right-aligned label, then an underscore leader to the cell's end.
    size = BODY - 1
    label_w = max((_width(label, size) for label in sheet.signers), default=0) + 2
    end = (SIGN_MM - 8) / 25.4 * 72
    first = True
    for label in sheet.signers:
        for text in (label, CERTIFICATE):
            paragraph = left.paragraphs[0] if first else left.add_paragraph()
            first = False
            _format(paragraph, size=size, leading=30)
            _fonts(paragraph.add_run(f"\t{text}\t"), BODY_FONT, size)
            stops = paragraph.paragraph_format.tab_stops
            stops.add_tab_stop(Pt(label_w), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.SPACES)
            stops.add_tab_stop(Pt(end), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.LINES)
    # Authority and date, centred in their cell, the circle around them.
    name = right.paragraphs[0]
    _format(name, align=WD_ALIGN_PARAGRAPH.CENTER, leading=LEADING)
    _fonts(name.add_run(sheet.authority), BODY_FONT, BODY)
    diameter = SEAL_MM / 25.4 * 72
    xml = SEAL.format(
        w=W, vml=VML, top=LEADING - diameter / 2, d=diameter, latin=LATIN_FONT, font=BODY_FONT
    )
    name._p.append(parse_xml(xml.replace("\n", " ")))
    _para(right, sheet.issued, align=WD_ALIGN_PARAGRAPH.CENTER, leading=LEADING)
    _para(doc, "", leading=8)


def _receipt(doc: Any, sheet: Sheet) -> None:
    """A boxed 送达回执: heading, the receipt sentence, who signs (a ruled blank) and when."""
    table = doc.add_table(rows=1, cols=1)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, (160,))
    _cant_split(table)
    cell = table.rows[0].cells[0]
    heading = cell.paragraphs[0]
    _format(heading, align=WD_ALIGN_PARAGRAPH.CENTER, size=15, before=6, after=4, leading=None)
    _fonts(heading.add_run(sheet.receipt_title), TITLE_FONT, 15)
    if sheet.receipt_text:
        _para(cell, sheet.receipt_text, indent=2)
    # label ⟶ an underscore-leader tab (the blank to sign on) ⟶ 日期：  年  月  日
    size = BODY - 2
    tail = f"{DATE_LABEL}{BLANK_DATE}"
    line = _para(cell, f"{sheet.receipt_signer}\t\t{tail}", size=size, before=12, after=8)
    inner = TEXT_WIDTH_PT - 12  # less the cell's margins
    first = _width(sheet.receipt_signer, size) + 2
    stops = line.paragraph_format.tab_stops
    stops.add_tab_stop(Pt(first), WD_TAB_ALIGNMENT.LEFT, WD_TAB_LEADER.SPACES)
    stops.add_tab_stop(
        Pt(inner - _width(tail, size) - 4), WD_TAB_ALIGNMENT.LEFT, WD_TAB_LEADER.LINES
    )


def _normalise_zip(data: bytes) -> bytes:
    """The same parts in the same order with a fixed date: the same bytes every time."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def _drop_thumbnail(doc: Any) -> None:
    """The template's thumbnail shows python-docx's sample page: not this document."""
    rels = doc.part.package.rels
    for key, rel in list(rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del rels[key]


def render(sheet: Sheet) -> bytes:
    doc = new_document()
    _drop_thumbnail(doc)
    _setup(doc, sheet)
    _pages(doc, sheet)
    body = doc.paragraphs[0] if doc.paragraphs else None
    if body is not None and not body.text:  # the template's empty first paragraph
        body._p.getparent().remove(body._p)
    _para(doc, sheet.authority, east=AUTHORITY_FONT, size=22, bold=True, color=RED,
          align=WD_ALIGN_PARAGRAPH.CENTER, leading=34, after=4)  # fmt: skip
    _para(doc, sheet.title, east=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER,
          leading=34, after=6)  # fmt: skip
    _para(doc, sheet.number, align=WD_ALIGN_PARAGRAPH.RIGHT, after=6)
    if sheet.cancelled:
        _para(doc, sheet.cancelled, color=RED, size=12, leading=20, after=6)
    if sheet.addressee:
        _para(doc, sheet.addressee)
    for label, value in sheet.details:
        _para(doc, f"{label}：{value}", size=12, leading=20)
    if sheet.table:
        _grid(doc, sheet.table)
        _para(doc, "", leading=10)
    for para in sheet.body:
        _para(doc, para.text, indent=2 if para.style == "body" else 0,
              before=6 if para.style == "label" else 0)  # fmt: skip
    if sheet.appeal:
        _para(doc, sheet.appeal, indent=2)
    for line in sheet.contact:
        _para(doc, line, size=12, indent=2, leading=22)
    # The signatures and seal never stand alone on a page: the last paragraph goes along.
    if doc.paragraphs:
        doc.paragraphs[-1].paragraph_format.keep_with_next = True
    _closing(doc, sheet)
    _receipt(doc, sheet)
    _para(doc, "", leading=2)  # a body ends with a paragraph, not a table
    out = io.BytesIO()
    doc.save(out)
    return _normalise_zip(out.getvalue())

"""The printable inspection record (安全生产检查记录) as a PDF, drawn with reportlab.

Chinese text needs a CJK font: WenQuanYi Zen Hei is embedded when installed
(it prints the same everywhere); otherwise the PDF names Adobe's STSong-Light
CID font, which every PDF reader supplies itself.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from anpai.inspections.actions import findings, group_level
from anpai.inspections.choices import AnswerResult
from anpai.inspections.models import Answer, Inspection

TTF_PATH = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
TTF_NAME = "WenQuanYiZenHei"
CID_NAME = "STSong-Light"

_font: str | None = None


def cjk_font() -> str:
    """Register (once) and name the font for Chinese text."""
    global _font
    if _font is None:
        if os.path.exists(TTF_PATH):
            try:
                pdfmetrics.registerFont(TTFont(TTF_NAME, TTF_PATH, subfontIndex=0))
                _font = TTF_NAME
            except Exception:  # a damaged or unexpected font file: fall back, never fail
                _font = None
        if _font is None:
            pdfmetrics.registerFont(UnicodeCIDFont(CID_NAME))
            _font = CID_NAME
    return _font


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font, fontSize=9.5, leading=13, wordWrap="CJK")
    return {
        "base": base,
        "title": ParagraphStyle(
            "title", parent=base, fontSize=17, leading=22, alignment=1, spaceAfter=4 * mm
        ),
        "h": ParagraphStyle(
            "h", parent=base, fontSize=11.5, leading=15, spaceBefore=4 * mm, spaceAfter=2 * mm
        ),
        "small": ParagraphStyle(
            "small", parent=base, fontSize=8, leading=10.5, textColor=colors.HexColor("#555555")
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11.5),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text or "")).replace("\n", "<br/>"), style)


def render_record(inspection: Inspection, answers: Sequence[Answer]) -> bytes:
    """The record of one inspection, with its items, findings and signature, as PDF bytes."""
    font = cjk_font()
    st = _styles(font)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title="安全生产检查记录",
        author="anpai",
        subject=str(inspection.organization.name),
    )
    width = A4[0] - 32 * mm
    story: list = [Paragraph("安全生产检查记录", st["title"])]

    inspectors = "、".join(u.get_full_name() for u in inspection.inspectors.all())
    departments = "、".join(d.name for d in inspection.departments.all())
    kind = inspection.get_kind_display()
    if inspection.cadence:
        kind += f"（{inspection.get_cadence_display()}）"
    facts = [
        (_("Organisation"), inspection.organization.name),
        (_("Date"), f"{inspection.date:%Y-%m-%d}"),
        (_("Kind"), kind),
        (_("Checklist"), f"{inspection.template.name}（v{inspection.template.version}）"),
        (_("Inspectors"), inspectors),
    ]
    if departments:
        facts.append((_("Departments"), departments))
    facts.append(
        (
            _("State"),
            inspection.get_state_display()
            + (
                f"  {timezone.localtime(inspection.submitted_at):%Y-%m-%d %H:%M}"
                if inspection.submitted_at
                else ""
            ),
        )
    )
    table = Table(
        [[_p(k, st["base"]), _p(v, st["base"])] for k, v in facts],
        colWidths=[28 * mm, width - 28 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eef1f5")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story.append(table)

    # Items, with their result and note.
    story.append(Paragraph(_("Items checked"), st["h"]))
    rows = [
        [
            _p("#", st["cell"]),
            _p(_("Item"), st["cell"]),
            _p(_("Result"), st["cell"]),
            _p(_("Note"), st["cell"]),
        ]
    ]
    fails = []
    for a in answers:
        question = a.item.question
        if a.item.clause is not None:
            question += f"\n〔{a.item.clause.standard.name} {a.item.clause.number}〕"
        label = a.get_result_display() if a.result else "—"
        rows.append(
            [
                _p(str(getattr(a, "number", a.item.order)), st["cell"]),
                _p(question, st["cell"]),
                _p(label, st["cell"]),
                _p(a.note, st["cell"]),
            ]
        )
        if a.result == AnswerResult.FAIL:
            fails.append(len(rows) - 1)
    items = Table(rows, colWidths=[9 * mm, width - 9 * mm - 24 * mm - 45 * mm, 24 * mm, 45 * mm],
                  repeatRows=1)  # fmt: skip
    style = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#aaaaaa")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1f3a5f")),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    style += [("BACKGROUND", (2, r), (2, r), colors.HexColor("#f8d7da")) for r in fails]
    items.setStyle(TableStyle(style))
    story.append(items)

    # Findings: the hazards reported (or to be reported, for a draft).
    story.append(Paragraph(_("Findings"), st["h"]))
    groups = findings(list(answers))
    if not groups:
        story.append(_p(_("No hazard was found."), st["base"]))
    else:
        frows = [
            [
                _p(_("Hazard number"), st["cell"]),
                _p(_("Hazard"), st["cell"]),
                _p(_("Level"), st["cell"]),
                _p(_("Items"), st["cell"]),
            ]
        ]
        for group in groups:
            root = group[0]
            hazard = root.hazard
            level = hazard.get_level_display() if hazard else group_level(group)
            if not hazard:
                level = _("Major hazard") if level == "major" else _("General hazard")
            frows.append(
                [
                    _p(hazard.number if hazard else _("(on submit)"), st["cell"]),
                    _p(hazard.title if hazard else root.hazard_title, st["cell"]),
                    _p(level, st["cell"]),
                    _p(
                        "、".join(str(getattr(a, "number", a.item.order)) for a in group),
                        st["cell"],
                    ),
                ]
            )
        ftable = Table(frows, colWidths=[30 * mm, width - 30 * mm - 24 * mm - 22 * mm, 24 * mm,
                                         22 * mm], repeatRows=1)  # fmt: skip
        ftable.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#aaaaaa")),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f5")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(ftable)

    # Summary and signatures.
    closing: list = [Paragraph(_("Result and remarks"), st["h"])]
    closing.append(_p(inspection.summary or "—", st["base"]))
    closing.append(Spacer(1, 5 * mm))
    signature_cell: list = []
    if inspection.signature:
        try:
            with inspection.signature.open("rb") as handle:
                data = io.BytesIO(handle.read())
            image = Image(data)
            ratio = image.imageHeight / float(image.imageWidth or 1)
            image.drawWidth = 50 * mm
            image.drawHeight = 50 * mm * ratio
            signature_cell.append(image)
        except (OSError, ValueError):
            signature_cell.append(_p(_("(signature image missing)"), st["small"]))
    signature_cell.append(_p(inspection.signer_name or "", st["base"]))
    sign = Table(
        [
            [_p(_("Inspectors (signature)"), st["base"]),
             _p(_("Inspected party (signature)"), st["base"])],
            [_p(inspectors, st["base"]), signature_cell],
        ],
        colWidths=[width / 2, width / 2],
    )  # fmt: skip
    sign.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f5")),
            ]
        )
    )
    closing.append(sign)
    closing.append(Spacer(1, 3 * mm))
    closing.append(
        _p(
            _("Printed %(when)s from anpai; inspection no. %(pk)d.")
            % {"when": f"{timezone.localtime():%Y-%m-%d %H:%M}", "pk": inspection.pk},
            st["small"],
        )
    )
    story.append(KeepTogether(closing))
    doc.build(story)
    return out.getvalue()

"""The risk notification card (安全风险告知卡): one A4 page posted at the risk point.

The conventional layout: a full-width band in the level's colour with the title
and the level, a table of the facts (hazard sources, accident types,
consequences, control measures by kind, emergency actions, warning signs, who
answers for the point), the emergency phone numbers, and a QR code that opens
the point's public page (``/r/<token>/``).

A card is made to fit one page: when the texts are long the type shrinks a
little (down to :data:`SCALES`' last step); beyond that the card continues on
further pages, each with a strip in the level's colour naming the point.
Chinese uses :func:`anpai.inspections.pdf.cjk_font`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from anpai.inspections.pdf import cjk_font
from anpai.risks.choices import FILL, INK, LEVEL_COLOUR, ControlLevel, MeasureKind, RiskLevel
from anpai.risks.models import ControlMeasure, RiskPoint

PAGE_W, PAGE_H = A4
MARGIN_X = 12 * mm
MARGIN_TOP = 14 * mm  # room for the strip on a continuation page
MARGIN_BOTTOM = 14 * mm  # room for the footer
WIDTH = PAGE_W - 2 * MARGIN_X
BAND_HEIGHT = 30 * mm
QR_SIZE = 42 * mm

# Type sizes tried in turn until the card fits one page.
SCALES = (1.0, 0.9, 0.8, 0.72)

UNASSESSED_FILL = "#8a8f98"
UNASSESSED_INK = "#ffffff"
LINE = colors.HexColor("#5f6670")
LABEL_BG = colors.HexColor("#eef1f5")

# The national lines printed on every card, after the point's own emergency phone.
NATIONAL_LINES = (
    ("119", gettext_noop("Fire alarm")),
    ("120", gettext_noop("Ambulance")),
    ("12350", gettext_noop("Work safety tip-off line")),
)


def public_url(point: RiskPoint, request: HttpRequest | None = None) -> str:
    """The absolute address of the point's public page, the one its card's QR code opens.

    ``ANPAI_PUBLIC_URL`` when set (cards printed through an internal address still
    point where the public reaches the site); otherwise the request's own address.
    """
    path = reverse("risk_public", args=[point.public_token])
    base = getattr(settings, "ANPAI_PUBLIC_URL", "")
    if base:
        return base.rstrip("/") + path
    if request is None:
        raise ValueError("public_url needs the request when ANPAI_PUBLIC_URL is not set")
    return request.build_absolute_uri(path)


def band_colours(point: RiskPoint) -> tuple[str, str]:
    """(fill, ink) of the point's band: its level's colour, grey when not assessed."""
    if not point.level:
        return UNASSESSED_FILL, UNASSESSED_INK
    colour = LEVEL_COLOUR[RiskLevel(point.level)]
    return FILL[colour], INK[colour]


def active_measures(point: RiskPoint) -> list[tuple[str, list[ControlMeasure]]]:
    """The point's active measures grouped by kind, in the kinds' order: [(label, [m…])].

    Reads ``point.measures.all()`` so a prefetch (of active ones, or all) is used.
    """
    by_kind: dict[str, list[ControlMeasure]] = {}
    for measure in point.measures.all():
        if measure.is_active:
            by_kind.setdefault(measure.kind, []).append(measure)
    return [
        (str(label), sorted(by_kind[kind], key=lambda m: (m.position, m.pk or 0)))
        for kind, label in MeasureKind.choices
        if kind in by_kind
    ]


def responsible_person(point: RiskPoint) -> tuple[str, str]:
    """(name, phone) of the person who answers for the point, for the printed card only."""
    user = point.responsible_user if point.responsible_user_id else None
    name = point.responsible_name or (user.get_full_name() if user else "")
    phone = point.responsible_phone or (user.phone if user else "")
    return name, phone


# ---------------------------------------------------------------- drawing


def _styles(font: str, scale: float) -> dict[str, ParagraphStyle]:
    size = 10.5 * scale
    base = ParagraphStyle("card", fontName=font, fontSize=size, leading=size * 1.38, wordWrap="CJK")
    return {
        "base": base,
        "label": ParagraphStyle(
            "label", parent=base, textColor=colors.HexColor("#1f2933"), alignment=TA_CENTER
        ),
        "name": ParagraphStyle("name", parent=base, fontSize=size * 1.35, leading=size * 1.8),
        "kind": ParagraphStyle(
            "kind",
            parent=base,
            textColor=colors.HexColor("#1f3a5f"),
            spaceBefore=size * 0.3,
        ),
        "item": ParagraphStyle(
            "item", parent=base, leftIndent=size * 1.6, bulletIndent=size * 0.2, bulletFontName=font
        ),
        "phone_label": ParagraphStyle("phone_label", parent=base, fontSize=size * 1.05),
        "phone": ParagraphStyle("phone", parent=base, fontSize=size * 1.5, leading=size * 1.9),
        "head": ParagraphStyle(
            "head", parent=base, fontSize=size * 1.15, leading=size * 1.6, spaceAfter=size * 0.2
        ),
        "caption": ParagraphStyle(
            "caption", parent=base, fontSize=8.5, leading=11, alignment=TA_CENTER
        ),
    }


def _text(value: Any) -> str:
    """Escaped paragraph markup of a user's text; newlines kept; a dash when empty."""
    text = str(value or "").strip()
    return escape(text).replace("\n", "<br/>") if text else "—"


# Chinese, Japanese and Korean characters and their punctuation.
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


def _para(markup: str, style: ParagraphStyle, raw: str, **kw: Any) -> Paragraph:
    """A paragraph that wraps anywhere in Chinese text but between words in Latin text."""
    if style.wordWrap == "CJK" and not _CJK.search(raw):
        style = ParagraphStyle(f"{style.name}-latin", parent=style, wordWrap=None)
    return Paragraph(markup, style, **kw)


def _p(value: Any, style: ParagraphStyle) -> Paragraph:
    return _para(_text(value), style, str(value or ""))


class _Band(Flowable):
    """The full-width band in the level's colour: the card's title and the level.

    Drawing it tells the page callbacks that a card starts on this page.
    """

    def __init__(self, card: dict[str, Any], state: dict[str, Any], font: str) -> None:
        super().__init__()
        self.card = card
        self.state = state
        self.font = font
        self.width = WIDTH
        self.height = BAND_HEIGHT

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        self.state["card"] = self.card
        self.state["band_on_page"] = True
        c = self.canv
        c.setFillColor(colors.HexColor(self.card["fill"]))
        c.rect(0, 0, self.width, self.height, stroke=0, fill=1)
        c.setFillColor(colors.HexColor(self.card["ink"]))
        _centred(c, self.card["title"], self.font, 27, self.width, self.height - 14 * mm)
        _centred(c, self.card["subtitle"], self.font, 15, self.width, 6 * mm)


def _centred(c: Canvas, text: str, font: str, size: float, width: float, y: float) -> None:
    """A centred line, made smaller when it would not fit the width."""
    room = width - 10 * mm
    measured = stringWidth(text, font, size)
    if measured > room:
        size = size * room / measured
    c.setFont(font, size)
    c.drawCentredString(width / 2, y, text)


def _grid(rows: list[list[Any]], widths: list[float], scale: float) -> Table:
    """A bordered grid whose 1st (and 3rd) column are labels; tall rows split across pages."""
    style: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.6, LINE),
        ("BACKGROUND", (0, 0), (0, -1), LABEL_BG),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3.2 * scale),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4 * scale),
    ]
    if len(widths) == 4:
        style.append(("BACKGROUND", (2, 0), (2, -1), LABEL_BG))
    return Table(rows, colWidths=widths, style=TableStyle(style), splitInRow=1)


def _qr(url: str, size: float = QR_SIZE) -> Drawing:
    widget = QrCodeWidget(url, barLevel="M")
    x1, y1, x2, y2 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0])
    drawing.add(widget)
    return drawing


def _card_info(point: RiskPoint, url: str) -> dict[str, Any]:
    fill, ink = band_colours(point)
    if point.level:
        colour = LEVEL_COLOUR[RiskLevel(point.level)]
        subtitle = f"{point.get_level_display()} · {colour.label}"
    else:
        subtitle = _("Not assessed yet: no risk level")
    return {
        "fill": fill,
        "ink": ink,
        "title": _("Risk notification card"),
        "subtitle": subtitle,
        "name": point.name,
        "code": point.code,
        "url": url,
    }


def _story(
    point: RiskPoint, url: str, scale: float, state: dict[str, Any], font: str
) -> list[Flowable]:
    st = _styles(font, scale)
    card = _card_info(point, url)
    story: list[Flowable] = [_Band(card, state, font), Spacer(1, 2.5 * mm)]

    def label(text: str) -> Paragraph:
        return _para(escape(text), st["label"], text)

    measures: list[Flowable] = []
    for kind_label, items in active_measures(point):
        measures.append(Paragraph(escape(f"【{kind_label}】"), st["kind"]))
        measures += [
            _para(_text(m.text), st["item"], m.text, bulletText=f"{i}.")
            for i, m in enumerate(items, start=1)
        ]
    if not measures:
        measures = [_p("", st["base"])]

    types = "、".join(point.accident_type_labels())
    person, phone = responsible_person(point)
    assessed = f"{timezone.localtime(point.assessed_at):%Y-%m-%d}" if point.assessed_at else ""
    control = str(ControlLevel(point.control_level).label) if point.control_level else ""

    # Three stacked grids with the same label column. Full-width rows have no
    # SPAN: reportlab splits a spanned cell at the first column's width.
    label_w, label2_w, value2_w = 28 * mm, 23 * mm, 42 * mm
    quad = [label_w, WIDTH - label_w - label2_w - value2_w, label2_w, value2_w]
    head = [
        [label(_("Risk point")), _p(point.name, st["name"]), label(_("Number")),
         _p(point.code, st["base"])],
        [label(_("Location")), _p(point.location, st["base"]), label(_("Kind")),
         _p(point.get_kind_display(), st["base"])],
    ]  # fmt: skip
    body = [
        [label(_("Organisation")), _p(point.organization.name, st["base"])],
        [label(_("Hazard sources and main risks")), _p(point.hazard_sources, st["base"])],
        [label(_("Accident types")), _p(types, st["base"])],
        [label(_("Possible consequences")), _p(point.consequences, st["base"])],
        [label(_("Control measures")), measures],
        [label(_("Emergency actions")), _p(point.emergency_actions, st["base"])],
        [label(_("Warning signs")), _p(point.warning_signs, st["base"])],
    ]
    who = " ".join(v for v in (person, phone) if v)
    tail = [
        [label(_("Responsible department")), _p(point.department, st["base"]),
         label(_("Person in charge")), _p(who, st["base"])],
        [label(_("Last assessed")), _p(assessed, st["base"]), label(_("Control level")),
         _p(control, st["base"])],
    ]  # fmt: skip
    story.append(_grid(head, quad, scale))
    story.append(_grid(body, [label_w, WIDTH - label_w], scale))
    story.append(_grid(tail, quad, scale))
    story.append(Spacer(1, 3 * mm))

    # Emergency phones beside the QR code: kept together at the foot of the card.
    phones: list[list[Any]] = []
    if point.emergency_phone:
        phones.append(
            [
                _p(_("Emergency phone here"), st["phone_label"]),
                _p(point.emergency_phone, st["phone"]),
            ]
        )
    phones += [
        [_p(_(label_text), st["phone_label"]), _p(number, st["phone"])]
        for number, label_text in NATIONAL_LINES
    ]
    phone_table = Table(
        phones,
        colWidths=[36 * mm, WIDTH - QR_SIZE - 8 * mm - 36 * mm - 6 * mm],
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, 0), (-1, -2), 0.4, colors.HexColor("#c3c8cf")),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        ),
    )
    left = [Paragraph(escape(_("Emergency phone numbers")), st["head"]), phone_table]
    right = [_qr(url), Paragraph(escape(_("Scan to see this risk point and report a hazard")),
                                 st["caption"])]  # fmt: skip
    foot = Table(
        [[left, right]],
        colWidths=[WIDTH - QR_SIZE - 8 * mm, QR_SIZE + 8 * mm],
        style=TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.6, LINE),
                ("LINEAFTER", (0, 0), (0, 0), 0.6, LINE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (1, 0), (1, 0), "CENTER"),
                ("LEFTPADDING", (0, 0), (0, 0), 4 * mm),
                ("TOPPADDING", (0, 0), (-1, -1), 2 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2 * mm),
            ]
        ),
    )
    story.append(KeepTogether([foot]))
    return story


class _Doc(BaseDocTemplate):
    """A4 with a footer on every page and, on a page a card continues onto, a colour strip."""

    def __init__(self, out: io.BytesIO, state: dict[str, Any], font: str, **kw: Any) -> None:
        super().__init__(
            out,
            pagesize=A4,
            leftMargin=MARGIN_X,
            rightMargin=MARGIN_X,
            topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM,
            author="anpai",
            **kw,
        )
        self.state = state
        self.font = font
        self.printed = f"{timezone.localtime():%Y-%m-%d}"
        frame = Frame(MARGIN_X, MARGIN_BOTTOM, WIDTH, PAGE_H - MARGIN_TOP - MARGIN_BOTTOM, id="f",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)  # fmt: skip
        self.addPageTemplates(
            [PageTemplate(id="card", frames=[frame], onPage=self._begin, onPageEnd=self._end)]
        )

    def _begin(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        self.state["band_on_page"] = False
        self.state["pages"] = self.state.get("pages", 0) + 1

    def _end(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        card = self.state.get("card")
        if card is None:
            return
        canvas.saveState()
        if not self.state.get("band_on_page"):
            # The card continues here: a strip in its colour names it.
            top = PAGE_H - 5 * mm
            canvas.setFillColor(colors.HexColor(card["fill"]))
            canvas.rect(MARGIN_X, top - 7 * mm, WIDTH, 7 * mm, stroke=0, fill=1)
            canvas.setFillColor(colors.HexColor(card["ink"]))
            canvas.setFont(self.font, 10)
            text = _("%(name)s (continued)") % {"name": card["name"]}
            canvas.drawString(MARGIN_X + 3 * mm, top - 5 * mm, text)
        canvas.setFillColor(colors.HexColor("#6b7280"))
        canvas.setFont(self.font, 7.5)
        canvas.drawString(MARGIN_X, 7 * mm, f"anpai · {card['url']}")
        canvas.drawRightString(
            PAGE_W - MARGIN_X, 7 * mm, _("Printed %(date)s") % {"date": self.printed}
        )
        canvas.restoreState()


def _build(stories: Sequence[list[Flowable]], state: dict[str, Any], font: str, title: str):
    out = io.BytesIO()
    doc = _Doc(out, state, font, title=title)
    story: list[Flowable] = []
    for i, part in enumerate(stories):
        if i:
            story.append(PageBreak())
        story += part
    doc.build(story)
    return out.getvalue(), state.get("pages", 0)


def _fitted_story(point: RiskPoint, url: str, state: dict[str, Any], font: str) -> list[Flowable]:
    """The card's story at the largest type that fits one page (or the smallest, continuing)."""
    for scale in SCALES:
        trial: dict[str, Any] = {}
        _, pages = _build([_story(point, url, scale, trial, font)], trial, font, "")
        if pages <= 1:
            break
    return _story(point, url, scale, state, font)


def _title(point: RiskPoint) -> str:
    return f"{_('Risk notification card')} · {point.name}"


def render_card(point: RiskPoint, public_url: str) -> bytes:
    """The notification card of one risk point as PDF bytes (one A4 page when it fits)."""
    font = cjk_font()
    state: dict[str, Any] = {}
    data, _pages = _build([_fitted_story(point, public_url, state, font)], state, font,
                          _title(point))  # fmt: skip
    return data


def render_cards(points: Iterable[RiskPoint], url_for: Callable[[RiskPoint], str]) -> bytes:
    """The cards of many points in one PDF, each starting on a new page (for printing them all)."""
    font = cjk_font()
    state: dict[str, Any] = {}
    points = list(points)
    stories = [_fitted_story(point, url_for(point), state, font) for point in points]
    if not stories:
        st = _styles(font, 1.0)
        stories = [[Paragraph(escape(_("No active risk points.")), st["head"])]]
    title = _("Risk notification cards")
    if points:
        title += f" · {points[0].organization.name}"
    data, _pages = _build(stories, state, font, title)
    return data

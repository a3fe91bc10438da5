"""The printable permit (安全作业票) as a PDF, in the layout of GB 30871-2022's forms.

One A4 portrait form per permit: the type's title (动火安全作业票, 受限空间安全作业票 …)
with the number top right, then bordered grids in the order of the paper form:
who applies and who works, what and where, the level (and for hot work its
area and method), the workers with their certificates, guardian, person in
charge, linked operations, the risk identification, the planned window, the
gas analyses, the safety measures each with who confirmed it, the briefing,
one row per step of the approval chain (opinion, signer, time; empty boxes
for a step not yet signed) and the acceptance of the site. The footer names
the rule's source and says when it is not yet verified against the standard.

Long permits flow onto further pages; every page repeats the title, the
number and the organisation, and is numbered "page n of m". Every label is a
translatable English msgid in the "permit form" context (the paper form's
wording in Chinese). Chinese uses :func:`anpai.inspections.pdf.cjk_font`.
"""

from __future__ import annotations

import io
from contextvars import ContextVar
from datetime import datetime
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import get_language, pgettext, pgettext_lazy
from reportlab.lib import colors
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
    LayoutError,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from anpai.inspections.pdf import cjk_font
from anpai.people.choices import Role
from anpai.permits import rules as R
from anpai.permits.choices import PermitState, PermitType
from anpai.permits.models import Approval, GasAnalysis, Permit, PermitMeasure, PermitWorker

PAGE_W, PAGE_H = A4
MARGIN_X = 14 * mm
HEADER_H = 18 * mm  # title, number and organisation on every page
MARGIN_TOP = 8 * mm + HEADER_H
MARGIN_BOTTOM = 16 * mm  # the footnote and the page number
WIDTH = PAGE_W - 2 * MARGIN_X
LINE = colors.HexColor("#333333")
LABEL_BG = colors.HexColor("#eef1f5")
FAIL_BG = colors.HexColor("#f8d7da")
GREY = colors.HexColor("#555555")
BLANK_GAS_ROWS = 3  # rows left empty to fill in by hand when no analysis is recorded yet
CHUNK = 400  # characters of a long text per table row (pages break between rows)
LINES_PER_ROW = 3  # lines of a list (workers …) per table row
# Set while rendering again with rows allowed to split (a single row taller than a page).
_SPLIT_ROWS: ContextVar[bool] = ContextVar("permit_pdf_split_rows", default=False)

# The paper forms' titles (GB 30871-2022, annex A).
TITLES: dict[str, Any] = {
    PermitType.HOT_WORK: pgettext_lazy("permit form", "Hot work safety permit"),
    PermitType.CONFINED_SPACE: pgettext_lazy("permit form", "Confined space entry safety permit"),
    PermitType.BLIND_PLATE: pgettext_lazy("permit form", "Blind plate safety permit"),
    PermitType.HEIGHT: pgettext_lazy("permit form", "Work at height safety permit"),
    PermitType.LIFTING: pgettext_lazy("permit form", "Lifting safety permit"),
    PermitType.TEMP_POWER: pgettext_lazy("permit form", "Temporary power safety permit"),
    PermitType.EXCAVATION: pgettext_lazy("permit form", "Excavation safety permit"),
    PermitType.ROAD_BREAK: pgettext_lazy("permit form", "Road closure safety permit"),
}
HOT_WORK_AREA = {
    "live_equipment": pgettext_lazy("permit form", "On live equipment (without replacement)"),
    "hazardous_area": pgettext_lazy("permit form", "In a hazardous (production) area"),
    "other": pgettext_lazy("permit form", "Elsewhere"),
}


def title_of(permit: Permit) -> str:
    """The form's title for the permit's type, in the interface language."""
    title = TITLES.get(permit.type)
    return str(title) if title is not None else permit.get_type_display()


def permit_queryset(qs: QuerySet[Permit]) -> QuerySet[Permit]:
    """Everything the form prints, in a constant number of queries."""
    return qs.select_related("organization", "risk_point", "applicant", "rules").prefetch_related(
        Prefetch("workers", queryset=PermitWorker.objects.order_by("id")),
        Prefetch("measures", queryset=PermitMeasure.objects.order_by("position", "id")),
        Prefetch("analyses", queryset=GasAnalysis.objects.order_by("taken_at", "id")),
        Prefetch(
            "approvals",
            queryset=Approval.objects.filter(is_current=True)
            .select_related("approver")
            .order_by("position", "id"),
            to_attr="current_approvals",
        ),
        Prefetch("linked", queryset=Permit.objects.order_by("planned_start", "id")),
    )


# ---------------------------------------------------------------- text helpers


def _when(value: datetime | None) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def _number(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format(value.normalize(), "f")


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font, fontSize=9.5, leading=13, wordWrap="CJK")
    # Labels are interface text: Chinese breaks anywhere, other languages between words.
    # Values keep CJK wrapping in every language (names and texts are Chinese data).
    wrap = "CJK" if (get_language() or "zh").lower().startswith("zh") else None
    return {
        "base": base,
        "label": ParagraphStyle("label", parent=base, fontSize=9, wordWrap=wrap),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11.5),
        "head": ParagraphStyle(
            "head", parent=base, fontSize=8.5, leading=11, alignment=1, wordWrap=wrap
        ),
        "centre": ParagraphStyle("centre", parent=base, fontSize=8.5, leading=11.5, alignment=1),
        "section": ParagraphStyle(
            "section", parent=base, fontSize=10.5, leading=14, spaceBefore=3 * mm, spaceAfter=1 * mm
        ),
        "note": ParagraphStyle("note", parent=base, fontSize=7.5, leading=10, textColor=GREY),
    }


def _p(text: Any, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text or "")).replace("\n", "<br/>"), style)


def _grid(
    rows: list[list[Any]],
    widths: list[float],
    *,
    labels: tuple[int, ...] = (0,),
    header: bool = False,
    joined: set[int] | frozenset[int] = frozenset(),
    extra: list[tuple[Any, ...]] | None = None,
) -> Table:
    """A bordered grid; ``labels`` are the label columns, ``header`` a repeated header row,
    ``joined`` the rows that continue the row above (no line between them).

    No SPAN anywhere: reportlab splits a spanned cell at the first column's
    width, so full-width rows are grids of their own, and a long text is
    several joined rows (see :class:`_Rows`) so that pages break between
    lines, never through one. Only when a single row is taller than a page
    does the fallback of :func:`render_permit` let rows split.
    """
    style: list[tuple[Any, ...]] = [
        ("BOX", (0, 0), (-1, -1), 0.6, LINE),
        ("LINEAFTER", (0, 0), (-2, -1), 0.6, LINE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    for r in range(len(rows) - 1):
        if r + 1 in joined:
            style += [
                ("BOTTOMPADDING", (0, r), (-1, r), 0),
                ("TOPPADDING", (0, r + 1), (-1, r + 1), 0),
            ]
        else:
            style.append(("LINEBELOW", (0, r), (-1, r), 0.6, LINE))
    for col in labels:
        style.append(("BACKGROUND", (col, 0), (col, -1), LABEL_BG))
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), LABEL_BG))
    style += extra or []
    return Table(
        rows,
        colWidths=widths,
        style=TableStyle(style),
        repeatRows=1 if header else 0,
        splitInRow=1 if _SPLIT_ROWS.get() else 0,
    )


def _chunks(text: str) -> list[str]:
    """``text`` as lines of at most :data:`CHUNK` characters, cut after punctuation."""
    out: list[str] = []
    for line in str(text or "").splitlines() or [""]:
        while len(line) > CHUNK:
            # After a full stop or semicolon if there is one late enough, else a comma.
            cut = max(line.rfind(c, 0, CHUNK) for c in "。；;")
            if cut < CHUNK // 2:
                cut = max(line.rfind(c, 0, CHUNK) for c in "，,、 ")
            cut = cut + 1 if cut >= CHUNK // 2 else CHUNK
            out.append(line[:cut])
            line = line[cut:]
        out.append(line)
    return out


class _Rows:
    """The rows of a label | value grid; a long value takes as many joined rows as it needs."""

    def __init__(self, style: ParagraphStyle, label_style: ParagraphStyle) -> None:
        self.rows: list[list[Any]] = []
        self.joined: set[int] = set()
        self.style = style
        self.label_style = label_style

    def add(self, label: str, value: str | list[str]) -> None:
        """A labelled value: a text (cut into rows of :data:`CHUNK` characters) or a list
        of lines (:data:`LINES_PER_ROW` to a row, so the label fits beside the first)."""
        if isinstance(value, list):
            n = LINES_PER_ROW
            lines = ["\n".join(value[i : i + n]) for i in range(0, len(value), n)]
        else:
            lines = _chunks(value)
        for i, line in enumerate(lines or [""]):
            if i:
                self.joined.add(len(self.rows))
            self.rows.append([_p(label if i == 0 else "", self.label_style), _p(line, self.style)])

    def grid(self, widths: list[float]) -> Table:
        return _grid(self.rows, widths, joined=self.joined)


# ---------------------------------------------------------------- the form's parts


def _workers(permit: Permit) -> list[str]:
    lines = []
    for w in permit.workers.all():
        certificate = " ".join(v for v in (w.certificate_kind, w.certificate_no) if v)
        valid = pgettext("permit form", "valid until %(date)s") % {
            "date": f"{w.certificate_expires:%Y-%m-%d}"
        }
        lines.append(f"{w.name}（{certificate}，{valid}）")
    return lines


def _linked(permit: Permit) -> list[str]:
    return [f"{p.get_type_display()} {p.number or f'#{p.pk}'}" for p in permit.linked.all()]


def _level(permit: Permit) -> str:
    rule = permit.level_rule or {}
    level = permit.level_display
    hours = rule.get("validity_hours")
    notes = []
    if hours:
        notes.append(pgettext("permit form", "valid for at most %(hours)s h") % {"hours": hours})
    if rule.get("monitoring") == "continuous":
        notes.append(pgettext("permit form", "continuous gas monitoring"))
    if not notes:
        return level
    if level.endswith("）"):  # 三级（15–30 m） → 三级（15–30 m，有效期…）
        return f"{level[:-1]}，{'，'.join(notes)}）"
    return f"{level}（{'，'.join(notes)}）"


def _medium(permit: Permit) -> str:
    if not permit.medium:
        return ""
    if permit.medium_lel is None:
        return permit.medium
    return "{medium}（{lel}）".format(
        medium=permit.medium,
        lel=pgettext("permit form", "lower explosive limit %(lel)s %%")
        % {"lel": _number(permit.medium_lel)},
    )


def _answers(permit: Permit) -> list[tuple[str, str]]:
    """The type's own facts: hot work's area, method and time, height, load."""
    a = permit.answers or {}
    rows: list[tuple[str, str]] = []
    if permit.type == PermitType.HOT_WORK:
        area = HOT_WORK_AREA.get(str(a.get("area", "")))
        rows.append((pgettext("permit form", "Hot work area"), str(area) if area else ""))
        rows.append((pgettext("permit form", "Hot work method"), str(a.get("method") or "")))
        rows.append(
            (
                pgettext("permit form", "At night or on a holiday"),
                pgettext("permit form", "Yes") if a.get("night_or_holiday") else
                pgettext("permit form", "No"),
            )
        )  # fmt: skip
    elif permit.type == PermitType.HEIGHT and a.get("height_m") not in (None, ""):
        rows.append((pgettext("permit form", "Working height"), f"{a['height_m']} m"))
    elif permit.type == PermitType.LIFTING and a.get("mass_t") not in (None, ""):
        rows.append((pgettext("permit form", "Mass of the load"), f"{a['mass_t']} t"))
    return rows


def _gas_limits(permit: Permit) -> str:
    limits = (permit.level_rule or {}).get("gas_limits") or {}
    parts = []
    for band in sorted(limits.get("combustible", []), key=lambda b: -Decimal(b["lel_from"])):
        if Decimal(band["lel_from"]) > 0:
            parts.append(
                pgettext(
                    "permit form", "combustible gas ≤ %(max)s %% where the LEL is ≥ %(lel)s %%"
                )
                % {"max": band["max_percent"], "lel": band["lel_from"]}
            )
        else:
            parts.append(
                pgettext("permit form", "≤ %(max)s %% where the LEL is lower")
                % {"max": band["max_percent"]}
            )
    if limits.get("o2_min") and limits.get("o2_max"):
        parts.append(
            pgettext("permit form", "oxygen %(low)s–%(high)s %%")
            % {"low": limits["o2_min"], "high": limits["o2_max"]}
        )
    minutes = (permit.level_rule or {}).get("analysis_max_age_minutes")
    if minutes:
        parts.append(
            pgettext("permit form", "taken within %(minutes)s minutes before the work")
            % {"minutes": minutes}
        )
    if not parts:
        return ""
    return pgettext("permit form", "Pass: %(limits)s.") % {"limits": "；".join(parts)}


def _gas_table(permit: Permit, st: dict[str, ParagraphStyle]) -> list[Flowable]:
    f = st["cell"]
    head = [
        pgettext("permit form", "Time"),
        pgettext("permit form", "Sampling point"),
        pgettext("permit form", "Combustible gas %"),
        pgettext("permit form", "Oxygen %"),
        pgettext("permit form", "Toxic gases (mg/m³)"),
        pgettext("permit form", "Analyst"),
        pgettext("permit form", "Result"),
    ]
    rows: list[list[Any]] = [[_p(h, st["head"]) for h in head]]
    failed_rows: list[int] = []
    analyses = list(permit.analyses.all())
    for a in analyses:
        toxic = "，".join(f"{gas} {value}" for gas, value in sorted((a.toxic or {}).items()))
        verdict = pgettext("permit form", "Pass") if a.passed else pgettext("permit form", "Fail")
        if not a.passed and a.failures:
            verdict += "\n" + "\n".join(str(x) for x in a.failures)
        rows.append(
            [
                _p(_when(a.taken_at), f),
                _p(a.point, f),
                _p(_number(a.combustible_percent), st["centre"]),
                _p(_number(a.o2_percent), st["centre"]),
                _p(toxic, f),
                _p(a.analyst, f),
                _p(verdict, f),
            ]
        )
        if not a.passed:
            failed_rows.append(len(rows) - 1)
    if not analyses:
        rows += [[_p("", f) for _h in head] for _i in range(BLANK_GAS_ROWS)]
    widths = [30 * mm, 30 * mm, 17 * mm, 14 * mm, 32 * mm, 18 * mm]
    widths.append(WIDTH - sum(widths))
    extra = [("BACKGROUND", (6, r), (6, r), FAIL_BG) for r in failed_rows]
    if not analyses:
        extra.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white]))
        extra += [("TOPPADDING", (0, 1), (-1, -1), 8), ("BOTTOMPADDING", (0, 1), (-1, -1), 8)]
    flow: list[Flowable] = [_grid(rows, widths, labels=(), header=True, extra=extra)]
    limits = _gas_limits(permit)
    if limits:
        flow.append(_p(limits, st["note"]))
    return flow


def _measures_table(permit: Permit, st: dict[str, ParagraphStyle]) -> Table:
    f = st["cell"]
    head = [
        pgettext("permit form", "No."),
        pgettext("permit form", "Safety measure"),
        pgettext("permit form", "Applies"),
        pgettext("permit form", "Confirmed by"),
    ]
    rows: list[list[Any]] = [[_p(h, st["head"]) for h in head]]
    for i, m in enumerate(permit.measures.all(), start=1):
        if not m.applicable:
            applies = pgettext("permit form", "No")
        elif m.confirmed_by:
            applies = pgettext("permit form", "Yes")
        else:
            applies = ""  # not yet confirmed on site: left for the paper
        who = m.confirmed_by
        if m.confirmed_by and m.confirmed_at:
            who += f" {timezone.localtime(m.confirmed_at):%m-%d %H:%M}"
        rows.append([_p(i, st["centre"]), _p(m.text, f), _p(applies, st["centre"]), _p(who, f)])
    widths = [11 * mm, WIDTH - 11 * mm - 17 * mm - 40 * mm, 17 * mm, 40 * mm]
    return _grid(rows, widths, labels=(), header=True)


def _approval_rows(permit: Permit, st: dict[str, ParagraphStyle]) -> Table:
    """One row per step of the chain: opinion, signer and time; empty for a step to sign."""
    rule = permit.level_rule or {}
    steps = rule.get("steps") or {}
    signed = {a.step: a for a in getattr(permit, "current_approvals", None) or _current(permit)}
    f = st["cell"]
    head = [
        pgettext("permit form", "Approval"),
        pgettext("permit form", "Opinion"),
        pgettext("permit form", "Signature"),
        pgettext("permit form", "Time"),
    ]
    rows: list[list[Any]] = [[_p(h, st["head"]) for h in head]]
    for code in rule.get("chain") or []:
        step = steps.get(code) or {}
        label = R.text(step) if step else code
        approval = signed.get(code)
        if approval is None:
            rows.append([_p(label, st["label"]), _p("", f), _p("", f), _p("", f)])
            continue
        who = approval.approver.get_full_name()
        role = Role(approval.role).label if approval.role in Role.values else approval.role
        rows.append(
            [
                _p(label, st["label"]),
                _p(approval.opinion, f),
                _p(f"{who}\n（{role}）", f),
                _p(_when(approval.at), f),
            ]
        )
    widths = [40 * mm, WIDTH - 40 * mm - 38 * mm - 31 * mm, 38 * mm, 31 * mm]
    extra = [("TOPPADDING", (0, 1), (-1, -1), 9), ("BOTTOMPADDING", (0, 1), (-1, -1), 9)]
    return _grid(rows, widths, labels=(0,), header=True, extra=extra)


def _current(permit: Permit) -> list[Approval]:
    return list(
        permit.approvals.filter(is_current=True).select_related("approver").order_by("position")
    )


def _footnote(permit: Permit) -> str:
    rule = permit.level_rule or {}
    source = rule.get("source") or ""
    text = pgettext("permit form", "Level and limits: %(source)s; rules version %(version)s.") % {
        "source": source or "GB 30871-2022",
        "version": permit.rules.version if permit.rules_id else "",
    }
    if not rule.get("verified", False):
        text += " * " + pgettext(
            "permit form",
            "This rule is unverified: it follows a summary of GB 30871-2022 and is "
            "still to be checked against the standard's text.",
        )
    return text


def _story(permit: Permit, st: dict[str, ParagraphStyle]) -> list[Flowable]:
    b = st["base"]

    def label(text: str) -> Paragraph:
        return _p(text, st["label"])

    label_w, label2_w = 30 * mm, 26 * mm
    value2_w = 44 * mm
    quad = [label_w, WIDTH - label_w - label2_w - value2_w, label2_w, value2_w]
    wide = [label_w, WIDTH - label_w]
    state = permit.get_state_display()

    story: list[Flowable] = []
    story.append(
        _grid(
            [
                [label(pgettext("permit form", "Applying organisation")),
                 _p(permit.organization.name, b),
                 label(pgettext("permit form", "Applied at")),
                 _p(_when(permit.submitted_at), b)],
                [label(pgettext("permit form", "Working unit")), _p(permit.unit, b),
                 label(pgettext("permit form", "Person in charge")),
                 _p(permit.person_in_charge, b)],
            ],
            quad,
            labels=(0, 2),
        )
    )  # fmt: skip
    location = permit.location
    if permit.risk_point_id and permit.risk_point is not None:
        point = permit.risk_point
        location += "\n" + pgettext("permit form", "Risk point: %(point)s") % {
            "point": f"{point.code} {point.name}".strip()
        }
    body = _Rows(b, st["label"])
    body.add(pgettext("permit form", "Work content"), permit.content)
    body.add(pgettext("permit form", "Location"), location)
    story.append(body.grid(wide))
    level_rows: list[list[Any]] = [
        [label(pgettext("permit form", "Operation level")), _p(_level(permit), b),
         label(pgettext("permit form", "State")), _p(state, b)],
    ]  # fmt: skip
    facts = _answers(permit)
    if permit.medium or permit.type in (PermitType.HOT_WORK, PermitType.CONFINED_SPACE):
        facts.append((pgettext("permit form", "Medium"), _medium(permit)))
    for i in range(0, len(facts) - 1, 2):
        (name1, value1), (name2, value2) = facts[i], facts[i + 1]
        level_rows.append([label(name1), _p(value1, b), label(name2), _p(value2, b)])
    story.append(_grid(level_rows, quad, labels=(0, 2)))
    if len(facts) % 2:
        name, value = facts[-1]
        story.append(_grid([[label(name), _p(value, b)]], wide))
    guardian = permit.guardian
    if permit.guardian_certificate:
        guardian += "（" + pgettext("permit form", "certificate %(number)s") % {
            "number": permit.guardian_certificate
        } + "）"  # fmt: skip
    window = pgettext("permit form", "From %(start)s to %(end)s") % {
        "start": _when(permit.planned_start),
        "end": _when(permit.planned_end),
    }
    people = _Rows(b, st["label"])
    people.add(pgettext("permit form", "Workers and certificates (valid until)"), _workers(permit))
    people.add(pgettext("permit form", "Guardian"), guardian)
    people.add(
        pgettext("permit form", "Linked special operations and their permit numbers"),
        _linked(permit) or [pgettext("permit form", "None")],
    )
    people.add(pgettext("permit form", "Risk identification"), permit.hazard_identification)
    people.add(pgettext("permit form", "Planned working time"), window)
    if permit.state == PermitState.CANCELLED:
        people.add(pgettext("permit form", "Reason for cancelling"), permit.cancel_reason)
    story.append(people.grid(wide))

    if permit.gas_required or permit.analyses.all():
        story.append(_p(pgettext("permit form", "Gas analysis"), st["section"]))
        story += _gas_table(permit, st)
    story.append(_p(pgettext("permit form", "Safety measures"), st["section"]))
    story.append(_measures_table(permit, st))
    story.append(Spacer(1, 2 * mm))
    brief_label, brief_time = 22 * mm, 30 * mm
    brief_value = (WIDTH - 3 * brief_label - brief_time) / 2
    story.append(
        _grid(
            [
                [label(pgettext("permit form", "Briefing given by")),
                 _p(permit.briefing_given_by, b),
                 label(pgettext("permit form", "Briefing received by")),
                 _p(permit.briefing_received_by, b),
                 label(pgettext("permit form", "Briefing time")),
                 _p(_when(permit.briefing_at), b)],
            ],
            [brief_label, brief_value, brief_label, brief_value, brief_label, brief_time],
            labels=(0, 2, 4),
            extra=[("TOPPADDING", (0, 0), (-1, -1), 7), ("BOTTOMPADDING", (0, 0), (-1, -1), 7)],
        )
    )  # fmt: skip

    approvals: list[Flowable] = [
        _p(pgettext("permit form", "Approvals"), st["section"]),
        _approval_rows(permit, st),
    ]
    story.append(KeepTogether(approvals))

    acceptance = [
        [label(pgettext("permit form", "Site accepted by")), _p(permit.accepted_by, b),
         label(pgettext("permit form", "Accepted at")),
         _p(_when(permit.completed_at) if permit.accepted_by else "", b)],
    ]  # fmt: skip
    padded = [("TOPPADDING", (0, 0), (-1, -1), 8), ("BOTTOMPADDING", (0, 0), (-1, -1), 8)]
    closing: list[Flowable] = [
        _p(pgettext("permit form", "Acceptance on completion"), st["section"]),
        _grid(acceptance, [label_w, WIDTH - label_w - 26 * mm - 36 * mm, 26 * mm, 36 * mm],
              labels=(0, 2), extra=padded),
    ]  # fmt: skip
    story.append(KeepTogether(closing))
    if permit.acceptance_note:
        note = _Rows(b, st["label"])
        note.add(pgettext("permit form", "Note"), permit.acceptance_note)
        story.append(note.grid(wide))
    story.append(Spacer(1, 3 * mm))
    story.append(_p(_footnote(permit), st["note"]))
    return story


# ---------------------------------------------------------------- pages


class _Canvas(Canvas):
    """Holds each page until the end so every page can say "page n of m"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._page_number_footer(total)
            super().showPage()
        super().save()

    def _page_number_footer(self, total: int) -> None:
        font = getattr(self, "anpai_font", None)
        if not font:
            return
        self.saveState()
        self.setFont(font, 8)
        self.setFillColor(GREY)
        text = pgettext("permit form", "Page %(page)d of %(pages)d") % {
            "page": self._pageNumber,
            "pages": total,
        }
        self.drawRightString(PAGE_W - MARGIN_X, 8 * mm, text)
        self.restoreState()


class _Doc(BaseDocTemplate):
    """A4 portrait; every page carries the title, the number and the organisation."""

    def __init__(self, out: io.BytesIO, permit: Permit, font: str) -> None:
        self.permit = permit
        self.font = font
        self.form_title = title_of(permit)
        self.printed = f"{timezone.localtime():%Y-%m-%d %H:%M}"
        super().__init__(
            out,
            pagesize=A4,
            leftMargin=MARGIN_X,
            rightMargin=MARGIN_X,
            topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM,
            title=f"{self.form_title} {permit.number}".strip(),
            author="anpai",
            subject=str(permit.organization.name),
        )
        frame = Frame(MARGIN_X, MARGIN_BOTTOM, WIDTH, PAGE_H - MARGIN_TOP - MARGIN_BOTTOM, id="f",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)  # fmt: skip
        self.addPageTemplates([PageTemplate(id="permit", frames=[frame], onPage=self._header)])

    def _header(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.anpai_font = self.font  # type: ignore[attr-defined]  # for the page numbers
        permit = self.permit
        top = PAGE_H - 8 * mm
        canvas.saveState()
        title = self.form_title
        if doc.page > 1:
            title = pgettext("permit form", "%(title)s (continued)") % {"title": title}
        size = 18.0
        room = WIDTH - 2 * 52 * mm
        if stringWidth(title, self.font, size) > room:
            size = size * room / stringWidth(title, self.font, size)
        canvas.setFont(self.font, size)
        canvas.setFillColor(colors.black)
        canvas.drawCentredString(PAGE_W / 2, top - 10 * mm, title)
        canvas.setFont(self.font, 10)
        number = permit.number or pgettext("permit form", "(given on submission)")
        canvas.drawRightString(
            PAGE_W - MARGIN_X,
            top - 5 * mm,
            pgettext("permit form", "No. %(number)s") % {"number": number},
        )
        canvas.setFont(self.font, 8.5)
        canvas.setFillColor(GREY)
        canvas.drawString(MARGIN_X, top - 5 * mm, str(permit.organization.name)[:40])
        canvas.setStrokeColor(LINE)
        canvas.setLineWidth(1.2)
        canvas.line(MARGIN_X, top - 14 * mm, PAGE_W - MARGIN_X, top - 14 * mm)
        canvas.setFont(self.font, 7.5)
        canvas.drawString(
            MARGIN_X,
            8 * mm,
            pgettext("permit form", "Printed %(when)s from anpai; keep for at least one year.")
            % {"when": self.printed},
        )
        canvas.restoreState()


def render_permit(permit: Permit) -> bytes:
    """The permit as PDF bytes, in the paper layout of its type's GB 30871 form.

    Pass a permit from :func:`permit_queryset` to read everything in a
    constant number of queries.
    """
    font = cjk_font()
    try:
        return _build(permit, font)
    except LayoutError:
        # A single row taller than a page (a very long opinion or measure): let rows split.
        token = _SPLIT_ROWS.set(True)
        try:
            return _build(permit, font)
        finally:
            _SPLIT_ROWS.reset(token)


def _build(permit: Permit, font: str) -> bytes:
    out = io.BytesIO()
    doc = _Doc(out, permit, font)
    doc.build(_story(permit, _styles(font)), canvasmaker=_Canvas)
    return out.getvalue()

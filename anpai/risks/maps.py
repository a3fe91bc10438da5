"""The four-colour risk map (安全风险四色分布图), drawn once and rendered three ways.

A map is a :class:`Scene`: a list of simple shapes (rectangles, lines,
polygons, circles, text and the site plan picture) in scene units. The site
plan sits inside the scene at :attr:`Scene.plan_box`, one scene unit per plan
unit, with the title band above it and the legend below. SVG, PNG (Pillow)
and PDF (reportlab) each walk the same list, so the three files match.

Every text that comes from a user is escaped in the SVG; the PNG and PDF draw
it as text. Chinese needs a CJK font: the PNG looks for one on the system
(WenQuanYi Zen Hei first, as the PDFs do) and, without one, draws what it can.
"""

from __future__ import annotations

import base64
import io
import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from anpai.orgs.models import Organization
from anpai.regions.choices import RegionLevel
from anpai.risks.choices import FILL, LEVEL_COLOUR, LEVEL_ORDER, Colour, RiskLevel
from anpai.risks.models import RiskPoint, SitePlan

# ---------------------------------------------------------------- constants

MARGIN = 24.0
TITLE_BAND = 88.0
GRID_W, GRID_H = 1000, 700  # a plan without a SitePlan row
AREA_OPACITY_IMAGE = 0.55  # over a site plan picture: the picture shows through
AREA_OPACITY_GRID = 0.85  # over the blank grid: unmistakably the level's colour
UNASSESSED_FILL = "#9e9e9e"
UNASSESSED_HATCH = "#5f5f5f"
INK = "#1a1a1a"
MUTED = "#555555"
HALO = "#ffffff"
LABEL_SIZE = 16.0
PNG_SCALE = 2.0  # PNG pixels per scene unit
FONT_STACK = (
    "'WenQuanYi Zen Hei', 'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', "
    "'Microsoft YaHei', 'Hiragino Sans GB', sans-serif"
)
PAPERS = ("A4", "A3")

# Fonts for the PNG, best first (the PDF uses anpai.inspections.pdf.cjk_font()).
PNG_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# ---------------------------------------------------------------- the scene


@dataclass
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str | None = None
    stroke: str | None = None
    stroke_width: float = 1.0
    opacity: float = 1.0
    hatch: bool = False
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str
    width: float = 1.0


@dataclass
class Polygon:
    points: list[tuple[float, float]]
    fill: str
    opacity: float = 1.0
    stroke: str | None = None
    stroke_width: float = 2.0
    hatch: bool = False
    title: str = ""
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class Circle:
    cx: float
    cy: float
    r: float
    fill: str
    stroke: str | None = "#ffffff"
    stroke_width: float = 2.0
    href: str = ""
    title: str = ""
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class Text:
    x: float
    y: float  # the baseline
    text: str
    size: float = 14.0
    fill: str = INK
    anchor: str = "start"  # start | middle | end
    bold: bool = False
    halo: str | None = None
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class Picture:
    x: float
    y: float
    w: float
    h: float
    data: bytes = b""  # PNG or JPEG bytes (embedded in the SVG as a data: URI)
    href: str = ""  # or a URL (the editor page links the checked view instead)


Shape = Rect | Line | Polygon | Circle | Text | Picture


@dataclass
class Scene:
    width: float
    height: float
    title: str
    items: list[Shape] = field(default_factory=list)
    plan_box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # x, y, w, h
    svg_attrs: dict[str, str] = field(default_factory=dict)

    def add(self, *shapes: Shape) -> None:
        self.items.extend(shapes)

    def to_plan(self, x: float, y: float) -> tuple[float, float]:
        return x - self.plan_box[0], y - self.plan_box[1]

    def from_plan(self, x: float, y: float) -> tuple[float, float]:
        return x + self.plan_box[0], y + self.plan_box[1]


# ---------------------------------------------------------------- geometry and text


def text_width(text: str, size: float) -> float:
    """An estimate of the width of ``text`` (CJK one em a character, Latin about 0.58 em)."""
    width = 0.0
    for ch in text:
        code = ord(ch)
        if code >= 0x2E80 or 0xFF00 <= code <= 0xFFEF:
            width += size
        elif ch in "il.,:;|!'`":
            width += size * 0.3
        elif ch.isupper() or ch in "mwMW@%":
            width += size * 0.72
        else:
            width += size * 0.56
    return width


def fit_text(text: str, size: float, max_width: float) -> str:
    """``text`` cut with an ellipsis so that it fits ``max_width``."""
    if text_width(text, size) <= max_width:
        return text
    while text and text_width(text + "…", size) > max_width:
        text = text[:-1]
    return text + "…"


def centroid(points: Sequence[Sequence[float]]) -> tuple[float, float]:
    """The area centroid of a polygon (the mean of its corners when it has no area)."""
    n = len(points)
    if n == 0:
        return 0.0, 0.0
    a = cx = cy = 0.0
    for i in range(n):
        x0, y0 = float(points[i][0]), float(points[i][1])
        x1, y1 = float(points[(i + 1) % n][0]), float(points[(i + 1) % n][1])
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(a) < 1e-9:
        return (
            sum(float(p[0]) for p in points) / n,
            sum(float(p[1]) for p in points) / n,
        )
    return cx / (3 * a), cy / (3 * a)


def contains(points: Sequence[Sequence[float]], x: float, y: float) -> bool:
    inside = False
    n = len(points)
    for i in range(n):
        x0, y0 = points[i][0], points[i][1]
        x1, y1 = points[(i + 1) % n][0], points[(i + 1) % n][1]
        if (y0 > y) != (y1 > y):
            at = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
            if x < at:
                inside = not inside
    return inside


def label_anchor(points: Sequence[Sequence[float]]) -> tuple[float, float]:
    """Where a polygon's label goes: its centroid, or inside it when the centroid is not
    (an L- or U-shaped area): the middle of the widest run across at the centroid's height."""
    cx, cy = centroid(points)
    if contains(points, cx, cy):
        return cx, cy
    xs: list[float] = []
    n = len(points)
    for i in range(n):
        x0, y0 = points[i][0], points[i][1]
        x1, y1 = points[(i + 1) % n][0], points[(i + 1) % n][1]
        if (y0 > cy) != (y1 > cy):
            xs.append(x0 + (cy - y0) * (x1 - x0) / (y1 - y0))
    xs.sort()
    runs = [(xs[i], xs[i + 1]) for i in range(0, len(xs) - 1, 2)]
    if not runs:
        return cx, cy
    left, right = max(runs, key=lambda r: r[1] - r[0])
    return (left + right) / 2, cy


def _hex(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def darker(colour: str, factor: float = 0.65) -> str:
    r, g, b = _hex(colour)
    return f"#{int(r * factor):02x}{int(g * factor):02x}{int(b * factor):02x}"


def level_fill(level: str) -> str:
    """The map fill of a level; grey for a point not assessed yet."""
    if level in RiskLevel.values:
        return FILL[LEVEL_COLOUR[RiskLevel(level)]]
    return UNASSESSED_FILL


def level_name(level: str) -> str:
    return str(RiskLevel(level).label) if level in RiskLevel.values else _("Not assessed")


# ---------------------------------------------------------------- the organisation's map


@dataclass
class _Label:
    name: str
    sub: str
    x: float
    y: float
    size: float
    point_id: int
    box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)


def _plan_picture(plan: SitePlan | None) -> bytes:
    if plan is None or not plan.image:
        return b""
    try:
        with plan.image.open("rb") as handle:
            return handle.read()
    except (OSError, ValueError):  # a missing file: the map falls back to the grid
        return b""


def _grid(scene: Scene, x0: float, y0: float, w: float, h: float) -> None:
    scene.add(Rect(x0, y0, w, h, fill="#ffffff"))
    step = 50
    for i in range(1, int(w // step) + 1):
        x = x0 + i * step
        if x < x0 + w:
            scene.add(Line(x, y0, x, y0 + h, "#d3d9df" if i % 2 == 0 else "#edf0f3", 1))
    for i in range(1, int(h // step) + 1):
        y = y0 + i * step
        if y < y0 + h:
            scene.add(Line(x0, y, x0 + w, y, "#d3d9df" if i % 2 == 0 else "#edf0f3", 1))


def _legend(
    scene: Scene,
    y: float,
    counts: dict[str, int],
    *,
    unassessed: int | None,
    x0: float,
    max_width: float,
    unassessed_label: str | None = None,
) -> float:
    """The legend: each level's swatch, name, colour and count; wraps; returns its bottom."""
    colour_names = dict(Colour.choices)
    entries: list[tuple[str, bool, str]] = []
    for level in LEVEL_ORDER:
        colour = LEVEL_COLOUR[level]
        label = _("%(level)s (%(colour)s)") % {
            "level": level.label,
            "colour": colour_names[colour],
        }
        if level in counts:
            label += f" {counts[level]}"
        entries.append((FILL[colour], False, label))
    if unassessed is not None:
        label = unassessed_label or _("Not assessed")
        entries.append((UNASSESSED_FILL, True, f"{label} {unassessed}"))
    size = 14.0
    sw, sh, gap = 30.0, 18.0, 26.0
    x, row_y = x0, y
    heading = _("Legend")
    scene.add(Text(x, row_y + 14, heading, size=size, bold=True))
    x += text_width(heading, size) + 14
    for fill, hatch, label in entries:
        width = sw + 8 + text_width(label, size)
        if x + width > x0 + max_width and x > x0:
            x = x0
            row_y += sh + 12
        scene.add(
            Rect(x, row_y, sw, sh, fill=fill, stroke=darker(fill), stroke_width=1, hatch=hatch),
            Text(x + sw + 8, row_y + 14, label, size=size),
        )
        x += width + gap
    return row_y + sh


def _place_labels(labels: list[_Label], bounds: tuple[float, float, float, float]) -> None:
    """Put each label near its anchor without overlapping those placed before it.

    The two lines sit above and below the anchor, leaving the anchor itself
    clear, so the area's colour shows at its centroid.
    """
    bx, by, bw, bh = bounds
    placed: list[tuple[float, float, float, float]] = []
    for label in labels:
        width = max(text_width(label.name, label.size), text_width(label.sub, label.size * 0.8))
        height = label.size * 2.2 + 6
        best = None
        for step in (0, -1, 1, -2, 2, -3, 3):
            cy = label.y + step * (height * 0.6)
            left = min(max(label.x - width / 2, bx + 2), bx + bw - width - 2)
            top = min(max(cy - height / 2, by + 2), by + bh - height - 2)
            box = (left, top, left + width, top + height)
            clash = any(
                not (box[2] <= o[0] or box[0] >= o[2] or box[3] <= o[1] or box[1] >= o[3])
                for o in placed
            )
            if best is None:
                best = box
            if not clash:
                best = box
                break
        assert best is not None
        placed.append(best)
        label.box = best


def org_scene(
    org: Organization,
    *,
    image_href: str | None = None,
    interactive: bool = False,
    today: date | None = None,
) -> Scene:
    """The four-colour map of ``org`` as a scene.

    ``image_href`` links the plan picture instead of embedding it (the editor
    page, which serves it through a checked view); ``interactive`` adds the
    attributes the editor's script uses.
    """
    plan = SitePlan.objects.filter(organization=org).first()
    points = list(RiskPoint.objects.filter(organization=org, is_active=True).order_by("code", "id"))
    pw, ph = (plan.width, plan.height) if plan is not None else (GRID_W, GRID_H)
    picture = b"" if image_href else _plan_picture(plan)
    has_image = bool(picture or (image_href and plan is not None and plan.image))
    name = (plan.title if plan is not None and plan.title else "") or org.name
    title = _("%(org)s four-colour safety risk map") % {"org": name}
    today = today or timezone.localdate()

    width = pw + 2 * MARGIN
    x0, y0 = MARGIN, TITLE_BAND
    scene = Scene(width=width, height=0, title=title, plan_box=(x0, y0, pw, ph))

    # Title band: the title (shrunk to fit), a line of counts, the date.
    title_size = 26.0
    while title_size > 15 and text_width(title, title_size) > width - 2 * MARGIN:
        title_size -= 1
    scene.add(
        Text(
            MARGIN,
            MARGIN + title_size,
            fit_text(title, title_size, width - 2 * MARGIN),
            size=title_size,
            bold=True,
        )
    )
    drawn = sum(1 for p in points if len(p.area or []) >= 3)
    band = _("%(n)d risk points, %(drawn)d drawn on the plan") % {"n": len(points), "drawn": drawn}
    date_text = _("Drawn on %(date)s") % {"date": today.isoformat()}
    scene.add(
        Text(MARGIN, TITLE_BAND - 16, fit_text(band, 14, width * 0.6), size=14, fill=MUTED),
        Text(width - MARGIN, TITLE_BAND - 16, date_text, size=14, fill=MUTED, anchor="end"),
    )

    # The plan: the picture, or the grid.
    if has_image:
        scene.add(Rect(x0, y0, pw, ph, fill="#ffffff"))
        scene.add(Picture(x0, y0, pw, ph, data=picture, href=image_href or ""))
    else:
        _grid(scene, x0, y0, pw, ph)
    opacity = AREA_OPACITY_IMAGE if has_image else AREA_OPACITY_GRID

    labels: list[_Label] = []
    counts: dict[str, int] = dict.fromkeys(LEVEL_ORDER, 0)
    unassessed = 0
    for point in points:
        if point.level in counts:
            counts[point.level] += 1
        else:
            unassessed += 1
        area = [(float(x), float(y)) for x, y in (point.area or [])]
        if len(area) < 3:
            continue
        fill = level_fill(point.level)
        attrs = {"data-level": point.level or "none", "data-point": str(point.pk)}
        if interactive:
            attrs["class"] = "rm-area"
        scene.add(
            Polygon(
                [(x0 + x, y0 + y) for x, y in area],
                fill=fill,
                opacity=opacity,
                stroke=darker(fill),
                stroke_width=2.5,
                hatch=not point.level,
                title=f"{point.name} · {level_name(point.level)}",
                attrs=attrs,
            )
        )
        ax, ay = label_anchor(area)
        sub = level_name(point.level)
        if point.code:
            sub = f"{point.code} · {sub}"
        labels.append(
            _Label(
                fit_text(point.name, LABEL_SIZE, 260), sub, x0 + ax, y0 + ay, LABEL_SIZE, point.pk
            )
        )
    scene.add(Rect(x0, y0, pw, ph, stroke="#6c757d", stroke_width=1.5))

    _place_labels(labels, (x0, y0, pw, ph))
    for label in labels:
        left, top, right, bottom = label.box
        mid = (left + right) / 2
        gap_y = (top + bottom) / 2
        attrs = {"data-point": str(label.point_id)}
        if interactive:
            attrs["class"] = "rm-label"
        if has_image:
            # Over a picture a pale panel keeps the label clear of the picture's own text.
            scene.add(
                Rect(
                    left - 4,
                    gap_y - 7 - label.size * 0.95,
                    right - left + 8,
                    14 + label.size * 1.8 + 3,
                    fill="#ffffff",
                    opacity=0.8,
                    attrs=attrs,
                )
            )
        # On the grid the anchor (centroid) lies between the two lines, in the clear.
        scene.add(
            Text(
                mid, gap_y - 7, label.name, size=label.size, anchor="middle", halo=HALO, attrs=attrs
            ),
            Text(
                mid,
                gap_y + 7 + label.size * 0.8 * 0.86,
                label.sub,
                size=label.size * 0.8,
                anchor="middle",
                halo=HALO,
                attrs=attrs,
            ),
        )

    bottom = _legend(
        scene,
        y0 + ph + 16,
        counts,
        unassessed=unassessed or None,
        x0=MARGIN,
        max_width=width - 2 * MARGIN,
    )
    missing = [p.name for p in points if len(p.area or []) < 3]
    if missing:
        note = _("Not drawn on the plan yet: %(names)s") % {"names": "、".join(missing)}
        bottom += 24
        scene.add(Text(MARGIN, bottom, fit_text(note, 13, width - 2 * MARGIN), size=13, fill=MUTED))
    scene.height = bottom + MARGIN
    if interactive:
        scene.svg_attrs = {
            "data-plan-x": f"{x0:g}",
            "data-plan-y": f"{y0:g}",
            "data-plan-w": str(pw),
            "data-plan-h": str(ph),
        }
    return scene


def org_map_svg(org: Organization, **options: Any) -> str:
    """The four-colour map as a standalone SVG (the plan picture embedded as a data: URI)."""
    return render_svg(org_scene(org, **options))


def org_map_png(org: Organization, **options: Any) -> bytes:
    return render_png(org_scene(org, **options))


def org_map_pdf(org: Organization, paper: str = "A4", **options: Any) -> bytes:
    """The map on one landscape page of ``paper`` (A4 or A3), fitted inside the margins."""
    return render_pdf(org_scene(org, **options), paper=paper)


# ---------------------------------------------------------------- SVG


def _clean(text: str) -> str:
    return _XML_BAD.sub("", str(text))


def _attr(value: Any) -> str:
    return quoteattr(_clean(value))


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _extra(attrs: dict[str, str]) -> str:
    return "".join(f" {k}={_attr(v)}" for k, v in attrs.items())


def _svg_shape(item: Shape) -> str:
    if isinstance(item, Rect):
        fill = "url(#rm-hatch)" if item.hatch else (item.fill or "none")
        parts = [
            f'<rect x="{_num(item.x)}" y="{_num(item.y)}" width="{_num(item.w)}" '
            f'height="{_num(item.h)}" fill="{fill}"'
        ]
        if item.stroke:
            parts.append(f' stroke="{item.stroke}" stroke-width="{_num(item.stroke_width)}"')
        if item.opacity < 1:
            parts.append(f' fill-opacity="{item.opacity:g}"')
        return "".join(parts) + _extra(item.attrs) + "/>"
    if isinstance(item, Line):
        return (
            f'<line x1="{_num(item.x1)}" y1="{_num(item.y1)}" x2="{_num(item.x2)}" '
            f'y2="{_num(item.y2)}" stroke="{item.stroke}" stroke-width="{_num(item.width)}"/>'
        )
    if isinstance(item, Polygon):
        pts = " ".join(f"{_num(x)},{_num(y)}" for x, y in item.points)
        out = f'<polygon points="{pts}" fill="{item.fill}" fill-opacity="{item.opacity:g}"'
        if item.stroke:
            out += (
                f' stroke="{item.stroke}" stroke-width="{_num(item.stroke_width)}"'
                ' stroke-linejoin="round"'
            )
        out += _extra(item.attrs)
        title = f"<title>{escape(_clean(item.title))}</title>" if item.title else ""
        out = f"{out}>{title}</polygon>"
        if item.hatch:
            out += (
                f'<polygon points="{pts}" fill="url(#rm-hatch)" fill-opacity="0.6" '
                'pointer-events="none"/>'
            )
        return out
    if isinstance(item, Circle):
        out = (
            f'<circle cx="{_num(item.cx)}" cy="{_num(item.cy)}" r="{_num(item.r)}" '
            f'fill="{item.fill}"'
        )
        if item.stroke:
            out += f' stroke="{item.stroke}" stroke-width="{_num(item.stroke_width)}"'
        out += _extra(item.attrs)
        title = f"<title>{escape(_clean(item.title))}</title>" if item.title else ""
        out = f"{out}>{title}</circle>"
        if item.href:
            # A larger, invisible target around the dot, for fingers.
            hit = (
                f'<circle cx="{_num(item.cx)}" cy="{_num(item.cy)}" r="{_num(item.r + 7)}" '
                'fill="#ffffff" fill-opacity="0"/>'
            )
            out = f"<a href={_attr(item.href)}>{hit}{out}</a>"
        return out
    if isinstance(item, Text):
        anchor = "" if item.anchor == "start" else f' text-anchor="{item.anchor}"'
        out = f'<text x="{_num(item.x)}" y="{_num(item.y)}" font-size="{_num(item.size)}"'
        out += f' fill="{item.fill}"{anchor}'
        if item.bold:
            out += ' font-weight="bold"'
        if item.halo:
            out += (
                f' stroke="{item.halo}" stroke-width="{_num(max(2.5, item.size / 5))}"'
                ' stroke-linejoin="round" paint-order="stroke"'
            )
        return out + _extra(item.attrs) + f">{escape(_clean(item.text))}</text>"
    if isinstance(item, Picture):
        if item.href:
            href = item.href
        elif item.data:
            kind = "jpeg" if item.data[:3] == b"\xff\xd8\xff" else "png"
            href = f"data:image/{kind};base64,{base64.b64encode(item.data).decode('ascii')}"
        else:
            return ""
        return (
            f'<image x="{_num(item.x)}" y="{_num(item.y)}" width="{_num(item.w)}" '
            f'height="{_num(item.h)}" preserveAspectRatio="none" xlink:href={_attr(href)}/>'
        )
    raise TypeError(item)


HATCH_DEF = (
    '<pattern id="rm-hatch" width="10" height="10" patternUnits="userSpaceOnUse" '
    f'patternTransform="rotate(45)"><rect width="10" height="10" fill="{UNASSESSED_FILL}"/>'
    f'<line x1="0" y1="0" x2="0" y2="10" stroke="{UNASSESSED_HATCH}" stroke-width="4"/></pattern>'
)


def render_svg(scene: Scene, *, standalone: bool = True) -> str:
    """The scene as SVG; ``standalone`` adds the XML declaration (a file, not a page part)."""
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' if standalone else ""
    w, h = _num(scene.width), _num(scene.height)
    extra = _extra(scene.svg_attrs)
    body = "".join(_svg_shape(item) for item in scene.items)
    return (
        f'{head}<svg xmlns="http://www.w3.org/2000/svg" '
        'xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        f'aria-label={_attr(scene.title)} font-family="{FONT_STACK}"{extra}>'
        f"<title>{escape(_clean(scene.title))}</title><defs>{HATCH_DEF}</defs>"
        f"{body}</svg>\n"
    )


# ---------------------------------------------------------------- PNG


@cache
def _png_font_path() -> str | None:
    from anpai.inspections.pdf import TTF_PATH

    for path in (TTF_PATH, *PNG_FONTS):
        if os.path.exists(path):
            return path
    return None


@cache
def _png_font(px: int) -> Any:
    from PIL import ImageFont

    path = _png_font_path()
    if path is not None:
        try:
            return ImageFont.truetype(path, px, index=0)
        except OSError:  # a damaged font file: fall back, never fail
            pass
    try:
        return ImageFont.load_default(px)
    except (TypeError, OSError):  # no FreeType: the bitmap font
        return ImageFont.load_default()


def _png_text(draw: Any, item: Text, s: float) -> None:
    px = max(6, round(item.size * s))
    font = _png_font(px)
    anchor = {"start": "ls", "middle": "ms", "end": "rs"}[item.anchor]
    options: dict[str, Any] = {"font": font, "anchor": anchor, "fill": item.fill}
    if item.halo:
        options.update(stroke_width=max(2, round(item.size * s / 5)), stroke_fill=item.halo)
    elif item.bold:
        options.update(stroke_width=max(1, round(px / 28)), stroke_fill=item.fill)
    text = _clean(item.text)
    for attempt in (text, text.encode("ascii", "replace").decode("ascii")):
        try:
            draw.text((item.x * s, item.y * s), attempt, **options)
            return
        except (UnicodeError, ValueError, OSError, TypeError):
            options.pop("anchor", None)  # the bitmap font knows no anchors
            continue


def _hatch_layer(size: tuple[int, int], s: float) -> Any:
    from PIL import Image, ImageDraw

    layer = Image.new("RGBA", size, (*_hex(UNASSESSED_FILL), 255))
    draw = ImageDraw.Draw(layer)
    step = max(4, round(10 * s * math.sqrt(2)))
    for k in range(0, size[0] + size[1] + step, step):
        draw.line([(k, 0), (k - size[1], size[1])], fill=_hex(UNASSESSED_HATCH), width=round(3 * s))
    return layer


def render_png(scene: Scene, scale: float = PNG_SCALE) -> bytes:
    from PIL import Image, ImageDraw

    s = scale
    size = (max(1, round(scene.width * s)), max(1, round(scene.height * s)))
    canvas = Image.new("RGBA", size, (255, 255, 255, 255))
    draw = ImageDraw.Draw(canvas)

    def box(x: float, y: float, w: float, h: float) -> tuple[int, int, int, int]:
        return round(x * s), round(y * s), round((x + w) * s), round((y + h) * s)

    for item in scene.items:
        if isinstance(item, Rect):
            left, top, right, bottom = box(item.x, item.y, item.w, item.h)
            if item.hatch:
                layer = _hatch_layer((max(1, right - left), max(1, bottom - top)), s)
                canvas.alpha_composite(layer, (left, top))
            elif item.fill:
                rgb = _hex(item.fill)
                if item.opacity < 1:
                    layer = Image.new(
                        "RGBA",
                        (max(1, right - left), max(1, bottom - top)),
                        (*rgb, round(item.opacity * 255)),
                    )
                    canvas.alpha_composite(layer, (left, top))
                else:
                    draw.rectangle((left, top, right, bottom), fill=rgb)
            if item.stroke:
                draw.rectangle(
                    (left, top, right, bottom),
                    outline=_hex(item.stroke),
                    width=max(1, round(item.stroke_width * s)),
                )
        elif isinstance(item, Line):
            draw.line(
                [(item.x1 * s, item.y1 * s), (item.x2 * s, item.y2 * s)],
                fill=_hex(item.stroke),
                width=max(1, round(item.width * s)),
            )
        elif isinstance(item, Polygon):
            pts = [(x * s, y * s) for x, y in item.points]
            left = max(0, math.floor(min(p[0] for p in pts)) - 4)
            top = max(0, math.floor(min(p[1] for p in pts)) - 4)
            right = min(size[0], math.ceil(max(p[0] for p in pts)) + 4)
            bottom = min(size[1], math.ceil(max(p[1] for p in pts)) + 4)
            if right <= left or bottom <= top:
                continue
            local = [(x - left, y - top) for x, y in pts]
            mask = Image.new("L", (right - left, bottom - top), 0)
            ImageDraw.Draw(mask).polygon(local, fill=round(item.opacity * 255))
            if item.hatch:
                layer = _hatch_layer(mask.size, s)
            else:
                layer = Image.new("RGBA", mask.size, (*_hex(item.fill), 255))
            layer.putalpha(mask)
            canvas.alpha_composite(layer, (left, top))
            if item.stroke:
                draw.line(
                    [*pts, pts[0]],
                    fill=_hex(item.stroke),
                    width=max(1, round(item.stroke_width * s)),
                    joint="curve",
                )
        elif isinstance(item, Circle):
            r = item.r * s
            draw.ellipse(
                (item.cx * s - r, item.cy * s - r, item.cx * s + r, item.cy * s + r),
                fill=_hex(item.fill),
                outline=_hex(item.stroke) if item.stroke else None,
                width=max(1, round(item.stroke_width * s)),
            )
        elif isinstance(item, Text):
            _png_text(draw, item, s)
        elif isinstance(item, Picture):
            if not item.data:
                continue
            try:
                with Image.open(io.BytesIO(item.data)) as source:
                    picture = source.convert("RGBA")
            except (OSError, ValueError, SyntaxError):
                continue  # unreadable: the white plan area stays
            left, top, right, bottom = box(item.x, item.y, item.w, item.h)
            picture = picture.resize((max(1, right - left), max(1, bottom - top)))
            canvas.alpha_composite(picture, (left, top))
    out = io.BytesIO()
    canvas.convert("RGB").save(out, format="PNG", optimize=True)
    return out.getvalue()


# ---------------------------------------------------------------- PDF


def paper_size(paper: str) -> tuple[float, float]:
    """Landscape size in points of ``paper`` ("A4" or "A3"); ValueError otherwise."""
    from reportlab.lib.pagesizes import A3, A4, landscape

    sizes = {"A4": A4, "A3": A3}
    key = str(paper or "").upper()
    if key not in sizes:
        raise ValueError(paper)
    return landscape(sizes[key])


def render_pdf(scene: Scene, paper: str = "A4") -> bytes:
    from reportlab.lib.colors import HexColor
    from reportlab.lib.units import mm
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas as pdfcanvas

    from anpai.inspections.pdf import cjk_font

    page_w, page_h = paper_size(paper)
    font = cjk_font()
    margin = 10 * mm
    s = min((page_w - 2 * margin) / scene.width, (page_h - 2 * margin) / scene.height)
    ox = (page_w - scene.width * s) / 2
    oy = (page_h - scene.height * s) / 2

    def px(x: float) -> float:
        return ox + x * s

    def py(y: float) -> float:
        return page_h - oy - y * s

    out = io.BytesIO()
    c = pdfcanvas.Canvas(out, pagesize=(page_w, page_h))
    c.setTitle(scene.title)
    c.setAuthor("anpai")
    c.setLineJoin(1)

    def path(points: Iterable[tuple[float, float]]) -> Any:
        p = c.beginPath()
        for i, (x, y) in enumerate(points):
            if i == 0:
                p.moveTo(px(x), py(y))
            else:
                p.lineTo(px(x), py(y))
        p.close()
        return p

    def hatch(p: Any, bbox: tuple[float, float, float, float], opacity: float = 1.0) -> None:
        left, top, right, bottom = bbox
        c.saveState()
        c.clipPath(p, stroke=0, fill=0)
        c.setFillColor(HexColor(UNASSESSED_FILL))
        c.setFillAlpha(opacity)
        c.rect(px(left), py(bottom), (right - left) * s, (bottom - top) * s, stroke=0, fill=1)
        c.setStrokeColor(HexColor(UNASSESSED_HATCH))
        c.setStrokeAlpha(opacity)
        c.setLineWidth(3 * s)
        step = 10 * math.sqrt(2)
        span = (right - left) + (bottom - top)
        k = 0.0
        while k <= span:
            c.line(px(left + k), py(top), px(left + k - (bottom - top)), py(bottom))
            k += step
        c.restoreState()

    for item in scene.items:
        if isinstance(item, Rect):
            if item.hatch:
                hatch(
                    path(
                        [
                            (item.x, item.y),
                            (item.x + item.w, item.y),
                            (item.x + item.w, item.y + item.h),
                            (item.x, item.y + item.h),
                        ]
                    ),
                    (item.x, item.y, item.x + item.w, item.y + item.h),
                )
            c.saveState()
            if item.fill and not item.hatch:
                c.setFillColor(HexColor(item.fill))
                c.setFillAlpha(item.opacity)
            if item.stroke:
                c.setStrokeColor(HexColor(item.stroke))
                c.setLineWidth(item.stroke_width * s)
            c.rect(
                px(item.x),
                py(item.y + item.h),
                item.w * s,
                item.h * s,
                stroke=1 if item.stroke else 0,
                fill=1 if (item.fill and not item.hatch) else 0,
            )
            c.restoreState()
        elif isinstance(item, Line):
            c.setStrokeColor(HexColor(item.stroke))
            c.setLineWidth(item.width * s)
            c.line(px(item.x1), py(item.y1), px(item.x2), py(item.y2))
        elif isinstance(item, Polygon):
            xs = [x for x, _y in item.points]
            ys = [y for _x, y in item.points]
            if item.hatch:
                hatch(path(item.points), (min(xs), min(ys), max(xs), max(ys)), item.opacity)
            c.saveState()
            c.setFillColor(HexColor(item.fill))
            c.setFillAlpha(0 if item.hatch else item.opacity)
            if item.stroke:
                c.setStrokeColor(HexColor(item.stroke))
                c.setLineWidth(item.stroke_width * s)
            c.drawPath(
                path(item.points), stroke=1 if item.stroke else 0, fill=0 if item.hatch else 1
            )
            c.restoreState()
        elif isinstance(item, Circle):
            c.saveState()
            c.setFillColor(HexColor(item.fill))
            if item.stroke:
                c.setStrokeColor(HexColor(item.stroke))
                c.setLineWidth(item.stroke_width * s)
            c.circle(px(item.cx), py(item.cy), item.r * s, stroke=1 if item.stroke else 0, fill=1)
            c.restoreState()
        elif isinstance(item, Text):
            size = item.size * s
            text = _clean(item.text)
            draw = {
                "start": c.drawString,
                "middle": c.drawCentredString,
                "end": c.drawRightString,
            }[item.anchor]
            c.saveState()
            c.setFont(font, size)
            if item.halo:
                c.setStrokeColor(HexColor(item.halo))
                c.setLineWidth(max(2.5, item.size / 5) * s)
                draw(px(item.x), py(item.y), text, mode=1)
            c.setFillColor(HexColor(item.fill))
            if item.bold:
                c.setStrokeColor(HexColor(item.fill))
                c.setLineWidth(size / 30)
                draw(px(item.x), py(item.y), text, mode=2)
            else:
                draw(px(item.x), py(item.y), text)
            c.restoreState()
        elif isinstance(item, Picture):
            if not item.data:
                continue
            try:
                reader = ImageReader(io.BytesIO(item.data))
                c.drawImage(
                    reader, px(item.x), py(item.y + item.h), item.w * s, item.h * s, mask="auto"
                )
            except (OSError, ValueError):  # unreadable: the white plan area stays
                continue
    c.showPage()
    c.save()
    return out.getvalue()


# ---------------------------------------------------------------- the township's map


@dataclass
class TownshipData:
    """What the township map and its table show (one query for organisations, one for counts)."""

    orgs: list[Organization]
    highest: dict[int, str]  # org id → its highest active level ("" when none assessed)
    rows: list[dict[str, Any]]  # per village: name, orgs, counts per level, none, total
    totals: dict[str, Any]
    area_name: str


def _village_key(org: Organization) -> tuple[str, str]:
    region = org.region
    return region.code, region.name


def township_data(user: Any) -> TownshipData:
    """The organisations ``user`` may see that have a risk point or a key flag, the highest
    active level of each, and the active risk points per level per village."""
    from django.db.models import Count

    from anpai.core import access

    orgs = list(
        Organization.objects.restrict(user, access.VIEW)
        .filter(Q(is_key=True) | Q(risk_points__is_active=True))
        .select_related("region", "region__parent")
        .distinct()
        .order_by("region__code", "name", "id")
    )
    ids = [o.pk for o in orgs]
    counted = (
        RiskPoint.objects.restrict(user, access.VIEW)
        .filter(is_active=True, organization_id__in=ids)
        .values_list("organization_id", "level")
        .annotate(n=Count("id"))
        .order_by()
    )
    per_org: dict[int, dict[str, int]] = {}
    for org_id, level, n in counted:
        per_org.setdefault(org_id, {})
        per_org[org_id][level or ""] = per_org[org_id].get(level or "", 0) + n
    highest: dict[int, str] = {}
    for org in orgs:
        levels = [lv for lv in per_org.get(org.pk, {}) if lv in RiskLevel.values]
        highest[org.pk] = min(levels, key=_rank_of) if levels else ""

    townships = {o.region.code[:9] for o in orgs}
    rows_by: dict[tuple[str, str], dict[str, Any]] = {}
    blank = {**{str(lv): 0 for lv in LEVEL_ORDER}, "none": 0, "total": 0, "orgs": 0}
    totals: dict[str, Any] = dict(blank)
    for org in orgs:
        code, name = _village_key(org)
        if len(townships) > 1 and org.region.level == RegionLevel.VILLAGE and org.region.parent:
            name = f"{org.region.parent.name} {name}"
        row = rows_by.setdefault((code, name), {"code": code, "name": name, **blank})
        row["orgs"] += 1
        totals["orgs"] += 1
        for level, n in per_org.get(org.pk, {}).items():
            key = level if level in RiskLevel.values else "none"
            row[key] += n
            row["total"] += n
            totals[key] += n
            totals["total"] += n
    rows = [rows_by[k] for k in sorted(rows_by)]
    for row in [*rows, totals]:
        row["cells"] = [row[str(lv)] for lv in LEVEL_ORDER]
    if len(townships) == 1 and orgs:
        first = orgs[0].region
        township = first.parent if first.level == RegionLevel.VILLAGE and first.parent else first
        area_name = township.name
    else:
        area_name = ""
    return TownshipData(orgs, highest, rows, totals, area_name)


def _org_dot(org: Organization, level: str, x: float, y: float, href: str) -> Circle:
    return Circle(
        x,
        y,
        9,
        fill=level_fill(level),
        stroke=darker(level_fill(level), 0.6),
        stroke_width=1.5,
        href=href,
        title=f"{org.name} · {level_name(level) if level else _('No assessed risk')}",
        attrs={"data-org": str(org.pk), "data-level": level or "none"},
    )


def township_scene(
    data: TownshipData,
    *,
    link: Any = None,
    today: date | None = None,
    width: float = 1000,
) -> Scene:
    """Organisations as dots coloured by their highest level: placed by latitude and
    longitude when they have them, else in a labelled cell of their village."""
    today = today or timezone.localdate()
    link = link or (lambda org: "")
    if data.area_name:
        title = _("%(area)s: organisations by highest risk level") % {"area": data.area_name}
    else:
        title = _("Organisations by highest risk level")
    scene = Scene(width=width, height=0, title=title)
    inner = width - 2 * MARGIN
    scene.add(
        Text(MARGIN, MARGIN + 24, fit_text(title, 24, inner), size=24, bold=True),
        Text(
            MARGIN,
            TITLE_BAND - 16,
            _("%(n)d organisations with risk points or a key flag") % {"n": len(data.orgs)},
            size=14,
            fill=MUTED,
        ),
        Text(
            width - MARGIN,
            TITLE_BAND - 16,
            _("Drawn on %(date)s") % {"date": today.isoformat()},
            size=14,
            fill=MUTED,
            anchor="end",
        ),
    )
    y = TITLE_BAND
    placed = [o for o in data.orgs if o.latitude is not None and o.longitude is not None]
    loose = [o for o in data.orgs if o.latitude is None or o.longitude is None]

    if placed:
        lats = [float(o.latitude) for o in placed]  # type: ignore[arg-type]
        lons = [float(o.longitude) for o in placed]  # type: ignore[arg-type]
        lat0 = (min(lats) + max(lats)) / 2
        kx = math.cos(math.radians(lat0))
        span_x = max((max(lons) - min(lons)) * kx, 0.005)
        span_y = max(max(lats) - min(lats), 0.005)
        panel_h = min(max(inner * span_y / span_x, 320), 640)
        pad = 30
        scale = min((inner - 2 * pad) / span_x, (panel_h - 2 * pad) / span_y)
        cx_lon = (min(lons) + max(lons)) / 2
        cx_lat = lat0

        def project(lat: float, lon: float) -> tuple[float, float]:
            return (
                MARGIN + inner / 2 + (lon - cx_lon) * kx * scale,
                y + panel_h / 2 - (lat - cx_lat) * scale,
            )

        scene.add(Rect(MARGIN, y, inner, panel_h, fill="#f6f8fa", stroke="#adb5bd"))
        # Dots, the most severe drawn last (on top); then names where they fit.
        spots = {
            org.pk: project(float(org.latitude), float(org.longitude))  # type: ignore[arg-type]
            for org in placed
        }
        order = sorted(placed, key=lambda o: -_rank_of(data.highest.get(o.pk, "")))
        for org in order:
            px, py = spots[org.pk]
            scene.add(_org_dot(org, data.highest.get(org.pk, ""), px, py, link(org)))
        taken = [(sx - 10, sy - 10, sx + 10, sy + 10) for sx, sy in spots.values()]
        right_edge = MARGIN + inner - 4
        for org in reversed(order):
            px, py = spots[org.pk]
            name = fit_text(org.name, 12, 150)
            w = text_width(name, 12)
            for left in (px + 13, px - 13 - w):
                box = (left, py - 8, left + w, py + 6)
                if box[0] < MARGIN + 4 or box[2] > right_edge:
                    continue
                if any(
                    not (box[2] <= o[0] or box[0] >= o[2] or box[3] <= o[1] or box[1] >= o[3])
                    for o in taken
                ):
                    continue
                taken.append(box)
                scene.add(Text(left, py + 4, name, size=12, fill="#343a40", halo=HALO))
                break
        scene.add(
            Text(
                MARGIN + 8,
                y + panel_h - 8,
                _("Placed by latitude and longitude"),
                size=12,
                fill=MUTED,
            )
        )
        y += panel_h + 16

    if loose:
        scene.add(Text(MARGIN, y + 16, _("Without coordinates, by village"), size=15, bold=True))
        y += 26
        groups: dict[tuple[str, str], list[Organization]] = {}
        for org in loose:
            groups.setdefault(_village_key(org), []).append(org)
        cols = 3 if len(groups) > 2 else max(1, len(groups))
        gap = 10
        cell_w = (inner - gap * (cols - 1)) / cols
        keys = sorted(groups)
        for start in range(0, len(keys), cols):
            line = keys[start : start + cols]
            row_h = 34 + max(len(groups[k]) for k in line) * 24 + 4
            for i, key in enumerate(line):
                x = MARGIN + i * (cell_w + gap)
                scene.add(
                    Rect(x, y, cell_w, row_h, fill="#f6f8fa", stroke="#adb5bd"),
                    Text(x + 8, y + 20, fit_text(key[1], 14, cell_w - 16), size=14, bold=True),
                )
                members = sorted(groups[key], key=lambda o: _rank_of(data.highest.get(o.pk, "")))
                for j, org in enumerate(members):
                    dy = y + 34 + 12 + j * 24
                    scene.add(
                        _org_dot(org, data.highest.get(org.pk, ""), x + 18, dy, link(org)),
                        Text(x + 34, dy + 4.5, fit_text(org.name, 13, cell_w - 44), size=13),
                    )
            y += row_h + gap

    if not data.orgs:
        scene.add(Text(width / 2, y + 40, _("No organisations to show."), size=16, anchor="middle"))
        y += 60

    counts = {str(lv): 0 for lv in LEVEL_ORDER}
    none = 0
    for org in data.orgs:
        level = data.highest.get(org.pk, "")
        if level:
            counts[level] += 1
        else:
            none += 1
    bottom = _legend(
        scene,
        y + 12,
        counts,
        unassessed=none,
        x0=MARGIN,
        max_width=inner,
        unassessed_label=_("No assessed risk"),
    )
    scene.height = bottom + MARGIN
    # The township map's "no assessed risk" swatch is plain grey, like its dots.
    for item in scene.items:
        if isinstance(item, Rect) and item.hatch:
            item.hatch = False
    return scene


def _rank_of(level: str) -> int:
    from anpai.risks.choices import RANK

    return RANK[RiskLevel(level)] if level in RiskLevel.values else len(RANK)

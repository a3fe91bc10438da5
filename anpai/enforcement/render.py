"""Official documents (执法文书) as PDF and Word files, rebuilt from ``Document.content``.

Both formats are drawn from one layout, :func:`sheet`, so the PDF and the Word
file of a document say the same thing in the same order, in the conventional
layout of 安全生产行政执法文书:

- the issuing authority's name (红头), the title, the number right-aligned;
- a cancelled document's note (and, on every page, a large diagonal 作废);
- the addressee (with address, credit code and principal where the kind has them),
  or, for an on-site record, the table of who, where, when and by whom;
- the body per kind: the problems numbered, the legal basis, the requirement with
  its deadline as a Chinese date, the review's findings and opinion;
- the right to appeal (orders and decisions), the authority's address and phone;
- the officers' signature lines, the authority and date with the seal area;
- the receipt (送达回执) for the addressee to sign.

The text is Chinese whatever the user's language: these are Chinese
government forms. ``content["basis_verified"]`` is an internal flag and is
never printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date

from anpai.enforcement.choices import DocumentKind
from anpai.enforcement.models import Document

K = DocumentKind

# The right to appeal, per kind (行政复议法 第二十条: 60 days; 行政诉讼法 第四十六条:
# six months; 行政复议法 第四十二条 / 行政诉讼法 第五十六条: not suspended meanwhile).
APPEAL: dict[str, str] = {
    K.ORDER: (
        "如不服本指令，可以依法在六十日内申请行政复议，或者在六个月内依法提起行政诉讼，"
        "但本指令不停止执行，法律另有规定的除外。"
    ),
    K.SUSPENSION: (
        "如不服本决定，可以依法在六十日内申请行政复议，或者在六个月内依法提起行政诉讼，"
        "但本决定不停止执行，法律另有规定的除外。"
    ),
    K.CLOSURE: (
        "如不服本决定，可以依法在六十日内申请行政复议，或者在六个月内依法提起行政诉讼，"
        "但本决定不停止执行，法律另有规定的除外。"
    ),
}

# Who signs for the authority, per kind.
SIGNERS: dict[str, str] = {
    K.ORDER: "执法人员（签名）：",
    K.SUSPENSION: "执法人员（签名）：",
    K.CLOSURE: "执法人员（签名）：",
    K.REVIEW: "复查人员（签名）：",
    K.RECORD: "检查人员（签名）：",
}

# The receipt's heading and who signs it, per kind.
RECEIPT_TITLE = {K.RECORD: "被检查单位确认"}
RECEIPT_SIGNER = {K.RECORD: "被检查单位现场负责人（签名）："}
DEFAULT_RECEIPT_TITLE = "送达回执"
DEFAULT_RECEIPT_SIGNER = "被检查单位签收人（签名）："

CERTIFICATE = "证号："  # the officer's enforcement certificate number
DATE_LABEL = "日期："
BLANK_DATE = "　　年　　月　　日"  # filled in by hand

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def clean(value: Any) -> str:
    """Text safe for PDF and Word XML: no control characters, CRLF as LF, trimmed."""
    text = "" if value is None else str(value)
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def cn_date(value: Any) -> str:
    """2026-12-13 (a date or ISO text) → 2026年12月13日; empty when there is none."""
    if isinstance(value, date):
        day: date | None = value
    else:
        try:
            day = parse_date(str(value or "")[:10])
        except ValueError:
            day = None
    if day is None:
        return clean(value)
    return f"{day.year}年{day.month}月{day.day}日"


def lines(value: Any) -> list[str]:
    """A text as its non-empty lines."""
    return [line.strip() for line in clean(value).split("\n") if line.strip()]


@dataclass(frozen=True)
class Para:
    """One paragraph of the body: ``body`` indented two characters, ``plain`` flush left,
    ``label`` a flush-left heading such as 检查情况：."""

    text: str
    style: str = "body"


@dataclass
class Sheet:
    """Everything one printed document shows, in order (both formats draw this)."""

    kind: str
    authority: str
    title: str
    number: str
    issued: str  # the date of issue, 2026年11月28日
    cancelled: str = ""  # 本文书已于…作废：…
    addressee: str = ""  # 文水县鑫源化工有限公司：
    details: list[tuple[str, str]] = field(default_factory=list)  # small block under it
    # The record's grid: rows of one (label, value) pair across, or two side by side.
    table: list[list[tuple[str, str]]] = field(default_factory=list)
    body: list[Para] = field(default_factory=list)
    appeal: str = ""
    contact: list[str] = field(default_factory=list)  # 本机关地址：…　联系电话：…
    # Signature lines: each a label (or "" for a further line under the one above) and a
    # blank to sign on, then 证号： and a blank for the certificate number.
    signers: list[str] = field(default_factory=list)
    receipt_title: str = DEFAULT_RECEIPT_TITLE
    receipt_text: str = ""
    receipt_signer: str = DEFAULT_RECEIPT_SIGNER  # then a blank, 日期： and 年 月 日

    @property
    def is_cancelled(self) -> bool:
        return bool(self.cancelled)

    @property
    def file_title(self) -> str:
        return f"{self.title} {self.number}".strip()


def _basis_clause(basis: str) -> str:
    """依据《…》第…条的规定，(without doubling 规定)."""
    basis = basis.rstrip("，,。；; ")
    if not basis:
        return ""
    return f"依据{basis}，" if basis.endswith("规定") else f"依据{basis}的规定，"


def _requirement(kind: str, text: str, deadline: str) -> list[Para]:
    """The requirement with the deadline written in: in place of 整改期限届满前 or a
    ``{deadline}`` marker in the township's text, else as a sentence of its own."""
    text = clean(text)
    extra = ""
    if deadline:
        if "{deadline}" in text:
            text = text.replace("{deadline}", deadline)
        elif kind == K.ORDER and "整改期限届满前" in text:
            text = text.replace("整改期限届满前", f"{deadline}前")
        elif kind == K.ORDER:
            extra = f"整改期限：{deadline}前。"
        elif kind == K.SUSPENSION:
            extra = f"停产整顿期限：自本决定书送达之日起至{deadline}止。"
    paras = [Para(t) for t in lines(text)]
    if extra:
        paras.append(Para(extra))
    return paras


def _problems(intro: str, items: list[str]) -> list[Para]:
    paras = [Para(intro)] if items else []
    paras += [Para(f"{n}.{clean(item)}") for n, item in enumerate(items, 1) if clean(item)]
    return paras


def _facts(content: dict[str, Any]) -> list[Para]:
    facts = lines(content.get("facts"))
    if facts and not facts[0].startswith("经查"):
        facts[0] = f"经查，{facts[0]}"
    return [Para(t) for t in facts]


def _with_basis(basis: str, paras: list[Para]) -> list[Para]:
    """依据…的规定，+ the requirement's first paragraph (or the basis alone)."""
    clause = _basis_clause(basis)
    if not clause:
        return paras
    if not paras:
        return [Para(f"依据：{basis.rstrip('，,。；; ')}。")]
    return [Para(clause + paras[0].text), *paras[1:]]


def _shipped_title(kind: str) -> str:
    """The kind's Chinese title as shipped (for a document whose content lacks one)."""
    from anpai.enforcement.actions import shipped

    return str((shipped()["kinds"].get(kind) or {}).get("title") or "")


def sheet(document: Document) -> Sheet:
    """The printed layout of ``document``, from its frozen content."""
    c: dict[str, Any] = document.content or {}
    kind = str(document.kind or c.get("kind") or K.ORDER)
    items = [clean(i) for i in (c.get("items") or []) if clean(i)]
    basis = clean(c.get("basis"))
    deadline = cn_date(c.get("deadline"))
    addressee = clean(c.get("addressee"))
    s = Sheet(
        kind=kind,
        authority=clean(c.get("authority")),
        title=clean(c.get("title")) or _shipped_title(kind),
        number=clean(c.get("number")) or clean(document.number),
        issued=cn_date(c.get("issued_on") or document.issued_on),
        addressee=f"{addressee}：" if addressee else "",
        appeal=APPEAL.get(kind, ""),
        signers=[SIGNERS.get(kind, SIGNERS[K.ORDER]), ""],  # two officers sign
        receipt_title=RECEIPT_TITLE.get(kind, DEFAULT_RECEIPT_TITLE),
        receipt_text=clean(c.get("receipt")),
        receipt_signer=RECEIPT_SIGNER.get(kind, DEFAULT_RECEIPT_SIGNER),
    )
    if document.cancelled_at is not None:
        when = cn_date(timezone.localdate(document.cancelled_at))
        reason = clean(document.cancel_reason) or "（未注明理由）"
        s.cancelled = f"本文书已于{when}作废：{reason}"
    contact = [
        f"{label}：{clean(c.get(key))}"
        for label, key in (("地址", "address"), ("联系电话", "contact"))
        if clean(c.get(key))
    ]
    if contact:
        s.contact.append("本机关" + "　".join(contact))
    if kind in (K.SUSPENSION, K.CLOSURE):
        for label, key in (
            ("地址", "addressee_address"),
            ("统一社会信用代码", "credit_code"),
            ("主要负责人", "principal"),
        ):
            if clean(c.get(key)):
                s.details.append((label, clean(c.get(key))))

    if kind == K.ORDER:
        s.body = _problems("经查，你单位存在下列问题：", items)
        s.body += _with_basis(basis, _requirement(kind, c.get("requirement", ""), deadline))
    elif kind in (K.SUSPENSION, K.CLOSURE):
        facts = _facts(c)
        s.body = facts + _problems(
            "你单位存在下列问题：" if facts else "经查，你单位存在下列问题：", items
        )
        s.body += _with_basis(basis, _requirement(kind, c.get("requirement", ""), deadline))
    elif kind == K.REVIEW:
        s.body = _review_body(c, basis, deadline)
    elif kind == K.RECORD:
        s.addressee = ""
        value = {
            "address": clean(c.get("addressee_address")),
            "credit_code": clean(c.get("credit_code")),
            "principal": clean(c.get("principal")),
            "place": clean(c.get("place")),
            "inspected_on": cn_date(c.get("inspected_on")),
            "present": clean(c.get("present")),
            "inspectors": clean(c.get("inspectors")),
        }
        s.table = [
            [("被检查单位", addressee)],
            [("地址", value["address"])],
            [("统一社会信用代码", value["credit_code"]), ("主要负责人", value["principal"])],
            [("检查场所", value["place"])],
            [("检查时间", value["inspected_on"]), ("被检查单位现场负责人", value["present"])],
            [("检查人员", value["inspectors"])],
        ]
        intro = "本机关执法人员对被检查单位进行了现场检查，检查情况如下："
        if basis:
            intro = _basis_clause(basis) + intro
        s.body = [Para("检查情况：", "label"), Para(intro)]
        s.body += [Para(t) for t in lines(c.get("summary"))]
        if items:
            s.body += _problems("检查发现下列问题：", items)
        else:
            s.body.append(Para("未发现问题。"))
        s.body += [Para(t) for t in lines(c.get("requirement"))]
    return s


def _review_body(c: dict[str, Any], basis: str, deadline: str) -> list[Para]:
    reviewed = cn_date(c.get("reviewed_on"))
    title = clean(c.get("order_title")) or "责令限期整改指令书"
    number = clean(c.get("order_number"))
    made = f"{title}（{number}）" if number else title
    issued = cn_date(c.get("order_issued_on"))
    first = f"本机关于{issued}作出{made}" if issued else f"本机关作出{made}"
    first += f"，责令你单位于{deadline}前整改完毕。" if deadline else "，责令你单位整改。"
    how = f"本机关依据{basis.rstrip('，,。；; ')}，" if basis else "本机关"
    first += (
        f"{reviewed}，{how}对整改情况进行了复查。" if reviewed else f"{how}对整改情况进行了复查。"
    )
    body = [Para(first)]
    findings = lines(c.get("findings"))
    if findings:
        body.append(Para(f"复查情况：{findings[0]}"))
        body += [Para(t) for t in findings[1:]]
    opinion = lines(c.get("opinion"))
    if opinion:
        body.append(Para(f"复查意见：{opinion[0]}"))
        body += [Para(t) for t in opinion[1:]]
    return body


def pdf(document: Document) -> bytes:
    """The document as PDF bytes (A4; the same bytes every time for the same document)."""
    from anpai.enforcement.render_pdf import render

    return render(sheet(document))


def docx(document: Document) -> bytes:
    """The document as a Word file (A4; the same bytes every time for the same document)."""
    from anpai.enforcement.render_docx import render

    return render(sheet(document))

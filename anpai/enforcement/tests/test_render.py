"""Printed official documents (执法文书): every kind as PDF and Word from the document's
frozen content, in the conventional layout, the same bytes each time, and a cancelled
one marked 作废 with its reason."""

from __future__ import annotations

import io
import os
import zipfile
from datetime import date
from pathlib import Path

import docx as python_docx
import pypdfium2 as pdfium
import pytest
from django.utils import timezone

from anpai.enforcement import actions, render
from anpai.enforcement.models import Document, Review
from anpai.enforcement.tests.conftest import later

pytestmark = pytest.mark.django_db

SHOTS = Path(os.environ.get("ANPAI_SCREENSHOTS", "var/screenshots"))


# ---------------------------------------------------------------- helpers


def squeeze(value: str) -> str:
    return "".join(str(value).split())


def pdf_pages(data: bytes) -> list[str]:
    """Each page's text without white space (a wrapped line may split a phrase)."""
    assert data.startswith(b"%PDF")
    doc = pdfium.PdfDocument(data)
    return [squeeze(doc[i].get_textpage().get_text_range()) for i in range(len(doc))]


def docx_text(data: bytes) -> str:
    """The Word file's text: body paragraphs and table cells, in order, without white space."""
    doc = python_docx.Document(io.BytesIO(data))
    parts: list[str] = []
    for block in doc.element.body.iterchildren():
        if block.tag.endswith("}p") or block.tag.endswith("}tbl"):
            parts.append("".join(t.text or "" for t in block.iter() if t.tag.endswith("}t")))
    return squeeze("".join(parts))


def save_pages(data: bytes, name: str) -> list[Path]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    doc = pdfium.PdfDocument(data)
    paths = []
    for i in range(len(doc)):
        path = SHOTS / f"{name}-{i + 1}.png"
        doc[i].render(scale=1.6).to_pil().save(path)
        paths.append(path)
    return paths


def cn(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day.year}年{day.month}月{day.day}日"


def printed(document: Document, name: str | None = None) -> tuple[list[str], str]:
    """The document's PDF pages' text and its Word text (saving the PDF's pages as PNG)."""
    data, word = render.pdf(document), render.docx(document)
    if name:
        save_pages(data, name)
        (SHOTS / f"{name}.docx").write_bytes(word)
    return pdf_pages(data), docx_text(word)


def assert_in_both(expected: list[str], pages: list[str], word: str) -> None:
    joined = "".join(pages)
    for text in expected:
        assert squeeze(text) in joined, f"PDF lacks {text!r}"
        assert squeeze(text) in word, f"Word file lacks {text!r}"


APPEAL = "如不服本指令，可以依法在六十日内申请行政复议，或者在六个月内依法提起行政诉讼"
DECISION_APPEAL = "如不服本决定，可以依法在六十日内申请行政复议"


# ---------------------------------------------------------------- each kind


def test_an_order_prints_what_the_conventional_form_shows(demo, case, org):
    order = actions.issue_order(
        case, by=demo["township"], deadline=later(15), items=["消防通道堵塞", "未设置警示标志"]
    )
    deadline = cn(later(15))
    pages, word = printed(order, "order")
    assert len(pages) == 1
    assert_in_both(
        [
            "西槽头乡人民政府",
            "责令限期整改指令书",
            order.number,
            f"{org.name}：",
            "经查，你单位存在下列问题：",
            "1.消防通道堵塞",
            "2.未设置警示标志",
            "依据《中华人民共和国安全生产法》第六十五条第一款第（三）项、第一百零二条的规定，"
            f"现责令你单位对上述问题于{deadline}前整改完毕",
            APPEAL,
            "执法人员（签名）：",
            "证号：",
            cn(order.issued_on.isoformat()),
            "送达回执",
            "本指令书已收到。",
            "被检查单位签收人（签名）：",
        ],
        pages,
        word,
    )
    # The number sits under the title, the addressee under the number.
    text = pages[0]
    assert text.index("责令限期整改指令书") < text.index(order.number) < text.index(org.name)
    # The internal "basis not yet verified" flag is never printed.
    assert order.content["basis_verified"] is False
    for leak in ("未核实", "核实", "verified", "False"):
        assert leak not in text
        assert leak not in word
    # Nothing cancelled about it.
    assert "作废" not in text
    assert "作废" not in word


def test_a_suspension_names_the_enterprise_the_facts_and_the_period(demo, case, org):
    end = later(30)
    decision = actions.issue_suspension(case, by=demo["township"], deadline=end)
    pages, word = printed(decision, "suspension")
    assert_in_both(
        [
            "停产整顿决定书",
            decision.number,
            f"{org.name}：",
            f"地址：{org.address}",
            f"统一社会信用代码：{org.credit_code}",
            f"主要负责人：{org.principal_name}",
            "经查，检查发现厨房未安装可燃气体报警装置，气瓶间未单独设置。",
            "你单位存在下列问题：",
            f"1.{decision.content['items'][0]}",
            "依据《中华人民共和国安全生产法》第六十五条第一款第（三）项、第一百零二条的规定，"
            "现决定你单位自本决定书送达之日起停产整顿。",
            f"停产整顿期限：自本决定书送达之日起至{cn(end)}止。",
            DECISION_APPEAL,
            "西槽头乡人民政府",
            cn(decision.issued_on.isoformat()),
            "本决定书已收到。",
        ],
        pages,
        word,
    )


def test_a_closure_decision_prints_facts_items_basis_and_requirement(demo, case, org):
    decision = actions.issue_closure(case, by=demo["township"], items=["无证非法生产"])
    pages, word = printed(decision, "closure")
    assert_in_both(
        [
            "关闭取缔决定书",
            decision.number,
            f"{org.name}：",
            f"统一社会信用代码：{org.credit_code}",
            "经查，检查发现厨房未安装可燃气体报警装置",
            "1.无证非法生产",
            "依据《中华人民共和国安全生产法》第一百一十三条的规定，现决定对你单位予以关闭取缔。",
            DECISION_APPEAL,
            cn(decision.issued_on.isoformat()),
            "本决定书已收到。",
        ],
        pages,
        word,
    )


def test_a_review_opinion_recites_the_order_and_the_result(demo, case, org):
    township = demo["township"]
    order = actions.issue_order(case, by=township, deadline=later(15))
    review = Review.objects.get(case=case)
    opinion = actions.record_review(review, by=township, passed=False, findings="报警装置仍未安装")
    pages, word = printed(opinion, "review")
    day = cn(opinion.issued_on.isoformat())
    assert_in_both(
        [
            "整改复查意见书",
            opinion.number,
            f"{org.name}：",
            f"本机关于{cn(order.issued_on.isoformat())}作出责令限期整改指令书（{order.number}），"
            f"责令你单位于{cn(later(15))}前整改完毕。{day}，本机关依据"
            "《中华人民共和国安全生产法》第六十五条，对整改情况进行了复查。",
            "复查情况：报警装置仍未安装",
            "复查意见：经复查，你单位未按要求完成整改。本机关将依法作出进一步处理。",
            "复查人员（签名）：",
            "本意见书已收到。",
        ],
        pages,
        word,
    )
    # A review is not a decision to appeal against.
    assert "行政复议" not in "".join(pages)
    assert "行政复议" not in word


def test_an_inspection_record_is_a_grid_then_the_findings_and_signatures(demo, case, org):
    record = actions.issue_record(
        case, by=demo["township"], place="二号车间 <储罐区>", inspectors="赵安平、王五"
    )
    pages, word = printed(record, "record")
    assert_in_both(
        [
            "现场检查记录",
            record.number,
            f"被检查单位{org.name}",
            f"地址{org.address}",
            f"检查时间{cn(record.content['inspected_on'])}",
            "检查场所二号车间<储罐区>",
            "检查人员赵安平、王五",
            f"被检查单位现场负责人{record.content['present']}",
            "检查情况：",
            "依据《中华人民共和国安全生产法》第六十五条、第六十八条的规定，",
            "发现问题两项",  # the inspection's summary
            f"1.{record.content['items'][0]}",
            f"2.{record.content['items'][1]}",
            "检查人员（签名）：",
            "以上记录已经核对，与事实相符。",
            "被检查单位现场负责人（签名）：",
            "西槽头乡人民政府",
            cn(record.issued_on.isoformat()),
        ],
        pages,
        word,
    )
    assert "行政复议" not in "".join(pages)
    assert "行政复议" not in word
    # The record has the grid instead of an addressee line.
    assert f"{org.name}：" not in "".join(pages)


# ---------------------------------------------------------------- settings, cancellation, text


def test_a_townships_own_texts_and_contact_are_printed(demo, case):
    township = demo["township"]
    actions.save_settings(
        by=township,
        region=case.township,
        prefix="西安监",
        authority="西槽头乡安全生产委员会办公室",
        contact="0358-3012345",
        address="西槽头乡政府院内",
        kinds={"order": {"requirement": "请你单位立即组织整改，整改完毕后书面报告。"}},
    )
    order = actions.issue_order(case, by=township, deadline=later(20))
    pages, word = printed(order)
    assert_in_both(
        [
            "西槽头乡安全生产委员会办公室",
            "请你单位立即组织整改，整改完毕后书面报告。",
            f"整改期限：{cn(later(20))}前。",  # the township's text has no deadline in it
            "本机关地址：西槽头乡政府院内　联系电话：0358-3012345",
        ],
        pages,
        word,
    )


def test_a_cancelled_document_is_marked_void_with_its_reason_in_both_formats(demo, case):
    township = demo["township"]
    order = actions.issue_order(
        case, by=township, deadline=later(10), items=[f"问题{n}" for n in range(40)]
    )
    before = render.pdf(order)
    assert "作废" not in "".join(pdf_pages(before))
    actions.cancel_document(order, by=township, reason="送达对象有误 & 重新下达")
    order.refresh_from_db()
    when = cn(timezone.localdate(order.cancelled_at).isoformat())
    pages, word = printed(order, "cancelled")
    note = f"本文书已于{when}作废：送达对象有误&重新下达"
    assert note in pages[0]
    assert note in word
    # The large diagonal 作废 is on every page (the note is on the first only).
    assert len(pages) >= 2
    assert all("作废" in page for page in pages[1:])
    # Word: the watermark in the header of the first and of the later pages.
    doc = python_docx.Document(io.BytesIO(render.docx(order)))
    section = doc.sections[0]
    for header in (section.first_page_header, section.header):
        assert 'string="作废"' in header._element.xml
    # It keeps its number.
    assert order.number in pages[0]
    assert order.number in word


def test_text_that_breaks_naive_markup_prints_as_written(demo, case, org):
    items = [
        "配电箱<b>未</b>接地 & 无漏电保护",
        "依据〔2024〕3号文 <script>alert(1)</script>",
        "温度>60℃时",
    ]
    order = actions.issue_order(case, by=demo["township"], deadline=later(5), items=items)
    pages, word = printed(order)
    assert_in_both([f"{n}.{text}" for n, text in enumerate(items, 1)], pages, word)


def test_forty_problems_flow_onto_a_second_page(demo, case):
    items = [f"第{n}项问题：作业现场未按规定设置安全警示标志和防护设施" for n in range(1, 41)]
    order = actions.issue_order(case, by=demo["township"], deadline=later(5), items=items)
    pages, word = printed(order, "order-long")
    assert len(pages) >= 2
    assert f"第1页共{len(pages)}页" in pages[0]
    assert f"第{len(pages)}页共{len(pages)}页" in pages[-1]
    joined = "".join(pages)
    for n, item in enumerate(items, 1):
        assert f"{n}.{item}" in joined
        assert f"{n}.{item}" in word
    # Later pages repeat the title and number at the top; the receipt comes last.
    assert order.number in pages[1]
    assert "送达回执" in pages[-1]
    assert "送达回执" not in pages[0]
    # The signatures and seal do not stand alone: the appeal clause goes with them.
    last = next(p for p in pages if "执法人员（签名）" in p)
    assert squeeze(APPEAL) in last


def test_the_same_document_prints_the_same_bytes_without_queries(
    demo, case, django_assert_num_queries
):
    order = actions.issue_order(case, by=demo["township"], deadline=later(5))
    order = Document.objects.get(pk=order.pk)
    with django_assert_num_queries(0):
        first_pdf, first_docx = render.pdf(order), render.docx(order)
    assert render.pdf(order) == first_pdf
    assert pdf_pages(render.pdf(order)) == pdf_pages(first_pdf)
    assert render.docx(order) == first_docx
    # A real Word package: A4 portrait, 2.5 cm side margins, East Asian fonts set.
    names = zipfile.ZipFile(io.BytesIO(first_docx)).namelist()
    assert "word/document.xml" in names
    doc = python_docx.Document(io.BytesIO(first_docx))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert round(section.left_margin.mm) == round(section.right_margin.mm) == 25
    xml = doc.element.xml
    assert 'w:eastAsia="黑体"' in xml
    assert 'w:eastAsia="仿宋"' in xml
    assert doc.core_properties.title == f"责令限期整改指令书 {order.number}"


def test_a_document_with_sparse_content_still_prints_its_number_and_title():
    """An older or partial document (no items, no texts) prints what it has, without error."""
    document = Document(
        kind="closure", number="西安监关闭〔2025〕9号", issued_on=date(2025, 3, 7), content={}
    )
    pages = pdf_pages(render.pdf(document))
    word = docx_text(render.docx(document))
    for text in ("关闭取缔决定书", "西安监关闭〔2025〕9号", "2025年3月7日", "送达回执"):
        assert text in pages[0]
        assert text in word

"""The printed permit (安全作业票): every field of the paper form is on it, in the form's
layout, over as many pages as it needs, and only for those who may see the permit."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override, pgettext

from anpai.permits import actions, pdf
from anpai.permits.models import Permit
from anpai.permits.pdf import permit_queryset, render_permit, title_of
from anpai.risks.models import RiskPoint

SHOTS = Path(os.environ.get("ANPAI_SCREENSHOTS", "var/screenshots"))
SCALE = 1.6


# ---------------------------------------------------------------- helpers


def pdf_text(data: bytes) -> list[str]:
    """Each page's text without white space (a wrapped line may split a phrase)."""
    assert data.startswith(b"%PDF")
    doc = pdfium.PdfDocument(data)
    return ["".join(doc[i].get_textpage().get_text_range().split()) for i in range(len(doc))]


def squeeze(value: str) -> str:
    return "".join(str(value).split())


def save_pages(data: bytes, name: str) -> list[Path]:
    """Render every page to ``SHOTS/permit-pdf-<name>-<n>.png`` (to look at them)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    doc = pdfium.PdfDocument(data)
    paths = []
    for i in range(len(doc)):
        path = SHOTS / f"permit-pdf-{name}-{i + 1}.png"
        doc[i].render(scale=SCALE).to_pil().save(path)
        paths.append(path)
    return paths


def printed(permit: Permit) -> bytes:
    return render_permit(permit_queryset(Permit.objects.filter(pk=permit.pk)).get())


def gas(permit, people, *, minutes_ago=5, lel="0.1", o2="20.9", toxic=None, point="3# 罐人孔处"):
    return actions.gas_analysis(
        permit,
        by=people["team"],
        taken_at=timezone.now() - timedelta(minutes=minutes_ago),
        point=point,
        lel_percent=lel,
        o2_percent=o2,
        toxic=toxic or {},
        analyst="分析员戊",
    )


SIGNERS = {"unit": "head", "safety": "safety", "principal": "principal"}
OPINIONS = {
    "unit": "措施落实，同意作业",
    "safety": "气体分析合格后方可动火",
    "principal": "同意，加强监护",
}


def sign(permit, people, steps: int | None = None) -> Permit:
    """Submit and sign the first ``steps`` steps of the chain (all by default), each
    with its own opinion."""
    permit = actions.submit(permit, by=people["team"])
    for step in permit.chain()[:steps]:
        permit = actions.approve(permit, by=people[SIGNERS[step]], opinion=OPINIONS[step])
    return permit


def prepare(permit, people) -> Permit:
    """Measures confirmed by named people (one does not apply) and the briefing given."""
    measures = list(permit.measures.all())
    rows = [
        {"id": m.pk, "applicable": i != 1, "confirmed_by": f"确认人{i + 1}号"}
        for i, m in enumerate(measures)
    ]
    actions.confirm_measures(permit, by=people["team"], measures=rows)
    return actions.record_briefing(
        permit, by=people["team"], given_by="车间主任甲", received_by="焊工丙、焊工庚"
    )


WORKERS = [
    {
        "name": "焊工丙",
        "certificate_kind": "焊接与热切割作业",
        "certificate_no": "T140000001",
        "certificate_expires": "2030-01-01",
    },
    {
        "name": "焊工庚",
        "certificate_kind": "焊接与热切割作业",
        "certificate_no": "T140000002",
        "certificate_expires": "2031-06-30",
    },
]


def hot_work_in_progress(make, people, org) -> tuple[Permit, Permit]:
    """A 一级 hot-work permit inside a confined space, both started; the hot work done."""
    cs = make(
        "confined_space",
        {},
        content="3# 储罐内部检修",
        location="罐区 3# 储罐内",
        guardian="监护人辛",
        guardian_certificate="JH-0099",
    )
    cs = prepare(sign(cs, people), people)
    gas(cs, people, o2="20.8", toxic={"H2S": "1"})
    cs = actions.start(cs, by=people["team"])
    point = RiskPoint.objects.filter(organization=org, is_active=True).order_by("pk").first()
    hot = make(
        "hot_work",
        {"area": "hazardous_area", "method": "电焊"},
        unit="检修车间",
        workers=WORKERS,
        linked=[cs.pk],
        risk_point=point.pk if point else None,
        guardian_certificate="JH-0007",
    )
    hot = prepare(sign(hot, people), people)
    gas(hot, people, minutes_ago=10, lel="0.15", o2="20.9", toxic={"CO": "5"})
    hot = actions.start(hot, by=people["team"])
    return hot, cs


# ---------------------------------------------------------------- the form's content


@pytest.mark.django_db
def test_printed_hot_work_permit_shows_every_field(make, people, org):
    hot, cs = hot_work_in_progress(make, people, org)
    hot = actions.complete(hot, by=people["team"], accepted_by="验收人己", note="现场已清理")
    hot = permit_queryset(Permit.objects.filter(pk=hot.pk)).get()
    data = render_permit(hot)
    save_pages(data, "hot-work-completed")
    text = "".join(pdf_text(data))

    assert hot.number.startswith("DH-")
    assert hot.number in text
    assert squeeze(title_of(hot)) in text
    expected = [
        org.name,
        "检修车间",  # working unit
        "更换 3# 罐进料管线法兰",  # content
        "罐区 3# 储罐",  # location
        "一级",  # level
        "电焊",  # hot work method
        "甲醇",  # medium
        "车间主任甲",  # person in charge
        "监护人丁",
        "JH-0007",
        "易燃气体泄漏、火灾爆炸、灼烫",  # risk identification
        cs.number,  # linked confined-space permit
        # workers with certificate numbers and their expiry
        "焊工丙",
        "T140000001",
        "2030-01-01",
        "焊工庚",
        "T140000002",
        "2031-06-30",
        # gas analysis: point, readings, toxic gas, analyst
        "3# 罐人孔处",
        "0.15",
        "20.9",
        "CO5",
        "分析员戊",
        # briefing
        "焊工丙、焊工庚",
        # approvals: opinions and who signed
        OPINIONS["unit"],
        OPINIONS["safety"],
        people["head"].get_full_name(),
        people["safety"].get_full_name(),
        # completion
        "验收人己",
        "现场已清理",
        f"{timezone.localtime(hot.planned_start):%Y-%m-%d%H:%M}",
        f"{timezone.localtime(hot.planned_end):%Y-%m-%d%H:%M}",
        f"{timezone.localtime(hot.completed_at):%Y-%m-%d%H:%M}",
    ]
    for value in expected:
        assert squeeze(value) in text, value
    for i, measure in enumerate(hot.measures.all()):
        assert squeeze(measure.text) in text, measure.text
        assert f"确认人{i + 1}号" in text
    if hot.risk_point is not None:
        assert squeeze(hot.risk_point.name) in text
    # The principal does not sign a 一级 permit: the chain has two rows.
    assert OPINIONS["principal"] not in text


@pytest.mark.django_db
def test_printed_confined_space_shows_a_failed_analysis_and_its_reason(make, people):
    cs = make("confined_space", {}, content="污水池清淤", location="污水处理站 2# 池")
    cs = prepare(sign(cs, people), people)
    gas(cs, people, minutes_ago=20, lel="0.1", o2="18.5", toxic={"H2S": "25"})
    gas(cs, people, minutes_ago=5, lel="0.1", o2="20.6")
    data = printed(cs)
    save_pages(data, "confined-space-approved")
    text = "".join(pdf_text(data))
    assert cs.number.startswith("SX-")
    assert cs.number in text
    assert squeeze(title_of(cs)) in text
    for value in ("污水池清淤", "污水处理站 2# 池", "18.5", "20.6", "H2S25", "分析员戊"):
        assert squeeze(value) in text, value
    with override("zh-hans"):
        fail, ok = pgettext("permit form", "Fail"), pgettext("permit form", "Pass")
    assert squeeze(fail) in text
    assert squeeze(ok) in text
    # The verdict names what failed (the actions' own message, with the limits).
    failures = cs.analyses.order_by("taken_at").first().failures
    assert failures
    assert all(squeeze(f) in text for f in failures)


@pytest.mark.django_db
def test_unsigned_steps_print_as_empty_boxes(make, people):
    """A draft has no number yet and every step of its chain is blank; a half-signed permit
    shows the signed step's opinion and signer and leaves the next one blank."""
    draft = make("hot_work", {"area": "hazardous_area", "night_or_holiday": True})
    assert draft.level == "special"
    data = printed(draft)
    save_pages(data, "hot-work-draft")
    text = "".join(pdf_text(data))
    with override("zh-hans"):
        pending = pgettext("permit form", "(given on submission)")
    assert squeeze(pending) in text
    steps = draft.level_rule["steps"]
    for code in draft.chain():
        assert squeeze(steps[code]["zh"]) in text  # the step's row is there …
    for opinion in OPINIONS.values():
        assert opinion not in text  # … with nobody's signature

    half = sign(make("hot_work", {"area": "hazardous_area"}), people, steps=1)
    data = printed(half)
    save_pages(data, "hot-work-half-signed")
    text = "".join(pdf_text(data))
    assert half.number in text
    assert OPINIONS["unit"] in text
    assert people["head"].get_full_name() in text
    assert OPINIONS["safety"] not in text
    assert squeeze(steps["safety"]["zh"]) in text


@pytest.mark.django_db
def test_cancelled_permit_prints_its_state_and_reason(make, people):
    permit = actions.cancel(
        make("height", {"height_m": "18"}, content="厂房屋面彩钢板更换", location="2# 厂房屋面"),
        by=people["safety"],
        reason="大风天气，改期作业",
    )
    data = printed(permit)
    save_pages(data, "height-cancelled")
    text = "".join(pdf_text(data))
    assert "大风天气，改期作业" in text
    assert "三级" in text  # 15–30 m
    assert "18m" in text  # the working height


@pytest.mark.django_db
def test_level_source_and_the_unverified_footnote(make, people):
    permit = make("hot_work", {"area": "other"})
    assert permit.level_rule["verified"] is False
    with override("zh-hans"):
        note = pgettext(
            "permit form",
            "This rule is unverified: it follows a summary of GB 30871-2022 and is "
            "still to be checked against the standard's text.",
        )
    text = "".join(pdf_text(printed(permit)))
    assert squeeze(permit.level_rule["source"]) in text
    assert squeeze(note) in text

    permit.level_rule = {**permit.level_rule, "verified": True}
    text = "".join(pdf_text(render_permit(permit)))
    assert squeeze(permit.level_rule["source"]) in text
    assert squeeze(note) not in text


@pytest.mark.django_db
def test_a_long_permit_flows_onto_more_pages_with_the_header_repeated(make, people):
    workers = [
        {
            "name": f"作业人{i:02d}",
            "certificate_kind": "焊接与热切割作业",
            "certificate_no": f"T1400001{i:02d}",
            "certificate_expires": "2030-01-01",
        }
        for i in range(40)
    ]
    hazards = "；".join(f"第{i}项：罐内残液挥发形成爆炸性混合物，遇火花引发闪爆" for i in range(30))
    permit = sign(
        make(
            "hot_work", {"area": "hazardous_area"}, workers=workers, hazard_identification=hazards
        ),
        people,
    )
    for minutes in range(25, 0, -1):
        gas(permit, people, minutes_ago=minutes, point=f"取样点{minutes:02d}")
    data = printed(permit)
    save_pages(data, "hot-work-long")
    pages = pdf_text(data)
    assert len(pages) >= 3
    title = squeeze(title_of(permit))
    with override("zh-hans"):
        last = pgettext("permit form", "Page %(page)d of %(pages)d") % {
            "page": len(pages),
            "pages": len(pages),
        }
    for page in pages:
        assert title in page
        assert permit.number in page
    assert squeeze(last) in pages[-1]
    text = "".join(pages)
    assert all(f"T1400001{i:02d}" in text for i in range(40))
    assert all(f"取样点{m:02d}" in text for m in range(1, 26))
    assert OPINIONS["safety"] in text


@pytest.mark.django_db
def test_an_opinion_longer_than_a_page_still_prints(make, people, monkeypatch):
    """A single table row taller than a page cannot move to the next page: the form is
    laid out again with rows allowed to split, rather than failing."""
    permit = actions.submit(make("hot_work", {"area": "other"}), by=people["team"])
    opinion = "".join(
        f"第{i:03d}条意见：动火点周围十五米内清除可燃物并设专人监护" for i in range(220)
    )
    permit = actions.approve(permit, by=people["head"], opinion=opinion)
    attempts = []
    build = pdf._build

    def spy(*args):
        attempts.append(pdf._SPLIT_ROWS.get())
        return build(*args)

    monkeypatch.setattr(pdf, "_build", spy)
    data = printed(permit)
    assert attempts == [False, True]
    assert not pdf._SPLIT_ROWS.get()
    text = "".join(pdf_text(data))
    assert "第000条意见" in text
    assert "第219条意见" in text
    assert permit.number in text


# ---------------------------------------------------------------- language


@pytest.mark.django_db
def test_labels_are_translatable(make, people, english):
    permit = make("confined_space", {})
    text = "".join(pdf_text(printed(permit)))
    assert "Confinedspaceentrysafetypermit" in text
    assert "Workersandcertificates(validuntil)" in text
    assert "Linkedspecialoperationsandtheirpermitnumbers" in text


@pytest.mark.django_db
def test_printed_permit_is_in_chinese_by_default(make, people):
    """The issue asks for every field in Chinese: the form's title and labels come from the
    zh-Hans catalogue (msgctxt "permit form")."""
    permit = make("hot_work", {"area": "other"})
    text = "".join(pdf_text(printed(permit)))
    labels = "动火安全作业票 作业申请单位 作业人及证书编号 监护人 气体分析 安全措施 是否涉及 确认人"
    for label in [*labels.split(), "安全交底人", "接受交底人", "完工验收"]:
        assert label in text, label


# ---------------------------------------------------------------- the page


@pytest.mark.django_db
def test_pdf_download_names_the_number_and_respects_scope(make, people, login):
    permit = sign(make("hot_work", {"area": "other"}), people)
    url = reverse("permits:pdf", args=[permit.pk])
    for who in ("ent1", "township", "county"):
        response = login(who).get(url)
        assert response.status_code == 200, who
        assert response["Content-Type"] == "application/pdf"
        assert permit.number in response["Content-Disposition"]
        assert response["Cache-Control"] == "private, no-store"
        assert permit.number in "".join(pdf_text(response.content))
    assert login("ent2").get(url).status_code == 404  # another enterprise's permit
    assert login("ent1").get(reverse("permits:pdf", args=[permit.pk + 999])).status_code == 404
    assert login("auditor").get(url).status_code == 404  # no permit role at all


@pytest.mark.django_db
def test_pdf_reads_a_constant_number_of_queries(make, people, login, django_assert_max_num_queries):
    small = sign(make("hot_work", {"area": "other"}), people)
    many = [dict(WORKERS[0], name=f"作业人{i}", certificate_no=f"T2{i:04d}") for i in range(12)]
    big = sign(make("hot_work", {"area": "hazardous_area"}, workers=many), people)
    for minutes in (25, 20, 15, 10, 5):
        gas(big, people, minutes_ago=minutes)
    client = login("ent1")
    counts = []
    for permit in (small, big):
        with django_assert_max_num_queries(14) as ctx:
            assert client.get(reverse("permits:pdf", args=[permit.pk])).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]

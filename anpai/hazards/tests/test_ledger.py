"""The rectification ledger (整改台账): content, scope, escaping, query counts, jobs."""

from __future__ import annotations

import io
import itertools
from datetime import timedelta
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from anpai.audit.models import AuditRecord
from anpai.hazards import actions, ledger
from anpai.hazards.models import Hazard
from anpai.hazards.tests.conftest import make_jpeg
from anpai.jobs import runner
from anpai.jobs.models import Job, JobState

FIVE = {
    "responsible_name": "周晓东",
    "measures": "更换老化线路，加装漏电保护",
    "funds": Decimal("3500"),
    "contingency": "停用该配电箱，设置警示标识",
}
URL = "/hazards/ledger.xlsx"
_numbers = itertools.count(1)


def _sheet(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def _rows(sheet):
    """Data rows (below the title, date and header rows) as lists of values."""
    return [list(r) for r in sheet.iter_rows(min_row=ledger.TITLE_ROWS + 2, values_only=True)]


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def _bulk(count: int, like: Hazard) -> None:
    """``count`` more hazards like ``like``, inserted at once (the ledger only reads them).

    Every third is closed and every third overdue, so that every column is read.
    """
    now = timezone.now()
    today = timezone.localdate()
    rows = []
    for n in range(count):
        hazard = Hazard(
            organization_id=like.organization_id,
            title=f"{like.title} {n}",
            description=like.description,
            category_id=like.category_id,
            level=like.level,
            source=like.source,
            reported_by_id=like.reported_by_id,
            number=f"YHT-{next(_numbers):06d}",
        )
        if n % 3:
            hazard.state = "assigned" if n % 3 == 1 else "closed"
            hazard.responsible_user_id = like.reported_by_id
            hazard.measures = "更换"
            hazard.funds = Decimal("100")
            hazard.deadline = today - timedelta(days=n % 5)
            hazard.contingency = "停用"
        if n % 3 == 2:
            hazard.rectified_at = hazard.verified_at = now
            hazard.verified_by_id = like.reported_by_id
        rows.append(hazard)
    Hazard.objects.bulk_create(rows)


def test_the_ledger_has_title_header_frozen_panes_widths_and_the_values(demo, new_hazard, login):
    h = new_hazard("ent1safety", place="二车间")
    deadline = timezone.localdate() + timedelta(days=10)
    h = actions.assign(h, by=demo["ent1safety"], deadline=deadline, **FIVE)
    response = login("township").get(URL, {"found_after": "2023-11-17"})
    assert response.status_code == 200
    assert response["Content-Type"] == ledger.XLSX_TYPE
    today = timezone.localdate()
    # A Chinese file name, encoded for every browser (RFC 6266 / 5987).
    expected = quote(f"整改台账-{today:%Y%m%d}.xlsx")
    assert f"filename*=utf-8''{expected}" in response["Content-Disposition"]
    assert "attachment" in response["Content-Disposition"]

    sheet = _sheet(_body(response))
    assert sheet.title == "整改台账"
    assert sheet["A1"].value == "西槽头乡 重大事故隐患排查整治整改台账"
    assert sheet["A2"].value == f"发现日期：2023-11-17 以后　导出日期：{today:%Y-%m-%d}"
    header = [c.value for c in sheet[3]]
    assert header == [
        "序号", "隐患编号", "单位名称", "所在村", "行业", "发现日期", "隐患来源", "隐患描述",
        "隐患等级", "整改责任人", "整改措施", "整改资金（元）", "整改时限", "应急预案", "状态",
        "整改完成日期", "验收人", "验收日期", "逾期天数",
    ]  # fmt: skip
    assert sheet.freeze_panes == "C4"
    assert sheet.column_dimensions["C"].width == 30
    assert sheet.column_dimensions["H"].width == 50

    rows = _rows(sheet)
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))  # 序号
    row = {r[1]: r for r in rows}[h.number]
    assert row[2] == h.organization.name
    assert row[3] == h.organization.region.name
    assert row[5].date() == timezone.localdate(h.found_at)
    assert row[6] == "企业自查"
    assert row[7] == "配电箱线路老化（二车间）：二车间配电箱电线绝缘层老化破损"
    assert row[8] == "一般隐患"
    assert row[9:12] == ["周晓东", "更换老化线路，加装漏电保护", 3500]
    assert row[12].date() == deadline
    assert row[13] == "停用该配电箱，设置警示标识"
    assert row[14] == "整改中"
    assert row[15:] == [None, None, None, None]


def test_closed_and_overdue_rows(demo, new_hazard, login):
    h = new_hazard("ent1safety")
    h = actions.assign(
        h, by=demo["ent1safety"], deadline=timezone.localdate() + timedelta(days=5), **FIVE
    )
    h = actions.rectify(h, by=demo["ent1safety"], rectification="已更换", photos=[make_jpeg()])
    h = actions.verify(h, by=demo["ent1"], accepted=True)
    late = actions.assign(
        new_hazard("ent1safety", title="灭火器过期"),
        by=demo["ent1safety"],
        deadline=timezone.localdate() + timedelta(days=1),
        **FIVE,
    )
    Hazard.objects.filter(pk=late.pk).update(deadline=timezone.localdate() - timedelta(days=4))
    rows = {r[1]: r for r in _rows(_sheet(_body(login("ent1").get(URL))))}
    closed = rows[h.number]
    assert closed[14] == "已销号"
    assert closed[15].date() == timezone.localdate()
    assert closed[16] == demo["ent1"].get_full_name()
    assert closed[17].date() == timezone.localdate()
    assert rows[late.number][18] == 4


def test_formula_like_text_is_escaped(demo, new_hazard, login):
    h = new_hazard(
        "ent1safety",
        title='=HYPERLINK("http://evil.example","点我")',
        description="x",
    )
    h.measures = "+cmd|' /C calc'!A0"
    h.contingency = "@SUM(1+1)"
    h.responsible_name = "-2+3"
    h.save()
    content = _body(login("township").get(URL))
    sheet = load_workbook(io.BytesIO(content)).active
    row = next(r for r in sheet.iter_rows(min_row=4) if r[1].value == h.number)
    for cell, text in (
        (row[7], '=HYPERLINK("http://evil.example","点我")：x'),
        (row[9], "-2+3"),
        (row[10], "+cmd|' /C calc'!A0"),
        (row[13], "@SUM(1+1)"),
    ):
        assert cell.value == text
        assert cell.data_type == "s"  # text, never a formula
        assert cell.quotePrefix  # what typing '=… in Excel stores
    # Nothing in the file is a formula.
    assert b"<f>" not in content


def test_scope_and_filters(demo, new_hazard, login, org_of):
    mine = new_hazard("ent1safety")
    major = new_hazard("ent1safety", level="major", title="燃气报警器失效")
    other = new_hazard("ent2")
    rows = _rows(_sheet(_body(login("ent1").get(URL))))
    assert {mine.number, major.number} <= {r[1] for r in rows}
    assert other.number not in {r[1] for r in rows}  # another enterprise's never leaves
    assert {r[2] for r in rows} == {org_of("ent1").name}
    rows = _rows(_sheet(_body(login("township").get(URL, {"level": "major"}))))
    assert major.number in {r[1] for r in rows}
    assert {r[8] for r in rows} == {"重大隐患"}
    assert len(rows) == Hazard.objects.filter(level="major").count()


def test_export_is_audited_with_filters_and_count(demo, new_hazard, login):
    new_hazard("ent1safety")
    login("township").get(URL, {"level": "general", "page": "2"})
    record = AuditRecord.objects.filter(action="export", object_type="hazards.hazard").last()
    assert record.after["filters"] == {"level": ["general"]}
    assert record.after["rows"] == Hazard.objects.filter(level="general").count()
    assert record.actor_username == "township"


def test_roles_without_export_are_refused(demo, login):
    assert login("secadmin").get(URL).status_code == 403


def test_invalid_filter_is_refused_not_ignored(demo, new_hazard, login):
    new_hazard("ent1safety")
    response = login("township").get(URL, {"level": "catastrophic"})
    assert response.status_code == 302
    assert response["Location"].startswith("/hazards/?")
    assert not AuditRecord.objects.filter(action="export", object_type="hazards.hazard").exists()


def test_export_query_count_is_constant(demo, new_hazard, login, settings):
    client = login("township")
    first = new_hazard("ent1safety")
    _bulk(9, first)
    client.get(URL)  # warm caches (content types, session)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(URL)
            rows = _rows(_sheet(_body(response)))
        return len(ctx.captured_queries), len(rows)

    small, small_rows = queries()
    _bulk(190, first)
    large, large_rows = queries()
    assert large_rows == small_rows + 190
    assert small == large


def test_write_ledger_reports_progress():
    seen = []
    out = io.BytesIO()
    count = ledger.write_ledger(Hazard.objects.none(), out, title="t", on_progress=seen.append)
    assert count == 0
    assert seen == [0]


def test_above_the_threshold_the_web_export_becomes_a_job(demo, new_hazard, login, settings):
    settings.ANPAI_LEDGER_SYNC_MAX_ROWS = 2
    first = new_hazard("ent1safety")
    _bulk(4, first)
    expected = Hazard.objects.filter(level="general").count()
    client = login("township")
    response = client.get(URL, {"level": "general"})
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.kind == ledger.JOB_KIND
    assert job.user == demo["township"]
    assert job.params == {"filters": {"level": ["general"]}}
    assert job.progress_total == expected
    assert job.state == JobState.QUEUED  # handed to a runner only after commit
    record = AuditRecord.objects.filter(action="export", object_type="hazards.hazard").last()
    assert record.after["job"] == job.pk
    assert record.after["rows"] == expected

    assert runner.run_pending() == 1
    job.refresh_from_db()
    assert job.state == JobState.DONE
    assert job.progress_done == expected
    page = client.get(f"/jobs/{job.pk}/")
    assert f"/jobs/{job.pk}/download/" in page.content.decode()
    download = client.get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200
    assert "filename*=utf-8''" in download["Content-Disposition"]
    sheet = _sheet(_body(download))
    assert len(_rows(sheet)) == expected
    assert sheet["A1"].value == "西槽头乡 重大事故隐患排查整治整改台账"
    # The file is its owner's: another user who may export hazards gets 404.
    other = login("leader")
    assert other.get(f"/jobs/{job.pk}/download/").status_code == 404
    assert other.get(f"/jobs/{job.pk}/").status_code == 404


def test_above_the_threshold_the_api_answers_202_with_the_job(demo, new_hazard, api, settings):
    settings.ANPAI_LEDGER_SYNC_MAX_ROWS = 1
    first = new_hazard("ent1safety")
    _bulk(2, first)
    client = api("ent1safety")
    response = client.get("/api/v1/hazards/ledger.xlsx")
    assert response.status_code == 202
    job = Job.objects.get()
    body = response.json()
    assert body["id"] == job.pk
    assert body["state"] == "queued"
    assert body["url"].endswith(f"/api/v1/jobs/{job.pk}/")
    assert response["Location"] == body["url"]
    runner.run_pending()
    status = client.get(f"/api/v1/jobs/{job.pk}/").json()
    assert status["state"] == "done"
    assert status["percent"] == 100
    download = client.get(status["download"])
    assert download.status_code == 200
    mine = Hazard.objects.restrict(demo["ent1safety"], "export").count()
    assert len(_rows(_sheet(_body(download)))) == mine
    assert api("ent2").get(f"/api/v1/jobs/{job.pk}/").status_code == 404


def test_the_job_chooses_its_rows_again_in_the_owners_scope(demo, new_hazard, login, settings):
    settings.ANPAI_LEDGER_SYNC_MAX_ROWS = 1
    first = new_hazard("ent1safety")
    _bulk(2, first)
    new_hazard("ent2")
    login("ent1").get(URL)
    job = Job.objects.get()
    runner.run_pending()
    job.refresh_from_db()
    with job.result.open("rb") as handle:
        rows = _rows(_sheet(handle.read()))
    assert len(rows) == Hazard.objects.filter(organization=first.organization).count()
    assert {r[2] for r in rows} == {first.organization.name}


@pytest.mark.django_db(transaction=True)
def test_the_thread_runner_finishes_a_big_export(demo, new_hazard, login, settings):
    import time

    settings.ANPAI_LEDGER_SYNC_MAX_ROWS = 1
    settings.CELERY_BROKER_URL = ""
    first = new_hazard("ent1safety")
    _bulk(3, first)
    client = login("township")
    response = client.get(URL)  # committed at once: the thread starts on commit
    assert response.status_code == 302
    job = Job.objects.get()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            break
        time.sleep(0.1)
    assert job.state == JobState.DONE, job.error
    fragment = client.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true")
    assert "hx-trigger" not in fragment.content.decode()
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 200

"""Permit statistics for the township (作业票统计): per organisation by type, level and
outcome, with work found without a permit; each count opens the list it counts; the
xlsx is formula-safe and audited; and the one-tap report of work without a permit."""

from __future__ import annotations

import io
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from anpai.audit.models import AuditRecord
from anpai.hazards import actions as hazard_actions
from anpai.hazards.filtersets import HazardFilterSet
from anpai.hazards.models import Category, Hazard
from anpai.orgs.models import Organization
from anpai.people.choices import Role
from anpai.permits import actions, stats
from anpai.permits.choices import PermitState
from anpai.permits.filtersets import PermitFilterSet
from anpai.permits.models import Permit

pytestmark = pytest.mark.django_db
STATS = reverse("permits:stats")
XLSX = reverse("permits:stats_xlsx")
YEAR = (date(timezone.localdate().year, 1, 1), date(timezone.localdate().year, 12, 31))


@pytest.fixture(autouse=True)
def no_demo_permits(demo):
    """The demo's permits out of the way (rolled back after each test)."""
    Permit.objects.all().delete()


@pytest.fixture
def ent2_org(demo):
    return Organization.objects.get(
        memberships__user=demo["ent2"], memberships__role=Role.ENT_PRINCIPAL
    )


def flat(row: stats.Row | None) -> dict[str, int]:
    """A row's counts by name: type:<code>, level:<type>:<code>, state:<s>, violations, total."""
    if row is None:
        return {}
    out = {"violations": row.violations.n, "total": row.total.n}
    for code, cell in zip(stats.PermitType.values, row.types, strict=True):
        if cell.total.n:
            out[f"type:{code}"] = cell.total.n
        for name, level in cell.levels:
            out[f"level:{code}:{name}"] = level.n
    for state, cell in zip(stats.STATE_COLUMNS, row.states, strict=True):
        if cell.n:
            out[f"state:{state}"] = cell.n
    return out


def row_for(data, org) -> stats.Row | None:
    return next((r for r in data["rows"] if r.organization_id == org.pk), None)


def violation(org, by, *, title="动火作业无作业票", **extra) -> Hazard:
    return hazard_actions.report(
        by=by,
        organization=org,
        title=title,
        description="二车间切割作业现场未办理动火安全作业票",
        category=Category.objects.get(code="work_without_permit"),
        source="gov_inspection",
        **extra,
    )


def gas(permit, people, minutes_ago=5):
    return actions.gas_analysis(
        permit,
        by=people["team"],
        taken_at=timezone.now() - timedelta(minutes=minutes_ago),
        point="动火点",
        lel_percent="0.1",
        o2_percent="20.9",
        analyst="分析员戊",
    )


def a_season(make, ready, people) -> dict[str, Permit]:
    """ent1's permits in every outcome the table counts."""
    running = ready("hot_work", {"area": "hazardous_area"})  # 一级
    gas(running, people)
    running = actions.start(running, by=people["team"])
    done = ready("hot_work", {"area": "other"}, hours=24)  # 二级
    gas(done, people)
    done = actions.start(done, by=people["team"])
    done = actions.complete(done, by=people["team"], accepted_by="验收人己")
    cancelled = actions.cancel(make("confined_space", {}), by=people["safety"], reason="改期")
    draft = make("height", {"height_m": "18"})  # 三级, still a draft
    # A permit whose validity ends before the work is completed: expired by the job.
    overdue = ready("hot_work", {"area": "hazardous_area"}, hours=1)
    Permit.objects.filter(pk=overdue.pk).update(
        planned_start=timezone.now() - timedelta(hours=2),
        planned_end=timezone.now() - timedelta(minutes=1),
    )
    assert actions.expire_overdue() == 1
    return {"running": running, "done": done, "cancelled": cancelled, "draft": draft,
            "overdue": Permit.objects.get(pk=overdue.pk)}  # fmt: skip


# ---------------------------------------------------------------- the counts


def test_counts_by_type_level_and_outcome(make, ready, people, org, demo):
    before = flat(row_for(stats.permit_stats(demo["township"], *YEAR), org))
    permits = a_season(make, ready, people)
    assert permits["overdue"].state == PermitState.EXPIRED
    violation(org, demo["township"])
    voided = violation(org, demo["township"], title="误报")
    hazard_actions.void(voided, by=demo["township"], reason="实为持票作业")

    data = stats.permit_stats(demo["township"], *YEAR)
    row = flat(row_for(data, org))
    assert row == {
        "total": 5,
        "type:hot_work": 3,
        "level:hot_work:一级": 2,
        "level:hot_work:二级": 1,
        "type:confined_space": 1,
        "type:height": 1,
        "level:height:三级（15–30 m）": 1,
        "state:in_progress": 1,
        "state:completed": 1,
        "state:cancelled": 1,
        "state:expired": 1,
        # the voided report is not a violation
        "violations": before.get("violations", 0) + 1,
    }
    # Totals add up the rows.
    totals = flat(data["totals"])
    assert totals["total"] == sum(r.total.n for r in data["rows"]) >= 5
    assert totals["violations"] == sum(r.violations.n for r in data["rows"])


def test_each_count_opens_the_list_it_counts(make, ready, people, org, demo):
    a_season(make, ready, people)
    violation(org, demo["township"])
    user = demo["township"]
    data = stats.permit_stats(user, *YEAR)
    row = row_for(data, org)
    cells = [row.total, *row.states, *(t.total for t in row.types)]
    cells += [c for t in row.types for _n, c in t.levels]
    cells += [data["totals"].total, *data["totals"].states]
    for cell in cells:
        url = urlsplit(cell.url)
        assert url.path == reverse("permits:list")
        query = QueryDict(url.query)
        shown = PermitFilterSet(query, queryset=Permit.objects.restrict(user, "view")).qs
        assert shown.count() == cell.n, cell.url
    assert parse_qs(urlsplit(row.total.url).query)["organization"] == [str(org.pk)]
    # The violations open the hazard list with the same hazards.
    url = urlsplit(row.violations.url)
    assert url.path == reverse("hazards:list")
    query = QueryDict(url.query)
    shown = HazardFilterSet(query, queryset=Hazard.objects.restrict(user, "view")).qs
    assert shown.count() == row.violations.n >= 1


def test_a_permit_counts_where_its_planned_window_falls(make, people, org, demo):
    this_year = make("hot_work", {"area": "other"})
    last_year = make("hot_work", {"area": "other"})
    old_start = this_year.planned_start.replace(year=this_year.planned_start.year - 1)
    Permit.objects.filter(pk=last_year.pk).update(
        planned_start=old_start, planned_end=old_start + timedelta(hours=4)
    )
    now = flat(row_for(stats.permit_stats(demo["township"], *YEAR), org))
    assert now["total"] == 1
    day = timezone.localtime(old_start).date()
    then = flat(row_for(stats.permit_stats(demo["township"], day, day), org))
    assert then["total"] == 1


# ---------------------------------------------------------------- the page


def test_township_sees_every_organisation_enterprise_only_its_own(
    make, people, org, ent2_org, demo, login
):
    make("hot_work", {"area": "other"})
    actions.create(
        by=demo["ent2"],
        organization=ent2_org,
        type="excavation",
        content="厂区雨水管道开挖",
        location="东门",
        planned_start=timezone.now(),
        planned_end=timezone.now() + timedelta(hours=8),
    )
    page = login("township").get(STATS)
    assert page.status_code == 200
    ids = {r.organization_id for r in page.context["rows"]}
    assert {org.pk, ent2_org.pk} <= ids
    body = page.content.decode()
    assert f'data-testid="stats-row-{org.pk}"' in body
    assert f'data-testid="stats-row-{ent2_org.pk}"' in body

    mine = login("ent1").get(STATS)
    assert mine.status_code == 200
    assert [r.organization_id for r in mine.context["rows"]] == [org.pk]
    assert ent2_org.name not in mine.content.decode()
    for who in ("county", "dept", "village1"):
        assert login(who).get(STATS).status_code == 200, who
    assert login("auditor").get(STATS).status_code == 403


def test_page_counts_link_to_the_filtered_list(make, ready, people, org, login):
    permits = a_season(make, ready, people)
    body = login("township").get(STATS).content.decode()
    list_url = reverse("permits:list")
    expected = stats.list_url(*YEAR, organization=org.pk, state="expired")
    assert expected.startswith(f"{list_url}?organization={org.pk}&state=expired")
    assert expected.replace("&", "&amp;") in body
    assert permits["overdue"].number  # the expired permit is the one counted there


def test_bad_dates_fall_back_to_this_year_with_a_message(login):
    page = login("township").get(STATS, {"from": "2024-13-45"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert page.context["start"] == YEAR[0]
    assert page.context["end"] == YEAR[1]
    assert "must be a date" in page.content.decode()
    reversed_range = login("township").get(STATS, {"from": "2025-05-01", "to": "2025-04-01"})
    assert reversed_range.context["start"] == YEAR[0]
    assert reversed_range.context["errors"]
    far = login("township").get(STATS, {"to": "9999-12-31"})
    assert far.status_code == 200
    assert far.context["end"] == YEAR[1]
    assert far.context["errors"]
    assert login("township").get(XLSX, {"to": "9999-12-31"}).status_code == 200
    chosen = login("township").get(STATS, {"from": "2025-03-01", "to": "2025-03-31"})
    assert (chosen.context["start"], chosen.context["end"]) == (date(2025, 3, 1), date(2025, 3, 31))
    assert not chosen.context["errors"]


def test_page_reads_a_constant_number_of_queries(
    make, people, org, ent2_org, demo, login, django_assert_max_num_queries
):
    client = login("township")

    def queries() -> int:
        with django_assert_max_num_queries(12) as ctx:
            assert client.get(STATS).status_code == 200
        return len(ctx.captured_queries)

    make("hot_work", {"area": "other"})
    small = queries()
    more = [
        ("height", {"height_m": "6"}),
        ("confined_space", {}),
        ("lifting", {"mass_t": "50"}),
        ("hot_work", {"area": "other"}),
    ]
    for kind, answers in more:
        make(kind, answers)
    actions.create(
        by=demo["ent2"],
        organization=ent2_org,
        type="road_break",
        content="厂区道路断路施工",
        location="南门",
        planned_start=timezone.now(),
        planned_end=timezone.now() + timedelta(hours=8),
    )
    violation(ent2_org, demo["township"])
    assert queries() == small


# ---------------------------------------------------------------- the workbook


def test_export_is_formula_safe_and_audited(make, ready, people, org, login):
    a_season(make, ready, people)
    Organization.objects.filter(pk=org.pk).update(name='=HYPERLINK("http://x","点我")')
    client = login("township")
    exports = AuditRecord.objects.filter(action="export", object_type="permits.permit")
    before = exports.count()
    response = client.get(XLSX, {"from": YEAR[0].isoformat()})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=False))
    names = [r[0] for r in rows]
    cell = next(c for c in names if c.value and str(c.value).startswith("=HYPERLINK"))
    assert cell.data_type == "s"
    assert cell.quotePrefix
    line = [c.value for c in rows[names.index(cell)]]
    assert line[-1] == 5  # total permits
    header = [c.value for c in rows[2]]
    assert line[header.index(header[-3])] == 1  # expired (the last state column)
    assert rows[-1][-1].value >= 5  # the totals row
    assert exports.count() == before + 1
    record = exports.order_by("-id").first()
    assert record.after["from"] == YEAR[0].isoformat()
    assert record.after["rows"] >= 1


def test_export_needs_the_export_right(login, people, client):
    assert login("village1").get(XLSX).status_code == 403  # sees permits, exports none
    client.force_login(people["team"])
    assert client.get(XLSX).status_code == 403
    assert login("ent1").get(XLSX).status_code == 200


def test_export_reads_a_constant_number_of_queries(
    make, people, login, django_assert_max_num_queries
):
    client = login("township")

    def queries() -> int:
        with django_assert_max_num_queries(16) as ctx:
            response = client.get(XLSX)
            assert response.status_code == 200
            b"".join(response.streaming_content)
        return len(ctx.captured_queries)

    make("hot_work", {"area": "other"})
    small = queries()
    for _i in range(6):
        make("excavation", {})
    assert queries() == small


# ---------------------------------------------------------------- work without a permit


def test_report_url_opens_the_hazard_form_with_the_category(org):
    url = urlsplit(stats.report_url(org))
    assert url.path == reverse("hazards:create")
    assert parse_qs(url.query) == {
        "category": ["work_without_permit"],
        "organization": [str(org.pk)],
    }
    assert parse_qs(urlsplit(stats.report_url()).query) == {"category": ["work_without_permit"]}


def test_report_link_on_the_stats_page(login, org, demo):
    township = login("township").get(STATS).content.decode()
    assert 'data-testid="stats-report"' in township
    assert stats.report_url().replace("&", "&amp;") in township
    own = login("ent1").get(STATS).content.decode()
    assert stats.report_url(org).replace("&", "&amp;") in own
    assert 'data-testid="stats-report"' not in login("county").get(STATS).content.decode()


def test_hazard_form_preselects_work_without_a_permit(login, org):
    """One tap from the stats page: the report form opens with the category chosen.
    (Needs HazardCreateView.get_initial to honour ?category=<code>.)"""
    page = login("township").get(stats.report_url(org))
    form = page.context["form"]
    category = Category.objects.get(code="work_without_permit")
    assert str(form["category"].value()) == str(category.pk)
    assert str(form["organization"].value()) == str(org.pk)


def test_work_reported_without_a_permit_counts_as_a_violation(login, org, demo):
    from anpai.hazards.tests.conftest import make_jpeg

    client = login("township")
    before = flat(row_for(stats.permit_stats(demo["township"], *YEAR), org)).get("violations", 0)
    category = Category.objects.get(code="work_without_permit")
    response = client.post(
        reverse("hazards:create"),
        {
            "organization": org.pk,
            "title": "动火作业无作业票",
            "description": "检查发现二车间正在切割管道，现场无动火安全作业票",
            "category": category.pk,
            "level": "general",
            "source": "gov_inspection",
            "place": "二车间",
            "found_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "clause": "",
            "photos": [make_jpeg("site.jpg")],
        },
    )
    assert response.status_code == 302
    page = client.get(STATS)
    row = next(r for r in page.context["rows"] if r.organization_id == org.pk)
    assert row.violations.n == before + 1
    assert f'data-count="{before + 1}"' in page.content.decode()

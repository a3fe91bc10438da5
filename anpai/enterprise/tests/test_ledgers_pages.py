"""The ledgers' pages per role: the post-duty board and acknowledging on it, the
expense ledger, the township's summary and the xlsx exports, the 三违 list, counts and
a person's history; bad input (400 naming the field, nothing saved); constant queries."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from openpyxl import load_workbook

from anpai.enterprise import ledgers as L
from anpai.enterprise.choices import ExpenseDirection, ViolationAction, ViolationKind
from anpai.enterprise.models import Acknowledgement, PostDuty, SafetyExpense, Violation
from anpai.orgs.models import Organization
from anpai.people.choices import Role
from anpai.people.models import User

POSTS = reverse("enterprise:posts")
EXPENSES = reverse("enterprise:expenses")
VIOLATIONS = reverse("enterprise:violations")


@pytest.fixture
def org(demo):
    return Organization.objects.get(
        memberships__user=demo["ent1"], memberships__role=Role.ENT_PRINCIPAL
    )


def _as(client, username: str):
    client.force_login(User.objects.get(username=username))
    return client


def _text(response) -> str:
    return response.content.decode()


def _money(value) -> str:
    """An amount as the Chinese page prints it."""
    with translation.override("zh-hans"):
        return number_format(value, 2, force_grouping=True)


# ---------------------------------------------------------------- post duties


def test_the_enterprise_sees_its_board_with_acknowledgements(login, org):
    page = login("ent1").get(POSTS)
    assert page.status_code == 200
    html = _text(page)
    assert org.name in html
    for post in ("主要负责人", "安全管理人员", "车间主任", "班组长", "操作工", "电工", "焊工"):
        assert post in html
    assert "陈永刚" in html and "周晓东" in html and "张国庆" in html  # noqa: PT018
    assert html.count('data-testid="post-card"') == 8


def test_an_employee_acknowledges_on_the_board_and_twice_is_409(client, org):
    duty = PostDuty.objects.get(organization=org, post="班组长", is_current=True)
    browser = _as(client, "ent1team")
    page = browser.get(POSTS)
    assert 'data-testid="acknowledge"' in _text(page)
    url = reverse("enterprise:post_acknowledge", args=[duty.pk])
    done = browser.post(url, {"next": POSTS})
    assert done.status_code == 302
    assert duty.acknowledgements.filter(person_name="马俊杰").count() == 1
    again = browser.post(url)
    assert again.status_code == 409
    assert 'data-testid="conflict"' in _text(again)
    assert duty.acknowledgements.filter(person_name="马俊杰").count() == 1


def test_acknowledging_never_sends_the_browser_to_another_site(client, org):
    duty = PostDuty.objects.get(organization=org, post="操作工", is_current=True)
    url = reverse("enterprise:post_acknowledge", args=[duty.pk])
    done = _as(client, "ent1").post(url, {"next": "https://evil.example/"})
    assert done.status_code == 302
    assert done["Location"] == reverse("enterprise:post_detail", args=[duty.pk])


def test_the_township_reads_the_board_but_does_not_acknowledge(login, org):
    browser = login("township")
    overview = browser.get(POSTS)
    assert overview.status_code == 200
    assert org.name in _text(overview)
    board = browser.get(POSTS, {"organization": org.pk})
    assert board.status_code == 200
    assert 'data-testid="acknowledge"' not in _text(board)
    duty = PostDuty.objects.filter(organization=org, is_current=True).first()
    assert browser.post(reverse("enterprise:post_acknowledge", args=[duty.pk])).status_code == 403
    assert (
        browser.get(reverse("enterprise:post_create"), {"organization": org.pk}).status_code == 403
    )


def test_the_printable_board(login, org):
    url = reverse("enterprise:post_board", args=[org.pk])
    page = login("village1").get(url)
    assert page.status_code == 200
    html = _text(page)
    assert html.count('data-testid="board-post"') == 8
    assert "张国庆" in html
    assert 'class="navbar' not in html  # a clean page: no navigation
    assert login("ent2").get(url).status_code == 404


def test_another_enterprise_gets_404(login, org):
    browser = login("ent2")
    assert browser.get(POSTS, {"organization": org.pk}).status_code == 404
    duty = PostDuty.objects.filter(organization=org).first()
    assert browser.get(reverse("enterprise:post_detail", args=[duty.pk])).status_code == 404
    assert browser.get(reverse("enterprise:post_edit", args=[duty.pk])).status_code == 404


def test_publishing_a_revision_on_the_page(client, org, english):
    browser = _as(client, "ent1safety")
    duty = PostDuty.objects.get(organization=org, post="电工", is_current=True)
    url = reverse("enterprise:post_edit", args=[duty.pk])
    bad = browser.post(url, {"duties": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400
    assert "Safety duties is required." in _text(bad)
    assert PostDuty.objects.filter(organization=org, post="电工").count() == 1
    done = browser.post(url, {"duties": duty.duties + "\n6. 每月检查漏电保护器。"})
    assert done.status_code == 302
    current = PostDuty.objects.get(organization=org, post="电工", is_current=True)
    assert current.version == 2
    detail = browser.get(reverse("enterprise:post_detail", args=[duty.pk]))
    assert 'data-testid="superseded"' in _text(detail)
    # A workshop head may not publish.
    assert _as(client, "ent1workshop").get(url).status_code == 403


def test_a_new_post_with_bad_input_saves_nothing(client, org, english):
    browser = _as(client, "ent1")
    url = reverse("enterprise:post_create") + f"?organization={org.pk}"
    before = PostDuty.objects.count()
    bad = browser.post(url, {"post": "", "duties": "x"}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400
    assert "Post is required." in _text(bad)
    assert PostDuty.objects.count() == before
    ok = browser.post(url, {"post": "叉车司机", "duties": "持证驾驶"})
    assert ok.status_code == 302
    assert PostDuty.objects.filter(organization=org, post="叉车司机", version=1).exists()


def test_recording_an_acknowledgement_for_an_employee_without_an_account(client, org):
    duty = PostDuty.objects.get(organization=org, post="操作工", is_current=True)
    url = reverse("enterprise:post_acknowledge", args=[duty.pk])
    assert _as(client, "ent1safety").post(url, {"person_name": "王强"}).status_code == 302
    assert duty.acknowledgements.get(person_name="王强").user is None
    assert _as(client, "ent1team").post(url, {"person_name": "李四"}).status_code == 403
    assert not Acknowledgement.objects.filter(person_name="李四").exists()


# ---------------------------------------------------------------- expenses


def test_the_ledger_page_shows_the_years_totals(login, org):
    year = timezone.localdate().year
    totals = L.totals([org.pk], year)[org.pk]
    page = login("ent1").get(EXPENSES)
    assert page.status_code == 200
    html = _text(page)
    assert _money(totals.balance) in html
    assert _money(totals.set_aside) in html
    assert 'data-testid="expense-chart"' in html
    assert totals.carried > 0  # last year's balance is brought forward
    assert _money(totals.carried) in html


def test_ledger_filters_by_kind_and_category(login, org):
    year = timezone.localdate().year
    browser = login("ent1safety")
    spent = browser.get(EXPENSES, {"year": year, "direction": "use"})
    rows = SafetyExpense.objects.filter(organization=org, year=year, direction="use").count()
    assert _text(spent).count('data-testid="expense-line"') == rows
    ppe = browser.get(EXPENSES, {"year": year, "category": "ppe"})
    n = SafetyExpense.objects.filter(organization=org, year=year, category="ppe").count()
    assert n > 0
    assert _text(ppe).count('data-testid="expense-line"') == n


def test_the_township_sees_each_enterprises_set_aside_spent_and_balance(login, org):
    year = timezone.localdate().year
    totals = L.totals([org.pk], year)[org.pk]
    page = login("township").get(EXPENSES, {"year": year, "recorded": "1"})
    assert page.status_code == 200
    html = _text(page)
    assert org.name in html
    assert _money(totals.balance) in html
    assert _money(totals.spent) in html
    # Five demo enterprises keep a ledger.
    assert html.count('data-testid="summary-row"') == 5


def test_roles_and_scope_on_the_ledger(client, org):
    line = SafetyExpense.objects.filter(organization=org).first()
    edit = reverse("enterprise:expense_edit", args=[line.pk])
    assert _as(client, "ent1team").get(EXPENSES).status_code == 403
    assert _as(client, "ent2").get(EXPENSES, {"organization": org.pk}).status_code == 404
    assert _as(client, "ent2").get(edit).status_code == 404
    assert _as(client, "township").get(edit).status_code == 403
    create = reverse("enterprise:expense_create") + f"?organization={org.pk}"
    assert _as(client, "township").get(create).status_code == 403
    assert _as(client, "ent1safety").get(edit).status_code == 200


def test_recording_a_line_on_the_page_and_a_bad_amount(client, org, english):
    browser = _as(client, "ent1safety")
    url = reverse("enterprise:expense_create") + f"?organization={org.pk}"
    before = SafetyExpense.objects.count()
    values = {
        "direction": "use",
        "date": timezone.localdate().isoformat(),
        "category": "ppe",
        "amount": "12.345",
        "description": "采购安全帽",
    }
    bad = browser.post(url, values, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400
    assert "Amount: at most 2 decimal places (fen)." in _text(bad)
    assert 'data-testid="error-amount"' in _text(bad)
    assert SafetyExpense.objects.count() == before
    ok = browser.post(url, {**values, "amount": "12.30"})
    assert ok.status_code == 302
    line = SafetyExpense.objects.latest("id")
    assert (line.amount, line.category, line.recorded_by.username) == (
        Decimal("12.30"),
        "ppe",
        "ent1safety",
    )


def _workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


def test_the_years_ledger_as_xlsx(login, org):
    year = timezone.localdate().year
    SafetyExpense.objects.create(
        organization=org,
        date=date(year, 1, 2),
        year=year,
        direction=ExpenseDirection.USE,
        category="other",
        amount=Decimal("1.00"),
        description='=HYPERLINK("http://x")',
    )
    sheet = _workbook(login("ent1").get(reverse("enterprise:expenses_export"), {"year": year}))
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == f"{org.name} {year}年度安全生产费用台账"
    assert rows[1][:3] == ("序号", "日期", "类型")
    assert sheet.freeze_panes == "A3"
    lines = SafetyExpense.objects.filter(organization=org, year=year)
    assert len(rows) == 2 + lines.count() + 3
    totals = L.totals([org.pk], year)[org.pk]
    total_row = rows[2 + lines.count()]
    assert total_row[0] == "合计"
    assert Decimal(str(total_row[6])) == totals.set_aside
    assert Decimal(str(total_row[7])) == totals.spent
    assert rows[-1][0] == "年末结余"
    assert Decimal(str(rows[-1][6])).quantize(Decimal("0.01")) == totals.balance
    # Text that looks like a formula stays text.
    cells = [r[4] for r in rows[2:]]
    assert '=HYPERLINK("http://x")' in cells
    formulas = [c for r in sheet.iter_rows() for c in r if c.data_type == "f"]
    assert formulas == []


def test_the_ledger_export_is_refused_outside_the_role(client, org):
    url = reverse("enterprise:expenses_export")
    assert _as(client, "village1").get(url, {"organization": org.pk}).status_code == 403
    assert _as(client, "ent2").get(url, {"organization": org.pk}).status_code == 404


# ---------------------------------------------------------------- 三违


def test_the_violation_list_filters_and_counts(login, org):
    browser = login("ent1safety")
    all_rows = Violation.objects.filter(organization=org)
    page = browser.get(VIOLATIONS)
    assert page.status_code == 200
    assert _text(page).count('data-testid="violation-line"') == all_rows.count()
    kind = browser.get(VIOLATIONS, {"kind": ViolationKind.COMMAND})
    n = all_rows.filter(kind=ViolationKind.COMMAND).count()
    assert _text(kind).count('data-testid="violation-line"') == n
    person = browser.get(VIOLATIONS, {"person": "王强"})
    assert (
        _text(person).count('data-testid="violation-line"')
        == all_rows.filter(person_name="王强").count()
    )
    today = timezone.localdate()
    month = browser.get(VIOLATIONS, {"month": f"{today:%Y-%m}"})
    assert (
        _text(month).count('data-testid="violation-line"')
        == all_rows.filter(date__year=today.year, date__month=today.month).count()
    )


def test_the_months_by_kind_table(login, org):
    year = 2024
    for month, kind in ((3, "command"), (3, "command"), (3, "discipline"), (11, "operation")):
        Violation.objects.create(
            organization=org,
            date=date(year, month, 5),
            kind=kind,
            person_name="测试",
            description="x",
            action=ViolationAction.EDUCATION,
        )
    page = login("ent1").get(VIOLATIONS, {"year": year})
    counts = page.context["counts"]
    assert counts[2] == {"month": 3, "counts": [2, 0, 1], "total": 3}
    assert counts[10]["counts"] == [0, 1, 0]
    assert counts[12]["total"] == 4


def test_a_persons_history(login, org):
    records = Violation.objects.filter(organization=org, person_name="王强")
    assert records.count() >= 3
    url = reverse("enterprise:violation_person")
    page = login("township").get(url, {"organization": org.pk, "name": "王强"})
    assert page.status_code == 200
    assert len(page.context["records"]) == records.count()
    assert login("ent2").get(url, {"organization": org.pk, "name": "王强"}).status_code == 404


def test_recording_on_the_page_needs_the_fine_for_a_fine(client, org, english):
    browser = _as(client, "township")
    url = reverse("enterprise:violation_create")
    before = Violation.objects.count()
    values = {
        "organization": org.pk,
        "date": timezone.localdate().isoformat(),
        "kind": "operation",
        "person_name": "李明",
        "description": "高处作业未系安全带",
        "action": "fine",
        "fine": "",
    }
    bad = browser.post(url, values, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400
    assert "Fine is required." in _text(bad)
    assert Violation.objects.count() == before
    assert browser.post(url, {**values, "fine": "500"}).status_code == 302
    assert Violation.objects.get(person_name="李明").fine == Decimal("500.00")
    # A grid officer reads only; an employee of another enterprise does not see ent1's.
    assert _as(client, "village1").get(url).status_code == 403
    assert _as(client, "ent2").post(url, values).status_code == 404


def test_the_violation_export(login, org):
    sheet = _workbook(
        login("ent1").get(reverse("enterprise:violations_export"), {"kind": "discipline"})
    )
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == f"{org.name} “三违”记录台账"
    assert sheet.freeze_panes == "A3"
    expected = Violation.objects.filter(organization=org, kind="discipline").count()
    assert len(rows) == 2 + expected + 1
    assert {r[4] for r in rows[2:-1]} == {"违反劳动纪律"}
    assert rows[-1][1] == f"{expected}人次"


# ---------------------------------------------------------------- query counts


def _queries(browser, url, params=None, stream=False) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = browser.get(url, params or {})
        assert response.status_code == 200
        if stream:
            b"".join(response.streaming_content)
    return len(ctx.captured_queries)


def _grow(org, n: int) -> None:
    today = timezone.localdate()
    duties = PostDuty.objects.bulk_create(
        PostDuty(
            organization=org, post=f"增岗{org.pk}-{i}-{n}", duties="x", published_at=timezone.now()
        )
        for i in range(n)
    )
    Acknowledgement.objects.bulk_create(
        Acknowledgement(post_duty=d, person_name=f"人{j}") for d in duties for j in range(3)
    )
    SafetyExpense.objects.bulk_create(
        SafetyExpense(
            organization=org,
            date=today - timedelta(days=i % 200),
            year=(today - timedelta(days=i % 200)).year,
            direction="use",
            category="ppe",
            amount=Decimal("1.00"),
            description="x",
        )
        for i in range(n)
    )
    Violation.objects.bulk_create(
        Violation(
            organization=org,
            date=today - timedelta(days=i % 100),
            kind="operation",
            person_name=f"员工{i}",
            description="x",
            action="education",
        )
        for i in range(n)
    )


@pytest.mark.parametrize(
    ("username", "url", "params", "stream"),
    [
        ("ent1", POSTS, None, False),
        ("township", POSTS, None, False),
        ("ent1", EXPENSES, None, False),
        ("township", EXPENSES, None, False),
        ("ent1", VIOLATIONS, None, False),
        ("township", VIOLATIONS, None, False),
        ("ent1", reverse("enterprise:expenses_export"), None, True),
        ("township", reverse("enterprise:violations_export"), None, True),
    ],
)
def test_pages_and_exports_run_constant_queries(client, org, demo, username, url, params, stream):
    browser = _as(client, username)
    second = Organization.objects.get(
        memberships__user=demo["ent2"], memberships__role=Role.ENT_PRINCIPAL
    )
    _grow(org, 3)
    _grow(second, 3)
    small = _queries(browser, url, params, stream)
    _grow(org, 40)
    _grow(second, 40)
    large = _queries(browser, url, params, stream)
    assert small == large, (small, large)

"""The ledgers' action functions: post duties in versions and their acknowledgements,
the safety-expense ledger's rules and arithmetic, the 三违 record."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from anpai.core.errors import Conflict, Forbidden, Invalid, NotFound
from anpai.enterprise import ledgers as L
from anpai.enterprise.choices import ExpenseDirection, ViolationAction, ViolationKind
from anpai.enterprise.models import Acknowledgement, PostDuty, SafetyExpense, Violation
from anpai.notifications.models import Notification
from anpai.orgs.choices import OrgKind
from anpai.orgs.models import Organization
from anpai.people.choices import Role
from anpai.people.models import Membership, User


@pytest.fixture
def org(demo):
    return Organization.objects.get(
        memberships__user=demo["ent1"], memberships__role=Role.ENT_PRINCIPAL
    )


@pytest.fixture
def team(demo):
    return User.objects.get(username="ent1team")


@pytest.fixture
def fresh(org):
    """A new enterprise next to ent1's, with a safety manager and no ledger lines."""
    unit = Organization.objects.create(
        name="测试新材料有限公司", kind=OrgKind.ENTERPRISE, region=org.region
    )
    user = User.objects.create(username="fresh_safety", full_name="林安全")
    Membership.objects.create(user=user, organization=unit, role=Role.ENT_SAFETY)
    return unit, user


def today():
    return timezone.localdate()


# ---------------------------------------------------------------- post duties


def test_publishing_a_change_makes_a_new_version_and_keeps_the_old(demo, org):
    first = L.publish_duty(
        by=demo["ent1safety"], organization=org, post="叉车司机", duties="1. 持证驾驶。"
    )
    assert (first.version, first.is_current, first.published_by) == (1, True, demo["ent1safety"])
    L.acknowledge(first, by=demo["ent1safety"], person_name="赵师傅")

    second = L.publish_duty(
        by=demo["ent1"], organization=org, post="叉车司机", duties="1. 持证驾驶。\n2. 限速5公里。"
    )
    first.refresh_from_db()
    assert second.version == 2
    assert second.is_current
    assert not first.is_current
    assert first.duties == "1. 持证驾驶。"
    # The acknowledgement stays with the version it was given for.
    assert list(first.acknowledgements.values_list("person_name", flat=True)) == ["赵师傅"]
    assert second.acknowledgements.count() == 0
    assert (
        PostDuty.objects.filter(organization=org, post="叉车司机", is_current=True).get() == second
    )


def test_publishing_the_same_text_again_is_refused(demo, org):
    current = PostDuty.objects.get(organization=org, post="电工", is_current=True)
    with pytest.raises(Invalid) as err:
        L.publish_duty(by=demo["ent1"], organization=org, post="电工", duties=current.duties)
    assert "duties" in err.value.fields
    assert PostDuty.objects.filter(organization=org, post="电工").count() == 1


def test_bad_post_duties_name_the_fields_and_save_nothing(demo, org, english):
    before = PostDuty.objects.count()
    with pytest.raises(Invalid) as err:
        L.publish_duty(by=demo["ent1"], organization=org, post="  ", duties="")
    assert set(err.value.fields) == {"post", "duties"}
    assert "Post is required." in [str(m) for m in err.value.fields["post"]]
    with pytest.raises(Invalid) as err:
        L.publish_duty(by=demo["ent1"], organization=org, post="岗" * 61, duties="x")
    assert "at most 60 characters" in str(err.value.fields["post"][0])
    assert PostDuty.objects.count() == before


def test_who_may_publish_duties(demo, org):
    workshop = User.objects.get(username="ent1workshop")
    with pytest.raises(Forbidden):  # a workshop head reads and acknowledges only
        L.publish_duty(by=workshop, organization=org, post="新岗位", duties="x")
    with pytest.raises(Forbidden):  # the township reads the board
        L.publish_duty(by=demo["township"], organization=org, post="新岗位", duties="x")
    with pytest.raises(NotFound):  # another enterprise does not see ent1's
        L.publish_duty(by=demo["ent2"], organization=org, post="新岗位", duties="x")
    assert not PostDuty.objects.filter(post="新岗位").exists()


def test_an_employee_acknowledges_once_per_version(demo, org, team):
    current = PostDuty.objects.get(organization=org, post="班组长", is_current=True)
    old = PostDuty.objects.get(organization=org, post="班组长", is_current=False)
    # The demo's team leader acknowledged version 1; version 2 is his to acknowledge.
    assert old.acknowledgements.filter(user=team).exists()
    ack = L.acknowledge(current, by=team)
    assert (ack.person_name, ack.user, ack.recorded_by) == ("马俊杰", team, team)
    with pytest.raises(Conflict):
        L.acknowledge(current, by=team)
    with pytest.raises(Conflict):  # a replaced version cannot be acknowledged any more
        L.acknowledge(old, by=demo["ent1"])
    assert current.acknowledgements.filter(person_name="马俊杰").count() == 1

    # A new version needs acknowledging again.
    third = L.publish_duty(
        by=demo["ent1safety"],
        organization=org,
        post="班组长",
        duties=current.duties + "\n6. 新增。",
    )
    assert L.acknowledge(third, by=team).post_duty == third


def test_the_safety_manager_records_an_acknowledgement_for_an_employee(demo, org, team):
    duty = PostDuty.objects.get(organization=org, post="操作工", is_current=True)
    assert not duty.acknowledgements.filter(person_name="王强").exists()
    ack = L.acknowledge(duty, by=demo["ent1safety"], person_name=" 王强 ")
    assert (ack.person_name, ack.user, ack.recorded_by) == ("王强", None, demo["ent1safety"])
    with pytest.raises(Conflict):
        L.acknowledge(duty, by=demo["ent1"], person_name="王强")
    # A team leader acknowledges for himself only.
    with pytest.raises(Forbidden):
        L.acknowledge(duty, by=team, person_name="李四")
    assert not Acknowledgement.objects.filter(person_name="李四").exists()


def test_only_the_organisations_staff_acknowledge(demo, org):
    duty = PostDuty.objects.get(organization=org, post="操作工", is_current=True)
    with pytest.raises(Forbidden):  # the township sees the board but is not its staff
        L.acknowledge(duty, by=demo["township"])
    with pytest.raises(NotFound):
        L.acknowledge(duty, by=demo["ent2"])


def test_withdrawing_a_post_takes_it_off_the_board_and_keeps_it(demo, org):
    duty = PostDuty.objects.get(organization=org, post="仓库保管员", is_current=True)
    L.withdraw_duty(duty, by=demo["ent1"])
    duty.refresh_from_db()
    assert not duty.is_current
    assert duty.acknowledgements.exists()
    with pytest.raises(Conflict):
        L.withdraw_duty(duty, by=demo["ent1"])
    again = L.publish_duty(by=demo["ent1"], organization=org, post="仓库保管员", duties="新职责")
    assert again.version == 2


# ---------------------------------------------------------------- safety expenses


def _line(unit, day: date, direction: str, amount: str, category: str = "") -> SafetyExpense:
    return SafetyExpense.objects.create(
        organization=unit,
        date=day,
        year=day.year,
        direction=direction,
        category=category,
        amount=Decimal(amount),
        description="测试",
    )


P, U = ExpenseDirection.PROVISION, ExpenseDirection.USE


def test_totals_carry_the_balance_over_from_earlier_years(fresh):
    unit, _user = fresh
    _line(unit, date(2024, 3, 1), P, "1000.00")
    _line(unit, date(2024, 9, 1), U, "300.00", "ppe")
    _line(unit, date(2025, 1, 25), P, "500.00")
    _line(unit, date(2025, 6, 1), U, "900.00", "training")
    _line(unit, date(2026, 1, 25), P, "100.10")
    _line(unit, date(2026, 2, 1), U, "0.05", "ppe")

    t2024 = L.totals([unit.pk], 2024)[unit.pk]
    assert (t2024.carried, t2024.set_aside, t2024.spent, t2024.balance) == (
        Decimal(0),
        Decimal("1000.00"),
        Decimal("300.00"),
        Decimal("700.00"),
    )
    t2025 = L.totals([unit.pk], 2025)[unit.pk]
    assert (t2025.carried, t2025.set_aside, t2025.spent, t2025.balance) == (
        Decimal("700.00"),
        Decimal("500.00"),
        Decimal("900.00"),
        Decimal("300.00"),
    )
    t2026 = L.totals([unit.pk], 2026)[unit.pk]
    assert (t2026.carried, t2026.balance) == (Decimal("300.00"), Decimal("400.05"))
    # Later years' lines do not count; a year with no lines still carries the balance.
    assert L.totals([unit.pk], 2023)[unit.pk].balance == 0
    assert L.totals([unit.pk], 2027)[unit.pk].carried == Decimal("400.05")


def test_totals_of_many_organisations_in_one_query(fresh, org, django_assert_num_queries):
    unit, _user = fresh
    _line(unit, date(2025, 1, 1), P, "10.00")
    with django_assert_num_queries(1):
        result = L.totals([unit.pk, org.pk, 999999], 2025)
    assert result[unit.pk].set_aside == Decimal("10.00")
    assert result[999999].balance == 0
    assert result[org.pk].set_aside > 0  # the demo's ledger of ent1's enterprise


def test_spent_by_category_sums_each_category(fresh):
    unit, _user = fresh
    _line(unit, date(2025, 2, 1), U, "100.00", "ppe")
    _line(unit, date(2025, 3, 1), U, "50.50", "ppe")
    _line(unit, date(2025, 3, 1), U, "200.00", "training")
    _line(unit, date(2024, 3, 1), U, "999.00", "training")  # another year
    _line(unit, date(2025, 3, 1), P, "5000.00")  # set aside, not spent
    rows = {r.code: r for r in L.spent_by_category(unit.pk, 2025)}
    assert list(rows)[:2] == ["facilities", "emergency"]  # the file's order, every category
    assert rows["ppe"].amount == Decimal("150.50")
    assert rows["training"].amount == Decimal("200.00")
    assert rows["training"].share == 1.0
    assert rows["ppe"].share == pytest.approx(0.7525)
    assert rows["insurance"].amount == 0


def test_recording_an_expense_derives_the_year(fresh):
    unit, user = fresh
    line = L.record_expense(
        by=user,
        organization=unit,
        direction="use",
        date="2025-12-31",
        category="testing",
        amount="1,200.50",
        description="安全阀校验",
        voucher="记-001",
    )
    assert (line.year, line.amount, line.recorded_by) == (2025, Decimal("1200.50"), user)
    provision = L.record_expense(
        by=user, organization=unit, direction="provision", date=today(), category="ppe",
        amount="10", description="计提",
    )  # fmt: skip
    assert provision.category == ""  # money set aside has no category


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"amount": "0"}, "amount", "Amount must be greater than 0."),
        ({"amount": "-5"}, "amount", "Amount must be greater than 0."),
        ({"amount": "1.234"}, "amount", "Amount: at most 2 decimal places (fen)."),
        ({"amount": "abc"}, "amount", "Amount must be a number of yuan, e.g. 1200.50."),
        ({"amount": ""}, "amount", "Amount is required."),
        ({"amount": "NaN"}, "amount", "Amount must be a number of yuan, e.g. 1200.50."),
        ({"category": ""}, "category", "Category is required."),
        ({"category": "snacks"}, "category", "Category: not one of the categories"),
        ({"direction": "gift"}, "direction", "Kind must be one of: Set aside、Spent."),
        ({"date": "2025-13-01"}, "date", "Date must be a date (YYYY-MM-DD)."),
        ({"date": "2999-01-01"}, "date", "Date cannot be in the future."),
        ({"description": " "}, "description", "Description is required."),
    ],
)
def test_bad_expense_input_names_the_field_and_saves_nothing(
    fresh, english, values, field, message
):
    unit, user = fresh
    good = {
        "direction": "use",
        "date": "2025-05-05",
        "category": "ppe",
        "amount": "100",
        "description": "劳保用品",
    }
    with pytest.raises(Invalid) as err:
        L.record_expense(by=user, organization=unit, **{**good, **values})
    assert list(err.value.fields) == [field]
    assert str(err.value.fields[field][0]).startswith(message)
    assert not SafetyExpense.objects.filter(organization=unit).exists()


def test_who_may_record_expenses(demo, org, fresh):
    values = {"direction": "provision", "date": today(), "amount": "1", "description": "x"}
    with pytest.raises(Forbidden):
        L.record_expense(by=demo["township"], organization=org, **values)
    with pytest.raises(NotFound):
        L.record_expense(by=demo["ent2"], organization=org, **values)
    with pytest.raises(NotFound):  # employees below the safety manager do not see the ledger
        L.record_expense(by=User.objects.get(username="ent1team"), organization=org, **values)
    line = L.record_expense(by=demo["ent1"], organization=org, **values)
    with pytest.raises(NotFound):
        L.delete_expense(line, by=demo["ent2"])
    with pytest.raises(Forbidden):
        L.delete_expense(line, by=demo["township"])
    L.delete_expense(line, by=demo["ent1safety"])
    assert not SafetyExpense.objects.filter(pk=line.pk).exists()


# ---------------------------------------------------------------- 三违


def _violation(**extra):
    values = {
        "date": today() - timedelta(days=1),
        "kind": ViolationKind.OPERATION,
        "person_name": "王强",
        "post": "操作工",
        "description": "未穿防静电工作服进入罐区",
        "action": ViolationAction.EDUCATION,
    }
    return {**values, **extra}


def test_a_fine_is_required_and_positive_when_the_action_is_a_fine(demo, org, english):
    before = Violation.objects.count()
    for fine, message in (("", "Fine is required."), ("0", "Fine must be greater than 0.")):
        with pytest.raises(Invalid) as err:
            L.record_violation(
                by=demo["ent1"], organization=org, **_violation(action="fine", fine=fine)
            )
        assert [str(m) for m in err.value.fields["fine"]] == [message]
    with pytest.raises(Invalid) as err:
        L.record_violation(by=demo["ent1"], organization=org, **_violation(fine="100"))
    assert list(err.value.fields) == ["fine"]
    with pytest.raises(Invalid) as err:
        L.record_violation(
            by=demo["ent1"], organization=org, **_violation(kind="x", action="y", person_name="")
        )
    assert set(err.value.fields) == {"kind", "action", "person_name"}
    assert Violation.objects.count() == before
    record = L.record_violation(
        by=demo["ent1"], organization=org, **_violation(action="fine", fine="200")
    )
    assert record.fine == Decimal("200.00")
    assert record.recorded_by == demo["ent1"]


def test_officers_record_violations_and_the_enterprise_is_told(demo, org):
    record = L.record_violation(by=demo["township"], organization=org, **_violation())
    assert record.recorded_by == demo["township"]
    told = set(
        Notification.objects.filter(title__contains="王强").values_list(
            "recipient__username", flat=True
        )
    )
    assert {"ent1", "ent1safety"} <= told
    # A supervising department records in the enterprises of the industries it supervises.
    by_dept = L.record_violation(
        by=demo["dept"], organization=org, **_violation(person_name="高鹏")
    )
    assert by_dept.recorded_by == demo["dept"]
    with pytest.raises(Forbidden):  # a grid officer reads only
        L.record_violation(by=demo["village1"], organization=org, **_violation())
    with pytest.raises(NotFound):
        L.record_violation(by=demo["ent2"], organization=org, **_violation())
    # The team leader records in his organisation but may not delete.
    team = User.objects.get(username="ent1team")
    mine = L.record_violation(by=team, organization=org, **_violation())
    with pytest.raises(Forbidden):
        L.delete_violation(mine, by=team)
    L.delete_violation(mine, by=demo["ent1safety"])


def test_counts_per_month_and_kind(fresh):
    unit, _user = fresh
    rows = [
        (date(2025, 1, 3), ViolationKind.OPERATION),
        (date(2025, 1, 20), ViolationKind.OPERATION),
        (date(2025, 1, 21), ViolationKind.COMMAND),
        (date(2025, 7, 1), ViolationKind.DISCIPLINE),
        (date(2024, 7, 1), ViolationKind.DISCIPLINE),  # another year
    ]
    for day, kind in rows:
        Violation.objects.create(
            organization=unit, date=day, kind=kind, person_name="甲", description="x",
            action=ViolationAction.EDUCATION,
        )  # fmt: skip
    table = L.month_kind_counts(Violation.objects.filter(organization=unit), 2025)
    # Columns in ViolationKind order: command, operation, discipline.
    assert table[0] == {"month": 1, "counts": [1, 2, 0], "total": 3}
    assert table[6] == {"month": 7, "counts": [0, 0, 1], "total": 1}
    assert table[1]["total"] == 0
    assert table[12] == {"month": None, "counts": [1, 2, 1], "total": 4}

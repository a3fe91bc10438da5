"""The enterprise's standing ledgers (notice 四(三), 三(四)): each post's safety duties
with employees' acknowledgements (全员安全生产责任制), the safety-expense ledger
(安全生产费用台账) and the 三违 record.

Every change is one function here: it checks the actor's scope (404 outside it, 403
when visible but not allowed) and the object's state (409), validates the input
(400, naming the field; nothing saved) and writes. The audit trail is left to the
registered signals. The summaries below (totals, balances, counts per month) are
computed in the database in a constant number of queries, whatever the number of
rows or organisations.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce, ExtractMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from anpai.core import access
from anpai.core.errors import Conflict, Forbidden, Invalid, NotFound
from anpai.enterprise.choices import ExpenseDirection, ViolationAction, ViolationKind
from anpai.enterprise.models import Acknowledgement, PostDuty, SafetyExpense, Violation
from anpai.orgs.models import Organization
from anpai.people.choices import Role

POSTS = "enterprise.postduty"
EXPENSES = "enterprise.safetyexpense"
VIOLATIONS = "enterprise.violation"
ACKNOWLEDGE = "acknowledge"

MAX_AMOUNT = Decimal("999999999999.99")  # max_digits=14, decimal_places=2
MAX_FINE = Decimal("99999999.99")  # max_digits=10
ZERO = Decimal("0.00")
ENTERPRISE_ROLES = frozenset(
    {
        Role.ENT_PRINCIPAL,
        Role.ENT_SAFETY,
        Role.ENT_DEPT_HEAD,
        Role.ENT_TEAM_LEADER,
        Role.ENT_EMPLOYEE,
    }
)


# ---------------------------------------------------------------- helpers


@cache
def expense_categories() -> dict[str, str]:
    """The spending categories of 财资〔2022〕136号: code → Chinese name (file order)."""
    path = Path(__file__).parent / "data" / "expense_categories.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return {c["code"]: c["name"] for c in data["categories"]}


def _required(name: str, label: str, errors: dict[str, list[Any]]) -> None:
    errors.setdefault(name, []).append(_("%(field)s is required.") % {"field": label})


def _text(values: dict[str, Any], name: str) -> str:
    value = values.get(name)
    return "" if value is None else str(value).strip()


def _max_length(
    clean: dict[str, Any], limits: Iterable[tuple[str, str, int]], errors: dict[str, list[Any]]
) -> None:
    for name, label, limit in limits:
        if len(clean.get(name) or "") > limit:
            errors.setdefault(name, []).append(
                _("%(field)s: at most %(n)d characters.") % {"field": label, "n": limit}
            )


def _date(values: dict[str, Any], name: str, label: str, errors: dict[str, list[Any]]):
    raw = values.get(name)
    value: date | None
    if isinstance(raw, date):
        value = raw
    else:
        text = "" if raw is None else str(raw).strip()
        if not text:
            _required(name, label, errors)
            return None
        try:
            value = parse_date(text)
        except ValueError:
            value = None
        if value is None:
            errors.setdefault(name, []).append(
                _("%(field)s must be a date (YYYY-MM-DD).") % {"field": label}
            )
            return None
    if value.year < 2000:
        errors.setdefault(name, []).append(
            _("%(field)s must be in 2000 or later.") % {"field": label}
        )
        return None
    if value > timezone.localdate():
        errors.setdefault(name, []).append(
            _("%(field)s cannot be in the future.") % {"field": label}
        )
        return None
    return value


def _money(
    values: dict[str, Any],
    name: str,
    label: str,
    errors: dict[str, list[Any]],
    *,
    limit: Decimal,
) -> Decimal | None:
    """A positive amount of yuan with at most two decimals, or an error naming ``label``."""
    raw = values.get(name)
    text = "" if raw is None else str(raw).strip().replace(",", "").replace("，", "")
    if not text:
        _required(name, label, errors)
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        errors.setdefault(name, []).append(
            _("%(field)s must be a number of yuan, e.g. 1200.50.") % {"field": label}
        )
        return None
    if value <= 0:
        errors.setdefault(name, []).append(
            _("%(field)s must be greater than 0.") % {"field": label}
        )
        return None
    if value != value.quantize(Decimal("0.01")):
        errors.setdefault(name, []).append(
            _("%(field)s: at most 2 decimal places (fen).") % {"field": label}
        )
        return None
    if value > limit:
        errors.setdefault(name, []).append(
            _("%(field)s is too large (at most %(max)s).") % {"field": label, "max": limit}
        )
        return None
    return value.quantize(Decimal("0.01"))


def _check_org(by: Any, resource: str, action: str, organization: Organization) -> None:
    """404 when ``organization`` is outside what ``by`` may see of ``resource``; 403 when
    seen but ``action`` is not allowed there."""
    if access.org_allows(by, resource, action, organization):
        return
    if access.org_allows(by, resource, access.VIEW, organization):
        raise Forbidden(_("Your role may not do this for this organisation."))
    raise NotFound(_("No such organisation."))


def _locked(model: Any, pk: int, by: Any, action: str, related: Iterable[str] = ()) -> Any:
    """The row, locked, if ``by`` may ``action`` it: 404 outside scope, 403 when seen only."""
    if not model.objects.restrict(by, action).filter(pk=pk).exists():
        if action != access.VIEW and model.objects.restrict(by, access.VIEW).filter(pk=pk).exists():
            raise Forbidden(_("Your role may not do this."))
        raise NotFound(_("Not found."))
    return model.objects.select_for_update(of=("self",)).select_related(*related).get(pk=pk)


# ---------------------------------------------------------------- post duties


@transaction.atomic
def publish_duty(*, by: Any, organization: Organization, post: Any, duties: Any) -> PostDuty:
    """Publish ``post``'s safety duties in ``organization``: the first version, or a new
    one replacing the current (kept; its acknowledgements stay with it)."""
    values = {"post": post, "duties": duties}
    clean = {"post": _text(values, "post"), "duties": _text(values, "duties")}
    errors: dict[str, list[Any]] = {}
    if not clean["post"]:
        _required("post", _("Post"), errors)
    if not clean["duties"]:
        _required("duties", _("Safety duties"), errors)
    _max_length(clean, [("post", _("Post"), 60), ("duties", _("Safety duties"), 8000)], errors)
    current = None
    if clean["post"]:
        current = (
            PostDuty.objects.select_for_update()
            .filter(organization=organization, post=clean["post"], is_current=True)
            .first()
        )
    _check_org(by, POSTS, access.CHANGE if current else access.ADD, organization)
    if errors:
        raise Invalid(fields=errors)
    now = timezone.now()
    version = 1
    if current is not None:
        if current.duties.strip() == clean["duties"]:
            raise Invalid(
                fields={
                    "duties": [
                        _("Safety duties: unchanged from version %(n)d; nothing to publish.")
                        % {"n": current.version}
                    ]
                }
            )
        version = current.version + 1
        current.is_current = False
        current.save(update_fields=["is_current"])
    else:
        last = (
            PostDuty.objects.filter(organization=organization, post=clean["post"])
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
        )
        version = (last or 0) + 1
    try:
        with transaction.atomic():
            return PostDuty.objects.create(
                organization=organization,
                post=clean["post"],
                duties=clean["duties"],
                version=version,
                is_current=True,
                published_at=now,
                published_by=by,
                created_at=now,
            )
    except IntegrityError:  # someone published this post at the same moment
        raise Conflict(
            _("Someone else published the duties of %(post)s just now. Reload and try again.")
            % {"post": clean["post"]}
        ) from None


@transaction.atomic
def withdraw_duty(post_duty: PostDuty | int, *, by: Any) -> PostDuty:
    """Take a post off the board (the post no longer exists); its versions stay on record."""
    pk = post_duty.pk if isinstance(post_duty, PostDuty) else int(post_duty)
    locked = _locked(PostDuty, pk, by, access.CHANGE)
    if not locked.is_current:
        raise Conflict(
            _("This version has already been replaced; only the current one can be withdrawn.")
        )
    locked.is_current = False
    locked.save(update_fields=["is_current"])
    return locked


def _is_enterprise_member(by: Any, organization: Organization) -> bool:
    return any(
        g.org_id == organization.pk and g.role in ENTERPRISE_ROLES for g in access.grants(by)
    )


@transaction.atomic
def acknowledge(post_duty: PostDuty | int, *, by: Any, person_name: Any = None) -> Acknowledgement:
    """``by`` acknowledges the post's current duties under their own name; the principal
    or safety manager may record it for a named employee without an account. Once per
    person per version (409 the second time)."""
    pk = post_duty.pk if isinstance(post_duty, PostDuty) else int(post_duty)
    locked = _locked(PostDuty, pk, by, ACKNOWLEDGE, related=["organization"])
    if not _is_enterprise_member(by, locked.organization):
        raise Forbidden(_("Only the organisation's own staff acknowledge its post duties."))
    if not locked.is_current:
        raise Conflict(
            _("Version %(n)d of these duties has been replaced; acknowledge the current one.")
            % {"n": locked.version}
        )
    own = by.get_full_name().strip()
    name = "" if person_name is None else str(person_name).strip()
    user = None
    if not name or name == own:
        name, user = own, by
    else:
        if not access.org_allows(by, POSTS, access.CHANGE, locked.organization):
            raise Forbidden(
                _("Only the principal or the safety manager records acknowledgements for others.")
            )
        if len(name) > 50:
            raise Invalid(fields={"person_name": [_("Name: at most 50 characters.")]})
    if Acknowledgement.objects.filter(post_duty=locked, person_name=name).exists():
        raise Conflict(
            _("%(name)s has already acknowledged version %(n)d of these duties.")
            % {"name": name, "n": locked.version}
        )
    try:
        with transaction.atomic():
            return Acknowledgement.objects.create(
                post_duty=locked, user=user, person_name=name, recorded_by=by
            )
    except IntegrityError:  # pragma: no cover - the row lock above serialises these
        raise Conflict(
            _("%(name)s has already acknowledged these duties.") % {"name": name}
        ) from None


# ---------------------------------------------------------------- safety expenses

EXPENSE_FIELDS = ("direction", "date", "category", "amount", "description", "voucher")


def clean_expense(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[Any]] = {}
    clean: dict[str, Any] = {}
    direction = _text(values, "direction")
    if direction not in ExpenseDirection.values:
        errors["direction"] = [
            _("Kind must be one of: %(choices)s.")
            % {"choices": "、".join(str(label) for label in ExpenseDirection.labels)}
        ]
    clean["direction"] = direction
    clean["date"] = _date(values, "date", _("Date"), errors)
    category = _text(values, "category")
    if direction == ExpenseDirection.USE:
        if not category:
            _required("category", _("Category"), errors)
        elif category not in expense_categories():
            errors["category"] = [_("Category: not one of the categories of 财资〔2022〕136号.")]
    elif direction == ExpenseDirection.PROVISION:
        category = ""  # money set aside is not yet spent on anything
    clean["category"] = category
    clean["amount"] = _money(values, "amount", _("Amount"), errors, limit=MAX_AMOUNT)
    clean["description"] = _text(values, "description")
    if not clean["description"]:
        _required("description", pgettext("expense", "Description"), errors)
    clean["voucher"] = _text(values, "voucher")
    _max_length(
        clean,
        [
            ("description", pgettext("expense", "Description"), 200),
            ("voucher", _("Voucher number"), 40),
        ],
        errors,
    )
    if errors:
        raise Invalid(fields=errors)
    clean["year"] = clean["date"].year
    return clean


@transaction.atomic
def record_expense(*, by: Any, organization: Organization, **values: Any) -> SafetyExpense:
    """One line of the ledger: money set aside (提取) or spent (使用) on a category."""
    _check_org(by, EXPENSES, access.ADD, organization)
    clean = clean_expense(values)
    return SafetyExpense.objects.create(organization=organization, recorded_by=by, **clean)


@transaction.atomic
def update_expense(expense: SafetyExpense | int, *, by: Any, **values: Any) -> SafetyExpense:
    pk = expense.pk if isinstance(expense, SafetyExpense) else int(expense)
    locked = _locked(SafetyExpense, pk, by, access.CHANGE)
    clean = clean_expense(values)
    for name, value in clean.items():
        setattr(locked, name, value)
    locked.save()
    return locked


@transaction.atomic
def delete_expense(expense: SafetyExpense | int, *, by: Any) -> None:
    pk = expense.pk if isinstance(expense, SafetyExpense) else int(expense)
    _locked(SafetyExpense, pk, by, access.DELETE).delete()


@dataclass
class Totals:
    """One organisation's ledger for one year, in yuan."""

    set_aside: Decimal = ZERO
    spent: Decimal = ZERO
    carried: Decimal = ZERO  # balance brought forward from earlier years

    @property
    def balance(self) -> Decimal:
        return self.carried + self.set_aside - self.spent


def _sum(q: Q) -> Coalesce:
    return Coalesce(
        Sum("amount", filter=q),
        Value(ZERO),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )


def totals(org_ids: Iterable[int], year: int) -> dict[int, Totals]:
    """Set aside and spent in ``year``, and the balance carried from earlier years, per
    organisation: one query however many organisations."""
    ids = sorted(set(org_ids))
    result = {pk: Totals() for pk in ids}
    if not ids:
        return result
    provision = Q(direction=ExpenseDirection.PROVISION)
    use = Q(direction=ExpenseDirection.USE)
    rows = (
        SafetyExpense.objects.filter(organization_id__in=ids, year__lte=year)
        .values("organization_id")
        .annotate(
            set_aside=_sum(provision & Q(year=year)),
            spent=_sum(use & Q(year=year)),
            before_in=_sum(provision & Q(year__lt=year)),
            before_out=_sum(use & Q(year__lt=year)),
        )
        .order_by()
    )
    for row in rows:
        result[row["organization_id"]] = Totals(
            set_aside=row["set_aside"],
            spent=row["spent"],
            carried=row["before_in"] - row["before_out"],
        )
    return result


@dataclass
class CategorySum:
    code: str
    name: str
    amount: Decimal
    share: float = 0.0  # of the largest category, for the bar chart
    extra: dict[str, Any] = field(default_factory=dict)


def spent_by_category(organization_id: int, year: int) -> list[CategorySum]:
    """Money spent in ``year`` per category (every category, in the file's order)."""
    names = expense_categories()
    sums = dict(
        SafetyExpense.objects.filter(
            organization_id=organization_id, year=year, direction=ExpenseDirection.USE
        )
        .values("category")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("category", "total")
    )
    top = max(sums.values(), default=ZERO)
    rows = []
    for code, name in names.items():
        amount = sums.pop(code, None) or ZERO
        rows.append(CategorySum(code, name, amount, float(amount / top) if top else 0.0))
    for code, amount in sums.items():  # a category no longer in the file
        rows.append(CategorySum(code, code, amount, float(amount / top) if top else 0.0))
    return rows


def expense_years(organization_id: int) -> list[int]:
    return list(
        SafetyExpense.objects.filter(organization_id=organization_id)
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )


# ---------------------------------------------------------------- 三违

VIOLATION_FIELDS = ("date", "kind", "person_name", "post", "description", "action", "fine")


def clean_violation(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[Any]] = {}
    clean: dict[str, Any] = {"date": _date(values, "date", _("Date"), errors)}
    kind = _text(values, "kind")
    if kind not in ViolationKind.values:
        errors["kind"] = [
            _("Kind must be one of: %(choices)s.")
            % {"choices": "、".join(str(label) for label in ViolationKind.labels)}
        ]
    clean["kind"] = kind
    for name, label in (("person_name", _("Person")), ("description", _("What happened"))):
        clean[name] = _text(values, name)
        if not clean[name]:
            _required(name, label, errors)
    clean["post"] = _text(values, "post")
    action = _text(values, "action")
    if action not in ViolationAction.values:
        errors["action"] = [
            _("Action taken must be one of: %(choices)s.")
            % {"choices": "、".join(str(label) for label in ViolationAction.labels)}
        ]
    clean["action"] = action
    clean["fine"] = None
    if action == ViolationAction.FINE:
        clean["fine"] = _money(values, "fine", _("Fine"), errors, limit=MAX_FINE)
    elif _text(values, "fine"):
        errors["fine"] = [_("Fine: only when the action taken is a fine.")]
    _max_length(
        clean,
        [
            ("person_name", _("Person"), 50),
            ("post", _("Post"), 60),
            ("description", _("What happened"), 4000),
        ],
        errors,
    )
    if errors:
        raise Invalid(fields=errors)
    return clean


def _violation_recipients(organization: Organization, by: Any) -> list[Any]:
    from anpai.people.models import Membership

    return [
        m.user
        for m in Membership.objects.filter(
            organization=organization, role__in=[Role.ENT_PRINCIPAL, Role.ENT_SAFETY]
        ).select_related("user")
        if m.user_id != by.pk
    ]


@transaction.atomic
def record_violation(*, by: Any, organization: Organization, **values: Any) -> Violation:
    """Record one 三违 and what was done about it. When a government officer records it,
    the enterprise's principal and safety manager are told."""
    _check_org(by, VIOLATIONS, access.ADD, organization)
    clean = clean_violation(values)
    violation = Violation.objects.create(organization=organization, recorded_by=by, **clean)
    if not _is_enterprise_member(by, organization):
        from anpai.notifications.service import notify

        notify(
            _violation_recipients(organization, by),
            title=_("三违 recorded by %(who)s: %(person)s, %(kind)s")
            % {
                "who": by.get_full_name(),
                "person": violation.person_name,
                "kind": violation.get_kind_display(),
            },
            body=violation.description[:200],
            url=reverse("enterprise:violations") + f"?organization={organization.pk}",
        )
    return violation


@transaction.atomic
def update_violation(violation: Violation | int, *, by: Any, **values: Any) -> Violation:
    pk = violation.pk if isinstance(violation, Violation) else int(violation)
    locked = _locked(Violation, pk, by, access.CHANGE)
    clean = clean_violation(values)
    for name, value in clean.items():
        setattr(locked, name, value)
    locked.save()
    return locked


@transaction.atomic
def delete_violation(violation: Violation | int, *, by: Any) -> None:
    pk = violation.pk if isinstance(violation, Violation) else int(violation)
    _locked(Violation, pk, by, access.DELETE).delete()


def month_kind_counts(queryset, year: int) -> list[dict[str, Any]]:
    """Counts per month × kind of ``queryset``'s records in ``year``: twelve rows (one
    query), each ``{"month", "counts": [per kind in ViolationKind order], "total"}``, and
    a last row of totals (``month`` None)."""
    kinds = list(ViolationKind.values)
    grid = {m: dict.fromkeys(kinds, 0) for m in range(1, 13)}
    rows = (
        queryset.filter(date__year=year)
        .annotate(month=ExtractMonth("date"))
        .values("month", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        if row["kind"] in grid[row["month"]]:
            grid[row["month"]][row["kind"]] = row["n"]
    rows = [[grid[m][k] for k in kinds] for m in range(1, 13)]
    table: list[dict[str, Any]] = [
        {"month": m, "counts": counts, "total": sum(counts)}
        for m, counts in zip(range(1, 13), rows, strict=True)
    ]
    sums = [sum(counts[i] for counts in rows) for i in range(len(kinds))]
    table.append({"month": None, "counts": sums, "total": sum(sums)})
    return table

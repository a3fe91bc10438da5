"""Every enforcement step is one function here: check scope (404) and role (403),
lock the case row, check the state allows the step (409), validate input (400
naming the field), write the history row, bump ``version``, and leave the
outside world (notifications) to after commit.

Official documents take their number from a per-township, per-kind, per-year
counter locked in the same transaction, so a number is given exactly once: a
rolled-back step gives its number back (no gaps), a committed one keeps it for
ever (a cancelled document keeps its number and says why it was cancelled).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from anpai.core import access
from anpai.core.counters import next_serial
from anpai.core.errors import Conflict, Forbidden, Invalid, NotFound
from anpai.enforcement.choices import (
    OPEN_STATES,
    AccountabilityKind,
    CaseState,
    DocumentKind,
    EventKind,
    Ground,
    MeasureKind,
    ReferralTo,
    ReviewState,
)
from anpai.enforcement.models import (
    AccountabilityFile,
    AccountabilityRecord,
    Case,
    CaseEvent,
    Document,
    DocumentCounter,
    DocumentSettings,
    Measure,
    Review,
)
from anpai.notifications.service import notify
from anpai.orgs.choices import SUPERVISED_KINDS, OrgStatus
from anpai.orgs.models import Organization
from anpai.people.choices import Role
from anpai.people.models import User
from anpai.regions.models import Region

RESOURCE = "enforcement.case"
SETTINGS_RESOURCE = "enforcement.documentsettings"
RECORD_RESOURCE = "enforcement.accountabilityrecord"
ISSUE = "issue"
REVIEW = "review"
CANCEL = "cancel"
CLOSE = "close"
CASE_SERIES = "case"  # the counter series of case numbers (立案)
MAX_AMOUNT = Decimal("100000000")

DATA = Path(__file__).resolve().parent / "data" / "documents.json"


# ---------------------------------------------------------------- settings


@cache
def shipped() -> dict[str, Any]:
    """The shipped document texts and numbering (``data/documents.json``)."""
    return json.loads(DATA.read_text(encoding="utf-8"))


def township_of(org: Organization) -> Region:
    township = org.township
    if township is None:
        raise Invalid(
            fields={"organization": [_("Only an organisation within a township can have a case.")]}
        )
    return township


def default_prefix(township: Region) -> str:
    """Before a township sets its own: the first character of its name + 安监."""
    return f"{township.name[:1]}安监"


def config(township: Region) -> dict[str, Any]:
    """The document settings in force for ``township``: its own over the shipped ones."""
    data = shipped()
    own = DocumentSettings.objects.filter(region=township).first()
    kinds: dict[str, dict[str, Any]] = {}
    for kind, texts in data["kinds"].items():
        merged = dict(texts)
        if own is not None:
            merged.update({k: v for k, v in (own.kinds.get(kind) or {}).items() if v})
        kinds[kind] = merged
    return {
        "prefix": own.prefix if own is not None else default_prefix(township),
        "authority": own.authority if own is not None else f"{township.name}人民政府",
        "contact": own.contact if own is not None else "",
        "address": own.address if own is not None else "",
        "review_days": own.review_days if own is not None else int(data["review_days"]),
        "number_format": data["number_format"],
        "kinds": kinds,
    }


TEXT_FIELDS = ("abbr", "title", "basis", "requirement", "receipt")


@transaction.atomic
def save_settings(*, by: User, region: Region, **values: Any) -> DocumentSettings:
    """A township's prefix, authority, review days and texts per kind (new numbers use them)."""
    if not access.allows_region(by, SETTINGS_RESOURCE, access.CHANGE, region):
        raise Forbidden(_("Only the township's safety officers set its document settings."))
    errors: dict[str, list[str]] = {}
    prefix = str(values.get("prefix") or "").strip()
    authority = str(values.get("authority") or "").strip()
    if not prefix:
        errors["prefix"] = [_("The number prefix is required.")]
    elif len(prefix) > 12 or any(ch in prefix for ch in "〔〕[]{}号 "):
        errors["prefix"] = [
            _("The number prefix is at most 12 characters, without brackets, spaces or 号.")
        ]
    if not authority:
        errors["authority"] = [_("The issuing authority is required.")]
    try:
        days = int(values.get("review_days") or 10)
        if not 1 <= days <= 90:
            raise ValueError
    except (TypeError, ValueError):
        errors["review_days"] = [_("Days to review must be a whole number from 1 to 90.")]
        days = 10
    kinds: dict[str, dict[str, str]] = {}
    for kind, texts in (values.get("kinds") or {}).items():
        if kind not in DocumentKind.values:
            continue
        kept = {k: str(v).strip() for k, v in (texts or {}).items() if k in TEXT_FIELDS}
        abbr = kept.get("abbr", "")
        if abbr and (len(abbr) > 6 or any(ch in abbr for ch in "〔〕[]{}号 ")):
            errors[f"kinds.{kind}.abbr"] = [
                _("An abbreviation is at most 6 characters, without brackets, spaces or 号.")
            ]
        kinds[kind] = {k: v for k, v in kept.items() if v}
    if errors:
        raise Invalid(fields=errors)
    own, _created = DocumentSettings.objects.select_for_update().get_or_create(
        region=region, defaults={"prefix": prefix, "authority": authority}
    )
    own.prefix = prefix
    own.authority = authority
    own.contact = str(values.get("contact") or "").strip()[:30]
    own.address = str(values.get("address") or "").strip()[:200]
    own.review_days = days
    own.kinds = kinds
    own.save()
    return own


# ---------------------------------------------------------------- numbering


def _next_serial(township: Region, series: str, year: int) -> int:
    """The next serial of ``series`` in ``township`` for ``year`` (see core.counters)."""
    return next_serial(DocumentCounter, region=township, kind=series, year=year)


def format_number(cfg: dict[str, Any], abbr: str, year: int, serial: int) -> str:
    return str(cfg["number_format"]).format(
        prefix=cfg["prefix"], abbr=abbr, year=year, serial=serial
    )


# ---------------------------------------------------------------- helpers


def _lock(case: Case | int, by: User, action: str, version: int | None = None) -> Case:
    pk = case.pk if isinstance(case, Case) else int(case)
    if not Case.objects.restrict(by, action).filter(pk=pk).exists():
        if Case.objects.restrict(by, access.VIEW).filter(pk=pk).exists():
            raise Forbidden(_("Your role may not do this to this case."))
        raise NotFound(_("No such case."))
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related("organization", "township")
        .get(pk=pk)
    )
    if version is not None and locked.version != version:
        raise Conflict(
            _("Someone else changed this case since you opened it. Reload it and try again.")
        )
    return locked


def _require_open(case: Case) -> None:
    if case.state not in OPEN_STATES:
        raise Conflict(
            _("Not possible while the case is “%(state)s”.") % {"state": case.get_state_display()}
        )


def _event(
    case: Case,
    kind: str,
    by: User | None,
    *,
    before: str | None = None,
    comment: str = "",
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        from_state=case.state if before is None else before,
        to_state=case.state,
        actor=by,
        comment=comment,
        data=data or {},
    )


def _save(case: Case, fields: Iterable[str] = ()) -> None:
    case.version += 1
    case.save(update_fields=[*set(fields), "version", "updated_at"])


def _url(case: Case) -> str:
    return reverse("enforcement:detail", args=[case.pk])


def _date(value: Any, field: str, label: str, *, required: bool = True) -> date | None:
    if value in (None, ""):
        if required:
            raise Invalid(fields={field: [_("%(field)s is required.") % {"field": label}]})
        return None
    if isinstance(value, date):
        return value
    parsed = parse_date(str(value))
    if parsed is None:
        raise Invalid(
            fields={field: [_("%(field)s must be a date (YYYY-MM-DD).") % {"field": label}]}
        )
    return parsed


def _text(value: Any, field: str, label: str, *, required: bool = True, limit: int = 0) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise Invalid(fields={field: [_("%(field)s is required.") % {"field": label}]})
    if limit and len(text) > limit:
        raise Invalid(
            fields={
                field: [
                    _("%(field)s is at most %(limit)d characters.")
                    % {"field": label, "limit": limit}
                ]
            }
        )
    return text


def _amount(value: Any, field: str, label: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise Invalid(
            fields={field: [_("%(field)s must be a number.") % {"field": label}]}
        ) from None
    if not amount.is_finite() or amount <= 0 or amount >= MAX_AMOUNT:
        raise Invalid(
            fields={
                field: [
                    _("%(field)s must be more than 0 and below 100,000,000.") % {"field": label}
                ]
            }
        )
    return amount.quantize(Decimal("0.01"))


def _items(value: Any) -> list[str]:
    """Problems as a list of lines (from a list, or text with one per line)."""
    lines = value.splitlines() if isinstance(value, str) else [str(v) for v in value or []]
    return [line.strip().lstrip("0123456789.、)） ").strip() for line in lines if line.strip()]


def org_people(org: Organization) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organization=org,
            memberships__role__in=(Role.ENT_PRINCIPAL, Role.ENT_SAFETY),
        ).distinct()
    )


def _sync_org_status(org: Organization) -> None:
    """The organisation's status follows the measures in force against it."""
    active = Measure.objects.filter(
        case__organization=org,
        lifted_at__isnull=True,
        kind__in=(MeasureKind.SUSPENSION, MeasureKind.CLOSURE),
    ).exclude(document__cancelled_at__isnull=False)
    kinds = set(active.values_list("kind", flat=True))
    if MeasureKind.CLOSURE in kinds:
        status = OrgStatus.CLOSED
    elif MeasureKind.SUSPENSION in kinds:
        status = OrgStatus.SUSPENDED
    elif (
        org.status in (OrgStatus.SUSPENDED, OrgStatus.CLOSED)
        and Measure.objects.filter(
            case__organization=org, kind__in=(MeasureKind.SUSPENSION, MeasureKind.CLOSURE)
        ).exists()
    ):
        status = OrgStatus.OPERATING  # lifted by the case that imposed it
    else:
        return
    if org.status != status:
        locked = Organization.objects.select_for_update().get(pk=org.pk)
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
        org.status = status


# ---------------------------------------------------------------- documents


def _base_content(case: Case, kind: str, issued_on: date) -> dict[str, Any]:
    cfg = config(case.township)
    texts = cfg["kinds"][kind]
    org = case.organization
    return {
        "kind": kind,
        "title": texts["title"],
        "authority": cfg["authority"],
        "contact": cfg["contact"],
        "address": cfg["address"],
        "addressee": org.name,
        "addressee_address": org.address,
        "credit_code": org.credit_code or "",
        "principal": org.principal_name,
        "case_number": case.number,
        "facts": case.facts,
        "grounds": case.ground_labels(),
        "basis": texts.get("basis", ""),
        "basis_verified": bool(texts.get("verified", False)),
        "requirement": texts.get("requirement", ""),
        "receipt": texts.get("receipt", ""),
        "issued_on": issued_on.isoformat(),
        "_abbr": texts.get("abbr", ""),
        "_cfg": cfg,
    }


def _issue(case: Case, kind: str, by: User, issued_on: date, content: dict[str, Any]) -> Document:
    """Number and store one document (the case row is locked by the caller)."""
    cfg = content.pop("_cfg")
    abbr = content.pop("_abbr")
    year = issued_on.year
    serial = _next_serial(case.township, kind, year)
    number = format_number(cfg, abbr, year, serial)
    content["number"] = number
    document = Document.objects.create(
        case=case,
        kind=kind,
        township=case.township,
        year=year,
        serial=serial,
        number=number,
        issued_on=issued_on,
        issued_by=by,
        content=content,
    )
    _event(case, EventKind.DOCUMENT, by, data={"document": document.pk, "number": number})
    notify(
        org_people(case.organization),
        title=_("%(title)s %(number)s issued to you")
        % {"title": content["title"], "number": number},
        body=case.title,
        url=_url(case),
        key=f"document:{document.pk}",
    )
    return document


def _issued_on(value: Any) -> date:
    issued = _date(value, "issued_on", _("Date of issue"), required=False) or timezone.localdate()
    if issued > timezone.localdate():
        raise Invalid(fields={"issued_on": [_("A document cannot be dated in the future.")]})
    return issued


# ---------------------------------------------------------------- cases


def _check_grounds(grounds: Any) -> list[str]:
    values = [str(g) for g in (grounds or [])]
    if not values:
        raise Invalid(fields={"grounds": [_("Choose at least one ground for the case.")]})
    unknown = [g for g in values if g not in Ground.values]
    if unknown:
        raise Invalid(
            fields={"grounds": [_("Unknown ground: %(value)s.") % {"value": ", ".join(unknown)}]}
        )
    return list(dict.fromkeys(values))


def _check_links(
    by: User, org: Organization, inspection: Any, hazards: Iterable[Any]
) -> tuple[Any, list[Any]]:
    from anpai.hazards.models import Hazard
    from anpai.inspections.models import Inspection

    found_inspection = None
    if inspection not in (None, ""):
        pk = inspection.pk if hasattr(inspection, "pk") else inspection
        found_inspection = (
            Inspection.objects.restrict(by, access.VIEW).filter(pk=pk, organization=org).first()
        )
        if found_inspection is None:
            raise Invalid(
                fields={"inspection": [_("Choose an inspection of this organisation you can see.")]}
            )
    ids = [h.pk if hasattr(h, "pk") else int(h) for h in hazards or ()]
    found = list(Hazard.objects.restrict(by, access.VIEW).filter(pk__in=ids, organization=org))
    if len(found) != len(set(ids)):
        raise Invalid(fields={"hazards": [_("Choose hazards of this organisation you can see.")]})
    return found_inspection, found


@transaction.atomic
def open_case(
    *,
    by: User,
    organization: Organization,
    title: str,
    facts: str,
    grounds: Sequence[str],
    inspection: Any = None,
    hazards: Iterable[Any] = (),
    is_joint: bool = False,
    is_unannounced: bool = False,
    opened_on: Any = None,
) -> Case:
    """Open a case (立案) against an enterprise or place, from an inspection or directly."""
    if not access.org_allows(by, RESOURCE, access.ADD, organization):
        if Organization.objects.restrict(by, access.VIEW).filter(pk=organization.pk).exists():
            raise Forbidden(_("Your role may not open cases against this organisation."))
        raise NotFound(_("No such organisation."))
    if organization.kind not in SUPERVISED_KINDS:
        raise Invalid(
            fields={"organization": [_("Cases are opened against enterprises and places.")]}
        )
    township = township_of(organization)
    values = {
        "title": _text(title, "title", _("Title"), limit=200),
        "facts": _text(facts, "facts", _("Facts found")),
        "grounds": _check_grounds(grounds),
    }
    found_inspection, found_hazards = _check_links(by, organization, inspection, hazards)
    day = _date(opened_on, "opened_on", _("Opened on"), required=False) or timezone.localdate()
    if day > timezone.localdate():
        raise Invalid(fields={"opened_on": [_("A case cannot be opened in the future.")]})
    cfg = config(township)
    serial = _next_serial(township, CASE_SERIES, day.year)
    case = Case.objects.create(
        organization=organization,
        township=township,
        number=format_number(cfg, "立", day.year, serial),
        inspection=found_inspection,
        is_joint=bool(is_joint),
        is_unannounced=bool(is_unannounced),
        opened_on=day,
        opened_by=by,
        **values,
    )
    case.hazards.set(found_hazards)
    _event(case, EventKind.OPENED, by, before="")
    return case


@transaction.atomic
def update_case(case: Case | int, *, by: User, version: int | None = None, **values: Any) -> Case:
    """Correct the case's title, facts, grounds, links while it is open."""
    case = _lock(case, by, access.CHANGE, version)
    _require_open(case)
    fields: list[str] = []
    if "title" in values:
        case.title = _text(values["title"], "title", _("Title"), limit=200)
        fields.append("title")
    if "facts" in values:
        case.facts = _text(values["facts"], "facts", _("Facts found"))
        fields.append("facts")
    if "grounds" in values:
        case.grounds = _check_grounds(values["grounds"])
        fields.append("grounds")
    for flag in ("is_joint", "is_unannounced"):
        if flag in values:
            setattr(case, flag, bool(values[flag]))
            fields.append(flag)
    if "inspection" in values or "hazards" in values:
        found_inspection, found_hazards = _check_links(
            by,
            case.organization,
            values.get("inspection", case.inspection),
            values.get("hazards", list(case.hazards.all())),
        )
        case.inspection = found_inspection
        fields.append("inspection")
        case.hazards.set(found_hazards)
    _save(case, fields)
    _event(case, EventKind.CHANGED, by, data={"fields": sorted(set(fields))})
    return case


def _measure_document(
    case: Case,
    *,
    by: User,
    kind: str,
    measure_kind: str,
    items: Any,
    deadline: date | None,
    requirement: Any,
    issued_on: date,
    extra: dict[str, Any] | None = None,
) -> tuple[Measure, Document]:
    content = _base_content(case, kind, issued_on)
    problems = _items(items) or findings(case)
    if not problems:
        raise Invalid(fields={"items": [_("List at least one problem to be put right.")]})
    content["items"] = problems
    if str(requirement or "").strip():
        content["requirement"] = str(requirement).strip()
    content["deadline"] = deadline.isoformat() if deadline else ""
    content.update(extra or {})
    document = _issue(case, kind, by, issued_on, content)
    measure = Measure.objects.create(
        case=case,
        kind=measure_kind,
        document=document,
        taken_on=issued_on,
        deadline=deadline,
        created_by=by,
    )
    return measure, document


def _schedule_review(case: Case, measure: Measure, deadline: date) -> Review:
    days = config(case.township)["review_days"]
    return Review.objects.create(
        case=case,
        measure=measure,
        deadline=deadline,
        due_on=deadline + timedelta(days=days),
    )


def _deadline_after(value: Any, issued_on: date, label: str) -> date:
    deadline = _date(value, "deadline", label)
    assert deadline is not None
    if deadline <= issued_on:
        raise Invalid(fields={"deadline": [_("The deadline must be after the date of issue.")]})
    if (deadline - issued_on).days > 366:
        raise Invalid(fields={"deadline": [_("The deadline must be within a year.")]})
    return deadline


def _issue_with_deadline(
    case: Case | int,
    *,
    by: User,
    kind: str,
    measure_kind: str,
    label: str,
    deadline: Any,
    items: Any,
    requirement: Any,
    issued_on: Any,
    version: int | None,
) -> Document:
    """A measure with a deadline (an order, a suspension): its document and its review."""
    case = _lock(case, by, ISSUE, version)
    _require_open(case)
    day = _issued_on(issued_on)
    limit = _deadline_after(deadline, day, label)
    measure, document = _measure_document(
        case,
        by=by,
        kind=kind,
        measure_kind=measure_kind,
        items=items,
        deadline=limit,
        requirement=requirement,
        issued_on=day,
    )
    _schedule_review(case, measure, limit)
    _sync_org_status(case.organization)
    _event(case, EventKind.MEASURE, by, data={"measure": measure_kind})
    _save(case)
    return document


@transaction.atomic
def issue_order(
    case: Case | int,
    *,
    by: User,
    deadline: Any,
    items: Any = None,
    requirement: Any = None,
    issued_on: Any = None,
    version: int | None = None,
) -> Document:
    """责令限期整改: the order (指令书) with the next number, and its review after the deadline."""
    return _issue_with_deadline(
        case,
        by=by,
        kind=DocumentKind.ORDER,
        measure_kind=MeasureKind.DEADLINE,
        label=_("Deadline"),
        deadline=deadline,
        items=items,
        requirement=requirement,
        issued_on=issued_on,
        version=version,
    )


@transaction.atomic
def issue_suspension(
    case: Case | int,
    *,
    by: User,
    deadline: Any,
    items: Any = None,
    requirement: Any = None,
    issued_on: Any = None,
    version: int | None = None,
) -> Document:
    """停产整顿: the decision, the organisation suspended, a review after the period."""
    return _issue_with_deadline(
        case,
        by=by,
        kind=DocumentKind.SUSPENSION,
        measure_kind=MeasureKind.SUSPENSION,
        label=_("End of the suspension period"),
        deadline=deadline,
        items=items,
        requirement=requirement,
        issued_on=issued_on,
        version=version,
    )


@transaction.atomic
def issue_closure(
    case: Case | int,
    *,
    by: User,
    items: Any = None,
    requirement: Any = None,
    issued_on: Any = None,
    version: int | None = None,
) -> Document:
    """关闭取缔: the decision; the organisation is closed and the case ends."""
    case = _lock(case, by, ISSUE, version)
    _require_open(case)
    day = _issued_on(issued_on)
    _measure, document = _measure_document(
        case,
        by=by,
        kind=DocumentKind.CLOSURE,
        measure_kind=MeasureKind.CLOSURE,
        items=items,
        deadline=None,
        requirement=requirement,
        issued_on=day,
    )
    _sync_org_status(case.organization)
    _event(case, EventKind.MEASURE, by, data={"measure": MeasureKind.CLOSURE})
    before = case.state
    case.close()
    case.conclusion = _("Closed down by decision %(number)s.") % {"number": document.number}
    _save(case, ["state", "closed_at", "conclusion"])
    _event(case, EventKind.CLOSED, by, before=before, comment=case.conclusion)
    return document


@transaction.atomic
def issue_record(
    case: Case | int,
    *,
    by: User,
    place: Any = None,
    inspected_on: Any = None,
    inspectors: Any = None,
    items: Any = None,
    present: Any = None,
    issued_on: Any = None,
    version: int | None = None,
) -> Document:
    """现场检查记录: what was checked and found, from the case's inspection when it has one."""
    case = _lock(case, by, ISSUE, version)
    _require_open(case)
    day = _issued_on(issued_on)
    content = _base_content(case, DocumentKind.RECORD, day)
    inspection = case.inspection
    when = _date(inspected_on, "inspected_on", _("Inspection date"), required=False)
    if when is None:
        when = inspection.date if inspection is not None else day
    names = str(inspectors or "").strip()
    if not names and inspection is not None:
        names = inspector_names(inspection)
    if not names:
        raise Invalid(fields={"inspectors": [_("Name the inspectors.")]})
    problems = _items(items) or findings(case)
    content.update(
        {
            "place": str(place or "").strip() or case.organization.address,
            "inspected_on": when.isoformat(),
            "inspectors": names,
            "present": str(present or "").strip()
            or (inspection.signer_name if inspection is not None else "")
            or case.organization.principal_name,
            "items": problems,
            "summary": inspection.summary if inspection is not None else "",
        }
    )
    document = _issue(case, DocumentKind.RECORD, by, day, content)
    _save(case)
    return document


@transaction.atomic
def record_fine(
    case: Case | int,
    *,
    by: User,
    amount: Any,
    decision_number: Any = "",
    taken_on: Any = None,
    note: Any = "",
    version: int | None = None,
) -> Measure:
    """A fine (罚款), with the penalty decision's number when it was made outside anpai."""
    case = _lock(case, by, ISSUE, version)
    _require_open(case)
    value = _amount(amount, "amount", _("Amount"))
    day = _date(taken_on, "taken_on", _("Date"), required=False) or timezone.localdate()
    number = _text(
        decision_number, "decision_number", _("Decision number"), required=False, limit=60
    )
    text = _text(note, "note", _("Note"), required=False)
    measure = Measure.objects.create(
        case=case,
        kind=MeasureKind.FINE,
        taken_on=day,
        amount=value,
        note="\n".join(t for t in (number, text) if t),
        created_by=by,
    )
    _event(case, EventKind.MEASURE, by, data={"measure": MeasureKind.FINE, "amount": str(value)})
    _save(case)
    return measure


@transaction.atomic
def refer(
    case: Case | int,
    *,
    by: User,
    referral_to: Any,
    body: Any = "",
    taken_on: Any = None,
    note: Any = "",
    version: int | None = None,
) -> Measure:
    """移送: the case handed to discipline inspection, the police or another authority."""
    case = _lock(case, by, ISSUE, version)
    _require_open(case)
    if referral_to not in ReferralTo.values:
        raise Invalid(fields={"referral_to": [_("Choose whom the case is referred to.")]})
    receiving = _text(
        body, "body", _("Receiving body"), required=referral_to == ReferralTo.OTHER, limit=100
    )
    day = _date(taken_on, "taken_on", _("Date"), required=False) or timezone.localdate()
    measure = Measure.objects.create(
        case=case,
        kind=MeasureKind.REFERRAL,
        taken_on=day,
        referral_to=referral_to,
        referral_body=receiving,
        note=_text(note, "note", _("Note"), required=False),
        created_by=by,
    )
    _event(case, EventKind.MEASURE, by, data={"measure": MeasureKind.REFERRAL, "to": referral_to})
    _save(case)
    return measure


# ---------------------------------------------------------------- reviews


def _lock_review(review: Review | int, by: User) -> tuple[Review, Case]:
    pk = review.pk if isinstance(review, Review) else int(review)
    found = Review.objects.restrict(by, access.VIEW).filter(pk=pk).values_list("case_id", flat=True)
    case_id = found.first()
    if case_id is None:
        raise NotFound(_("No such review."))
    case = _lock(case_id, by, REVIEW)
    return Review.objects.select_for_update(of=("self",)).select_related("measure__document").get(
        pk=pk
    ), case


@transaction.atomic
def record_review(
    review: Review | int,
    *,
    by: User,
    passed: bool,
    findings: Any,
    reviewed_on: Any = None,
) -> Document:
    """复查: the 整改复查意见书; rectified closes the measure (and the case when nothing else
    is due), not rectified escalates the case for stronger measures."""
    review, case = _lock_review(review, by)
    _require_open(case)
    if review.state != ReviewState.PENDING:
        raise Conflict(_("This review has already been recorded."))
    text = _text(findings, "findings", _("Review findings"))
    day = (
        _date(reviewed_on, "reviewed_on", _("Reviewed on"), required=False) or timezone.localdate()
    )
    if day > timezone.localdate():
        raise Invalid(fields={"reviewed_on": [_("A review cannot be dated in the future.")]})
    order = review.measure.document
    if order is not None and day < order.issued_on:
        raise Invalid(
            fields={"reviewed_on": [_("A review cannot come before the order it reviews.")]}
        )
    content = _base_content(case, DocumentKind.REVIEW, day)
    content.update(
        {
            "order_number": order.number if order is not None else "",
            "order_title": order.title if order is not None else "",
            "order_issued_on": order.issued_on.isoformat() if order is not None else "",
            "deadline": review.deadline.isoformat() if review.deadline else "",
            "reviewed_on": day.isoformat(),
            "findings": text,
            "passed": bool(passed),
            "opinion": (
                "经复查，你单位已按要求完成整改，整改合格。"
                if passed
                else "经复查，你单位未按要求完成整改。本机关将依法作出进一步处理。"
            ),
        }
    )
    document = _issue(case, DocumentKind.REVIEW, by, day, content)
    review.state = ReviewState.PASSED if passed else ReviewState.FAILED
    review.reviewed_on = day
    review.reviewer = by
    review.findings = text
    review.document = document
    review.save()
    before = case.state
    if passed:
        measure = review.measure
        measure.lifted_at = timezone.now()
        measure.save(update_fields=["lifted_at"])
        _sync_org_status(case.organization)
        if measure.kind == MeasureKind.SUSPENSION:
            _event(case, EventKind.LIFTED, by, data={"measure": measure.pk})
        _event(case, EventKind.REVIEWED, by, comment=text, data={"passed": True})
        if not case.reviews.filter(state=ReviewState.PENDING).exists():
            case.close()
            case.conclusion = _("Rectified, confirmed by review %(number)s.") % {
                "number": document.number
            }
            _save(case, ["state", "closed_at", "conclusion"])
            _event(case, EventKind.CLOSED, by, before=before, comment=case.conclusion)
        else:
            _save(case)
    else:
        _event(case, EventKind.REVIEWED, by, comment=text, data={"passed": False})
        if case.state == CaseState.OPEN:
            case.escalate()
            _save(case, ["state", "escalated_at"])
            _event(case, EventKind.ESCALATED, by, before=before, comment=text)
        else:
            _save(case)
        from anpai.hazards.actions import township_officers

        notify(
            township_officers(case.organization),
            title=_("Order not carried out: %(org)s") % {"org": case.organization},
            body=_("Review %(number)s found the rectification not done.")
            % {"number": document.number},
            url=_url(case),
            key=f"review:{review.pk}:failed",
        )
    return document


@transaction.atomic
def cancel_document(document: Document | int, *, by: User, reason: Any) -> Document:
    """Cancel a document of an open case: it keeps its number, with the reason; its
    measure stops."""
    pk = document.pk if isinstance(document, Document) else int(document)
    case_id = (
        Document.objects.restrict(by, access.VIEW)
        .filter(pk=pk)
        .values_list("case_id", flat=True)
        .first()
    )
    if case_id is None:
        raise NotFound(_("No such document."))
    case = _lock(case_id, by, CANCEL)
    _require_open(case)  # a closed case's documents are final
    doc = Document.objects.select_for_update().get(pk=pk)
    if doc.is_cancelled:
        raise Conflict(_("This document is already cancelled."))
    text = _text(reason, "reason", _("Reason for cancellation"))
    doc.cancelled_at = timezone.now()
    doc.cancelled_by = by
    doc.cancel_reason = text
    doc.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason"])
    for measure in Measure.objects.filter(document=doc, lifted_at__isnull=True):
        measure.lifted_at = timezone.now()
        measure.save(update_fields=["lifted_at"])
        measure.reviews.filter(state=ReviewState.PENDING).delete()
    _sync_org_status(case.organization)
    _event(case, EventKind.CANCELLED, by, comment=text, data={"document": doc.pk})
    _save(case)
    return doc


@transaction.atomic
def close_case(case: Case | int, *, by: User, conclusion: Any, version: int | None = None) -> Case:
    """结案 by hand (e.g. after a fine or a referral); not while a review is still due."""
    case = _lock(case, by, CLOSE, version)
    _require_open(case)
    text = _text(conclusion, "conclusion", _("Conclusion"))
    if case.reviews.filter(state=ReviewState.PENDING).exists():
        raise Conflict(_("A review is still due: record it before closing the case."))
    before = case.state
    if not can_proceed(case.close):  # pragma: no cover - guarded by _require_open
        raise Conflict(_("This case cannot be closed now."))
    case.close()
    case.conclusion = text
    _save(case, ["state", "closed_at", "conclusion"])
    _event(case, EventKind.CLOSED, by, before=before, comment=text)
    return case


def available_actions(case: Case, user: User) -> list[str]:
    """The steps ``user`` may take on ``case`` now (for buttons and the API)."""
    if case.state not in OPEN_STATES:
        return []
    allowed = access.roles_on_orgs(
        user, RESOURCE, [access.CHANGE, ISSUE, REVIEW, CLOSE], [case.organization_id]
    )[case.organization_id]
    result: list[str] = []
    if allowed[access.CHANGE]:
        result.append("edit")
    if allowed[ISSUE]:
        result += ["record", "order", "suspend", "close_down", "fine", "refer"]
    if allowed[REVIEW] and any(r.state == ReviewState.PENDING for r in case.reviews.all()):
        result.append("review")
    if allowed[CLOSE] and not any(r.state == ReviewState.PENDING for r in case.reviews.all()):
        result.append("close")
    return result


# ---------------------------------------------------------------- accountability


def _check_kind(kind: Any) -> str:
    if kind not in AccountabilityKind.values:
        raise Invalid(fields={"kind": [_("Choose exposure, notice, interview or referral.")]})
    return str(kind)


@transaction.atomic
def record_accountability(
    *,
    by: User,
    organization: Organization,
    kind: Any,
    reason: Any,
    date: Any = None,
    person_name: Any = "",
    person_title: Any = "",
    referral_to: Any = "",
    outcome: Any = "",
    hazards: Iterable[Any] = (),
    cases: Iterable[Any] = (),
    files: Sequence[Any] = (),
) -> AccountabilityRecord:
    """Record a decision to hold an organisation or a person to account (追责问责)."""
    from anpai.hazards import evidence
    from anpai.hazards.models import Hazard

    if not access.org_allows(by, RECORD_RESOURCE, access.ADD, organization):
        if Organization.objects.restrict(by, access.VIEW).filter(pk=organization.pk).exists():
            raise Forbidden(_("Your role may not record accountability for this organisation."))
        raise NotFound(_("No such organisation."))
    kind = _check_kind(kind)
    if kind == AccountabilityKind.REFERRAL and referral_to not in ReferralTo.values:
        raise Invalid(fields={"referral_to": [_("Choose whom the matter is referred to.")]})
    day = _date(date, "date", _("Date"), required=False) or timezone.localdate()
    if day > timezone.localdate():
        raise Invalid(fields={"date": [_("A record cannot be dated in the future.")]})
    hazard_ids = [h.pk if hasattr(h, "pk") else int(h) for h in hazards or ()]
    case_ids = [c.pk if hasattr(c, "pk") else int(c) for c in cases or ()]
    found_hazards = list(
        Hazard.objects.restrict(by, access.VIEW).filter(
            pk__in=hazard_ids, organization=organization
        )
    )
    found_cases = list(
        Case.objects.restrict(by, access.VIEW).filter(pk__in=case_ids, organization=organization)
    )
    if len(found_hazards) != len(set(hazard_ids)):
        raise Invalid(fields={"hazards": [_("Choose hazards of this organisation you can see.")]})
    if len(found_cases) != len(set(case_ids)):
        raise Invalid(fields={"cases": [_("Choose cases of this organisation you can see.")]})
    checked = [evidence.check(upload) for upload in files or ()]
    record = AccountabilityRecord.objects.create(
        organization=organization,
        kind=kind,
        reason=_text(reason, "reason", _("Reason")),
        date=day,
        person_name=_text(person_name, "person_name", _("Person"), required=False, limit=50),
        person_title=_text(person_title, "person_title", _("Post"), required=False, limit=60),
        referral_to=referral_to if referral_to in ReferralTo.values else "",
        outcome=_text(outcome, "outcome", _("Outcome"), required=False),
        created_by=by,
    )
    record.hazards.set(found_hazards)
    record.cases.set(found_cases)
    for item in checked:
        _store_file(record, item, by)
    return record


def _store_file(record: AccountabilityRecord, item: Any, by: User) -> AccountabilityFile:
    from django.core.files.base import ContentFile

    from anpai.hazards import evidence

    content_type, data, ext = evidence.reencoded(item)  # payloads dropped, as for evidence
    attached = AccountabilityFile(
        record=record,
        content_type=content_type,
        size=len(data),
        sha256=item.sha256,
        original_name=item.name,
        uploaded_by=by,
    )
    attached.file.save(f"{item.sha256[:16]}.{ext}", ContentFile(data), save=False)
    attached.save()
    return attached


@transaction.atomic
def attach_to_record(
    record: AccountabilityRecord | int, *, by: User, upload: Any
) -> AccountabilityFile:
    from anpai.hazards import evidence

    pk = record.pk if isinstance(record, AccountabilityRecord) else int(record)
    if not AccountabilityRecord.objects.restrict(by, access.CHANGE).filter(pk=pk).exists():
        if AccountabilityRecord.objects.restrict(by, access.VIEW).filter(pk=pk).exists():
            raise Forbidden(_("Your role may not add documents to this record."))
        raise NotFound(_("No such record."))
    found = AccountabilityRecord.objects.select_for_update().get(pk=pk)
    return _store_file(found, evidence.check(upload), by)


def suggestions(user: User, today: date | None = None) -> list[dict[str, Any]]:
    """What may call for accountability — a list for people to act on, never a penalty.

    Overdue major hazards and orders found not carried out on review, in the
    user's scope, that no accountability record names yet. Two queries.
    """
    from anpai.hazards.choices import HazardLevel
    from anpai.hazards.models import Hazard

    today = today or timezone.localdate()
    result: list[dict[str, Any]] = []
    hazards = (
        Hazard.objects.restrict(user, access.VIEW)
        .overdue(today)
        .filter(level=HazardLevel.MAJOR, accountability__isnull=True)
        .select_related("organization")
        .order_by("deadline", "id")
    )
    for hazard in hazards:
        result.append(
            {
                "reason": "major_overdue",
                "label": _("Major hazard overdue by %(days)d days") % {"days": hazard.overdue_days},
                "organization": hazard.organization,
                "hazard": hazard,
                "case": None,
                "since": hazard.deadline,
            }
        )
    failed = (
        Review.objects.restrict(user, access.VIEW)
        .filter(state=ReviewState.FAILED, case__accountability__isnull=True)
        .select_related("case__organization", "document")
        .order_by("reviewed_on", "id")
    )
    for review in failed:
        result.append(
            {
                "reason": "order_ignored",
                "label": _("Order not carried out (review %(number)s)")
                % {"number": review.document.number if review.document else ""},
                "organization": review.case.organization,
                "hazard": None,
                "case": review.case,
                "since": review.reviewed_on,
            }
        )
    return result


# ---------------------------------------------------------------- helpers for the pages


def findings(case: Case) -> list[str]:
    """The problems an order or record lists by default (the pages prefill them): the
    inspection's failed items, then the case's hazards that none of them became."""
    lines: list[str] = []
    from_answers: set[int] = set()
    inspection = case.inspection
    if inspection is not None:
        from anpai.inspections.choices import AnswerResult

        answers = (
            inspection.answers.filter(result=AnswerResult.FAIL)
            .select_related("item")
            .order_by("item__order", "id")
        )
        for answer in answers:
            text = answer.hazard_title or answer.item.question
            if answer.note:
                text = f"{text}（{answer.note}）"
            lines.append(text)
            if answer.hazard_id:
                from_answers.add(answer.hazard_id)
    for hazard in case.hazards.order_by("id"):
        if hazard.pk not in from_answers and hazard.title not in lines:
            lines.append(hazard.title)
    return lines


def inspector_names(inspection: Any) -> str:
    """The inspection's lead and inspectors, as a record names them."""
    people = [inspection.lead, *inspection.inspectors.all()]
    return "、".join(dict.fromkeys(p.get_full_name() or p.username for p in people if p))

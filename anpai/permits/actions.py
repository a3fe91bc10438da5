"""Every step of a permit is one function here: lock the row, check scope (404) and
role (403), check the state allows the step (409), apply the rule of GB 30871 that
governs it (409 naming the rule, or 400 naming the field for bad input), write the
history row and bump ``version``. Views and API views parse input and call these.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from anpai.core import access
from anpai.core.counters import next_serial
from anpai.core.errors import Conflict, Forbidden, Invalid, NotFound
from anpai.orgs.models import Organization
from anpai.people.models import User
from anpai.permits import rules as R
from anpai.permits.choices import ACTIVE_STATES, EventKind, PermitState, PermitType
from anpai.permits.models import (
    Approval,
    GasAnalysis,
    Permit,
    PermitCounter,
    PermitEvent,
    PermitMeasure,
    PermitRules,
    PermitWorker,
)
from anpai.regions.models import Region

RESOURCE = "permits.permit"
RULES_RESOURCE = "permits.permitrules"
APPROVE = "approve"
WORK = "work"
CANCEL = "cancel"
CLOCK_SKEW = timedelta(minutes=5)

EDITABLE = (
    "unit",
    "content",
    "location",
    "risk_point",
    "medium",
    "medium_lel",
    "planned_start",
    "planned_end",
    "person_in_charge",
    "guardian",
    "guardian_certificate",
    "hazard_identification",
)


# ---------------------------------------------------------------- rules


def township_of(region: Region | None) -> Region | None:
    from anpai.risks.actions import township_of as risks_township_of

    return risks_township_of(region)


def default_rules() -> PermitRules:
    found = PermitRules.objects.filter(region__isnull=True, is_current=True).first()
    if found is None:
        found, _created = PermitRules.objects.get_or_create(
            region=None, version=1, defaults={"data": R.defaults()}
        )
    return found


def rules_for(region: Region | None) -> PermitRules:
    """The rules in force where ``region`` is: its township's current version, else the default."""
    township = township_of(region)
    if township is not None:
        own = PermitRules.objects.filter(region=township, is_current=True).first()
        if own is not None:
            return own
    return default_rules()


def validate_rules(data: dict[str, Any]) -> dict[str, Any]:
    """Check an edited rule set keeps every type, sensible limits and known approval steps."""
    errors: list[str] = []
    steps = set((data.get("steps") or {}).keys())
    codes = [t.get("code") for t in data.get("types", [])]
    if sorted(codes) != sorted(PermitType.values):
        errors.append(_("Every one of the eight operation types must stay in the rules."))
    for type_rule in data.get("types", []):
        for level in type_rule.get("levels", []):
            name = f"{type_rule.get('code')}/{level.get('code')}"
            try:
                hours = int(level.get("validity_hours"))
                minutes = int(level.get("break_minutes", 0))
            except (TypeError, ValueError):
                errors.append(
                    _("%(level)s: validity and break must be whole numbers.") % {"level": name}
                )
                continue
            if not 1 <= hours <= 24 * 31:
                errors.append(_("%(level)s: validity must be 1 to 744 hours.") % {"level": name})
            if minutes < 0:
                errors.append(_("%(level)s: the break limit cannot be negative.") % {"level": name})
            chain = level.get("chain") or []
            if not chain or any(step not in steps for step in chain):
                errors.append(
                    _("%(level)s: the approval chain names an unknown step.") % {"level": name}
                )
            if len(set(chain)) != len(chain):
                errors.append(_("%(level)s: a step appears twice in the chain.") % {"level": name})
    if errors:
        raise Invalid(fields={"rules": errors})
    return data


@transaction.atomic
def save_rules(*, by: User, region: Region, data: dict[str, Any]) -> PermitRules:
    """A new version of the township's permit rules; permits keep the rule they were made under."""
    township = township_of(region)
    if township is None or not access.allows_region(by, RULES_RESOURCE, access.CHANGE, township):
        raise Forbidden(_("Only the township's safety officers set its permit rules."))
    clean = validate_rules(data)
    current = (
        PermitRules.objects.select_for_update().filter(region=township, is_current=True).first()
    )
    version = 1
    if current is not None:
        if current.data == clean:
            return current
        current.is_current = False
        current.save(update_fields=["is_current"])
        version = current.version + 1
    return PermitRules.objects.create(region=township, version=version, data=clean, created_by=by)


def level_rule_for(rules: PermitRules, type_code: str, level: str) -> dict[str, Any]:
    """The level's rule with what the permit needs from its type, frozen on the permit."""
    type_rule = R.type_rule(rules.data, type_code)
    rule = dict(R.level_rule(rules.data, type_code, level))
    rule["gas_analysis"] = bool(type_rule.get("gas_analysis"))
    rule["analysis_max_age_minutes"] = int(rules.data.get("analysis_max_age_minutes", 30))
    rule["gas_limits"] = rules.data["gas_limits"]
    rule["steps"] = {code: rules.data["steps"][code] for code in rule["chain"]}
    rule["source"] = type_rule.get("source", "")
    rule["verified"] = bool(type_rule.get("verified", False))
    return rule


# ---------------------------------------------------------------- helpers


def _lock(permit: Permit | int, by: User, action: str, version: int | None = None) -> Permit:
    pk = permit.pk if isinstance(permit, Permit) else int(permit)
    if not Permit.objects.restrict(by, action).filter(pk=pk).exists():
        if Permit.objects.restrict(by, access.VIEW).filter(pk=pk).exists():
            raise Forbidden(_("Your role may not do this to this permit."))
        raise NotFound(_("No such permit."))
    locked = Permit.objects.select_for_update().select_related("organization__region").get(pk=pk)
    if version is not None and locked.version != version:
        raise Conflict(
            _("Someone else changed this permit since you opened it. Reload it and try again.")
        )
    return locked


def _move(permit: Permit, method: str) -> str:
    bound = getattr(permit, method)
    if not can_proceed(bound):
        raise Conflict(
            _("Not possible while the permit is “%(state)s”.")
            % {"state": permit.get_state_display()}
        )
    before = permit.state
    bound()
    return before


def _event(
    permit: Permit,
    kind: str,
    by: User | None,
    *,
    before: str | None = None,
    comment: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    PermitEvent.objects.create(
        permit=permit,
        kind=kind,
        from_state=permit.state if before is None else before,
        to_state=permit.state,
        actor=by,
        comment=comment,
        data=data or {},
    )


def _save(permit: Permit, fields: Iterable[str]) -> None:
    # The row is locked (``_lock``), so counting up here is safe, as in hazards.
    permit.version += 1
    permit.save(update_fields=[*set(fields), "version", "updated_at"])


def _now(at: datetime | None) -> datetime:
    return at if at is not None else timezone.now()


def _datetime(value: Any, field: str, label: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        parsed = value if isinstance(value, datetime) else parse_datetime(str(value))
    except ValueError:
        parsed = None
    if parsed is None:
        raise Invalid(fields={field: [_("%(field)s is not a date and time.") % {"field": label}]})
    result: datetime = parsed
    if timezone.is_naive(result):
        result = timezone.make_aware(result)
    return result


def _decimal(value: Any, field: str, label: str, maximum: int = 100) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise Invalid(
            fields={field: [_("%(field)s must be a number.") % {"field": label}]}
        ) from None
    if not number.is_finite() or number < 0 or number > maximum:
        raise Invalid(
            fields={
                field: [
                    _("%(field)s must be a number from 0 to %(max)d.")
                    % {"field": label, "max": maximum}
                ]
            }
        )
    return number


def _clean_workers(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    errors: list[str] = []
    clean: list[dict[str, Any]] = []
    for i, row in enumerate(rows, start=1):
        name = str(row.get("name") or "").strip()
        number = str(row.get("certificate_no") or "").strip()
        expires = row.get("certificate_expires")
        if isinstance(expires, str):
            expires = parse_date(expires)
        if not name or not number or not isinstance(expires, date):
            errors.append(
                _("Worker %(n)d: give the name, the certificate number and its expiry date.")
                % {"n": i}
            )
            continue
        clean.append(
            {
                "name": name[:50],
                "certificate_kind": str(row.get("certificate_kind") or "").strip()[:60],
                "certificate_no": number[:50],
                "certificate_expires": expires,
            }
        )
    if errors:
        raise Invalid(fields={"workers": errors})
    return clean


def _clean_fields(org: Organization, values: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for name in EDITABLE:
        if name not in values:
            continue
        value = values[name]
        if isinstance(value, str):
            value = value.strip()
        clean[name] = value
    if "planned_start" in clean:
        clean["planned_start"] = _datetime(
            clean["planned_start"], "planned_start", _("Planned start")
        )
    if "planned_end" in clean:
        clean["planned_end"] = _datetime(clean["planned_end"], "planned_end", _("Planned end"))
    if "medium_lel" in clean:
        clean["medium_lel"] = _decimal(
            clean["medium_lel"], "medium_lel", _("Lower explosive limit")
        )
    point = clean.get("risk_point")
    if point not in (None, ""):
        from anpai.risks.models import RiskPoint

        pk = point.pk if isinstance(point, RiskPoint) else point
        found = (
            RiskPoint.objects.filter(pk=pk, organization=org, is_active=True).first()
            if str(pk).isdigit()
            else None
        )
        if found is None:
            raise Invalid(
                fields={
                    "risk_point": [_("Choose an active risk point of %(org)s.") % {"org": org.name}]
                }
            )
        clean["risk_point"] = found
    elif "risk_point" in clean:
        clean["risk_point"] = None
    return clean


def _set_linked(permit: Permit, linked: Iterable[Any]) -> None:
    ids = {int(x.pk if isinstance(x, Permit) else x) for x in linked}
    ids.discard(permit.pk)
    found = list(Permit.objects.filter(pk__in=ids, organization=permit.organization))
    if len(found) != len(ids):
        raise Invalid(
            fields={"linked": [_("Linked permits must be permits of the same organisation.")]}
        )
    permit.linked.set(found)


def _number(permit: Permit) -> str:
    """The next number of the organisation's year, e.g. DH-2026-0007 (never reused)."""
    year = timezone.localdate().year
    serial = next_serial(PermitCounter, organization=permit.organization, year=year)
    prefix = R.type_rule(permit.rules.data, permit.type).get("prefix", "ZY")
    return f"{prefix}-{year}-{serial:04d}"


# ---------------------------------------------------------------- drafting


@transaction.atomic
def create(
    *,
    by: User,
    organization: Organization,
    type: str,
    answers: dict[str, Any] | None = None,
    workers: Sequence[dict[str, Any]] = (),
    linked: Iterable[Any] = (),
    **values: Any,
) -> Permit:
    """Draft a permit: the level follows from the answers, the window must fit its validity."""
    if not access.org_allows(by, RESOURCE, access.ADD, organization):
        if Organization.objects.restrict(by, access.VIEW).filter(pk=organization.pk).exists():
            raise Forbidden(_("Your role may not apply for permits for this organisation."))
        raise NotFound(_("No such organisation."))
    if type not in PermitType.values:
        raise Invalid(fields={"type": [_("Unknown operation type.")]})
    answers = dict(answers or {})
    level = R.derive_level(type, answers)
    rules = rules_for(organization.region)
    rule = level_rule_for(rules, type, level)
    clean = _clean_fields(organization, values)
    missing = {
        name: [_("%(field)s is required.") % {"field": label}]
        for name, label in (("content", _("Work content")), ("location", _("Location")))
        if not clean.get(name)
    }
    if missing:
        raise Invalid(fields=missing)
    R.check_window(rule, clean.get("planned_start"), clean.get("planned_end"))
    worker_rows = _clean_workers(workers)
    permit = Permit.objects.create(
        organization=organization,
        type=type,
        level=level,
        answers=answers,
        rules=rules,
        level_rule=rule,
        applicant=by,
        **clean,
    )
    PermitWorker.objects.bulk_create(PermitWorker(permit=permit, **row) for row in worker_rows)
    type_rule = R.type_rule(rules.data, type)
    PermitMeasure.objects.bulk_create(
        PermitMeasure(permit=permit, position=i, text=text)
        for i, text in enumerate(type_rule.get("measures", []))
    )
    if linked:
        _set_linked(permit, linked)
    _event(permit, EventKind.CREATE, by, before="")
    return permit


@transaction.atomic
def update(
    permit: Permit | int,
    *,
    by: User,
    version: int | None = None,
    answers: dict[str, Any] | None = None,
    workers: Sequence[dict[str, Any]] | None = None,
    linked: Iterable[Any] | None = None,
    **values: Any,
) -> Permit:
    """Change a draft (a submitted permit is sent back first)."""
    locked = _lock(permit, by, access.CHANGE, version)
    if locked.state != PermitState.DRAFT:
        raise Conflict(
            _("Only a draft can be changed; this permit is “%(state)s”.")
            % {"state": locked.get_state_display()}
        )
    clean = _clean_fields(locked.organization, values)
    if answers is not None:
        locked.answers = dict(answers)
        locked.level = R.derive_level(locked.type, locked.answers)
        locked.rules = rules_for(locked.organization.region)
        locked.level_rule = level_rule_for(locked.rules, locked.type, locked.level)
        clean.update(
            answers=locked.answers,
            level=locked.level,
            rules=locked.rules,
            level_rule=locked.level_rule,
        )
    for name, value in clean.items():
        setattr(locked, name, value)
    R.check_window(locked.level_rule, locked.planned_start, locked.planned_end)
    if workers is not None:
        rows = _clean_workers(workers)
        locked.workers.all().delete()
        PermitWorker.objects.bulk_create(PermitWorker(permit=locked, **row) for row in rows)
    if linked is not None:
        _set_linked(locked, linked)
    _save(locked, clean.keys())
    _event(locked, EventKind.EDIT, by)
    return locked


@transaction.atomic
def confirm_measures(
    permit: Permit | int,
    *,
    by: User,
    measures: Sequence[dict[str, Any]],
    at: datetime | None = None,
) -> Permit:
    """Record, per measure, whether it applies and who confirmed it on site (before work starts)."""
    locked = _lock(permit, by, WORK)
    if locked.state not in (PermitState.DRAFT, PermitState.SUBMITTED, PermitState.APPROVED):
        raise Conflict(_("Measures are confirmed before the work starts."))
    by_id = {m.pk: m for m in locked.measures.all()}
    errors: list[str] = []
    for row in measures:
        measure = by_id.get(int(row.get("id", 0) or 0))
        if measure is None:
            errors.append(_("Measure %(id)s is not on this permit.") % {"id": row.get("id")})
            continue
        measure.applicable = bool(row.get("applicable", True))
        name = str(row.get("confirmed_by") or "").strip()[:50]
        if name != measure.confirmed_by:
            measure.confirmed_by = name
            measure.confirmed_at = _now(at) if name else None
        measure.save(update_fields=["applicable", "confirmed_by", "confirmed_at"])
    if errors:
        raise Invalid(fields={"measures": errors})
    _save(locked, [])
    return locked


@transaction.atomic
def record_briefing(
    permit: Permit | int, *, by: User, given_by: str, received_by: str, at: datetime | None = None
) -> Permit:
    """The safety briefing (安全交底): who gave it and who received it."""
    locked = _lock(permit, by, WORK)
    if locked.state not in (PermitState.DRAFT, PermitState.SUBMITTED, PermitState.APPROVED):
        raise Conflict(_("The briefing is given before the work starts."))
    given_by, received_by = (given_by or "").strip(), (received_by or "").strip()
    errors = {}
    if not given_by:
        errors["briefing_given_by"] = [
            _("%(field)s is required.") % {"field": _("Briefing given by")}
        ]
    if not received_by:
        errors["briefing_received_by"] = [
            _("%(field)s is required.") % {"field": _("Briefing received by")}
        ]
    if errors:
        raise Invalid(fields=errors)
    locked.briefing_given_by, locked.briefing_received_by = given_by[:50], received_by[:200]
    locked.briefing_at = _now(at)
    _save(locked, ["briefing_given_by", "briefing_received_by", "briefing_at"])
    return locked


# ---------------------------------------------------------------- approval


@transaction.atomic
def submit(permit: Permit | int, *, by: User, at: datetime | None = None) -> Permit:
    """Send for approval: everything the paper form asks for must be there."""
    locked = _lock(permit, by, access.CHANGE)
    errors: dict[str, list[Any]] = {}
    for name, label in (
        ("person_in_charge", _("Person in charge of the work")),
        ("guardian", _("Guardian")),
        ("hazard_identification", _("Hazard identification")),
    ):
        if not getattr(locked, name):
            errors[name] = [_("%(field)s is required.") % {"field": label}]
    workers = list(locked.workers.all())
    if not workers:
        errors["workers"] = [_("Name at least one worker with a certificate.")]
    elif locked.guardian and any(w.name == locked.guardian for w in workers):
        errors["guardian"] = [_("The guardian watches the work and cannot be one of the workers.")]
    if errors:
        raise Invalid(fields=errors)
    if locked.planned_end <= _now(at):
        raise Conflict(_("The planned window is already over; change the dates first."))
    before = _move(locked, "_submit")
    locked.submitted_at = _now(at)
    fields = ["state", "submitted_at"]
    if not locked.number:
        locked.number = _number(locked)
        fields.append("number")
    _save(locked, fields)
    _event(locked, EventKind.SUBMIT, by, before=before)
    return locked


def next_step(permit: Permit) -> str | None:
    """The chain's step that signs next, or None when all have signed."""
    signed = permit.approvals.filter(is_current=True).count()
    chain = permit.chain()
    return chain[signed] if signed < len(chain) else None


def _may_sign(permit: Permit, by: User, step: str) -> str:
    """The role in which ``by`` signs ``step``; Forbidden naming the rule otherwise."""
    if by.pk == permit.applicant_id:
        raise Forbidden(_("Nobody approves their own permit."))
    if permit.approvals.filter(is_current=True, approver=by).exists():
        raise Forbidden(_("Each step of the chain is signed by a different person."))
    allowed = set(permit.level_rule["steps"][step]["roles"])
    held = access.roles_on(by, RESOURCE, APPROVE, permit.organization) & allowed
    if not held:
        raise Forbidden(
            _("This step is signed by: %(who)s.")
            % {"who": R.text(permit.level_rule["steps"][step])}
        )
    return sorted(held)[0]


@transaction.atomic
def approve(permit: Permit | int, *, by: User, opinion: str, at: datetime | None = None) -> Permit:
    """Sign the next step of the chain; the last signature approves the permit.

    Refused while a worker's certificate expires before the planned end.
    """
    locked = _lock(permit, by, APPROVE)
    if locked.state != PermitState.SUBMITTED:
        raise Conflict(
            _("Not possible while the permit is “%(state)s”.")
            % {"state": locked.get_state_display()}
        )
    opinion = (opinion or "").strip()
    if not opinion:
        raise Invalid(fields={"opinion": [_("%(field)s is required.") % {"field": _("Opinion")}]})
    step = next_step(locked)
    assert step is not None
    role = _may_sign(locked, by, step)
    end_day = timezone.localtime(locked.planned_end).date()
    expired = [w for w in locked.workers.all() if w.certificate_expires < end_day]
    if expired:
        raise Conflict(
            _("Certificate expired or expiring before the work ends: %(workers)s.")
            % {
                "workers": ", ".join(
                    f"{w.name} ({w.certificate_no}, {w.certificate_expires})" for w in expired
                )
            }
        )
    Approval.objects.create(
        permit=locked,
        step=step,
        position=locked.approvals.filter(is_current=True).count(),
        approver=by,
        role=role,
        opinion=opinion,
        at=_now(at),
    )
    before = locked.state
    fields: list[str] = []
    if next_step(locked) is None:
        _move(locked, "_approve")
        locked.approved_at = _now(at)
        fields = ["state", "approved_at"]
    _save(locked, fields)
    _event(locked, EventKind.APPROVE, by, before=before, comment=opinion, data={"step": step})
    return locked


@transaction.atomic
def reject(permit: Permit | int, *, by: User, opinion: str, at: datetime | None = None) -> Permit:
    """Send back to the applicant as a draft; the signatures so far no longer count."""
    locked = _lock(permit, by, APPROVE)
    if locked.state != PermitState.SUBMITTED:
        raise Conflict(
            _("Not possible while the permit is “%(state)s”.")
            % {"state": locked.get_state_display()}
        )
    opinion = (opinion or "").strip()
    if not opinion:
        raise Invalid(fields={"opinion": [_("Say why the permit is sent back.")]})
    step = next_step(locked)
    assert step is not None
    _may_sign(locked, by, step)
    locked.approvals.filter(is_current=True).update(is_current=False)
    before = _move(locked, "_reject")
    _save(locked, ["state"])
    _event(locked, EventKind.REJECT, by, before=before, comment=opinion, data={"step": step})
    return locked


# ---------------------------------------------------------------- work


def _expired(permit: Permit, now: datetime) -> bool:
    return permit.planned_end <= now


def _mark_expired(permit: Permit, by: User | None) -> None:
    before = _move(permit, "_expire")
    _save(permit, ["state"])
    _event(permit, EventKind.EXPIRE, by, before=before)


@transaction.atomic
def gas_analysis(
    permit: Permit | int,
    *,
    by: User,
    taken_at: Any,
    point: str,
    lel_percent: Any = None,
    o2_percent: Any = None,
    toxic: dict[str, Any] | None = None,
    analyst: str,
    at: datetime | None = None,
) -> GasAnalysis:
    """Record a gas analysis; its verdict against the limits is stored with it."""
    locked = _lock(permit, by, WORK)
    if locked.state not in (
        PermitState.SUBMITTED,
        PermitState.APPROVED,
        PermitState.IN_PROGRESS,
        PermitState.PAUSED,
    ):
        raise Conflict(
            _("Not possible while the permit is “%(state)s”.")
            % {"state": locked.get_state_display()}
        )
    errors: dict[str, list[Any]] = {}
    taken = _datetime(taken_at, "taken_at", _("Taken at"))
    if taken is None:
        errors["taken_at"] = [_("%(field)s is required.") % {"field": _("Taken at")}]
    elif taken > _now(at) + CLOCK_SKEW:
        errors["taken_at"] = [_("An analysis cannot be taken in the future.")]
    if not (point or "").strip():
        errors["point"] = [_("%(field)s is required.") % {"field": _("Sampling point")}]
    if not (analyst or "").strip():
        errors["analyst"] = [_("%(field)s is required.") % {"field": _("Analyst")}]
    combustible = _decimal(lel_percent, "lel_percent", _("Combustible gas"))
    o2 = _decimal(o2_percent, "o2_percent", _("Oxygen"))
    toxic_clean: dict[str, str] = {}
    for gas, value in (toxic or {}).items():
        number = (
            _decimal(value, "toxic", str(gas), maximum=100_000) if value not in (None, "") else None
        )
        if number is not None:
            toxic_clean[str(gas)[:20]] = str(number)
    if errors:
        raise Invalid(fields=errors)
    assert taken is not None
    failures = R.judge_gas(
        locked.level_rule,
        type_code=locked.type,
        medium_lel=locked.medium_lel,
        combustible=combustible,
        o2=o2,
        toxic=toxic_clean,
    )
    analysis = GasAnalysis.objects.create(
        permit=locked,
        taken_at=taken,
        point=point.strip()[:100],
        combustible_percent=combustible,
        o2_percent=o2,
        toxic=toxic_clean,
        analyst=analyst.strip()[:50],
        passed=not failures,
        failures=failures,
        recorded_by=by,
    )
    _save(locked, [])
    _event(locked, EventKind.GAS, by, data={"passed": not failures, "failures": failures})
    return analysis


def _fresh_analysis(permit: Permit, now: datetime, since: datetime | None = None) -> None:
    """A passing analysis taken within the limit before ``now`` (and after ``since``),
    and no failing analysis after it; else Conflict naming the rule."""
    if not permit.gas_required:
        return
    limit = int(permit.level_rule.get("analysis_max_age_minutes", 30))
    latest = (
        permit.analyses.filter(taken_at__lte=now + CLOCK_SKEW).order_by("-taken_at", "-id").first()
    )
    if (
        latest is None
        or latest.taken_at < now - timedelta(minutes=limit)
        or (since and latest.taken_at < since)
    ):
        raise Conflict(
            _(
                "A gas analysis taken within %(minutes)d minutes before the work "
                "is required (GB 30871)."
            )
            % {"minutes": limit}
        )
    if not latest.passed:
        raise Conflict(
            _("The latest gas analysis failed: %(why)s") % {"why": " ".join(latest.failures)}
        )


@transaction.atomic
def start(permit: Permit | int, *, by: User, at: datetime | None = None) -> Permit:
    """Start the work: approved, inside the window, measures confirmed, briefing given,
    a fresh passing gas analysis where required, and a linked confined-space permit
    in progress for hot work inside it."""
    locked = _lock(permit, by, WORK)
    now = _now(at)
    if locked.state == PermitState.APPROVED and _expired(locked, now):
        raise Conflict(_("The permit's validity has ended; apply for a new one."))
    if locked.state != PermitState.APPROVED:
        raise Conflict(
            _("Not possible while the permit is “%(state)s”.")
            % {"state": locked.get_state_display()}
        )
    if now + CLOCK_SKEW < locked.planned_start:
        raise Conflict(
            _("The work may not start before the planned start (%(at)s).")
            % {"at": timezone.localtime(locked.planned_start).strftime("%Y-%m-%d %H:%M")}
        )
    unconfirmed = [m.text for m in locked.measures.all() if m.applicable and not m.confirmed_by]
    if unconfirmed:
        raise Conflict(
            _("Safety measures not yet confirmed by a named person: %(n)d.")
            % {"n": len(unconfirmed)}
        )
    if not (locked.briefing_given_by and locked.briefing_received_by):
        raise Conflict(_("The safety briefing must be given and received before the work starts."))
    _fresh_analysis(locked, now)
    if locked.type == PermitType.HOT_WORK:
        waiting = [
            p.number or str(p.pk)
            for p in locked.linked.filter(type=PermitType.CONFINED_SPACE)
            if p.state != PermitState.IN_PROGRESS
        ]
        if waiting:
            raise Conflict(
                _(
                    "Hot work inside a confined space needs the confined-space permit "
                    "in progress: %(n)s."
                )
                % {"n": ", ".join(waiting)}
            )
    before = _move(locked, "_start")
    locked.started_at = now
    _save(locked, ["state", "started_at"])
    _event(locked, EventKind.START, by, before=before)
    return locked


@transaction.atomic
def pause(
    permit: Permit | int, *, by: User, reason: str = "", at: datetime | None = None
) -> Permit:
    locked = _lock(permit, by, WORK)
    before = _move(locked, "_pause")
    locked.paused_at = _now(at)
    _save(locked, ["state", "paused_at"])
    _event(locked, EventKind.PAUSE, by, before=before, comment=(reason or "").strip())
    return locked


@transaction.atomic
def resume(permit: Permit | int, *, by: User, at: datetime | None = None) -> Permit:
    """Resume after a break; past the level's break limit a new passing analysis is needed.
    An expired permit cannot be resumed."""
    locked = _lock(permit, by, WORK)
    now = _now(at)
    if locked.state == PermitState.PAUSED and _expired(locked, now):
        raise Conflict(_("The permit's validity has ended; apply for a new one."))
    if locked.state != PermitState.PAUSED:
        raise Conflict(
            _("Not possible while the permit is “%(state)s”.")
            % {"state": locked.get_state_display()}
        )
    limit = int(locked.level_rule.get("break_minutes", 0))
    if (
        locked.gas_required
        and locked.paused_at
        and now - locked.paused_at > timedelta(minutes=limit)
    ):
        try:
            _fresh_analysis(locked, now, since=locked.paused_at)
        except Conflict:
            raise Conflict(
                _(
                    "The break was longer than %(minutes)d minutes: "
                    "a new passing gas analysis is required."
                )
                % {"minutes": limit}
            ) from None
    before = _move(locked, "_resume")
    _save(locked, ["state"])
    _event(locked, EventKind.RESUME, by, before=before)
    return locked


@transaction.atomic
def complete(
    permit: Permit | int, *, by: User, accepted_by: str, note: str = "", at: datetime | None = None
) -> Permit:
    """Finish the work with the site's acceptance (完工验收)."""
    locked = _lock(permit, by, WORK)
    accepted_by = (accepted_by or "").strip()
    if not accepted_by:
        raise Invalid(fields={"accepted_by": [_("Name who accepted the site after the work.")]})
    before = _move(locked, "_complete")
    locked.completed_at = _now(at)
    locked.accepted_by, locked.acceptance_note = accepted_by[:50], (note or "").strip()
    _save(locked, ["state", "completed_at", "accepted_by", "acceptance_note"])
    _event(locked, EventKind.COMPLETE, by, before=before, comment=locked.acceptance_note)
    return locked


@transaction.atomic
def cancel(permit: Permit | int, *, by: User, reason: str, at: datetime | None = None) -> Permit:
    locked = _lock(permit, by, CANCEL)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(fields={"reason": [_("Say why the permit is cancelled.")]})
    before = _move(locked, "_cancel")
    locked.cancel_reason = reason
    _save(locked, ["state", "cancel_reason"])
    _event(locked, EventKind.CANCEL, by, before=before, comment=reason)
    return locked


def expire_overdue(now: datetime | None = None) -> int:
    """Mark expired every permit whose validity ended before completion. Idempotent;
    run every few minutes (Celery beat, or ``anpai permits expire``)."""
    now = _now(now)
    count = 0
    ids = list(
        Permit.objects.filter(
            state__in=[PermitState.SUBMITTED, *ACTIVE_STATES], planned_end__lte=now
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        with transaction.atomic():
            permit = Permit.objects.select_for_update().get(pk=pk)
            if (
                permit.state in (PermitState.SUBMITTED, *ACTIVE_STATES)
                and permit.planned_end <= now
            ):
                _mark_expired(permit, None)
                count += 1
    return count


def available_actions(permit: Permit, user: User) -> list[str]:
    """The steps the user could take now (for buttons); the action still decides."""
    names: list[str] = []
    allowed = {
        a
        for a in (access.CHANGE, APPROVE, WORK, CANCEL)
        if Permit.objects.restrict(user, a).filter(pk=permit.pk).exists()
    }
    s = permit.state
    if access.CHANGE in allowed and s == PermitState.DRAFT:
        names += ["edit", "submit"]
    if APPROVE in allowed and s == PermitState.SUBMITTED and user.pk != permit.applicant_id:
        names += ["approve", "reject"]
    if WORK in allowed:
        if s in (PermitState.DRAFT, PermitState.SUBMITTED, PermitState.APPROVED):
            names += ["measures", "briefing"]
        if s in (
            PermitState.SUBMITTED,
            PermitState.APPROVED,
            PermitState.IN_PROGRESS,
            PermitState.PAUSED,
        ):
            names.append("gas-analysis")
        if s == PermitState.APPROVED:
            names.append("start")
        if s == PermitState.IN_PROGRESS:
            names += ["pause", "complete"]
        if s == PermitState.PAUSED:
            names.append("resume")
    if CANCEL in allowed and s in (
        PermitState.DRAFT,
        PermitState.SUBMITTED,
        PermitState.APPROVED,
        PermitState.PAUSED,
    ):
        names.append("cancel")
    return names

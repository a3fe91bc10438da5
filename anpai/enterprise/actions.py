"""The enterprise's yearly commitment (承诺书) and its self-inspection report
(自查检视报告) on its way to being filed (备案) by the township.

Every step is one function: it checks scope (404 outside it) and role (403),
locks the row, checks the state allows the step (409), validates the input
(400, naming the field), writes the history row, bumps ``version`` and tells
the other side. Views and API views parse input and call these.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from anpai.core import access
from anpai.core.errors import Conflict, Forbidden, Invalid, NotFound
from anpai.enterprise.choices import ReportEventKind, ReportState
from anpai.enterprise.models import Commitment, ReportEvent, SelfInspectionReport
from anpai.notifications.service import notify
from anpai.orgs.models import Organization
from anpai.people.choices import Role
from anpai.people.models import User

COMMITMENT = "enterprise.commitment"
REPORT = "enterprise.selfinspectionreport"
SUBMIT = "submit"
FILE = "file"
FILING_SERIES = "report-filing"
R = ReportState
K = ReportEventKind

REPORT_FIELDS = ("title", "year", "overview", "problems", "rectification", "next_steps")
REPORT_LIMITS = {"title": 200}
REQUIRED = ("title", "year", "overview")


# ---------------------------------------------------------------- the duties


@cache
def duty_data() -> dict[str, Any]:
    """The seven duties of 安全生产法 Art. 21 and the pledge (data/duties.json)."""
    path = Path(__file__).resolve().parent / "data" / "duties.json"
    return json.loads(path.read_text(encoding="utf-8"))


def duties() -> list[dict[str, str]]:
    return list(duty_data()["duties"])


def pledge_text() -> str:
    return str(duty_data()["pledge"])


def this_year() -> int:
    return timezone.localdate().year


def allowed_years() -> tuple[int, int]:
    """A commitment is for this year, or (signed in advance) for the next."""
    year = this_year()
    return (year, year + 1)


def _year(value: Any, field: str = "year") -> int:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise Invalid(fields={field: [_("Enter the year as four digits, e.g. 2026.")]}) from None
    if not 2000 <= year <= 2100:
        raise Invalid(fields={field: [_("Enter the year as four digits, e.g. 2026.")]})
    return year


# ---------------------------------------------------------------- scope helpers


def organizations_for(user: Any, resource: str, action: str) -> QuerySet[Organization]:
    """The organisations for which ``user`` may ``action`` a ``resource``."""
    q = access.scope_q(user, resource, action, org_path="")
    if q is None:
        return Organization.objects.none()
    return Organization.objects.filter(q)


def _org_for(by: User, resource: str, action: str, organization: Organization | int | None):
    """The organisation to act for: 404 outside the view scope, 403 without the role."""
    if organization is None:
        mine = list(organizations_for(by, resource, action).order_by("id")[:2])
        if len(mine) == 1:
            return mine[0]
        if not mine:
            raise Forbidden(_("Your role may not do this."))
        raise Invalid(fields={"organization": [_("Choose the organisation.")]})
    pk = organization.pk if isinstance(organization, Organization) else organization
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Invalid(fields={"organization": [_("Choose the organisation.")]}) from None
    found = organizations_for(by, resource, action).filter(pk=pk).first()
    if found is not None:
        return found
    if organizations_for(by, resource, access.VIEW).filter(pk=pk).exists():
        raise Forbidden(_("Your role may not do this for this organisation."))
    raise NotFound(_("No such organisation."))


def enterprise_people(org: Organization) -> list[User]:
    """The principal and safety manager, who hear what became of their report."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organization=org,
            memberships__role__in=(Role.ENT_PRINCIPAL, Role.ENT_SAFETY),
        ).distinct()
    )


def township_officers(org: Organization) -> list[User]:
    from anpai.hazards.actions import township_officers as officers

    return officers(org)


# ---------------------------------------------------------------- commitment


def _clean_name(value: Any) -> str:
    return " ".join(str(value or "").split())


@transaction.atomic
def sign_commitment(
    *,
    by: User,
    organization: Organization | int | None = None,
    year: Any = None,
    duties_ticked: list[str] | tuple[str, ...] | None = None,
    extra: str = "",
    signer_name: str = "",
    signature: str = "",
) -> Commitment:
    """The principal signs this year's commitment: every one of the seven duties ticked,
    a name and a signature drawn on the screen. One per organisation and year."""
    from anpai.inspections.actions import parse_signature

    org = _org_for(by, COMMITMENT, access.ADD, organization)
    year = this_year() if year in (None, "") else _year(year)
    errors: dict[str, list[Any]] = {}
    if year not in allowed_years():
        errors["year"] = [
            _("A commitment is signed for this year (%(this)d) or the next (%(next)d).")
            % {"this": allowed_years()[0], "next": allowed_years()[1]}
        ]
    codes = [d["code"] for d in duties()]
    ticked = {str(c) for c in (duties_ticked or [])}
    unknown = sorted(ticked - set(codes))
    missing = [i + 1 for i, code in enumerate(codes) if code not in ticked]
    if unknown:
        errors["duties"] = [
            _("Unknown duty: %(codes)s.") % {"codes": ", ".join(unknown)},
        ]
    elif missing:
        errors["duties"] = [
            _("Tick every one of the seven duties; not ticked: %(numbers)s.")
            % {"numbers": ", ".join(str(n) for n in missing)}
        ]
    name = _clean_name(signer_name)
    if not name:
        errors["signer_name"] = [_("Enter the name of the person signing.")]
    elif len(name) > 50:
        errors["signer_name"] = [_("The name is at most 50 characters.")]
    extra = str(extra or "").strip()
    if len(extra) > 2000:
        errors["extra"] = [_("Further commitments are at most 2000 characters.")]
    png = None
    try:
        png = parse_signature(signature)
    except Invalid as exc:
        errors.update(exc.fields)
    if errors:
        raise Invalid(fields=errors)
    # One per organisation and year: lock the organisation so two signings queue.
    Organization.objects.select_for_update().filter(pk=org.pk).first()
    if Commitment.objects.filter(organization=org, year=year).exists():
        raise Conflict(
            _("%(org)s has already signed its commitment for %(year)d.")
            % {"org": org.name, "year": year}
        )
    commitment = Commitment(
        organization=org,
        year=year,
        duties=codes,
        pledge=pledge_text(),
        extra=extra,
        signer_name=name,
        signer=by,
        signed_at=timezone.now(),
    )
    commitment.signature.save(f"{org.pk}-{year}.png", ContentFile(png), save=False)
    commitment.save()
    notify(
        township_officers(org),
        title=_("%(org)s signed its safety commitment for %(year)d")
        % {"org": org.name, "year": year},
        body=_("Signed by %(name)s.") % {"name": name},
        url=reverse("enterprise:commitment_detail", args=[commitment.pk]),
        key=f"commitment:{commitment.pk}",
    )
    return commitment


def coverage(user: Any, year: int, action: str = access.VIEW) -> QuerySet[Organization]:
    """The enterprises in the user's scope, each annotated with its commitment of ``year``
    (``commitment_id``, ``signed_at``, ``signer``), in one query."""
    from django.db.models import OuterRef, Subquery

    from anpai.orgs.choices import OrgKind

    mine = Commitment.objects.filter(organization=OuterRef("pk"), year=year)
    return (
        organizations_for(user, COMMITMENT, action)
        .filter(kind=OrgKind.ENTERPRISE)
        .select_related("region")
        .annotate(
            commitment_id=Subquery(mine.values("pk")[:1]),
            signed_at=Subquery(mine.values("signed_at")[:1]),
            signer=Subquery(mine.values("signer_name")[:1]),
        )
        .order_by("name", "id")
    )


# ---------------------------------------------------------------- report helpers


def _lock(report: SelfInspectionReport | int, by: User, action: str) -> SelfInspectionReport:
    pk = report.pk if isinstance(report, SelfInspectionReport) else int(report)
    if not SelfInspectionReport.objects.restrict(by, action).filter(pk=pk).exists():
        if SelfInspectionReport.objects.restrict(by, access.VIEW).filter(pk=pk).exists():
            raise Forbidden(_("Your role may not do this to this report."))
        raise NotFound(_("No such report."))
    return (
        SelfInspectionReport.objects.select_for_update(of=("self",))
        .select_related("organization__region")
        .get(pk=pk)
    )


def _check_version(report: SelfInspectionReport, version: Any) -> None:
    if version in (None, ""):
        return
    try:
        stale = int(version) != report.version
    except (TypeError, ValueError):
        stale = True
    if stale:
        raise Conflict(
            _("Someone else changed this report since you opened it. Reload it and try again.")
        )


def _move(report: SelfInspectionReport, method: str) -> str:
    bound = getattr(report, method)
    if not can_proceed(bound):
        raise Conflict(
            _("Not possible while the report is “%(state)s”.")
            % {"state": report.get_state_display()}
        )
    before = report.state
    bound()
    return before


def _event(
    report: SelfInspectionReport, kind: str, by: User | None, before: str, comment: str = ""
) -> ReportEvent:
    return ReportEvent.objects.create(
        report=report,
        kind=kind,
        from_state=before,
        to_state=report.state,
        actor=by,
        at=timezone.now(),
        comment=comment,
    )


def _url(report: SelfInspectionReport) -> str:
    return reverse("enterprise:report_detail", args=[report.pk])


def _clean_fields(values: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    errors: dict[str, list[Any]] = {}
    labels = {
        "title": _("Title"),
        "year": _("Year"),
        "overview": _("What was inspected"),
    }
    for name in REPORT_FIELDS:
        if name not in values:
            if not partial and name in REQUIRED:
                errors[name] = [_("%(field)s is required.") % {"field": labels[name]}]
            continue
        raw = values[name]
        if name == "year":
            if raw in (None, ""):
                errors[name] = [_("%(field)s is required.") % {"field": labels[name]}]
                continue
            try:
                clean[name] = _year(raw)
            except Invalid as exc:
                errors.update(exc.fields)
            continue
        text = str(raw or "").strip()
        if name in REQUIRED and not text:
            errors[name] = [_("%(field)s is required.") % {"field": labels[name]}]
            continue
        limit = REPORT_LIMITS.get(name, 10000)
        if len(text) > limit:
            errors[name] = [
                _("At most %(n)d characters.") % {"n": limit},
            ]
            continue
        clean[name] = text
    if errors:
        raise Invalid(fields=errors)
    return clean


def _attach(report: SelfInspectionReport, upload: Any) -> None:
    """The signed copy (PDF or photo), checked by content like any evidence."""
    from anpai.hazards.evidence import check

    try:
        item = check(upload)
    except Invalid as exc:
        raise Invalid(
            fields={"attachment": [m for msgs in exc.fields.values() for m in msgs]}
        ) from None
    if item.image is not None:
        import io

        image = item.image if item.image.mode in ("RGB", "L") else item.image.convert("RGB")
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=88, optimize=True)
        data, ext = out.getvalue(), "jpg"
    else:
        data, ext = item.data, "pdf"
    report.attachment.save(f"{item.sha256[:16]}.{ext}", ContentFile(data), save=False)
    report.attachment_name = item.name


# ---------------------------------------------------------------- report steps


@transaction.atomic
def create_report(
    *,
    by: User,
    organization: Organization | int | None = None,
    attachment: Any = None,
    **values: Any,
) -> SelfInspectionReport:
    """The enterprise drafts its report (principal or safety manager)."""
    org = _org_for(by, REPORT, access.ADD, organization)
    if "year" not in values or values.get("year") in (None, ""):
        values["year"] = this_year()
    clean = _clean_fields(values, partial=False)
    report = SelfInspectionReport(organization=org, created_by=by, **clean)
    if attachment:
        _attach(report, attachment)
    report.save()
    _event(report, K.CREATED, by, "")
    return report


@transaction.atomic
def update_report(
    report: SelfInspectionReport | int,
    *,
    by: User,
    version: Any = None,
    attachment: Any = None,
    remove_attachment: bool = False,
    **values: Any,
) -> SelfInspectionReport:
    """Change a draft, or a report sent back for changes; only the fields given change."""
    locked = _lock(report, by, access.CHANGE)
    _check_version(locked, version)
    if locked.state not in (R.DRAFT, R.RETURNED):
        raise Conflict(
            _("Not possible while the report is “%(state)s”.")
            % {"state": locked.get_state_display()}
        )
    clean = _clean_fields(values, partial=True)
    changed = [name for name, value in clean.items() if getattr(locked, name) != value]
    for name in changed:
        setattr(locked, name, clean[name])
    if attachment:
        _attach(locked, attachment)
        changed.append("attachment")
    elif remove_attachment and locked.attachment:
        locked.attachment = ""
        locked.attachment_name = ""
        changed.append("attachment")
    if not changed:
        return locked
    locked.version += 1
    locked.save()
    if locked.state == R.RETURNED:
        # After a return the township sees what was changed before it comes back.
        _event(locked, K.EDITED, by, locked.state)
    return locked


@transaction.atomic
def submit(
    report: SelfInspectionReport | int, *, by: User, version: Any = None
) -> SelfInspectionReport:
    """The principal sends the report to the township (again, after a return)."""
    locked = _lock(report, by, SUBMIT)
    _check_version(locked, version)
    before = _move(locked, "submit")
    locked.version += 1
    locked.save()
    _event(locked, K.SUBMITTED, by, before)
    again = before == R.RETURNED
    title = (
        _("Self-inspection report resubmitted: %(org)s")
        if again
        else _("Self-inspection report to file: %(org)s")
    ) % {"org": locked.organization.name}
    notify(
        township_officers(locked.organization),
        title=title,
        body=locked.title,
        url=_url(locked),
        key=f"report:{locked.pk}:submitted:{locked.version}",
    )
    return locked


@transaction.atomic
def send_back(
    report: SelfInspectionReport | int, *, by: User, comment: str = "", version: Any = None
) -> SelfInspectionReport:
    """A township or department officer returns the report with comments (required)."""
    locked = _lock(report, by, FILE)
    _check_version(locked, version)
    comment = str(comment or "").strip()
    if locked.state == R.SUBMITTED and not comment:
        raise Invalid(fields={"comment": [_("Say what must change: the comment is required.")]})
    if len(comment) > 4000:
        raise Invalid(fields={"comment": [_("At most %(n)d characters.") % {"n": 4000}]})
    before = _move(locked, "send_back")
    locked.version += 1
    locked.save()
    _event(locked, K.RETURNED, by, before, comment)
    notify(
        enterprise_people(locked.organization),
        title=_("Self-inspection report returned: %(title)s") % {"title": locked.title},
        body=comment,
        url=_url(locked),
        key=f"report:{locked.pk}:returned:{locked.version}",
    )
    return locked


def _township_of(org: Organization):
    return org.township


def next_filing_number(org: Organization, year: int) -> str:
    """The next number of the township's filing series, e.g. 西安监备〔2026〕3号."""
    from anpai.core.counters import next_serial
    from anpai.enforcement.actions import config
    from anpai.enforcement.models import DocumentCounter

    township = _township_of(org)
    if township is None:
        raise Conflict(_("The organisation lies in no township; enter the filing number."))
    prefix = config(township)["prefix"]
    serial = next_serial(DocumentCounter, region=township, kind=FILING_SERIES, year=year)
    return f"{prefix}备〔{year}〕{serial}号"


def _number_taken(org: Organization, number: str, exclude: int) -> bool:
    township = _township_of(org)
    rows = SelfInspectionReport.objects.filter(filing_number=number).exclude(pk=exclude)
    if township is not None:
        rows = rows.filter(
            Q(organization__region=township) | Q(organization__region__parent=township)
        )
    else:
        rows = rows.filter(organization=org)
    return rows.exists()


@transaction.atomic
def file(
    report: SelfInspectionReport | int,
    *,
    by: User,
    filing_number: str = "",
    comment: str = "",
    version: Any = None,
) -> SelfInspectionReport:
    """A township or department officer files the report (备案) under a filing number:
    the next of the township's series, or one entered (unique in the township)."""
    locked = _lock(report, by, FILE)
    _check_version(locked, version)
    if not can_proceed(locked.file):
        raise Conflict(
            _("Not possible while the report is “%(state)s”.")
            % {"state": locked.get_state_display()}
        )
    number = " ".join(str(filing_number or "").split())
    comment = str(comment or "").strip()
    if len(number) > 40:
        raise Invalid(fields={"filing_number": [_("At most %(n)d characters.") % {"n": 40}]})
    if len(comment) > 4000:
        raise Invalid(fields={"comment": [_("At most %(n)d characters.") % {"n": 4000}]})
    year = timezone.localdate().year
    if number:
        if _number_taken(locked.organization, number, locked.pk):
            raise Invalid(
                fields={
                    "filing_number": [
                        _("Filing number %(number)s is already used in this township.")
                        % {"number": number}
                    ]
                }
            )
    else:
        number = next_filing_number(locked.organization, year)
    before = _move(locked, "file")
    locked.filing_number = number
    locked.filed_by = by
    locked.version += 1
    locked.save()
    _event(locked, K.FILED, by, before, comment)
    notify(
        enterprise_people(locked.organization),
        title=_("Self-inspection report filed: %(number)s") % {"number": number},
        body=locked.title,
        url=_url(locked),
        key=f"report:{locked.pk}:filed",
    )
    return locked


def available_actions(report: SelfInspectionReport, user: Any) -> list[str]:
    """The steps to offer as buttons (the functions check again when called)."""
    steps: list[str] = []
    own = access.roles_on(user, REPORT, access.CHANGE, report.organization)
    if own and report.state in (R.DRAFT, R.RETURNED):
        steps.append("edit")
    if report.state in (R.DRAFT, R.RETURNED) and access.roles_on(
        user, REPORT, SUBMIT, report.organization
    ):
        steps.append("submit")
    if report.state == R.SUBMITTED and access.roles_on(user, REPORT, FILE, report.organization):
        steps += ["return", "file"]
    return steps

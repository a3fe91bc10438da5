"""Every step of the hazard closed loop is one function here.

Each one locks the hazard row, checks that the actor may act on it (scope and
role, then the rules that depend on the hazard), checks the transition is
allowed in the current state, writes the history row, bumps ``version`` and
queues notifications to go out after commit. Views and API views only parse
input and call these. Errors are :mod:`anpai.core.errors` exceptions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from anpai.core import access
from anpai.core.errors import Conflict, Forbidden, Invalid, NotFound
from anpai.hazards import evidence
from anpai.hazards.choices import (
    AttachmentKind,
    EventKind,
    ExtensionState,
    HazardLevel,
    HazardState,
)
from anpai.hazards.models import Attachment, Category, Event, Extension, Hazard
from anpai.notifications.service import notify
from anpai.orgs.choices import OrgKind
from anpai.orgs.models import Organization
from anpai.people.choices import TOWNSHIP_ROLES, Role
from anpai.people.models import User

RESOURCE = "hazards.hazard"
PLAN_FIELDS = (
    "plan_goals",
    "plan_methods",
    "plan_resources",
    "plan_organization",
    "plan_schedule",
    "plan_safety",
)


# ---------------------------------------------------------------- helpers


def _lock(hazard: Hazard | int, by: User, action: str, version: int | None = None) -> Hazard:
    """The hazard, locked for update, if ``by`` may ``action`` it; else 404/403/409."""
    pk = hazard.pk if isinstance(hazard, Hazard) else int(hazard)
    if not Hazard.objects.restrict(by, action).filter(pk=pk).exists():
        if Hazard.objects.restrict(by, access.VIEW).filter(pk=pk).exists():
            raise Forbidden(_("Your role may not do this to this hazard."))
        raise NotFound(_("No such hazard."))
    locked = Hazard.objects.select_for_update().select_related("organization__region").get(pk=pk)
    if version is not None and locked.version != version:
        raise Conflict(
            _("Someone else changed this hazard since you opened it. Reload it and try again.")
        )
    return locked


def _transition(hazard: Hazard, method: str) -> str:
    """Move the state with django-fsm; 409 when the current state does not allow it."""
    bound = getattr(hazard, method)
    if not can_proceed(bound):
        raise Conflict(
            _("Not possible while the hazard is “%(state)s”.")
            % {"state": hazard.get_state_display()}
        )
    before = hazard.state
    bound()
    return before


def _event(
    hazard: Hazard,
    kind: str,
    by: User,
    *,
    before: str | None = None,
    comment: str = "",
    data: dict[str, Any] | None = None,
) -> Event:
    """One history row; ``before`` is the state moved from ("" for the report itself)."""
    return Event.objects.create(
        hazard=hazard,
        kind=kind,
        from_state=hazard.state if before is None else before,
        to_state=hazard.state,
        actor=by,
        comment=comment,
        data=data or {},
    )


def _save(hazard: Hazard, fields: Iterable[str]) -> None:
    hazard.version += 1
    hazard.save(update_fields=[*set(fields), "version", "updated_at"])


def _is_township_staff(by: User, hazard: Hazard, action: str) -> bool:
    return bool(access.roles_on(by, RESOURCE, action, hazard.organization) & TOWNSHIP_ROLES)


def _url(hazard: Hazard) -> str:
    return reverse("hazards:detail", args=[hazard.pk])


def township_officers(org: Organization) -> list[User]:
    """The township safety officers of the township the organisation is in."""
    township = org.township
    if township is None:
        return []
    return list(
        User.objects.filter(
            is_active=True,
            memberships__role=Role.TOWNSHIP_OFFICER,
            memberships__organization__kind=OrgKind.TOWNSHIP,
            memberships__organization__region=township,
        ).distinct()
    )


def org_people(org: Organization, roles: Sequence[str]) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True, memberships__organization=org, memberships__role__in=roles
        ).distinct()
    )


def _required(values: dict[str, Any], labels: dict[str, str]) -> None:
    missing = {
        name: [_("%(field)s is required.") % {"field": label}]
        for name, label in labels.items()
        if values.get(name) in (None, "", [])
    }
    if missing:
        raise Invalid(fields=missing)


def _report_up(hazard: Hazard, by: User) -> None:
    """A major hazard is reported to the township as soon as it is one."""
    if hazard.reported_up_at is not None:
        return
    hazard.reported_up_at = timezone.now()
    _event(hazard, EventKind.REPORT_UP, by)
    notify(
        township_officers(hazard.organization),
        title=_("Major hazard reported: %(org)s") % {"org": hazard.organization},
        body=hazard.title,
        url=_url(hazard),
        key=f"hazard:{hazard.pk}:major",
    )


def _reassess_point(hazard: Hazard) -> None:
    """A major hazard at a risk point: the point's assessment no longer holds (双重预防)."""
    point = hazard.risk_point
    if point is None:
        return
    from anpai.risks.actions import request_reassessment

    request_reassessment(
        point,
        reason=_("Major hazard %(number)s found here: %(title)s")
        % {"number": hazard.number, "title": hazard.title},
    )


# ---------------------------------------------------------------- actions


@transaction.atomic
def report(
    *,
    by: User,
    organization: Organization,
    title: str,
    description: str,
    category: Category,
    level: str = HazardLevel.GENERAL,
    source: str = "self_inspection",
    place: str = "",
    industry: Any = None,
    finder: str = "",
    found_at: Any = None,
    clause: str = "",
    photos: Sequence[UploadedFile] = (),
    standard_clause: Any = None,
    risk_point: Any = None,
) -> Hazard:
    """Report a hazard found in ``organization`` (state ``reported``).

    ``standard_clause`` (a :class:`anpai.standards.models.Clause`, e.g. from a
    failed inspection item) is stored on the hazard, names it in ``clause`` when
    that is empty, and makes the hazard major when the clause says so.
    ``risk_point`` (a :class:`anpai.risks.models.RiskPoint` of the same
    organisation) is where it was found; a major hazard there asks for the
    point to be re-assessed.
    """
    if not access.org_allows(by, RESOURCE, access.ADD, organization):
        if Organization.objects.restrict(by, access.VIEW).filter(pk=organization.pk).exists():
            raise Forbidden(_("Your role may not report hazards for this organisation."))
        raise NotFound(_("No such organisation."))
    _required(
        {"title": title, "description": description, "category": category},
        {"title": _("Title"), "description": _("Description"), "category": _("Category")},
    )
    if standard_clause is not None:
        if not clause:
            clause = f"{standard_clause.standard.name} {standard_clause.number}"[:200]
        if standard_clause.makes_major:
            # The determination standard decides: meeting this clause is a major hazard.
            level = HazardLevel.MAJOR
    found_at = found_at or timezone.now()
    if found_at > timezone.now() + timedelta(minutes=5):
        raise Invalid(fields={"found_at": [_("The time found cannot be in the future.")]})
    if level not in HazardLevel.values:
        raise Invalid(fields={"level": [_("Choose general or major.")]})
    if risk_point is not None and risk_point.organization_id != organization.pk:
        raise Invalid(
            fields={
                "risk_point": [
                    _("Choose a risk point of %(org)s.") % {"org": organization.name},
                ]
            }
        )
    checked = [evidence.check(f) for f in photos]  # refuse bad files before writing anything
    hazard = Hazard.objects.create(
        organization=organization,
        title=title.strip(),
        description=description.strip(),
        category=category,
        level=level,
        source=source,
        place=place,
        industry=industry,
        finder=finder or by.get_full_name(),
        found_at=found_at,
        clause=clause,
        standard_clause=standard_clause,
        risk_point=risk_point,
        reported_by=by,
    )
    hazard.number = f"YH{timezone.localtime(found_at):%Y}-{hazard.pk:06d}"
    hazard.save(update_fields=["number"])
    _event(hazard, EventKind.REPORT, by, before="")
    for item in checked:
        evidence.store(hazard, item, AttachmentKind.BEFORE, by)
    if hazard.is_major:
        _report_up(hazard, by)
        hazard.save(update_fields=["reported_up_at"])
        _reassess_point(hazard)
    return hazard


@transaction.atomic
def grade(
    hazard: Hazard | int,
    *,
    by: User,
    level: str,
    comment: str = "",
    clause: str = "",
    version: int | None = None,
) -> Hazard:
    """Confirm or change the level. The enterprise's safety manager grades only its general ones."""
    h = _lock(hazard, by, "grade", version)
    if h.state not in (HazardState.REPORTED, HazardState.ASSIGNED):
        raise Conflict(_("The level can only be changed before the hazard is rectified."))
    if level not in HazardLevel.values:
        raise Invalid(fields={"level": [_("Choose general or major.")]})
    if h.is_major and not _is_township_staff(by, h, "grade"):
        raise Forbidden(_("A major hazard's level is graded by township staff."))
    old = h.level
    h.level = level
    if clause:
        h.clause = clause
    _event(h, EventKind.GRADE, by, comment=comment, data={"from": old, "to": level})
    if h.is_major:
        _report_up(h, by)
    _save(h, ["level", "clause", "reported_up_at"])
    if h.is_major and old != HazardLevel.MAJOR:
        _reassess_point(h)
    return h


@transaction.atomic
def assign(
    hazard: Hazard | int,
    *,
    by: User,
    responsible_name: str = "",
    responsible_user: User | None = None,
    measures: str = "",
    funds: Decimal | None = None,
    deadline: date | None = None,
    contingency: str = "",
    plan: dict[str, str] | None = None,
    comment: str = "",
    version: int | None = None,
) -> Hazard:
    """The five implementations (五落实); a major hazard also needs its governance plan."""
    h = _lock(hazard, by, "assign", version)
    before = _transition(h, "to_assigned")
    if responsible_user is not None and not responsible_name:
        responsible_name = responsible_user.get_full_name()
    values = {
        "responsible_name": responsible_name,
        "measures": measures,
        "funds": funds,
        "deadline": deadline,
        "contingency": contingency,
    }
    _required(
        values,
        {
            "responsible_name": _("Responsible person"),
            "measures": _("Measures"),
            "funds": _("Funds"),
            "deadline": _("Deadline"),
            "contingency": _("Contingency plan"),
        },
    )
    errors: dict[str, list[str]] = {}
    if funds is not None and funds < 0:
        errors["funds"] = [_("Funds cannot be negative.")]
    if deadline is not None and deadline < timezone.localdate():
        errors["deadline"] = [_("The deadline cannot be in the past.")]
    plan = plan or {}
    if h.is_major:
        labels = {
            "plan_goals": _("Goals and tasks"),
            "plan_methods": _("Methods and measures"),
            "plan_resources": _("Funds and materials"),
            "plan_organization": _("Organisation and people"),
            "plan_schedule": _("Time limits and requirements"),
            "plan_safety": _("Safety measures during rectification"),
        }
        for name, label in labels.items():
            if not (plan.get(name) or "").strip():
                errors[name] = [
                    _("%(field)s is required for a major hazard's governance plan.")
                    % {"field": label}
                ]
    if errors:
        raise Invalid(fields=errors)
    if responsible_user is not None and not access.org_allows(
        responsible_user, RESOURCE, access.VIEW, h.organization
    ):
        raise Invalid(
            fields={
                "responsible_user": [
                    _("The responsible person's account cannot see this organisation's hazards.")
                ]
            }
        )
    h.responsible_name = responsible_name.strip()
    h.responsible_user = responsible_user
    h.measures, h.funds, h.deadline, h.contingency = measures.strip(), funds, deadline, contingency
    h.original_deadline = h.original_deadline or deadline
    h.assigned_at = timezone.now()
    for name in PLAN_FIELDS:
        setattr(h, name, (plan.get(name) or "").strip())
    _event(
        h,
        EventKind.ASSIGN,
        by,
        before=before,
        comment=comment,
        data={"deadline": str(deadline), "funds": str(funds), "responsible": h.responsible_name},
    )
    _save(
        h,
        [
            "state",
            "responsible_name",
            "responsible_user",
            "measures",
            "funds",
            "deadline",
            "contingency",
            "original_deadline",
            "assigned_at",
            *PLAN_FIELDS,
        ],
    )
    notify(
        [responsible_user],
        title=_("Hazard to rectify by %(date)s") % {"date": deadline},
        body=f"{h.organization} · {h.title}",
        url=_url(h),
    )
    return h


@transaction.atomic
def rectify(
    hazard: Hazard | int,
    *,
    by: User,
    rectification: str,
    actual_cost: Decimal | None = None,
    photos: Sequence[UploadedFile] = (),
    version: int | None = None,
) -> Hazard:
    """Record what was done; at least one after-photo is required."""
    h = _lock(hazard, by, "rectify", version)
    before = _transition(h, "to_rectified")
    errors: dict[str, list[str]] = {}
    if not (rectification or "").strip():
        errors["rectification"] = [_("Say what was done.")]
    if actual_cost is not None and actual_cost < 0:
        errors["actual_cost"] = [_("The cost cannot be negative.")]
    checked = []
    try:
        checked = [evidence.check(f) for f in photos]
    except Invalid as exc:
        errors.update({"photos": exc.fields.get("file", [exc.message])})
    has_after = (
        any(c.is_image for c in checked)
        or h.attachments.filter(
            kind=AttachmentKind.AFTER, content_type__startswith="image/"
        ).exists()
    )
    if not has_after and "photos" not in errors:
        errors["photos"] = [_("Add at least one photo taken after rectification.")]
    if errors:
        raise Invalid(fields=errors)
    for item in checked:
        evidence.store(h, item, AttachmentKind.AFTER, by)
    h.rectification, h.actual_cost = rectification.strip(), actual_cost
    h.rectified_at, h.rectified_by = timezone.now(), by
    _event(
        h,
        EventKind.RECTIFY,
        by,
        before=before,
        comment=rectification,
        data={"actual_cost": str(actual_cost) if actual_cost is not None else None},
    )
    _save(h, ["state", "rectification", "actual_cost", "rectified_at", "rectified_by"])
    accepters = (
        township_officers(h.organization)
        if h.is_major
        else org_people(h.organization, [Role.ENT_PRINCIPAL, Role.ENT_SAFETY])
    )
    notify(
        [u for u in accepters if u.pk != by.pk],
        title=_("Rectification to accept: %(title)s") % {"title": h.title},
        body=str(h.organization),
        url=_url(h),
    )
    return h


@transaction.atomic
def verify(
    hazard: Hazard | int, *, by: User, accepted: bool, comment: str = "", version: int | None = None
) -> Hazard:
    """Accept (→ closed, 销号) or reject with a reason (→ assigned)."""
    h = _lock(hazard, by, "verify", version)
    if h.state != HazardState.RECTIFIED:
        _transition(h, "to_closed")  # raises the 409 with the state's name
    if h.rectified_by_id == by.pk:
        raise Forbidden(_("Nobody accepts a rectification they reported as done themselves."))
    if h.is_major and not _is_township_staff(by, h, "verify"):
        raise Forbidden(_("A major hazard is accepted by township staff only."))
    if not accepted and not (comment or "").strip():
        raise Invalid(fields={"comment": [_("Say why the rectification is not accepted.")]})
    if accepted:
        before = _transition(h, "to_closed")
        h.verified_at, h.verified_by = timezone.now(), by
        _event(h, EventKind.ACCEPT, by, before=before, comment=comment)
        _save(h, ["state", "verified_at", "verified_by"])
        return h
    before = _transition(h, "to_reassigned")
    h.rectified_at = None
    h.rectified_by = None
    _event(h, EventKind.REJECT, by, before=before, comment=comment)
    _save(h, ["state", "rectified_at", "rectified_by"])
    notify(
        [h.responsible_user],
        title=_("Rectification not accepted: %(title)s") % {"title": h.title},
        body=comment,
        url=_url(h),
    )
    return h


@transaction.atomic
def void(hazard: Hazard | int, *, by: User, reason: str, version: int | None = None) -> Hazard:
    """Void a report (township staff, or whoever reported it), with a reason."""
    h = _lock(hazard, by, "void", version)
    if h.reported_by_id != by.pk and not _is_township_staff(by, h, "void"):
        raise Forbidden(_("Only township staff or the reporter may void a hazard."))
    if not (reason or "").strip():
        raise Invalid(fields={"reason": [_("Give the reason for voiding.")]})
    before = _transition(h, "to_voided")
    h.void_reason = reason.strip()
    _event(h, EventKind.VOID, by, before=before, comment=reason)
    _save(h, ["state", "void_reason"])
    return h


@transaction.atomic
def request_extension(
    hazard: Hazard | int,
    *,
    by: User,
    deadline: date | None,
    reason: str,
    version: int | None = None,
) -> Extension:
    """Ask township staff for a later deadline; the original stays in the history."""
    h = _lock(hazard, by, "extend", version)
    if h.state != HazardState.ASSIGNED:
        raise Conflict(_("Only a hazard being rectified can have its deadline extended."))
    if h.extensions.filter(state=ExtensionState.PENDING).exists():
        raise Conflict(_("An extension request is already waiting for a decision."))
    errors: dict[str, list[str]] = {}
    if deadline is None:
        errors["deadline"] = [_("Give the new deadline.")]
    elif h.deadline and deadline <= h.deadline:
        errors["deadline"] = [
            _("The new deadline must be later than %(date)s.") % {"date": h.deadline}
        ]
    if not (reason or "").strip():
        errors["reason"] = [_("Give the reason for the extension.")]
    if errors:
        raise Invalid(fields=errors)
    assert deadline is not None
    assert h.deadline is not None
    ext = Extension.objects.create(
        hazard=h,
        requested_by=by,
        current_deadline=h.deadline,
        requested_deadline=deadline,
        reason=reason.strip(),
    )
    _event(
        h,
        EventKind.EXTEND_REQUEST,
        by,
        comment=reason,
        data={"from": str(h.deadline), "to": str(deadline)},
    )
    _save(h, [])
    notify(
        township_officers(h.organization),
        title=_("Deadline extension requested: %(title)s") % {"title": h.title},
        body=reason,
        url=_url(h),
    )
    return ext


@transaction.atomic
def decide_extension(
    hazard: Hazard | int, *, by: User, approve: bool, comment: str = "", version: int | None = None
) -> Extension:
    """Township staff approve (the deadline moves) or refuse a pending extension."""
    h = _lock(hazard, by, "decide_extension", version)
    ext = h.extensions.select_for_update().filter(state=ExtensionState.PENDING).first()
    if ext is None:
        raise Conflict(_("There is no extension request waiting for a decision."))
    if not approve and not (comment or "").strip():
        raise Invalid(fields={"comment": [_("Say why the extension is refused.")]})
    ext.state = ExtensionState.APPROVED if approve else ExtensionState.REFUSED
    ext.decided_by, ext.decided_at, ext.decision_note = by, timezone.now(), comment.strip()
    ext.save()
    if approve:
        h.deadline = ext.requested_deadline
    _event(
        h,
        EventKind.EXTEND_APPROVE if approve else EventKind.EXTEND_REFUSE,
        by,
        comment=comment,
        data={"from": str(ext.current_deadline), "to": str(ext.requested_deadline)},
    )
    _save(h, ["deadline"])
    notify(
        [ext.requested_by],
        title=(_("Extension approved: %(title)s") if approve else _("Extension refused: %(title)s"))
        % {"title": h.title},
        body=comment,
        url=_url(h),
    )
    return ext


@transaction.atomic
def supervise(
    hazard: Hazard | int,
    *,
    by: User,
    supervisor: User | None,
    deadline: date | None,
    note: str = "",
    version: int | None = None,
) -> Hazard:
    """挂牌督办: township staff place an open major hazard under listed supervision."""
    h = _lock(hazard, by, "supervise", version)
    if not h.is_open:
        raise Conflict(_("Only an open hazard can be placed under supervision."))
    if h.is_supervised:
        raise Conflict(_("This hazard is already under listed supervision."))
    errors: dict[str, list[str]] = {}
    if not h.is_major:
        errors["level"] = [_("Only a major hazard is placed under listed supervision.")]
    if supervisor is None:
        errors["supervisor"] = [_("Name the supervising person.")]
    if deadline is None:
        errors["deadline"] = [_("Give the supervision deadline.")]
    elif deadline < timezone.localdate():
        errors["deadline"] = [_("The deadline cannot be in the past.")]
    if errors:
        raise Invalid(fields=errors)
    h.is_supervised, h.supervisor = True, supervisor
    h.supervise_deadline, h.supervise_note = deadline, note.strip()
    _event(
        h,
        EventKind.SUPERVISE,
        by,
        comment=note,
        data={"supervisor": str(supervisor), "deadline": str(deadline)},
    )
    _save(h, ["is_supervised", "supervisor", "supervise_deadline", "supervise_note"])
    notify(
        [supervisor, *org_people(h.organization, [Role.ENT_PRINCIPAL])],
        title=_("Major hazard under listed supervision: %(title)s") % {"title": h.title},
        body=note,
        url=_url(h),
    )
    return h


@transaction.atomic
def attach(hazard: Hazard | int, *, by: User, file: UploadedFile, kind: str) -> Attachment:
    """Add evidence to an open hazard: a photo (before/after) or a document."""
    h = _lock(hazard, by, "attach")
    if not h.is_open:
        raise Conflict(_("Evidence cannot be added to a closed or voided hazard."))
    if kind not in AttachmentKind.values:
        raise Invalid(fields={"kind": [_("Choose before, after or document.")]})
    item = evidence.check(file)
    if kind != AttachmentKind.DOCUMENT and not item.is_image:
        raise Invalid(fields={"file": [_("A before or after photo must be an image.")]})
    attachment = evidence.store(h, item, kind, by)
    _event(h, EventKind.ATTACH, by, data={"kind": kind, "file": attachment.original_name})
    _save(h, [])
    return attachment


STEPS = (
    "grade",
    "assign",
    "rectify",
    "verify",
    "void",
    "extend",
    "decide_extension",
    "supervise",
    "attach",
)


def available_actions(
    hazard: Hazard, user: User, *, roles_by_action: dict[str, set[str]] | None = None
) -> set[str]:
    """The steps ``user`` could take on ``hazard`` now (for buttons; the actions re-check).

    A list passes ``roles_by_action`` for the hazard's organisation, computed for
    the whole page at once with :func:`anpai.core.access.roles_on_orgs`.
    """
    if roles_by_action is None:
        roles_by_action = {
            action: access.roles_on(user, RESOURCE, action, hazard.organization) for action in STEPS
        }
    state = hazard.state
    township = {a: bool(r & TOWNSHIP_ROLES) for a, r in roles_by_action.items()}
    result: set[str] = set()
    if (
        roles_by_action["grade"]
        and state in (HazardState.REPORTED, HazardState.ASSIGNED)
        and (not hazard.is_major or township["grade"])
    ):
        result.add("grade")
    if roles_by_action["assign"] and state == HazardState.REPORTED:
        result.add("assign")
    if roles_by_action["rectify"] and state == HazardState.ASSIGNED:
        result.add("rectify")
    if (
        roles_by_action["verify"]
        and state == HazardState.RECTIFIED
        and hazard.rectified_by_id != user.pk
        and (not hazard.is_major or township["verify"])
    ):
        result.add("verify")
    if (
        roles_by_action["void"]
        and state == HazardState.REPORTED
        and (hazard.reported_by_id == user.pk or township["void"])
    ):
        result.add("void")
    pending = any(e.state == ExtensionState.PENDING for e in hazard.extensions.all())
    if roles_by_action["extend"] and state == HazardState.ASSIGNED and not pending:
        result.add("extend")
    if roles_by_action["decide_extension"] and pending:
        result.add("decide_extension")
    if (
        roles_by_action["supervise"]
        and hazard.is_major
        and hazard.is_open
        and not hazard.is_supervised
    ):
        result.add("supervise")
    if roles_by_action["attach"] and hazard.is_open:
        result.add("attach")
    return result


__all__ = [
    "assign",
    "attach",
    "available_actions",
    "decide_extension",
    "grade",
    "rectify",
    "report",
    "request_extension",
    "supervise",
    "verify",
    "void",
]

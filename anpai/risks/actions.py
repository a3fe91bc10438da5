"""Every change to risk points, assessments, measures, schemes and site plans is one
function here: it locks the row, checks the actor may act (404 outside scope,
403 when visible but not allowed), validates, writes, and leaves the audit trail
to the registered signals. Views and API views only parse input and call these.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anpai.core import access
from anpai.core.errors import Conflict, Forbidden, Invalid, NotFound
from anpai.orgs.models import Organization
from anpai.people.models import User
from anpai.regions.models import Region
from anpai.risks import scoring
from anpai.risks.choices import (
    LEVEL_CONTROL,
    AccidentType,
    AssessmentReason,
    MeasureKind,
    Method,
    PointKind,
    RiskLevel,
)
from anpai.risks.models import Assessment, ControlMeasure, RiskPoint, RiskScheme, SitePlan

RESOURCE = "risks.riskpoint"
SCHEME_RESOURCE = "risks.riskscheme"
ASSESS = "assess"
PLAN_UNITS = 1000
MAX_PLAN_PIXELS = 2400

POINT_FIELDS = (
    "code",
    "name",
    "kind",
    "location",
    "hazard_sources",
    "accident_types",
    "consequences",
    "emergency_actions",
    "emergency_phone",
    "warning_signs",
    "department",
    "responsible_user",
    "responsible_name",
    "responsible_phone",
)


# ---------------------------------------------------------------- schemes


def township_of(region: Region | None) -> Region | None:
    """The township (9-digit prefix) a region lies in, or None above township level."""
    from anpai.regions.choices import RegionLevel

    if region is not None and region.level == RegionLevel.VILLAGE:
        region = region.parent
    return region if region is not None and region.level == RegionLevel.TOWNSHIP else None


def default_scheme(method: str) -> RiskScheme:
    """The shipped default for ``method`` (created from data/schemes.json on first use)."""
    scheme = RiskScheme.objects.filter(method=method, region__isnull=True, is_current=True).first()
    if scheme is None:
        data = scoring.defaults()[method]
        scheme, _created = RiskScheme.objects.get_or_create(
            method=method,
            region=None,
            version=1,
            defaults={
                "factors": data["factors"],
                "bands": data["bands"],
                "source": scoring.defaults()["source"],
            },
        )
    return scheme


def scheme_for(region: Region | None, method: str) -> RiskScheme:
    """The scheme in force for ``method`` where ``region`` is: its township's, else the default."""
    township = township_of(region)
    if township is not None:
        own = RiskScheme.objects.filter(method=method, region=township, is_current=True).first()
        if own is not None:
            return own
    return default_scheme(method)


def may_configure(by: User, region: Region) -> bool:
    return access.allows_region(by, SCHEME_RESOURCE, access.CHANGE, region)


@transaction.atomic
def save_scheme(*, by: User, region: Region, method: str, data: dict[str, Any]) -> RiskScheme:
    """A new version of the township's scheme for ``method``; earlier assessments keep theirs."""
    if method not in Method.values:
        raise Invalid(fields={"method": [_("Unknown method.")]})
    township = township_of(region)
    if township is None:
        raise Invalid(fields={"region": [_("Schemes are set per township.")]})
    if not may_configure(by, township):
        raise Forbidden(_("Only the township's safety officers set its assessment scheme."))
    clean = scoring.validate(method, data)
    current = (
        RiskScheme.objects.select_for_update()
        .filter(method=method, region=township, is_current=True)
        .first()
    )
    version = 1
    if current is not None:
        if current.factors == clean["factors"] and current.bands == clean["bands"]:
            return current
        current.is_current = False
        current.save(update_fields=["is_current"])
        version = current.version + 1
    return RiskScheme.objects.create(
        method=method,
        region=township,
        version=version,
        factors=clean["factors"],
        bands=clean["bands"],
        source=_("Set by %(township)s") % {"township": township.name},
        created_by=by,
    )


@transaction.atomic
def reset_scheme(*, by: User, region: Region, method: str) -> None:
    """Go back to the shipped default (the township's versions stay for history)."""
    township = township_of(region)
    if township is None or not may_configure(by, township):
        raise Forbidden(_("Only the township's safety officers set its assessment scheme."))
    RiskScheme.objects.filter(method=method, region=township, is_current=True).update(
        is_current=False
    )


# ---------------------------------------------------------------- risk points


def _lock(point: RiskPoint | int, by: User, action: str, version: int | None = None) -> RiskPoint:
    pk = point.pk if isinstance(point, RiskPoint) else int(point)
    if not RiskPoint.objects.restrict(by, action).filter(pk=pk).exists():
        if RiskPoint.objects.restrict(by, access.VIEW).filter(pk=pk).exists():
            raise Forbidden(_("Your role may not do this to this risk point."))
        raise NotFound(_("No such risk point."))
    locked = RiskPoint.objects.select_for_update().select_related("organization__region").get(pk=pk)
    if version is not None and locked.version != version:
        raise Conflict(
            _("Someone else changed this risk point since you opened it. Reload it and try again.")
        )
    return locked


def _bump(point: RiskPoint, fields: Iterable[str]) -> None:
    point.version += 1
    point.save(update_fields=[*set(fields), "version", "updated_at"])


def _member(user: User, org: Organization) -> bool:
    from anpai.people.models import Membership

    return Membership.objects.filter(user=user, organization=org).exists()


def _clean_point(org: Organization, values: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    errors: dict[str, list[Any]] = {}
    clean: dict[str, Any] = {}
    for name in POINT_FIELDS:
        if name not in values:
            continue
        value = values[name]
        if isinstance(value, str):
            value = value.strip()
        clean[name] = value
    if (not partial or "name" in clean) and not clean.get("name"):
        errors["name"] = [_("%(field)s is required.") % {"field": _("Name")}]
    if (not partial or "kind" in clean) and clean.get("kind") not in PointKind.values:
        errors["kind"] = [
            _("Kind must be one of: %(choices)s.")
            % {"choices": ", ".join(str(label) for label in PointKind.labels)}
        ]
    if "accident_types" in clean:
        types = clean["accident_types"] or []
        if isinstance(types, str):
            types = [t for t in types.replace("，", ",").split(",") if t.strip()]
        types = [str(t).strip() for t in types]
        unknown = [t for t in types if t not in AccidentType.values]
        if unknown:
            errors["accident_types"] = [
                _("Not a GB 6441 accident type: %(values)s.") % {"values": ", ".join(unknown)}
            ]
        clean["accident_types"] = list(dict.fromkeys(types))
    user = clean.get("responsible_user")
    if user is not None and not isinstance(user, User):
        user = User.objects.filter(pk=user).first() if str(user).isdigit() else None
        if user is None:
            errors["responsible_user"] = [_("No such person.")]
        clean["responsible_user"] = user
    if user is not None and not _member(user, org):
        errors["responsible_user"] = [
            _("The responsible person must belong to %(org)s.") % {"org": org.name}
        ]
    for name, limit in (("name", 200), ("code", 30), ("location", 200), ("department", 100)):
        if len(str(clean.get(name) or "")) > limit:
            errors[name] = [_("At most %(n)d characters.") % {"n": limit}]
    if errors:
        raise Invalid(fields=errors)
    return clean


@transaction.atomic
def create_point(*, by: User, organization: Organization, **values: Any) -> RiskPoint:
    """Identify a new risk point in ``organization`` (not yet assessed)."""
    if not access.org_allows(by, RESOURCE, access.ADD, organization):
        if Organization.objects.restrict(by, access.VIEW).filter(pk=organization.pk).exists():
            raise Forbidden(_("Your role may not add risk points for this organisation."))
        raise NotFound(_("No such organisation."))
    clean = _clean_point(organization, values, partial=False)
    return RiskPoint.objects.create(organization=organization, **clean)


@transaction.atomic
def update_point(
    point: RiskPoint | int, *, by: User, version: int | None = None, **values: Any
) -> RiskPoint:
    locked = _lock(point, by, access.CHANGE, version)
    clean = _clean_point(locked.organization, values, partial=True)
    for name, value in clean.items():
        setattr(locked, name, value)
    _bump(locked, clean.keys())
    return locked


@transaction.atomic
def deactivate_point(point: RiskPoint | int, *, by: User) -> RiskPoint:
    """Retire a risk point that no longer exists (kept, with its history; off the map)."""
    locked = _lock(point, by, access.CHANGE)
    locked.is_active = False
    _bump(locked, ["is_active"])
    ControlMeasure.objects.filter(point=locked).update(is_active=False)
    _after_measures(locked)
    return locked


def preview(point_or_org: RiskPoint | Organization, method: str, values: dict[str, Any]):
    """What an assessment would give, without saving (the form's live preview)."""
    org = point_or_org.organization if isinstance(point_or_org, RiskPoint) else point_or_org
    scheme = scheme_for(org.region, method)
    return scoring.compute(method, values, scheme.data), scheme


@transaction.atomic
def assess(
    point: RiskPoint | int,
    *,
    by: User,
    method: str,
    values: dict[str, Any],
    residual: bool = False,
    reason: str = AssessmentReason.INITIAL,
    note: str = "",
) -> Assessment:
    """Assess the point with the scheme in force now; the result is kept as history.

    An inherent assessment sets the point's level, score and control level (the
    level decides who controls it) and clears a pending re-assessment; a
    residual one (with the measures in place) sets only the residual level.
    """
    locked = _lock(point, by, ASSESS)
    if reason not in AssessmentReason.values:
        raise Invalid(fields={"reason": [_("Unknown reason.")]})
    scheme = scheme_for(locked.organization.region, method)
    result = scoring.compute(method, values, scheme.data)
    assessment = Assessment.objects.create(
        point=locked,
        method=method,
        factors=result.factors,
        score=result.score,
        level=result.level,
        scheme=scheme,
        bands=scheme.bands,
        residual=bool(residual),
        reason=reason,
        note=(note or "").strip(),
        assessed_by=by,
        assessed_at=timezone.now(),
    )
    if residual:
        locked.residual_level = result.level
        _bump(locked, ["residual_level"])
    else:
        locked.level = result.level
        locked.score = result.score
        locked.control_level = LEVEL_CONTROL[RiskLevel(result.level)]
        locked.assessed_at = assessment.assessed_at
        locked.needs_reassessment = False
        locked.reassessment_reason = ""
        _bump(
            locked,
            [
                "level",
                "score",
                "control_level",
                "assessed_at",
                "needs_reassessment",
                "reassessment_reason",
            ],
        )
    return assessment


def request_reassessment(point: RiskPoint, *, reason: str, url: str = "") -> None:
    """Flag the point for re-assessment and tell those who assess it (no actor check:
    called from other actions, e.g. a major hazard reported at the point)."""
    from anpai.hazards.actions import org_people
    from anpai.notifications.service import notify
    from anpai.people.choices import Role

    RiskPoint.objects.filter(pk=point.pk).update(
        needs_reassessment=True, reassessment_reason=reason[:200]
    )
    point.needs_reassessment = True
    point.reassessment_reason = reason[:200]
    notify(
        org_people(point.organization, [Role.ENT_PRINCIPAL, Role.ENT_SAFETY]),
        title=_("Re-assess risk point: %(point)s") % {"point": point.name},
        body=reason,
        url=url or reverse("risks:detail", args=[point.pk]),
        key=f"risk:{point.pk}:reassess:{reason[:60]}",
    )


# ---------------------------------------------------------------- measures


def _clean_measure(point: RiskPoint, values: dict[str, Any]) -> dict[str, Any]:
    from anpai.inspections.choices import Cadence

    errors: dict[str, list[Any]] = {}
    clean: dict[str, Any] = {}
    kind = values.get("kind")
    if kind not in MeasureKind.values:
        errors["kind"] = [
            _("Kind must be one of: %(choices)s.")
            % {"choices": ", ".join(str(label) for label in MeasureKind.labels)}
        ]
    clean["kind"] = kind
    text = str(values.get("text") or "").strip()
    if not text:
        errors["text"] = [_("%(field)s is required.") % {"field": _("Measure")}]
    clean["text"] = text
    clean["responsible_name"] = str(values.get("responsible_name") or "").strip()[:50]
    cadence = values.get("check_cadence") or ""
    if cadence and cadence not in Cadence.values:
        errors["check_cadence"] = [_("Unknown cadence.")]
    clean["check_cadence"] = cadence
    for name in ("responsible_user", "check_user"):
        user = values.get(name)
        if user in (None, ""):
            clean[name] = None
            continue
        if not isinstance(user, User):
            user = User.objects.filter(pk=user).first() if str(user).isdigit() else None
        if user is None or not _member(user, point.organization):
            errors[name] = [_("Choose a person of %(org)s.") % {"org": point.organization.name}]
        clean[name] = user
    if cadence and clean.get("check_user") is None and "check_user" not in errors:
        errors["check_user"] = [_("Say who checks the measure when it is checked regularly.")]
    if errors:
        raise Invalid(fields=errors)
    return clean


@transaction.atomic
def save_measure(
    point: RiskPoint | int,
    *,
    by: User,
    measure: ControlMeasure | int | None = None,
    **values: Any,
) -> ControlMeasure:
    """Add a control measure to the point, or change one of its measures."""
    locked = _lock(point, by, access.CHANGE)
    clean = _clean_measure(locked, values)
    if measure is None:
        position = locked.measures.count()
        result = ControlMeasure.objects.create(point=locked, position=position, **clean)
    else:
        pk = measure.pk if isinstance(measure, ControlMeasure) else int(measure)
        found = ControlMeasure.objects.select_for_update().filter(point=locked, pk=pk).first()
        if found is None:
            raise NotFound(_("No such control measure."))
        for name, value in clean.items():
            setattr(found, name, value)
        result = found
        result.save()
    _bump(locked, [])
    _after_measures(locked)
    return result


@transaction.atomic
def remove_measure(point: RiskPoint | int, *, by: User, measure: ControlMeasure | int) -> None:
    locked = _lock(point, by, access.CHANGE)
    pk = measure.pk if isinstance(measure, ControlMeasure) else int(measure)
    found = ControlMeasure.objects.filter(point=locked, pk=pk, is_active=True).first()
    if found is None:
        raise NotFound(_("No such control measure."))
    found.is_active = False
    found.save(update_fields=["is_active"])
    _bump(locked, [])
    _after_measures(locked)


def _after_measures(point: RiskPoint) -> None:
    """Keep the inspection duties generated from measures in step (see duties.py)."""
    from anpai.risks import duties

    transaction.on_commit(lambda: duties.sync(point.organization_id))


# ---------------------------------------------------------------- site plan and areas


def _plan_for(org: Organization, by: User, action: str) -> SitePlan:
    if not access.org_allows(by, RESOURCE, action, org):
        if access.org_allows(by, RESOURCE, access.VIEW, org):
            raise Forbidden(_("Your role may not change this organisation's site plan."))
        raise NotFound(_("No such organisation."))
    plan, _created = SitePlan.objects.select_for_update().get_or_create(
        organization=org, defaults={"title": org.name}
    )
    return plan


@transaction.atomic
def save_site_plan(
    organization: Organization,
    *,
    by: User,
    image: Any = None,
    title: str | None = None,
    blank: bool = False,
) -> SitePlan:
    """Set the site plan: an uploaded image (checked by content, re-encoded as PNG,
    at most 2400 px on its longer side), or a blank grid. Plan units keep the
    image's proportions with the longer side 1000; areas drawn on an earlier
    plan are scaled to the new one."""
    from anpai.hazards import evidence

    plan = _plan_for(organization, by, access.CHANGE)
    old_w, old_h = plan.width, plan.height
    if title is not None:
        plan.title = title.strip()[:200]
    if image is not None:
        checked = evidence.check(image)
        if checked.image is None:
            raise Invalid(
                fields={"image": [_("The site plan must be an image (JPEG, PNG or WebP).")]}
            )
        picture = checked.image.convert("RGB")
        picture.thumbnail((MAX_PLAN_PIXELS, MAX_PLAN_PIXELS))
        buffer = io.BytesIO()
        picture.save(buffer, format="PNG", optimize=True)
        if plan.image:
            plan.image.delete(save=False)
        plan.image.save("plan.png", ContentFile(buffer.getvalue()), save=False)
        w, h = picture.size
        scale = PLAN_UNITS / max(w, h)
        plan.width, plan.height = max(1, round(w * scale)), max(1, round(h * scale))
    elif blank:
        if plan.image:
            plan.image.delete(save=False)
        plan.image = ""
        plan.width, plan.height = PLAN_UNITS, 700
    plan.updated_by = by
    plan.save()
    if (old_w, old_h) != (plan.width, plan.height):
        sx, sy = plan.width / old_w, plan.height / old_h
        for point in RiskPoint.objects.select_for_update().filter(organization=organization):
            if point.area:
                point.area = [[round(x * sx, 1), round(y * sy, 1)] for x, y in point.area]
                _bump(point, ["area"])
    return plan


def clean_polygon(raw: Any, plan: SitePlan) -> list[list[float]]:
    """A polygon as [[x, y], ...] inside the plan, at least three corners; [] clears it."""
    if raw in (None, "", []):
        return []
    try:
        corners = [[round(float(x), 1), round(float(y), 1)] for x, y in raw]
    except (TypeError, ValueError):
        raise Invalid(
            fields={"area": [_("The area must be a list of corners, each [x, y].")]}
        ) from None
    if len(corners) < 3:
        raise Invalid(fields={"area": [_("An area needs at least three corners.")]})
    if len(corners) > 200:
        raise Invalid(fields={"area": [_("An area may have at most 200 corners.")]})
    for x, y in corners:
        if not (0 <= x <= plan.width and 0 <= y <= plan.height):
            raise Invalid(
                fields={
                    "area": [
                        _("Every corner must lie on the plan (0–%(w)d × 0–%(h)d).")
                        % {"w": plan.width, "h": plan.height}
                    ]
                }
            )
    return corners


@transaction.atomic
def save_area(point: RiskPoint | int, *, by: User, area: Any) -> RiskPoint:
    """Draw (or clear) the point's area on its organisation's site plan."""
    locked = _lock(point, by, access.CHANGE)
    plan = _plan_for(locked.organization, by, access.CHANGE)
    locked.area = clean_polygon(area, plan)
    _bump(locked, ["area"])
    return locked

"""Every step of an inspection is one function here: start, answer, merge, sign, submit.

Each one locks the inspection row, checks that the actor may act on it (scope
through ``Inspection.objects.restrict``, then who may edit this kind of
inspection), that it is still a draft (a submitted inspection is read-only)
and the input. Errors are :mod:`anpai.core.errors` exceptions, so pages and
the API answer the same. The audit log records the changes of the registered
models (inspections) through its signals.
"""

from __future__ import annotations

import base64
import binascii
import io
import warnings
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from typing import Any, cast

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from anpai.core import access
from anpai.core.errors import Conflict, Forbidden, Invalid, NotFound
from anpai.hazards import actions as hazard_actions
from anpai.hazards import evidence
from anpai.hazards.choices import HazardLevel
from anpai.hazards.models import Category, Hazard
from anpai.inspections import cadence as cadence_periods
from anpai.inspections.choices import (
    KIND_SOURCE,
    AnswerResult,
    Cadence,
    InspectionKind,
    InspectionState,
    PeriodState,
)
from anpai.inspections.models import (
    Answer,
    AnswerPhoto,
    ChecklistItem,
    ChecklistTemplate,
    DutyPeriod,
    Inspection,
    RoundAssignment,
)
from anpai.orgs.choices import SUPERVISED_KINDS, OrgKind
from anpai.orgs.models import Organization
from anpai.people.choices import ENTERPRISE_ROLES, TOWNSHIP_ROLES, Role
from anpai.people.models import User

RESOURCE = "inspections.inspection"

GOVERNMENT_ROLES = frozenset(TOWNSHIP_ROLES | {Role.DEPT_OFFICER})
# Who may start (and edit) each kind: an enterprise inspects itself; government
# officers inspect; village grid officers patrol.
KIND_ROLES: dict[str, frozenset[str]] = {
    InspectionKind.SELF: ENTERPRISE_ROLES,
    InspectionKind.TOWNSHIP: TOWNSHIP_ROLES,
    InspectionKind.DEPARTMENT: frozenset({Role.DEPT_OFFICER}),
    InspectionKind.JOINT: GOVERNMENT_ROLES,
    InspectionKind.UNANNOUNCED: GOVERNMENT_ROLES,
    InspectionKind.VILLAGE_PATROL: frozenset({Role.VILLAGE_OFFICER}),
}

SIGNATURE_MAX_BYTES = 512 * 1024  # a drawn signature is a few tens of KB
SIGNATURE_MAX_SIDE = 3000
SIGNATURE_PREFIX = "data:image/png;base64,"


# ---------------------------------------------------------------- helpers


def kinds_for(user: User, organization: Organization | None = None) -> list[str]:
    """The kinds of inspection ``user`` may start (for ``organization``, when given)."""
    if organization is not None:
        held = access.roles_on(user, RESOURCE, access.ADD, organization)
    else:
        table = access.POLICY[RESOURCE]
        held = {g.role for g in access.grants(user) if access.ADD in table.get(g.role, ())}
    return [kind for kind in InspectionKind.values if held & KIND_ROLES[kind]]


def may_edit(inspection: Inspection, user: User, roles: set[str] | None = None) -> bool:
    """Whether ``user`` may answer, sign and submit this inspection (scope aside).

    Its inspectors may; so may colleagues whose role does this kind of
    inspection. The inspected enterprise may not edit a township inspection
    of itself, nor the township an enterprise's self-inspection.
    """
    if inspection.lead_id == user.pk:
        return True
    if roles is None:
        roles = access.roles_on(user, RESOURCE, access.CHANGE, inspection.organization)
    if roles & KIND_ROLES.get(inspection.kind, frozenset()):
        return True
    return inspection.inspectors.filter(pk=user.pk).exists()


def _lock(inspection: Inspection | int, by: User, version: int | None = None) -> Inspection:
    """The inspection, locked, if ``by`` may change it; else 404/403; 409 when submitted."""
    pk = inspection.pk if isinstance(inspection, Inspection) else int(inspection)
    if not Inspection.objects.restrict(by, access.CHANGE).filter(pk=pk).exists():
        if Inspection.objects.restrict(by, access.VIEW).filter(pk=pk).exists():
            raise Forbidden(_("Your role may not change this inspection."))
        raise NotFound(_("No such inspection."))
    locked = (
        Inspection.objects.select_for_update()
        .select_related("organization__region", "template")
        .get(pk=pk)
    )
    if not may_edit(locked, by):
        raise Forbidden(_("Only the inspectors of this inspection may change it."))
    if locked.state != InspectionState.DRAFT:
        raise Conflict(_("This inspection was submitted; it is read-only."))
    if version is not None and locked.version != version:
        raise Conflict(
            _("Someone else changed this inspection since you opened it. Reload it and try again.")
        )
    return locked


def _bump(inspection: Inspection, fields: Iterable[str] = ()) -> None:
    inspection.version += 1
    inspection.save(update_fields=[*set(fields), "version", "updated_at"])


def _current_template(template: ChecklistTemplate | str | None) -> ChecklistTemplate:
    """The current version of a checklist, given any version of it or its code."""
    if template in (None, ""):
        raise Invalid(fields={"template": [_("Choose a checklist.")]})
    code = template.code if isinstance(template, ChecklistTemplate) else str(template).strip()
    current = ChecklistTemplate.objects.filter(code=code, is_current=True).first()
    if current is None:
        raise Invalid(fields={"template": [_("No checklist “%(code)s”.") % {"code": code}]})
    return current


def _store_photo(answer: Answer, item: evidence.Checked) -> AnswerPhoto:
    """Keep a checked photo re-encoded (no EXIF/GPS, nothing after the pixels), with a thumb."""
    assert item.image is not None
    image = item.image if item.image.mode in ("RGB", "L") else item.image.convert("RGB")
    stem = item.sha256[:16]
    photo = AnswerPhoto(answer=answer, sha256=item.sha256, original_name=item.name)
    full = io.BytesIO()
    image.save(full, format="JPEG", quality=88, optimize=True)
    photo.file.save(f"{stem}.jpg", ContentFile(full.getvalue()), save=False)
    thumb = image.copy()
    thumb.thumbnail(evidence.THUMB_SIZE)
    small = io.BytesIO()
    thumb.save(small, format="JPEG", quality=80)
    photo.thumbnail.save(f"{stem}-thumb.jpg", ContentFile(small.getvalue()), save=False)
    photo.save()
    return photo


def _check_photos(photos: Sequence[Any]) -> list[evidence.Checked]:
    checked = []
    for upload in photos:
        try:
            item = evidence.check(upload)
        except Invalid as exc:
            raise Invalid(fields={"photos": exc.fields.get("file", [exc.message])}) from None
        if not item.is_image:
            raise Invalid(fields={"photos": [_("%(name)s is not a photo.") % {"name": item.name}]})
        checked.append(item)
    return checked


def default_level(item: ChecklistItem) -> str:
    """Major when the item's clause makes a hazard major, else general."""
    clause = item.clause
    return HazardLevel.MAJOR if clause is not None and clause.makes_major else HazardLevel.GENERAL


def number(answers: Iterable[Answer]) -> list[Answer]:
    """Give each answer (in item order) its position on the form as ``number``, 1, 2, 3…"""
    rows = list(answers)
    for position, a in enumerate(rows, 1):
        a.number = position  # type: ignore[attr-defined]
    return rows


def item_label(a: Answer) -> str:
    """How an item is named in messages: its number on the form and its question's start."""
    question = a.item.question if len(a.item.question) <= 30 else a.item.question[:30] + "…"
    return f"{getattr(a, 'number', a.item.order)}. {question}"


# ---------------------------------------------------------------- actions


@transaction.atomic
def start(
    *,
    by: User,
    organization: Organization,
    kind: str,
    template: ChecklistTemplate | str | None,
    date: date | None = None,
    inspectors: Sequence[User] = (),
    departments: Sequence[Organization] = (),
    cadence: str = "",
    period: DutyPeriod | None = None,
    assignment: RoundAssignment | None = None,
    summary: str = "",
) -> Inspection:
    """Start an inspection of ``organization`` with the current version of ``template``.

    Kinds: a self-inspection only by the enterprise's own staff; township,
    department, joint and unannounced inspections by government officers;
    a village patrol by village grid officers. One blank answer is made per
    item, so progress and "not answered yet" are plain queries.
    """
    if not access.org_allows(by, RESOURCE, access.ADD, organization):
        if Organization.objects.restrict(by, access.VIEW).filter(pk=organization.pk).exists():
            raise Forbidden(_("Your role may not inspect this organisation."))
        raise NotFound(_("No such organisation."))
    if kind not in InspectionKind.values:
        raise Invalid(fields={"kind": [_("Choose the kind of inspection.")]})
    roles = access.roles_on(by, RESOURCE, access.ADD, organization)
    if not roles & KIND_ROLES[kind]:
        raise Forbidden(
            _("Your role may not start a “%(kind)s” here.") % {"kind": InspectionKind(kind).label}
        )
    errors: dict[str, list[str]] = {}
    if organization.kind not in SUPERVISED_KINDS:
        errors["organization"] = [_("Only enterprises and places are inspected.")]
    try:
        current = _current_template(template)
    except Invalid as exc:
        errors.update(exc.fields)
        current = None
    if current is not None:
        if not ChecklistTemplate.objects.restrict(by, access.VIEW).filter(pk=current.pk).exists():
            errors["template"] = [_("No checklist “%(code)s”.") % {"code": current.code}]
        elif current.organization_id is not None and current.organization_id != organization.pk:
            errors["template"] = [_("This checklist is another organisation's own.")]
        elif current.region is not None and not organization.region.code.startswith(
            current.region.prefix
        ):
            errors["template"] = [_("This local checklist is not for this organisation's area.")]
        elif not current.items.exists():
            errors["template"] = [_("This checklist has no items.")]
    on = date or timezone.localdate()
    if on > timezone.localdate():
        errors["date"] = [_("An inspection cannot be dated in the future.")]
    if kind == InspectionKind.SELF:
        if cadence and cadence not in Cadence.values:
            errors["cadence"] = [_("Choose a cadence level.")]
    else:
        cadence = ""  # the cadence levels are the enterprise's own duties
    if period is not None and (
        period.duty.organization_id != organization.pk or period.state == PeriodState.DONE
    ):
        errors["period"] = [_("This duty period is not an open one of this organisation.")]
    if assignment is not None and assignment.organization_id != organization.pk:
        errors["assignment"] = [_("This planned inspection is of another organisation.")]
    bad_departments = [d for d in departments if d.kind != OrgKind.DEPARTMENT]
    if bad_departments:
        errors["departments"] = [
            _("%(name)s is not a department.") % {"name": bad_departments[0].name}
        ]
    if kind == InspectionKind.JOINT and not departments:
        errors["departments"] = [_("A joint inspection names the departments taking part.")]
    if any(not u.is_active for u in inspectors):
        errors["inspectors"] = [_("An inspector's account is disabled.")]
    if errors:
        raise Invalid(fields=errors)
    assert current is not None
    inspection = Inspection.objects.create(
        organization=organization,
        kind=kind,
        cadence=cadence or "",
        template=current,
        date=on,
        lead=by,
        period=period,
        assignment=assignment,
        summary=(summary or "").strip(),
    )
    inspection.inspectors.set({by, *inspectors})
    if departments:
        inspection.departments.set(departments)
    Answer.objects.bulk_create(
        Answer(inspection=inspection, item=item) for item in current.items.order_by("order", "id")
    )
    return inspection


@transaction.atomic
def answer(
    inspection: Inspection | int,
    item: ChecklistItem | int,
    *,
    by: User,
    result: str | None,
    note: str | None = None,
    photos: Sequence[Any] = (),
    hazard_title: str | None = None,
    hazard_level: str | None = None,
    version: int | None = None,
) -> Answer:
    """Save one answer (as the inspector goes). A fail drafts the hazard it will become:
    titled from the question and major when the item's clause makes it so, both
    editable until submitted. ``note=None`` keeps the note; photos are added."""
    insp = _lock(inspection, by, version)
    item_pk = item.pk if isinstance(item, ChecklistItem) else item
    row = (
        # of=self: the clause is an outer join, which PostgreSQL will not lock.
        Answer.objects.select_for_update(of=("self",))
        .select_related("item__clause__standard")
        .filter(inspection=insp, item_id=item_pk)
        .first()
    )
    if row is None:
        raise Invalid(fields={"item": [_("This item is not on this inspection's checklist.")]})
    it = row.item
    errors: dict[str, list[str]] = {}
    # No result sent (a note typed before choosing): keep the one saved, if any.
    result = result or row.result
    if result and result not in AnswerResult.values:
        errors["result"] = [_("Choose pass, fail or not applicable.")]
    elif result == AnswerResult.NOT_APPLICABLE and not it.allow_na:
        errors["result"] = [_("This item always applies: answer pass or fail.")]
    if result == AnswerResult.FAIL:
        title = (hazard_title if hazard_title is not None else row.hazard_title).strip()
        if hazard_title is None and not title:
            title = it.question.strip()[:200]
        if not title:
            errors["hazard_title"] = [_("Give the hazard a title.")]
        level = hazard_level if hazard_level not in (None, "") else row.hazard_level
        level = level or default_level(it)
        if level not in HazardLevel.values:
            errors["hazard_level"] = [_("Choose general or major.")]
        elif level == HazardLevel.GENERAL and default_level(it) == HazardLevel.MAJOR:
            errors["hazard_level"] = [
                _("The clause of this item (%(clause)s) makes the hazard major.")
                % {"clause": it.clause.number if it.clause else ""}
            ]
    try:
        checked = _check_photos(photos)
    except Invalid as exc:
        errors.update(exc.fields)
    if errors:
        raise Invalid(fields=errors)
    was_fail = row.result == AnswerResult.FAIL
    row.result = result
    if note is not None:
        row.note = note.strip()
    if result == AnswerResult.FAIL:
        row.hazard_title, row.hazard_level = title[:200], level
    else:
        row.hazard_title, row.hazard_level, row.merged_into = "", "", None
        if was_fail:
            # A finding that is no longer a fail takes no others with it.
            Answer.objects.filter(inspection=insp, merged_into=row).update(merged_into=None)
    if result:
        row.answered_at = timezone.now()
    row.save()
    for item_checked in checked:
        _store_photo(row, item_checked)
    _bump(insp)
    return row


@transaction.atomic
def remove_photo(photo: AnswerPhoto | int, *, by: User) -> None:
    """Take a photo off a draft's answer (taken by mistake)."""
    pk = photo.pk if isinstance(photo, AnswerPhoto) else int(photo)
    visible = Inspection.objects.restrict(by, access.VIEW)
    row = (
        AnswerPhoto.objects.filter(pk=pk, answer__inspection__in=visible)
        .select_related("answer")
        .first()
    )
    if row is None:
        raise NotFound(_("No such photo."))
    insp = _lock(row.answer.inspection_id, by)
    row.file.delete(save=False)
    if row.thumbnail:
        row.thumbnail.delete(save=False)
    row.delete()
    _bump(insp)


@transaction.atomic
def merge(
    answer: Answer | int,
    into_answer: Answer | int | None,
    *,
    by: User,
    version: int | None = None,
) -> Answer:
    """Report two failed items as one hazard: ``answer`` joins ``into_answer``'s finding.

    ``into_answer=None`` separates ``answer`` again. Those merged into
    ``answer`` follow it, so a finding is never a chain.
    """
    pk = answer.pk if isinstance(answer, Answer) else int(answer)
    visible = Inspection.objects.restrict(by, access.VIEW)
    row = Answer.objects.filter(pk=pk, inspection__in=visible).first()
    if row is None:
        raise NotFound(_("No such answer."))
    insp = _lock(row.inspection_id, by, version)
    row = Answer.objects.select_for_update().get(pk=pk)
    if into_answer is None:
        row.merged_into = None
        row.save(update_fields=["merged_into"])
        _bump(insp)
        return row
    into_pk = into_answer.pk if isinstance(into_answer, Answer) else int(into_answer)
    target = Answer.objects.select_for_update().filter(pk=into_pk, inspection=insp).first()
    if target is None:
        raise Invalid(fields={"into": [_("Choose a finding of this inspection.")]})
    if target.merged_into_id:
        target = Answer.objects.select_for_update().get(pk=target.merged_into_id)
    if row.result != AnswerResult.FAIL or target.result != AnswerResult.FAIL:
        raise Invalid(fields={"into": [_("Only failed items are merged into one hazard.")]})
    if target.pk == row.pk:
        raise Invalid(fields={"into": [_("An item cannot be merged into itself.")]})
    Answer.objects.filter(inspection=insp, merged_into=row).update(merged_into=target)
    row.merged_into = target
    row.save(update_fields=["merged_into"])
    if row.hazard_level == HazardLevel.MAJOR and target.hazard_level != HazardLevel.MAJOR:
        # One hazard: major if any of its items is.
        target.hazard_level = HazardLevel.MAJOR
        target.save(update_fields=["hazard_level"])
    _bump(insp)
    return row


def parse_signature(data_url: str) -> bytes:
    """A canvas PNG (``data:image/png;base64,…``) checked with Pillow and re-encoded."""
    data_url = (data_url or "").strip()
    if not data_url:
        raise Invalid(fields={"signature": [_("Sign in the box first.")]})
    if not data_url.startswith(SIGNATURE_PREFIX):
        raise Invalid(fields={"signature": [_("The signature must be a PNG image.")]})
    encoded = data_url[len(SIGNATURE_PREFIX) :]
    if len(encoded) > SIGNATURE_MAX_BYTES * 4 // 3 + 4:
        raise Invalid(fields={"signature": [_("The signature image is too large.")]})
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise Invalid(fields={"signature": [_("The signature image is damaged.")]}) from None
    if len(raw) > SIGNATURE_MAX_BYTES:
        raise Invalid(fields={"signature": [_("The signature image is too large.")]})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as probe:
                if probe.format != "PNG":
                    raise Invalid(fields={"signature": [_("The signature must be a PNG image.")]})
                if max(probe.size) > SIGNATURE_MAX_SIDE or min(probe.size) < 20:
                    raise Invalid(fields={"signature": [_("The signature image has a bad size.")]})
                probe.verify()
            image = Image.open(io.BytesIO(raw))
            image.load()
    except Invalid:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):  # fmt: skip
        raise Invalid(fields={"signature": [_("The signature image is damaged.")]}) from None
    rgba = image.convert("RGBA")
    if rgba.getchannel("A").getextrema()[1] == 0:
        raise Invalid(fields={"signature": [_("The signature box is empty: sign first.")]})
    # Onto white: the record prints it, and a re-encode keeps only the pixels.
    flat = Image.new("RGB", rgba.size, (255, 255, 255))
    flat.paste(rgba, mask=rgba.getchannel("A"))
    out = io.BytesIO()
    flat.save(out, format="PNG", optimize=True)
    return out.getvalue()


@transaction.atomic
def sign(
    inspection: Inspection | int,
    *,
    by: User,
    signer_name: str,
    png_data_url: str,
    version: int | None = None,
) -> Inspection:
    """The inspected party's representative signs on the screen (a PNG from a canvas)."""
    insp = _lock(inspection, by, version)
    errors: dict[str, list[str]] = {}
    name = (signer_name or "").strip()
    if not name:
        errors["signer_name"] = [_("Give the name of the person signing.")]
    elif len(name) > 50:
        errors["signer_name"] = [_("The name is at most 50 characters.")]
    png = b""
    try:
        png = parse_signature(png_data_url)
    except Invalid as exc:
        errors.update(exc.fields)
    if errors:
        raise Invalid(fields=errors)
    if insp.signature:
        insp.signature.delete(save=False)
    insp.signer_name = name
    insp.signature.save(f"inspection-{insp.pk}.png", ContentFile(png), save=False)
    _bump(insp, ["signer_name", "signature"])
    return insp


def _found_at(on: date) -> datetime:
    if on >= timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.combine(on, time(12, 0)))


def findings(answers: Sequence[Answer]) -> list[list[Answer]]:
    """The failed answers as the hazards they will be: each finding first, then those merged in."""
    fails = [a for a in answers if a.result == AnswerResult.FAIL]
    roots = [a for a in fails if a.merged_into_id is None]
    ids = {a.pk for a in roots}
    groups = {a.pk: [a] for a in roots}
    for a in fails:
        if a.merged_into_id in ids:
            groups[a.merged_into_id].append(a)
        elif a.merged_into_id is not None:
            # Merged into an answer that is no longer a fail: it stands alone again.
            groups[a.pk] = [a]
    return list(groups.values())


def group_level(group: Sequence[Answer]) -> str:
    if any(a.hazard_level == HazardLevel.MAJOR or default_level(a.item) == HazardLevel.MAJOR
           for a in group):  # fmt: skip
        return HazardLevel.MAJOR
    return HazardLevel.GENERAL


@transaction.atomic
def submit(
    inspection: Inspection | int,
    *,
    by: User,
    summary: str | None = None,
    version: int | None = None,
) -> Inspection:
    """Submit: every item answered, photos where a fail needs one; then each finding
    becomes a hazard in ``reported`` (linked to its items and clause), the inspection
    becomes read-only, and its duty period, if any, is done. All or nothing."""
    insp = _lock(inspection, by, version)
    answers = number(
        Answer.objects.filter(inspection=insp)
        .select_related("item__clause__standard", "item__category", "item__measure__point")
        .prefetch_related("photos")
        .order_by("item__order", "item_id")
    )
    missing = [a for a in answers if not a.result]
    if missing:
        labels = "; ".join(item_label(a) for a in missing[:10])
        more = len(missing) - 10
        message = _("%(n)d items are not answered yet: %(items)s") % {
            "n": len(missing),
            "items": labels + (f" (+{more})" if more > 0 else ""),
        }
        raise Invalid(fields={"answers": [message]})
    no_photo = [
        a
        for a in answers
        if a.result == AnswerResult.FAIL and a.item.photo_required_on_fail and not a.photos.all()
    ]
    if no_photo:
        labels = "; ".join(item_label(a) for a in no_photo[:10])
        raise Invalid(
            fields={"photos": [_("A failed item needs a photo: %(items)s") % {"items": labels}]}
        )
    if not answers:
        raise Invalid(fields={"answers": [_("This inspection has no items.")]})
    other = Category.objects.filter(code="other").first()
    finders = ", ".join(u.get_full_name() for u in insp.inspectors.all())[:100]
    found_at = _found_at(insp.date)
    source = KIND_SOURCE[InspectionKind(insp.kind)]
    for group in findings(answers):
        root = group[0]
        # The clause that decides the level: a major one if any item has one.
        # ... as the version of its standard in force on the inspection's date words it.
        clauses = [a.item.clause.in_force_on(insp.date) for a in group if a.item.clause]
        clause = next((c for c in clauses if c.makes_major), clauses[0] if clauses else None)
        description = "\n\n".join(
            "\n".join(part for part in (a.item.question.strip(), a.note.strip()) if part)
            for a in group
        )
        photos = []
        for a in group:
            for p in a.photos.all():
                with p.file.open("rb") as handle:
                    photos.append(
                        SimpleUploadedFile(
                            p.original_name or "photo.jpg", handle.read(), "image/jpeg"
                        )
                    )
        # A failed check of a risk control measure: the hazard is at that risk point.
        points = [
            a.item.measure.point
            for a in group
            if a.item.measure is not None
            and a.item.measure.point.organization_id == insp.organization_id
        ]
        hazard: Hazard = hazard_actions.report(
            by=insp.lead,
            organization=insp.organization,
            title=root.hazard_title or root.item.question[:200],
            description=description,
            # None (no category seeded) is refused by report() as a missing category.
            category=cast(Category, root.item.category or other),
            level=group_level(group),
            source=source,
            finder=finders,
            found_at=found_at,
            standard_clause=clause,
            photos=photos,
            risk_point=points[0] if points else None,
        )
        Answer.objects.filter(pk__in=[a.pk for a in group]).update(hazard=hazard)
    insp.state = InspectionState.SUBMITTED
    insp.submitted_at = timezone.now()
    if summary is not None:
        insp.summary = summary.strip()
    _bump(insp, ["state", "submitted_at", "summary"])
    if insp.period_id:
        period = DutyPeriod.objects.select_for_update().get(pk=insp.period_id)
        period.state = PeriodState.DONE
        period.inspection = insp
        period.save(update_fields=["state", "inspection"])
    # A self-inspection at a cadence level also fulfils the due periods it falls in.
    cadence_periods.mark_done_for(insp)
    return insp


__all__ = [
    "answer",
    "findings",
    "kinds_for",
    "may_edit",
    "merge",
    "number",
    "remove_photo",
    "sign",
    "start",
    "submit",
]

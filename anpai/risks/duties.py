"""Inspection duties generated from control measures (风险管控措施的排查任务).

A control measure that is checked regularly (``check_cadence``) by someone
(``check_user``) is one item to check. Per organisation and cadence, the
measures of that cadence make one organisation-own checklist, code
``risk-<organisation id>-<cadence>``; per organisation, cadence and checker
there is one active :class:`~anpai.inspections.models.InspectionDuty` with that
checklist. :func:`sync` brings checklists and duties in step with the measures:

* a new checklist version only when its items change (inspections keep the
  version they were answered against);
* a new duty for each new (cadence, checker), with its periods;
* a duty no longer backed by any measure is stopped (its past periods stay).

It runs after every change to measures (see :mod:`anpai.risks.actions`) as the
system, not as a user: the user's right to change the measures was checked
there. Running it again changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anpai.inspections import cadence as cadence_periods
from anpai.inspections.choices import Cadence
from anpai.inspections.models import ChecklistItem, ChecklistTemplate, InspectionDuty
from anpai.orgs.models import Organization
from anpai.risks.models import ControlMeasure

# The notice's short names (季查/月查/旬查/周查/日查), for the checklists' names.
CADENCE_SHORT = {
    Cadence.QUARTERLY: gettext_lazy("quarterly check"),
    Cadence.MONTHLY: gettext_lazy("monthly check"),
    Cadence.TEN_DAY: gettext_lazy("ten-day check"),
    Cadence.WEEKLY: gettext_lazy("weekly check"),
    Cadence.DAILY: gettext_lazy("daily check"),
}
ORDER_STEP = 10

Signature = tuple[tuple[Any, ...], ...]


def checklist_code(organization_id: int, cadence: str) -> str:
    """The code of an organisation's generated checklist for one cadence."""
    return f"risk-{organization_id}-{cadence}"


def checklist_codes(organization_id: int) -> dict[str, str]:
    """Every cadence → its generated checklist's code, for one organisation."""
    return {c: checklist_code(organization_id, c) for c in Cadence.values}


def _measures(organization_id: int) -> list[ControlMeasure]:
    """The measures that are checked: active, on an active point, with a cadence and a checker."""
    return list(
        ControlMeasure.objects.filter(
            point__organization_id=organization_id,
            point__is_active=True,
            is_active=True,
            check_user__isnull=False,
            check_user__is_active=True,
        )
        .exclude(check_cadence="")
        .select_related("point")
        .order_by("point__code", "point__id", "position", "id")
    )


def _rows(measures: list[ControlMeasure]) -> list[dict[str, Any]]:
    """The checklist items the measures make, in order: one per measure."""
    return [
        {
            "order": index * ORDER_STEP,
            "section": m.point.name[:100],
            "question": m.text,
            "guidance": m.point.location,
            "measure_id": m.pk,
            "allow_na": True,
            "photo_required_on_fail": True,
        }
        for index, m in enumerate(measures, start=1)
    ]


def _signature(rows: list[dict[str, Any]]) -> Signature:
    return tuple(
        (r["measure_id"], r["section"], r["question"], r["guidance"], r["photo_required_on_fail"])
        for r in rows
    )


def _current_signature(template: ChecklistTemplate) -> Signature:
    return tuple(
        (i.measure_id, i.section, i.question, i.guidance, i.photo_required_on_fail)
        for i in template.items.order_by("order", "id")
    )


def _names(organization: Organization, cadence: str) -> tuple[str, str]:
    """Name and description, in the product's language (stored data, not the reader's)."""
    with translation.override(settings.LANGUAGE_CODE):
        name = _("Risk control checks (%(cadence)s)") % {"cadence": CADENCE_SHORT[Cadence(cadence)]}
        description = _(
            "Generated from the control measures of %(org)s's risk points that are checked "
            "at this cadence; it changes when the measures change."
        ) % {"org": organization.name}
    return name, description


def _checklist(
    organization: Organization, cadence: str, rows: list[dict[str, Any]]
) -> tuple[ChecklistTemplate, bool]:
    """The current checklist of ``cadence`` with ``rows`` as items; True when a version was made.

    The same items: the current version is kept. Other items: version + 1, and
    the earlier version stays as it was (inspections that used it keep it).
    """
    code = checklist_code(organization.pk, cadence)
    current = (
        ChecklistTemplate.objects.select_for_update().filter(code=code, is_current=True).first()
    )
    if current is not None and _current_signature(current) == _signature(rows):
        return current, False
    if current is not None:
        # save(), not update(): the audit trail records which version stopped being current.
        current.is_current = False
        current.save(update_fields=["is_current"])
        version = current.version + 1
    else:
        latest = ChecklistTemplate.objects.filter(code=code).aggregate(v=Max("version"))["v"]
        version = (latest or 0) + 1
    name, description = _names(organization, cadence)
    template = ChecklistTemplate.objects.create(
        code=code,
        version=version,
        is_current=True,
        name=name,
        description=description,
        is_shipped=False,
        region=organization.region,
        organization=organization,
    )
    ChecklistItem.objects.bulk_create(ChecklistItem(template=template, **row) for row in rows)
    return template, True


@transaction.atomic
def sync(organization_id: int) -> dict[str, int]:
    """Bring the organisation's generated checklists and duties in step with its measures.

    Returns counts: ``versions`` (checklist versions made), ``created`` and
    ``deactivated`` (duties). Idempotent: a second run returns zeros.
    """
    organization = (
        Organization.objects.select_for_update()  # one sync per organisation at a time
        .select_related("region")
        .filter(pk=organization_id)
        .first()
    )
    if organization is None:
        return {"versions": 0, "created": 0, "deactivated": 0}
    by_cadence: dict[str, list[ControlMeasure]] = defaultdict(list)
    for measure in _measures(organization.pk):
        by_cadence[measure.check_cadence].append(measure)
    versions = 0
    wanted: set[tuple[str, int]] = set()
    for cadence, measures in by_cadence.items():
        _template, made = _checklist(organization, cadence, _rows(measures))
        versions += made
        wanted |= {(cadence, m.check_user_id) for m in measures if m.check_user_id}
    # A cadence without measures keeps its last checklist version (inspections may use
    # it); its duties stop below.
    codes = checklist_codes(organization.pk)
    existing = InspectionDuty.objects.select_for_update().filter(
        organization=organization, is_active=True, template_code__in=list(codes.values())
    )
    have: set[tuple[str, int]] = set()
    deactivated = 0
    for duty in existing:
        key = (duty.cadence, duty.person_id)
        if key not in wanted or key in have or duty.template_code != codes[duty.cadence]:
            cadence_periods.deactivate(duty)
            deactivated += 1
            continue
        have.add(key)
    new = [
        InspectionDuty.objects.create(
            organization=organization,
            cadence=cadence,
            person_id=person_id,
            template_code=codes[cadence],
        )
        for cadence, person_id in sorted(wanted - have)
    ]
    if new:
        cadence_periods.ensure_periods(duties=new)
    return {"versions": versions, "created": len(new), "deactivated": deactivated}

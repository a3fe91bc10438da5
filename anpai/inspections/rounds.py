"""Government inspection rounds: choosing whom to inspect, the 双随机 draw, completion.

A round is planned by the township (or a department): organisations are picked
by criteria (industry, village, flags, open major hazards as a risk proxy) or
drawn at random together with their inspectors (双随机: random organisations,
random inspectors from a pool). The draw is a pure function of its record —
sorted candidate ids, sorted pool ids, counts and seed — so anyone can repeat
it from the round's ``draw`` JSON and see the same picks (:func:`verify`).
"""

from __future__ import annotations

import random
import secrets
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from anpai.core import access
from anpai.core.errors import Forbidden, Invalid
from anpai.inspections.choices import InspectionState
from anpai.inspections.models import (
    ChecklistTemplate,
    Inspection,
    InspectionRound,
    RoundAssignment,
)
from anpai.orgs.choices import OrgStatus
from anpai.orgs.models import Organization
from anpai.people.choices import Role
from anpai.people.models import Membership, User

RESOURCE = "inspections.inspectionround"
# Written into every draw record, so a reader knows how to repeat it.
METHOD = (
    "python random.Random(seed); organizations = sample(sorted(candidates), n_orgs); "
    "then for each picked organization in that order, inspectors = "
    "sample(sorted(inspector_pool), per_org)"
)
# Who may be drawn as an inspector: government staff who inspect.
INSPECTOR_ROLES = (Role.TOWNSHIP_OFFICER, Role.TOWNSHIP_LEADER, Role.DEPT_OFFICER)
FLAG_FIELDS = ("is_key", "is_crowded", "is_sensitive", "is_mixed")
SEED_BITS = 48


def new_seed() -> int:
    """A fresh seed for a draw, shown on screen before the draw is saved."""
    return secrets.randbits(SEED_BITS)


def draw(
    candidates: list[int], inspector_pool: list[int], n_orgs: int, per_org: int, seed: int
) -> list[dict[str, Any]]:
    """The 双随机 draw: ``n_orgs`` organisations and ``per_org`` inspectors for each.

    Deterministic in its arguments: the ids are sorted first, so the order in
    which they were listed does not matter, then ``random.Random(seed)`` picks.
    Returns ``[{"organization": id, "inspectors": [ids]}, …]`` in drawn order.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducibility, not secrecy, is the point
    orgs = sorted(set(candidates))
    pool = sorted(set(inspector_pool))
    picked = rng.sample(orgs, min(n_orgs, len(orgs)))
    return [
        {"organization": org, "inspectors": sorted(rng.sample(pool, min(per_org, len(pool))))}
        for org in picked
    ]


def draw_record(
    candidates: list[int], inspector_pool: list[int], n_orgs: int, per_org: int, seed: int
) -> dict[str, Any]:
    """Everything needed to repeat a draw, and its result, as stored in ``InspectionRound.draw``."""
    return {
        "method": METHOD,
        "seed": seed,
        "candidates": sorted(set(candidates)),
        "inspector_pool": sorted(set(inspector_pool)),
        "n_orgs": n_orgs,
        "per_org": per_org,
        "picks": draw(candidates, inspector_pool, n_orgs, per_org, seed),
    }


def verify(record: dict[str, Any]) -> bool:
    """Whether re-running the draw from its record gives the recorded picks."""
    try:
        again = draw(
            list(record["candidates"]),
            list(record["inspector_pool"]),
            int(record["n_orgs"]),
            int(record["per_org"]),
            int(record["seed"]),
        )
    except (KeyError, TypeError, ValueError):
        return False
    return again == record.get("picks")


# ---------------------------------------------------------------- selection


def candidates(user, criteria: dict[str, Any]) -> QuerySet[Organization]:
    """Operating enterprises and places within the user's scope matching ``criteria``.

    ``criteria``: ``industries`` (ids), ``villages`` (region ids), ``flags``
    (names of the flag fields, all required), ``kinds``, ``min_major`` (open
    major hazards at least — the risk proxy until risk grading exists).
    """
    from anpai.hazards.choices import OPEN_STATES, HazardLevel

    qs = Organization.objects.restrict(user, access.VIEW).filter(
        kind__in=criteria.get("kinds") or ["enterprise", "place"], status=OrgStatus.OPERATING
    )
    if criteria.get("industries"):
        qs = qs.filter(
            Exists(
                Organization.industries.through.objects.filter(
                    organization_id=OuterRef("pk"), industry_id__in=criteria["industries"]
                )
            )
        )
    if criteria.get("villages"):
        qs = qs.filter(region_id__in=criteria["villages"])
    for flag in criteria.get("flags") or ():
        if flag in FLAG_FIELDS:
            qs = qs.filter(**{flag: True})
    min_major = int(criteria.get("min_major") or 0)
    if min_major:
        qs = qs.annotate(
            open_major=Count(
                "hazards",
                filter=Q(hazards__level=HazardLevel.MAJOR, hazards__state__in=OPEN_STATES),
            )
        ).filter(open_major__gte=min_major)
    return qs.order_by("pk")


def inspector_choices(user) -> QuerySet[User]:
    """Government staff who may be drawn: inspecting roles in organisations in the user's scope."""
    orgs = Organization.objects.restrict(user, access.VIEW)
    ids = Membership.objects.filter(role__in=INSPECTOR_ROLES, organization__in=orgs).values(
        "user_id"
    )
    return User.objects.filter(pk__in=ids, is_active=True).order_by("full_name", "pk")


def planning_orgs(user) -> list[Organization]:
    """The organisations the user may plan rounds for: their own, where their role allows."""
    allowed = {
        g.org_id
        for g in access.grants(user)
        if access.ADD in access.POLICY[RESOURCE].get(g.role, ())
    }
    return list(Organization.objects.filter(pk__in=allowed).order_by("name"))


def spread_dates(starts_on: date, ends_on: date, n: int) -> list[date]:
    """``n`` planned dates spread evenly over the round, in order."""
    span = max((ends_on - starts_on).days, 0)
    return [
        starts_on + timedelta(days=(i * span) // max(n - 1, 1) if n > 1 else 0) for i in range(n)
    ]


@transaction.atomic
def plan_round(
    *,
    by,
    organization: Organization,
    name: str,
    kind: str,
    template: ChecklistTemplate | None,
    starts_on: date,
    ends_on: date,
    criteria: dict[str, Any],
    organizations: list[int] | None = None,
    inspectors: list[int] | None = None,
    is_random: bool = False,
    n_orgs: int = 0,
    per_org: int = 0,
    seed: int | None = None,
) -> InspectionRound:
    """Create a round and its assignments.

    Without a draw, every organisation in ``organizations`` (or, when None,
    every candidate matching ``criteria``) is assigned, each to all of
    ``inspectors``. With ``is_random``, the 双随机 draw picks ``n_orgs`` of the
    candidates and ``per_org`` inspectors from ``inspectors`` for each, and the
    round keeps the whole record. Candidates are restricted to ``by``'s scope.
    """
    if organization.pk not in {o.pk for o in planning_orgs(by)}:
        raise Forbidden(_("You may not plan inspection rounds for this organisation."))
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Give the round a name.")]
    if ends_on < starts_on:
        errors["ends_on"] = [_("The round cannot end before it starts.")]
    pool_ids = sorted(set(inspectors or ()))
    allowed_pool = set(inspector_choices(by).filter(pk__in=pool_ids).values_list("pk", flat=True))
    if set(pool_ids) - allowed_pool:
        errors["inspectors"] = [_("Some inspectors are not government staff in your scope.")]
    candidate_ids = list(candidates(by, criteria).values_list("pk", flat=True))
    if organizations is not None:
        unknown = set(organizations) - set(candidate_ids)
        if unknown:
            errors["organizations"] = [
                _("Some organisations do not match or are outside your scope.")
            ]
        candidate_ids = sorted(set(organizations) & set(candidate_ids))
    if not candidate_ids and "organizations" not in errors:
        errors["criteria"] = [_("No organisation matches these criteria.")]
    record: dict[str, Any] = {}
    if is_random:
        if n_orgs < 1:
            errors["n_orgs"] = [_("Draw at least one organisation.")]
        if per_org < 1:
            errors["per_org"] = [_("Draw at least one inspector per organisation.")]
        elif per_org > len(pool_ids):
            errors["per_org"] = [
                _("The pool has %(n)d inspectors; it cannot give %(k)d per organisation.")
                % {"n": len(pool_ids), "k": per_org}
            ]
        if seed is None:
            seed = new_seed()
        if not 0 <= seed < 2**63:
            errors["seed"] = [_("The seed must be a whole number from 0 to 2⁶³−1.")]
    if errors:
        raise Invalid(_("The round was not saved."), fields=errors)
    if is_random and seed is not None:
        record = draw_record(candidate_ids, pool_ids, n_orgs, per_org, seed)
        picks = record["picks"]
    else:
        picks = [{"organization": pk, "inspectors": pool_ids} for pk in candidate_ids]
    rnd = InspectionRound.objects.create(
        organization=organization,
        name=name.strip(),
        kind=kind,
        template=template,
        starts_on=starts_on,
        ends_on=ends_on,
        criteria=criteria,
        is_random=is_random,
        seed=seed if is_random else None,
        draw=record,
        created_by=by,
    )
    create_assignments(rnd, picks)
    return rnd


def create_assignments(rnd: InspectionRound, picks: list[dict[str, Any]]) -> list[RoundAssignment]:
    """One assignment per pick, with planned dates spread over the round (bulk inserts)."""
    dates = spread_dates(rnd.starts_on, rnd.ends_on, len(picks))
    made = RoundAssignment.objects.bulk_create(
        RoundAssignment(round=rnd, organization_id=pick["organization"], planned_on=day)
        for pick, day in zip(picks, dates, strict=True)
    )
    through = RoundAssignment.inspectors.through
    through.objects.bulk_create(
        through(roundassignment_id=a.pk, user_id=uid)
        for a, pick in zip(made, picks, strict=True)
        for uid in pick["inspectors"]
    )
    return made


def with_progress(rounds: QuerySet[InspectionRound]) -> QuerySet[InspectionRound]:
    """Rounds annotated with ``planned`` and ``completed`` assignment counts, in the same query."""
    submitted = Inspection.objects.filter(
        assignment_id=OuterRef("pk"), state=InspectionState.SUBMITTED
    )
    done_ids = RoundAssignment.objects.filter(Exists(submitted)).values("pk")
    return rounds.annotate(
        planned=Count("assignments", distinct=True),
        completed=Count("assignments", filter=Q(assignments__in=done_ids), distinct=True),
    )


def verify_round(rnd: InspectionRound) -> tuple[bool, bool]:
    """(the draw repeats from its record, the round's assignments are the recorded picks)."""
    record = rnd.draw or {}
    repeats = verify(record)
    planned = {
        a.organization_id: sorted(u.pk for u in a.inspectors.all())
        for a in rnd.assignments.prefetch_related("inspectors")
    }
    recorded = {p["organization"]: sorted(p["inspectors"]) for p in record.get("picks", [])}
    return repeats, planned == recorded

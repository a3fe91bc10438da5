"""Access policy: which role may do what, and over which organisations.

Two tables decide everything:

* ``POLICY[resource][role]`` — the actions a role may take on a resource
  (``view``, ``add``, ``change``, ``delete``, ``export``, ``import`` …);
* ``ROLE_SCOPE[role]`` — over which organisations a membership in that role
  reaches: the region subtree of the member's organisation (township staff,
  village grid officers, the county, administrators), the industries a
  department supervises in its township, or the member's own organisation.

:func:`scope_q` turns a user's memberships into one ``Q`` over a model's path
to its organisation; :class:`anpai.core.querysets.RestrictedQuerySet` applies
it. Nothing else in the code base decides who sees what.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import Exists, OuterRef, Q

from anpai.people.choices import Role

REGION = "region"
SUPERVISED = "supervised"
OWN = "own"

ROLE_SCOPE: dict[str, str] = {
    Role.TOWNSHIP_LEADER: REGION,
    Role.TOWNSHIP_OFFICER: REGION,
    Role.DEPT_OFFICER: SUPERVISED,
    Role.VILLAGE_OFFICER: REGION,
    Role.ENT_PRINCIPAL: OWN,
    Role.ENT_SAFETY: OWN,
    Role.ENT_DEPT_HEAD: OWN,
    Role.ENT_TEAM_LEADER: OWN,
    Role.ENT_EMPLOYEE: OWN,
    Role.COUNTY_VIEWER: REGION,
    Role.SYS_ADMIN: REGION,
    Role.SEC_ADMIN: REGION,
    Role.AUDIT_ADMIN: REGION,
}

VIEW = "view"
ADD = "add"
CHANGE = "change"
DELETE = "delete"
EXPORT = "export"
IMPORT = "import"

R = Role
POLICY: dict[str, dict[str, frozenset[str]]] = {
    "orgs.organization": {
        R.TOWNSHIP_LEADER: frozenset({VIEW, EXPORT}),
        R.TOWNSHIP_OFFICER: frozenset({VIEW, ADD, CHANGE, EXPORT, IMPORT}),
        R.DEPT_OFFICER: frozenset({VIEW, EXPORT}),
        R.VILLAGE_OFFICER: frozenset({VIEW, ADD, CHANGE, EXPORT}),
        R.ENT_PRINCIPAL: frozenset({VIEW}),
        R.ENT_SAFETY: frozenset({VIEW}),
        R.ENT_DEPT_HEAD: frozenset({VIEW}),
        R.ENT_TEAM_LEADER: frozenset({VIEW}),
        R.ENT_EMPLOYEE: frozenset({VIEW}),
        R.COUNTY_VIEWER: frozenset({VIEW, EXPORT}),
        R.SYS_ADMIN: frozenset({VIEW, ADD, CHANGE, DELETE, EXPORT, IMPORT}),
        R.SEC_ADMIN: frozenset({VIEW}),
    },
    "orgs.supervision": {
        R.TOWNSHIP_LEADER: frozenset({VIEW}),
        R.TOWNSHIP_OFFICER: frozenset({VIEW, ADD, CHANGE, DELETE}),
        R.DEPT_OFFICER: frozenset({VIEW}),
        R.COUNTY_VIEWER: frozenset({VIEW}),
        R.SYS_ADMIN: frozenset({VIEW, ADD, CHANGE, DELETE}),
    },
    "people.user": {
        R.TOWNSHIP_LEADER: frozenset({VIEW}),
        R.TOWNSHIP_OFFICER: frozenset({VIEW}),
        R.SYS_ADMIN: frozenset({VIEW, ADD, CHANGE}),
        R.SEC_ADMIN: frozenset({VIEW}),
    },
    "people.membership": {
        R.TOWNSHIP_LEADER: frozenset({VIEW}),
        R.TOWNSHIP_OFFICER: frozenset({VIEW}),
        R.SYS_ADMIN: frozenset({VIEW}),
        R.SEC_ADMIN: frozenset({VIEW, ADD, CHANGE, DELETE}),
    },
    # Hazards: each workflow step is an action of its own (see hazards/actions.py,
    # which adds the rules that depend on the hazard: level, reporter, rectifier).
    "hazards.hazard": {
        R.TOWNSHIP_LEADER: frozenset({VIEW, ADD, EXPORT, "supervise"}),
        R.TOWNSHIP_OFFICER: frozenset(
            {
                VIEW,
                ADD,
                EXPORT,
                IMPORT,
                "grade",
                "assign",
                "rectify",
                "verify",
                "void",
                "decide_extension",
                "supervise",
                "attach",
            }
        ),
        R.DEPT_OFFICER: frozenset({VIEW, ADD, EXPORT, "assign", "verify", "attach"}),
        R.VILLAGE_OFFICER: frozenset({VIEW, ADD, EXPORT, "rectify", "verify", "void", "attach"}),
        R.ENT_PRINCIPAL: frozenset(
            {VIEW, ADD, EXPORT, "assign", "rectify", "verify", "extend", "void", "attach"}
        ),
        R.ENT_SAFETY: frozenset(
            {
                VIEW,
                ADD,
                EXPORT,
                IMPORT,
                "grade",
                "assign",
                "rectify",
                "verify",
                "extend",
                "void",
                "attach",
            }
        ),
        R.ENT_DEPT_HEAD: frozenset({VIEW, ADD, "rectify", "extend", "void", "attach"}),
        R.ENT_TEAM_LEADER: frozenset({VIEW, ADD, "rectify", "void", "attach"}),
        R.ENT_EMPLOYEE: frozenset({VIEW, ADD, "void", "attach"}),
        R.COUNTY_VIEWER: frozenset({VIEW, EXPORT}),
    },
    # Inspections (排查): self-inspections by the enterprise, government and village
    # inspections by their officers; "change" covers answering and submitting.
    "inspections.inspection": {
        R.TOWNSHIP_LEADER: frozenset({VIEW, EXPORT}),
        R.TOWNSHIP_OFFICER: frozenset({VIEW, ADD, CHANGE, EXPORT}),
        R.DEPT_OFFICER: frozenset({VIEW, ADD, CHANGE, EXPORT}),
        R.VILLAGE_OFFICER: frozenset({VIEW, ADD, CHANGE, EXPORT}),
        R.ENT_PRINCIPAL: frozenset({VIEW, ADD, CHANGE, EXPORT}),
        R.ENT_SAFETY: frozenset({VIEW, ADD, CHANGE, EXPORT}),
        R.ENT_DEPT_HEAD: frozenset({VIEW, ADD, CHANGE}),
        R.ENT_TEAM_LEADER: frozenset({VIEW, ADD, CHANGE}),
        R.ENT_EMPLOYEE: frozenset({VIEW}),
        R.COUNTY_VIEWER: frozenset({VIEW, EXPORT}),
    },
    "inspections.inspectionduty": {
        R.TOWNSHIP_LEADER: frozenset({VIEW, EXPORT}),
        R.TOWNSHIP_OFFICER: frozenset({VIEW, EXPORT}),
        R.DEPT_OFFICER: frozenset({VIEW}),
        R.VILLAGE_OFFICER: frozenset({VIEW}),
        R.ENT_PRINCIPAL: frozenset({VIEW, ADD, CHANGE, DELETE}),
        R.ENT_SAFETY: frozenset({VIEW, ADD, CHANGE, DELETE}),
        R.ENT_DEPT_HEAD: frozenset({VIEW}),
        R.ENT_TEAM_LEADER: frozenset({VIEW}),
        R.ENT_EMPLOYEE: frozenset({VIEW}),
        R.COUNTY_VIEWER: frozenset({VIEW, EXPORT}),
    },
    "inspections.inspectionround": {
        R.TOWNSHIP_LEADER: frozenset({VIEW}),
        R.TOWNSHIP_OFFICER: frozenset({VIEW, ADD, CHANGE}),
        R.DEPT_OFFICER: frozenset({VIEW, ADD, CHANGE}),
        R.COUNTY_VIEWER: frozenset({VIEW}),
    },
    # Local standards and checklists: written by township staff for their area;
    # shipped national ones are read-only for everyone (see StandardQuerySet).
    "standards.standard": {
        R.TOWNSHIP_OFFICER: frozenset({VIEW, ADD, CHANGE}),
    },
    "inspections.checklisttemplate": {
        R.TOWNSHIP_OFFICER: frozenset({VIEW, ADD, CHANGE, IMPORT, EXPORT}),
        R.ENT_SAFETY: frozenset({VIEW, EXPORT}),
    },
    # Dual prevention (双重预防): the enterprise identifies, assesses and controls its
    # risk points; government staff read them (and the township sets the scheme).
    "risks.riskpoint": {
        R.TOWNSHIP_LEADER: frozenset({VIEW, EXPORT}),
        R.TOWNSHIP_OFFICER: frozenset({VIEW, ADD, CHANGE, EXPORT, "assess"}),
        R.DEPT_OFFICER: frozenset({VIEW, EXPORT}),
        R.VILLAGE_OFFICER: frozenset({VIEW, EXPORT}),
        R.ENT_PRINCIPAL: frozenset({VIEW, ADD, CHANGE, EXPORT, "assess"}),
        R.ENT_SAFETY: frozenset({VIEW, ADD, CHANGE, EXPORT, "assess"}),
        R.ENT_DEPT_HEAD: frozenset({VIEW, EXPORT}),
        R.ENT_TEAM_LEADER: frozenset({VIEW}),
        R.ENT_EMPLOYEE: frozenset({VIEW}),
        R.COUNTY_VIEWER: frozenset({VIEW, EXPORT}),
    },
    "risks.riskscheme": {
        R.TOWNSHIP_OFFICER: frozenset({VIEW, CHANGE}),
    },
    # Hazardous-work permits (特殊作业票): the enterprise applies, signs its approval
    # chain (actions.py checks the step's roles) and runs the work ("work": measures,
    # briefing, gas analyses, start, pause, resume, complete); government reads them.
    "permits.permit": {
        R.TOWNSHIP_LEADER: frozenset({VIEW, EXPORT}),
        R.TOWNSHIP_OFFICER: frozenset({VIEW, EXPORT}),
        R.DEPT_OFFICER: frozenset({VIEW, EXPORT}),
        R.VILLAGE_OFFICER: frozenset({VIEW}),
        R.ENT_PRINCIPAL: frozenset({VIEW, ADD, CHANGE, EXPORT, "approve", "work", "cancel"}),
        R.ENT_SAFETY: frozenset({VIEW, ADD, CHANGE, EXPORT, "approve", "work", "cancel"}),
        R.ENT_DEPT_HEAD: frozenset({VIEW, ADD, CHANGE, "approve", "work", "cancel"}),
        R.ENT_TEAM_LEADER: frozenset({VIEW, ADD, CHANGE, "work"}),
        R.ENT_EMPLOYEE: frozenset({VIEW}),
        R.COUNTY_VIEWER: frozenset({VIEW, EXPORT}),
    },
    "permits.permitrules": {
        R.TOWNSHIP_OFFICER: frozenset({VIEW, CHANGE}),
    },
    # Enforcement (执法): township and department officers open cases, issue the
    # numbered documents ("issue"), record reviews ("review"), cancel a document
    # ("cancel") and close cases ("close"); the organisation reads its own cases.
    "enforcement.case": {
        R.TOWNSHIP_LEADER: frozenset({VIEW, EXPORT}),
        R.TOWNSHIP_OFFICER: frozenset(
            {VIEW, ADD, CHANGE, EXPORT, "issue", "review", "cancel", "close"}
        ),
        R.DEPT_OFFICER: frozenset(
            {VIEW, ADD, CHANGE, EXPORT, "issue", "review", "cancel", "close"}
        ),
        R.VILLAGE_OFFICER: frozenset({VIEW}),
        R.ENT_PRINCIPAL: frozenset({VIEW}),
        R.ENT_SAFETY: frozenset({VIEW}),
        R.COUNTY_VIEWER: frozenset({VIEW, EXPORT}),
    },
    "enforcement.documentsettings": {
        R.TOWNSHIP_OFFICER: frozenset({VIEW, CHANGE}),
    },
    # Accountability (追责问责): decided by the township; the party held to account sees it.
    "enforcement.accountabilityrecord": {
        R.TOWNSHIP_LEADER: frozenset({VIEW, ADD, EXPORT}),
        R.TOWNSHIP_OFFICER: frozenset({VIEW, ADD, CHANGE, EXPORT}),
        R.DEPT_OFFICER: frozenset({VIEW}),
        R.VILLAGE_OFFICER: frozenset({VIEW}),
        R.ENT_PRINCIPAL: frozenset({VIEW}),
        R.COUNTY_VIEWER: frozenset({VIEW, EXPORT}),
    },
    # Leaders' lists (职责、任务、办实事解难题清单): the township office writes them;
    # each leader records progress on and self-reviews their own (actions check who).
    "responsibility.leaderlist": {
        R.TOWNSHIP_LEADER: frozenset({VIEW, EXPORT, "progress", "self_review"}),
        R.TOWNSHIP_OFFICER: frozenset({VIEW, ADD, CHANGE, EXPORT, "progress", "self_review"}),
        R.VILLAGE_OFFICER: frozenset({VIEW, "progress", "self_review"}),
        R.COUNTY_VIEWER: frozenset({VIEW, EXPORT}),
    },
    # Enterprise responsibility: the enterprise writes, government reads (and files
    # self-inspection reports: "file" covers filing and returning with comments).
    "enterprise.commitment": {
        R.TOWNSHIP_LEADER: frozenset({VIEW, EXPORT}),
        R.TOWNSHIP_OFFICER: frozenset({VIEW, EXPORT}),
        R.DEPT_OFFICER: frozenset({VIEW, EXPORT}),
        R.VILLAGE_OFFICER: frozenset({VIEW}),
        R.ENT_PRINCIPAL: frozenset({VIEW, ADD}),
        R.ENT_SAFETY: frozenset({VIEW}),
        R.ENT_DEPT_HEAD: frozenset({VIEW}),
        R.ENT_TEAM_LEADER: frozenset({VIEW}),
        R.ENT_EMPLOYEE: frozenset({VIEW}),
        R.COUNTY_VIEWER: frozenset({VIEW, EXPORT}),
    },
    "enterprise.selfinspectionreport": {
        R.TOWNSHIP_LEADER: frozenset({VIEW, EXPORT}),
        R.TOWNSHIP_OFFICER: frozenset({VIEW, EXPORT, "file"}),
        R.DEPT_OFFICER: frozenset({VIEW, EXPORT, "file"}),
        R.VILLAGE_OFFICER: frozenset({VIEW}),
        R.ENT_PRINCIPAL: frozenset({VIEW, ADD, CHANGE, "submit"}),
        R.ENT_SAFETY: frozenset({VIEW, ADD, CHANGE}),
        R.COUNTY_VIEWER: frozenset({VIEW, EXPORT}),
    },
    "enterprise.postduty": {
        R.TOWNSHIP_LEADER: frozenset({VIEW}),
        R.TOWNSHIP_OFFICER: frozenset({VIEW, EXPORT}),
        R.DEPT_OFFICER: frozenset({VIEW}),
        R.VILLAGE_OFFICER: frozenset({VIEW}),
        R.ENT_PRINCIPAL: frozenset({VIEW, ADD, CHANGE, EXPORT, "acknowledge"}),
        R.ENT_SAFETY: frozenset({VIEW, ADD, CHANGE, EXPORT, "acknowledge"}),
        R.ENT_DEPT_HEAD: frozenset({VIEW, "acknowledge"}),
        R.ENT_TEAM_LEADER: frozenset({VIEW, "acknowledge"}),
        R.ENT_EMPLOYEE: frozenset({VIEW, "acknowledge"}),
        R.COUNTY_VIEWER: frozenset({VIEW}),
    },
    "enterprise.safetyexpense": {
        R.TOWNSHIP_LEADER: frozenset({VIEW, EXPORT}),
        R.TOWNSHIP_OFFICER: frozenset({VIEW, EXPORT}),
        R.DEPT_OFFICER: frozenset({VIEW, EXPORT}),
        R.VILLAGE_OFFICER: frozenset({VIEW}),
        R.ENT_PRINCIPAL: frozenset({VIEW, ADD, CHANGE, DELETE, EXPORT}),
        R.ENT_SAFETY: frozenset({VIEW, ADD, CHANGE, DELETE, EXPORT}),
        R.COUNTY_VIEWER: frozenset({VIEW, EXPORT}),
    },
    "enterprise.violation": {
        R.TOWNSHIP_LEADER: frozenset({VIEW, EXPORT}),
        R.TOWNSHIP_OFFICER: frozenset({VIEW, ADD, EXPORT}),
        R.DEPT_OFFICER: frozenset({VIEW, ADD, EXPORT}),
        R.VILLAGE_OFFICER: frozenset({VIEW}),
        R.ENT_PRINCIPAL: frozenset({VIEW, ADD, CHANGE, DELETE, EXPORT}),
        R.ENT_SAFETY: frozenset({VIEW, ADD, CHANGE, DELETE, EXPORT}),
        R.ENT_DEPT_HEAD: frozenset({VIEW, ADD}),
        R.ENT_TEAM_LEADER: frozenset({VIEW, ADD}),
        R.COUNTY_VIEWER: frozenset({VIEW, EXPORT}),
    },
    "audit.auditrecord": {
        R.AUDIT_ADMIN: frozenset({VIEW, EXPORT}),
    },
}


@dataclass(frozen=True)
class Grant:
    """One membership as access sees it: a role over a scope."""

    role: str
    scope: str
    org_id: int
    region_prefix: str
    township_id: int | None
    industry_ids: frozenset[int]
    # For a supervising department: (township prefix, industry ids) per township
    # it supervises in, so a county-level department reaches only those townships.
    supervised: tuple[tuple[str, frozenset[int]], ...] = ()


def _region_prefix(region: Any) -> str:
    return region.prefix


def grants(user: Any) -> list[Grant]:
    """The user's memberships as grants, loaded once per user object (i.e. per request)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_anpai_grants", None)
    if cached is not None:
        return cached
    from anpai.orgs.models import Supervision
    from anpai.people.models import Membership

    result: list[Grant] = []
    memberships = list(
        Membership.objects.filter(user=user).select_related("organization__region__parent")
    )
    user._anpai_memberships = memberships
    for m in memberships:
        org = m.organization
        region = org.region
        township = org.township
        industry_ids: frozenset[int] = frozenset()
        supervised: tuple[tuple[str, frozenset[int]], ...] = ()
        scope = ROLE_SCOPE.get(m.role, OWN)
        if scope == SUPERVISED:
            per_township: dict[str, set[int]] = {}
            rows = Supervision.objects.filter(department=org).values_list(
                "township__code", "industry_id"
            )
            for code, industry_id in rows:
                per_township.setdefault(code[:9], set()).add(industry_id)
            supervised = tuple(
                (prefix, frozenset(ids)) for prefix, ids in sorted(per_township.items())
            )
            industry_ids = frozenset().union(*per_township.values())
        result.append(
            Grant(
                role=m.role,
                scope=scope,
                org_id=org.pk,
                region_prefix=_region_prefix(region),
                township_id=township.pk if township else None,
                industry_ids=industry_ids,
                supervised=supervised,
            )
        )
    user._anpai_grants = result
    return result


def memberships(user: Any) -> list[Any]:
    """The user's Membership rows (with organisation and region), loaded with the grants."""
    grants(user)
    return getattr(user, "_anpai_memberships", [])


def roles(user: Any) -> set[str]:
    """The roles the user holds in any organisation."""
    return {g.role for g in grants(user)}


def can(user: Any, resource: str, action: str) -> bool:
    """Whether any of the user's roles allows ``action`` on ``resource`` somewhere."""
    table = POLICY.get(resource, {})
    return any(action in table.get(g.role, ()) for g in grants(user))


def _path(org_path: str, lookup: str) -> str:
    return f"{org_path}__{lookup}" if org_path else lookup


def _grant_q(grant: Grant, org_path: str) -> Q:
    if grant.scope == REGION:
        return Q(**{_path(org_path, "region__code__startswith"): grant.region_prefix})
    if grant.scope == SUPERVISED:
        from anpai.orgs.models import Organization

        through = Organization.industries.through
        result = Q(**{_path(org_path, "pk"): grant.org_id})
        # A department supervises an industry in the townships its Supervision rows
        # name, never beyond them (a county-level station may cover a few townships).
        for prefix, industry_ids in grant.supervised:
            supervised = Exists(
                through.objects.filter(
                    organization_id=OuterRef(_path(org_path, "pk")),
                    industry_id__in=sorted(industry_ids),
                )
            )
            result |= Q(supervised, **{_path(org_path, "region__code__startswith"): prefix})
        return result
    return Q(**{_path(org_path, "pk"): grant.org_id})


def allows_region(user: Any, resource: str, action: str, region: Any) -> bool:
    """Whether the user may ``action`` a ``resource`` placed in ``region``.

    Only region-scoped grants place things: a department's or an enterprise's
    scope is a set of existing organisations, not an area to create in.
    """
    table = POLICY.get(resource, {})
    return any(
        g.scope == REGION
        and action in table.get(g.role, ())
        and region.code.startswith(g.region_prefix)
        for g in grants(user)
    )


def scope_q(user: Any, resource: str, action: str, *, org_path: str = "organization") -> Q | None:
    """One ``Q`` for the rows of ``resource`` the user may ``action``; None when nothing."""
    table = POLICY.get(resource, {})
    parts: Iterable[Q] = [
        _grant_q(g, org_path) for g in grants(user) if action in table.get(g.role, ())
    ]
    combined: Q | None = None
    for part in parts:
        combined = part if combined is None else cast(Q, combined | part)
    return combined


def roles_on(user: Any, resource: str, action: str, org: Any) -> set[str]:
    """The user's roles that allow ``action`` on ``resource`` for this organisation.

    Action functions use it for rules that depend on who is acting (e.g. a
    major hazard is accepted by township staff only), after the scope check.
    """
    from anpai.orgs.models import Organization

    table = POLICY.get(resource, {})
    result: set[str] = set()
    for grant in grants(user):
        if action not in table.get(grant.role, ()):
            continue
        q = _grant_q(grant, "")
        if Organization.objects.filter(q, pk=org.pk).exists():
            result.add(grant.role)
    return result


def roles_on_orgs(
    user: Any, resource: str, actions: Iterable[str], org_ids: Iterable[int]
) -> dict[int, dict[str, set[str]]]:
    """:func:`roles_on` for many organisations and actions at once.

    ``{org_id: {action: roles}}`` in one query per grant, whatever the number
    of organisations, so a list can show each row's buttons in constant queries.
    """
    from anpai.orgs.models import Organization

    table = POLICY.get(resource, {})
    wanted = list(actions)
    ids = sorted(set(org_ids))
    result: dict[int, dict[str, set[str]]] = {pk: {a: set() for a in wanted} for pk in ids}
    for grant in grants(user):
        allowed = [a for a in wanted if a in table.get(grant.role, ())]
        if not allowed or not ids:
            continue
        reached = Organization.objects.filter(_grant_q(grant, ""), pk__in=ids).values_list(
            "pk", flat=True
        )
        for pk in reached:
            for action in allowed:
                result[pk][action].add(grant.role)
    return result


def org_allows(user: Any, resource: str, action: str, org: Any) -> bool:
    """Whether the user may ``action`` a ``resource`` belonging to ``org``."""
    from anpai.orgs.models import Organization

    q = scope_q(user, resource, action, org_path="")
    return q is not None and Organization.objects.filter(q, pk=org.pk).exists()

"""Navigation by role: each user sees only the sections they may open."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from anpai.core import access

# Reference sections every role holder may read (the standards library): shown to
# anyone with at least one membership, whatever the policy table says about "view".
ANY_ROLE = "*"

# (url name, label, resource, action)
SECTIONS = [
    ("home", _("Home"), None, None),
    ("hazards:list", _("Hazards"), "hazards.hazard", access.VIEW),
    ("inspections:list", _("Inspections"), "inspections.inspection", access.VIEW),
    ("risks:list", _("Risks"), "risks.riskpoint", access.VIEW),
    ("permits:list", _("Permits"), "permits.permit", access.VIEW),
    ("enforcement:list", _("Enforcement"), "enforcement.case", access.VIEW),
    # Leaders' lists and enterprise responsibility (every working role reads commitments).
    ("responsibility:home", _("Responsibility"), "enterprise.commitment", access.VIEW),
    ("orgs:list", _("Organisations"), "orgs.organization", access.VIEW),
    ("orgs:supervision", _("Industry supervision"), "orgs.supervision", access.VIEW),
    ("standards:list", _("Standards"), ANY_ROLE, access.VIEW),
    ("people:list", _("People"), "people.user", access.VIEW),
    ("audit:list", _("Audit log"), "audit.auditrecord", access.VIEW),
]

# Tabs under a section, shown on its pages (the navbar stays short on a phone).
SUBSECTIONS = {
    "inspections:list": [
        ("inspections:list", _("Inspections"), "inspections.inspection", access.VIEW),
        ("inspections:duties", _("Inspection duties"), "inspections.inspectionduty", access.VIEW),
        ("inspections:compliance", _("Compliance"), "inspections.inspectionduty", access.VIEW),
        ("inspections:rounds", _("Inspection rounds"), "inspections.inspectionround", access.VIEW),
        ("inspections:checklist_list", _("Checklists"), ANY_ROLE, access.VIEW),
    ],
    "risks:list": [
        ("risks:list", _("Risk points"), "risks.riskpoint", access.VIEW),
        ("risks:control_list", _("Risk control list"), "risks.riskpoint", access.VIEW),
        # Township-wide four-colour map; an enterprise sees its own organisation on it.
        ("risks:township_map", _("Risk map"), "risks.riskpoint", access.VIEW),
        ("risks:schemes", _("Assessment schemes"), "risks.riskpoint", access.VIEW),
    ],
    "permits:list": [
        ("permits:list", _("Work permits"), "permits.permit", access.VIEW),
        ("permits:board", _("Today's work"), "permits.permit", access.VIEW),
        ("permits:stats", _("Permit statistics"), "permits.permit", access.VIEW),
        ("permits:rules", _("Permit rules"), "permits.permit", access.VIEW),
    ],
    "enforcement:list": [
        ("enforcement:list", _("Cases"), "enforcement.case", access.VIEW),
        ("enforcement:reviews", _("Reviews due"), "enforcement.case", access.VIEW),
        ("enforcement:documents", _("Official documents"), "enforcement.case", access.VIEW),
        (
            "enforcement:accountability",
            _("Accountability"),
            "enforcement.accountabilityrecord",
            access.VIEW,
        ),
        (
            "enforcement:suggestions",
            _("To act on"),
            "enforcement.accountabilityrecord",
            access.ADD,
        ),
        (
            "enforcement:settings",
            _("Document settings"),
            "enforcement.documentsettings",
            access.CHANGE,
        ),
    ],
    "responsibility:home": [
        ("responsibility:lists", _("Leaders' lists"), "responsibility.leaderlist", access.VIEW),
        ("enterprise:commitments", _("Commitments"), "enterprise.commitment", access.VIEW),
        (
            "enterprise:reports",
            _("Self-inspection reports"),
            "enterprise.selfinspectionreport",
            access.VIEW,
        ),
        ("enterprise:posts", _("Post duties"), "enterprise.postduty", access.VIEW),
        ("enterprise:expenses", _("Safety expenses"), "enterprise.safetyexpense", access.VIEW),
        ("enterprise:violations", _("三违"), "enterprise.violation", access.VIEW),
    ],
}


def _visible(user, resource, action) -> bool:
    if resource == ANY_ROLE:
        return bool(access.grants(user))
    return resource is None or access.can(user, resource, action or access.VIEW)


def _mark_active(items: list[dict], path: str) -> dict | None:
    """The item whose address is the longest prefix of this page is the active one
    (/orgs/supervision/ belongs to "Industry supervision", not "Organisations")."""
    matches = [i for i in items if path.startswith(i["url"]) and i["url"] != "/"]
    if matches:
        active = max(matches, key=lambda i: len(i["url"]))
    elif path == "/" and items:
        active = items[0]
    else:
        return None
    active["active"] = True
    return active


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = [
        {"name": name, "url": reverse(name), "label": label, "active": False}
        for name, label, resource, action in SECTIONS
        if _visible(user, resource, action)
    ]
    active = _mark_active(items, request.path)
    subitems: list[dict] = []
    if active is not None and active["name"] in SUBSECTIONS:
        subitems = [
            {"name": name, "url": reverse(name), "label": label, "active": False}
            for name, label, resource, action in SUBSECTIONS[active["name"]]
            if _visible(user, resource, action)
        ]
        _mark_active(subitems, request.path)
        if len(subitems) < 2:
            subitems = []
    return {
        "nav_items": items,
        # The sections the user may open, for pages that link into them ({% if "x" in nav_names %}).
        "nav_names": {item["name"] for item in items},
        "nav_subitems": subitems,
        "nav_memberships": access.memberships(user),
    }

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
    ("orgs:list", _("Organisations"), "orgs.organization", access.VIEW),
    ("orgs:supervision", _("Industry supervision"), "orgs.supervision", access.VIEW),
    ("standards:list", _("Standards"), ANY_ROLE, access.VIEW),
    ("people:list", _("People"), "people.user", access.VIEW),
    ("audit:list", _("Audit log"), "audit.auditrecord", access.VIEW),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = []
    for name, label, resource, action in SECTIONS:
        if resource == ANY_ROLE:
            visible = bool(access.grants(user))
        else:
            visible = resource is None or access.can(user, resource, action or access.VIEW)
        if visible:
            items.append({"url": reverse(name), "label": label, "active": False})
    # The section whose address is the longest prefix of this page is the active one
    # (/orgs/supervision/ belongs to "Industry supervision", not "Organisations").
    matches = [i for i in items if request.path.startswith(i["url"]) and i["url"] != "/"]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    elif request.path == "/" and items:
        items[0]["active"] = True
    return {"nav_items": items, "nav_memberships": access.memberships(user)}

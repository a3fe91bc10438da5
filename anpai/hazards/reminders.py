"""Deadline reminders for hazards being rectified (issue 3, item 3).

Before the deadline (3 days, then 1 day) the responsible person is reminded;
once it has passed, the organisation's principal and the township safety
officers are told, on the first day overdue and weekly after that. Every
notification carries a key naming the hazard, the reminder and the deadline
it is about, so running the job twice — or twice at once — sends nothing twice,
a missed day is caught up on the next run, and an extended deadline gets its
own reminders.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from anpai.hazards.actions import org_people, township_officers
from anpai.hazards.choices import HazardState
from anpai.hazards.models import Hazard
from anpai.notifications import channels
from anpai.notifications.service import notify
from anpai.people.choices import Role
from anpai.regions.choices import RegionLevel

# Days before the deadline: 3 or 2 days left → the "3 days" reminder, 1 or 0 →
# the "1 day" one; a window rather than an exact day, so a missed run catches up.
DUE3_FROM = 2
DUE1_FROM = 0
OVERDUE_EVERY_DAYS = 7


def reminder_key(hazard: Hazard, today: date) -> tuple[str, str] | None:
    """(kind, key) of the reminder ``hazard`` is due for on ``today``, or None."""
    if hazard.state != HazardState.ASSIGNED or hazard.deadline is None:
        return None
    days_left = (hazard.deadline - today).days
    if days_left > 3:
        return None
    if days_left >= DUE3_FROM:
        kind = "due3"
        key = f"hazard:{hazard.pk}:due3:{hazard.deadline}"
    elif days_left >= DUE1_FROM:
        kind = "due1"
        key = f"hazard:{hazard.pk}:due1:{hazard.deadline}"
    else:
        week = (-days_left - 1) // OVERDUE_EVERY_DAYS  # day 1 overdue → week 0, day 8 → 1 …
        kind = "overdue"
        key = f"hazard:{hazard.pk}:overdue:{hazard.deadline}:{week}"
    return kind, key


class _People:
    """Recipients looked up once per organisation / township during a run."""

    def __init__(self) -> None:
        self._org: dict[tuple[int, tuple[str, ...]], list[Any]] = {}
        self._township: dict[int | None, list[Any]] = {}

    def org(self, hazard: Hazard, roles: tuple[str, ...]) -> list[Any]:
        key = (hazard.organization_id, roles)
        if key not in self._org:
            self._org[key] = org_people(hazard.organization, roles)
        return self._org[key]

    def township(self, hazard: Hazard) -> list[Any]:
        region = hazard.organization.region
        township_id = region.parent_id if region.level == RegionLevel.VILLAGE else region.pk
        if township_id not in self._township:
            self._township[township_id] = township_officers(hazard.organization)
        return self._township[township_id]


def _message(hazard: Hazard, kind: str, today: date) -> tuple[str, str]:
    days = (hazard.deadline - today).days if hazard.deadline else 0
    if kind == "overdue":
        title = ngettext(
            "Rectification overdue by %(days)d day: %(title)s",
            "Rectification overdue by %(days)d days: %(title)s",
            -days,
        ) % {"days": -days, "title": hazard.title}
    elif days == 0:
        title = _("Rectification due today: %(title)s") % {"title": hazard.title}
    else:
        title = ngettext(
            "Rectification due in %(days)d day: %(title)s",
            "Rectification due in %(days)d days: %(title)s",
            days,
        ) % {"days": days, "title": hazard.title}
    body = _("%(org)s · %(number)s · deadline %(deadline)s · responsible: %(person)s") % {
        "org": hazard.organization.name,
        "number": hazard.number or "—",
        "deadline": hazard.deadline,
        "person": hazard.responsible_name or "—",
    }
    return title, body


def send_deadline_reminders(today: date | None = None) -> dict[str, int]:
    """Send the reminders due on ``today`` (default: the local date), then deliver.

    Returns counts: hazards looked at, notifications created per kind, and
    email/SMS deliveries sent (including retries of earlier failures).
    """
    today = today or timezone.localdate()
    counts = {"hazards": 0, "due3": 0, "due1": 0, "overdue": 0, "sent": 0}
    people = _People()
    rows = (
        Hazard.objects.filter(
            state=HazardState.ASSIGNED,
            deadline__isnull=False,
            deadline__lte=today + timedelta(days=3),
        )
        .select_related("organization__region", "responsible_user")
        .order_by("deadline", "id")
    )
    # Reminders are read later by people in the site's language, not the caller's.
    with translation.override(settings.LANGUAGE_CODE):
        for hazard in rows.iterator(chunk_size=500):
            found = reminder_key(hazard, today)
            if found is None:
                continue
            counts["hazards"] += 1
            kind, key = found
            if kind == "overdue":
                recipients = [
                    *people.org(hazard, (Role.ENT_PRINCIPAL,)),
                    *people.township(hazard),
                    hazard.responsible_user,
                ]
            elif hazard.responsible_user is not None:
                recipients = [hazard.responsible_user]
            else:
                recipients = people.org(hazard, (Role.ENT_PRINCIPAL, Role.ENT_SAFETY))
            title, body = _message(hazard, kind, today)
            # A notification and its deliveries commit together.
            with transaction.atomic():
                created = notify(
                    recipients,
                    title=title,
                    body=body,
                    url=reverse("hazards:detail", args=[hazard.pk]),
                    key=key,
                    deliver=False,
                )
            counts[kind] += len(created)
    counts["sent"] = channels.deliver()
    return counts

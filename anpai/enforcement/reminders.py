"""Reminders for enforcement reviews (复查), run with the daily deadline reminders.

Once an order's deadline has passed, the township's safety officers are told the
review is due (once); once the review's due date has passed without it, they
are told it is overdue (once a week until it is recorded). Idempotent by key.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from anpai.enforcement.choices import OPEN_STATES, ReviewState
from anpai.enforcement.models import Review
from anpai.notifications.service import notify


def send_review_reminders(today: date | None = None) -> dict[str, int]:
    """Tell township officers of reviews now due and of overdue ones; returns counts."""
    from anpai.hazards.actions import township_officers

    today = today or timezone.localdate()
    counts = {"reviews_due": 0, "reviews_overdue": 0}
    rows = (
        Review.objects.filter(
            state=ReviewState.PENDING, case__state__in=OPEN_STATES, deadline__lt=today
        )
        .select_related("case__organization__region", "measure__document")
        .order_by("due_on", "id")
    )
    officers: dict[int, list] = {}
    with translation.override(settings.LANGUAGE_CODE):
        for review in rows.iterator(chunk_size=500):
            case = review.case
            org = case.organization
            if org.region_id not in officers:
                officers[org.region_id] = township_officers(org)
            number = review.measure.document.number if review.measure.document else ""
            if review.due_on < today:
                year, week, _day = today.isocalendar()
                kind = "reviews_overdue"
                key = f"review:{review.pk}:overdue:{year}-{week}"
                title = _("Review overdue: %(org)s") % {"org": org}
                body = _("The review of %(number)s was due on %(due)s.") % {
                    "number": number,
                    "due": review.due_on.isoformat(),
                }
            else:
                kind = "reviews_due"
                key = f"review:{review.pk}:due"
                title = _("Review due: %(org)s") % {"org": org}
                body = _("The deadline of %(number)s has passed; review by %(due)s.") % {
                    "number": number,
                    "due": review.due_on.isoformat(),
                }
            with transaction.atomic():
                created = notify(
                    officers[org.region_id],
                    title=title,
                    body=body,
                    url=reverse("enforcement:detail", args=[case.pk]),
                    key=key,
                    deliver=False,
                )
            counts[kind] += len(created)
    return counts

"""Township officers are told when a review falls due and, weekly, when it is overdue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from anpai.enforcement import actions
from anpai.enforcement.models import Review
from anpai.enforcement.reminders import send_review_reminders
from anpai.enforcement.tests.conftest import later
from anpai.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _keys(user, review):
    return set(
        Notification.objects.filter(
            recipient=user, key__startswith=f"review:{review.pk}:"
        ).values_list("key", flat=True)
    )


def test_due_then_overdue_each_once(demo, case):
    township = demo["township"]
    actions.issue_order(case, by=township, deadline=later(5))
    review = Review.objects.get(case=case)
    today = timezone.localdate()
    send_review_reminders(today)
    assert _keys(township, review) == set()  # before the deadline: nothing
    after_deadline = today + timedelta(days=6)
    send_review_reminders(after_deadline)
    send_review_reminders(after_deadline)  # idempotent
    assert _keys(township, review) == {f"review:{review.pk}:due"}
    assert (
        Notification.objects.filter(recipient=township, key=f"review:{review.pk}:due").count() == 1
    )
    overdue_day = review.due_on + timedelta(days=1)
    send_review_reminders(overdue_day)
    send_review_reminders(overdue_day)
    year, week, _ = overdue_day.isocalendar()
    weekly = f"review:{review.pk}:overdue:{year}-{week}"
    assert _keys(township, review) == {f"review:{review.pk}:due", weekly}
    next_week = overdue_day + timedelta(days=7)
    send_review_reminders(next_week)
    assert len(_keys(township, review)) == 3  # once more, a week later
    # Recorded: nothing more; the enterprise is never told of its own review.
    actions.record_review(review, by=township, passed=True, findings="已整改")
    send_review_reminders(next_week + timedelta(days=7))
    assert len(_keys(township, review)) == 3
    assert not _keys(demo["ent1"], review)


def test_the_reminders_command_reports_reviews(demo, case, capsys):
    actions.issue_order(case, by=demo["township"], deadline=later(2))
    day = (timezone.localdate() + timedelta(days=3)).isoformat()
    call_command("reminders", "--date", day)
    assert "enforcement reviews: " in capsys.readouterr().out

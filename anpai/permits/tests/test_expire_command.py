"""``anpai permits expire``, its Celery task and beat entry: permits whose validity has
ended are marked expired once, whoever runs the job how often."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from anpai.permits import actions
from anpai.permits.choices import EventKind, PermitState


def _run() -> str:
    out = StringIO()
    call_command("permits", "expire", stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def overdue(make, people):
    """An approved level-2 hot-work permit planned 3 to 1 hours ago, never started."""
    now = timezone.now()
    permit = make("hot_work", {"area": "other"}, start_in=timedelta(hours=-3), hours=2)
    actions.submit(permit, by=people["team"], at=now - timedelta(hours=3, minutes=30))
    actions.approve(
        permit, by=people["head"], opinion="同意", at=now - timedelta(hours=3, minutes=20)
    )
    permit.refresh_from_db()
    assert permit.state == PermitState.APPROVED
    return permit


@pytest.mark.django_db
def test_command_expires_overdue_permits_once(overdue, ready):
    running = ready("height", {"height_m": "6"}, hours=6)  # ends later: untouched
    assert _run() == "1 permit(s) expired."
    overdue.refresh_from_db()
    assert overdue.state == PermitState.EXPIRED
    assert overdue.events.filter(kind=EventKind.EXPIRE).count() == 1
    running.refresh_from_db()
    assert running.state == PermitState.APPROVED
    # Idempotent: a second run (the next beat, or cron as well) changes nothing.
    assert _run() == "0 permit(s) expired."
    assert overdue.events.filter(kind=EventKind.EXPIRE).count() == 1


@pytest.mark.django_db
def test_the_command_needs_its_subcommand():
    with pytest.raises(CommandError):
        call_command("permits")


@pytest.mark.django_db
def test_celery_task_expires_and_counts(overdue):
    from anpai.celery import app  # noqa: F401 - configures the task (eager without a broker)
    from anpai.permits.tasks import expire_permits

    assert expire_permits.delay().get() == 1
    overdue.refresh_from_db()
    assert overdue.state == PermitState.EXPIRED
    assert expire_permits() == 0


def test_beat_runs_the_expiry_every_five_minutes():
    from anpai.celery import app

    entry = app.conf.beat_schedule["permit-expiry"]
    assert entry["task"] == "anpai.permits.tasks.expire_permits"
    assert entry["schedule"].minute == set(range(0, 60, 5))
    assert entry["schedule"].hour == set(range(24))

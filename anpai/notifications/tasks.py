"""Celery tasks: the daily deadline reminders and the delivery retry run.

Scheduled in :mod:`anpai.celery` (beat). Without a broker they run in-process
when called; ``anpai reminders`` and ``anpai notifications send`` do the same
work from cron.
"""

from __future__ import annotations

from celery import shared_task


@shared_task(name="anpai.notifications.tasks.deadline_reminders")
def deadline_reminders() -> dict[str, int]:
    """Send today's deadline and review reminders (idempotent), then pending deliveries."""
    from anpai.enforcement.reminders import send_review_reminders
    from anpai.hazards.reminders import send_deadline_reminders

    reviews = send_review_reminders()
    return {**send_deadline_reminders(), **reviews}


@shared_task(name="anpai.notifications.tasks.deliver_pending")
def deliver_pending(notification_ids: list[int] | None = None) -> int:
    """Attempt pending email/SMS deliveries (retries failed ones up to MAX_ATTEMPTS)."""
    from anpai.notifications.channels import deliver

    return deliver(notification_ids)

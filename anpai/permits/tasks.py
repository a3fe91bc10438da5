"""Celery tasks of permits: the expiry of permits whose validity has ended.

Scheduled in :mod:`anpai.celery` (beat, every 5 minutes); ``anpai permits expire``
does the same from cron.
"""

from __future__ import annotations

from celery import shared_task


@shared_task(name="anpai.permits.tasks.expire_permits")
def expire_permits() -> int:
    """Mark expired the permits whose planned end has passed (idempotent); how many."""
    from anpai.permits.actions import expire_overdue

    return expire_overdue()

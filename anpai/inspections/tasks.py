"""Celery tasks of inspections: the nightly run of the duty periods.

Scheduled in :mod:`anpai.celery` (beat, 00:30); ``anpai inspection_periods``
does the same from cron.
"""

from __future__ import annotations

from celery import shared_task


@shared_task(name="anpai.inspections.tasks.inspection_periods")
def inspection_periods() -> dict[str, int]:
    """Create the coming duty periods and close the ended ones (idempotent)."""
    from anpai.inspections.cadence import ensure_periods

    return ensure_periods()

"""``anpai inspection_periods [--date YYYY-MM-DD]``: create and close inspection duty periods."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from anpai.inspections.cadence import ensure_periods


class Command(BaseCommand):
    help = (
        "Create the current and next period of every active inspection duty (with history "
        "since the duty started), and close the periods that have ended: done when a "
        "self-inspection at that level was submitted within them, missed otherwise. "
        "Idempotent: safe to run more than once a day (cron or Celery beat)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            dest="day",
            metavar="YYYY-MM-DD",
            help="the day to compute for (default: today in the configured time zone)",
        )

    def handle(self, *args, day: str | None = None, **options):
        today = None
        if day:
            try:
                today = date.fromisoformat(day)
            except ValueError:
                raise CommandError(f"--date must be YYYY-MM-DD, not {day!r}") from None
        counts = ensure_periods(today)
        self.stdout.write(
            f"Inspection periods: {counts['created']} created, {counts['done']} done, "
            f"{counts['missed']} missed."
        )

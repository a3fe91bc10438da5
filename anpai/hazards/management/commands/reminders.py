"""``anpai reminders [--date YYYY-MM-DD]``: send the day's hazard deadline reminders."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from anpai.enforcement.reminders import send_review_reminders
from anpai.hazards.reminders import send_deadline_reminders


class Command(BaseCommand):
    help = (
        "Remind responsible people of rectification deadlines (3 days and 1 day before) and "
        "tell principals and township officers of overdue hazards; tell township officers of "
        "enforcement reviews now due or overdue; then deliver pending "
        "email/SMS. Idempotent: safe to run more than once a day (cron or Celery beat)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            dest="day",
            metavar="YYYY-MM-DD",
            help="the day to remind for (default: today in the configured time zone)",
        )

    def handle(self, *args, day: str | None = None, **options):
        today = None
        if day:
            try:
                today = date.fromisoformat(day)
            except ValueError:
                raise CommandError(f"--date must be YYYY-MM-DD, not {day!r}") from None
        reviews = send_review_reminders(today)  # delivered by the hazard run's deliver()
        counts = send_deadline_reminders(today)
        self.stdout.write(
            f"Reminders: {counts['hazards']} hazards due soon or overdue; notifications sent: "
            f"{counts['due3']} due in 3 days, {counts['due1']} due in 1 day, "
            f"{counts['overdue']} overdue; enforcement reviews: {reviews['reviews_due']} due, "
            f"{reviews['reviews_overdue']} overdue; {counts['sent']} email/SMS delivered."
        )

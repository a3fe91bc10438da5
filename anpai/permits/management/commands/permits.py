"""``anpai permits expire``: mark expired the permits whose validity has ended."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from anpai.permits.actions import expire_overdue


class Command(BaseCommand):
    help = "Hazardous-work permits (特殊作业票)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{expire}")
        text = (
            "Mark expired every permit awaiting approval, approved, in progress or paused "
            "whose planned end has passed, and print how many. Idempotent: safe to run "
            "every few minutes (cron, or Celery beat, which runs it every 5 minutes)."
        )
        sub.add_parser("expire", help=text, description=text)

    def handle(self, *args, **options):
        count = expire_overdue()
        self.stdout.write(f"{count} permit(s) expired.")

"""``anpai jobs run-pending``: run the queued background jobs now."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand

from anpai.jobs.runner import fail_stale, run_pending


class Command(BaseCommand):
    help = "Background jobs: run the queued ones (safe to run from several places at once)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{run-pending}")
        pending = sub.add_parser(
            "run-pending",
            help="Claim and run every queued job, oldest first; each job runs exactly once.",
        )
        pending.add_argument("--limit", type=int, default=None, help="Run at most this many jobs.")
        pending.add_argument(
            "--stale-minutes",
            type=int,
            default=60,
            help="First mark jobs running for longer than this as failed (their process "
            "died); 0 skips this (default 60).",
        )

    def handle(self, *args, **options):
        stale = options["stale_minutes"]
        if stale and stale > 0:
            failed = fail_stale(timedelta(minutes=stale))
            if failed:
                self.stdout.write(f"{failed} interrupted job(s) marked failed")
        count = run_pending(limit=options["limit"])
        self.stdout.write(f"{count} job(s) run")

"""``anpai notifications send``: retry pending email/SMS deliveries."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from anpai.notifications.channels import MAX_ATTEMPTS, deliver
from anpai.notifications.models import Delivery


class Command(BaseCommand):
    help = "Work with outside notification deliveries (email, SMS)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{send}")
        sub.add_parser(
            "send",
            help=f"Attempt every pending delivery once; failed ones are retried up to "
            f"{MAX_ATTEMPTS} times in total.",
        )

    def handle(self, *args, **options):
        sent = deliver()
        pending = Delivery.objects.filter(state=Delivery.State.PENDING).count()
        failed = Delivery.objects.filter(state=Delivery.State.FAILED).count()
        self.stdout.write(f"Deliveries: {sent} sent now, {pending} pending, {failed} failed.")

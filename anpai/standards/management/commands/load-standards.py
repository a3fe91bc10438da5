"""``anpai load-standards``: (re)load the shipped standards and checklists."""

from __future__ import annotations

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Load the shipped standards library and checklists from their JSON files "
        "(idempotent; local standards and checklists are never touched)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--standards-dir", help="Directory of standard JSON files.")
        parser.add_argument("--checklists-dir", help="Directory of checklist JSON files.")

    def handle(self, *args, **options):
        from anpai.inspections.checklists import load_shipped_checklists
        from anpai.standards.loader import load_standards

        counts = load_standards(options.get("standards_dir"))
        self.stdout.write(
            "standards: {standards} in files, {created} created, {updated} updated, "
            "{skipped} skipped (local); clauses: {clauses} in files, {clauses_created} created, "
            "{clauses_updated} updated".format(**counts)
        )
        counts = load_shipped_checklists(options.get("checklists_dir"))
        self.stdout.write(
            "checklists: {checklists} in files, {created} created, {unchanged} unchanged; "
            "items: {items_created} created".format(**counts)
        )

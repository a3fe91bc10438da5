"""``anpai demo``: set up the database with the demo township if needed, then serve it."""

from __future__ import annotations

import secrets
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from anpai.demo.build import build_demo, demo_exists
from anpai.people.choices import Role


def demo_password() -> str:
    """ANPAI_DEMO_PASSWORD, else one generated once and kept in the data directory."""
    if settings.DEMO_PASSWORD:
        return settings.DEMO_PASSWORD
    path = settings.DATA_DIR / "demo_password"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    # Readable aloud and typed on a phone; meets the password policy's classes.
    password = f"Anpai-{secrets.token_hex(3)}-{secrets.randbelow(90) + 10}"
    path.write_text(password, encoding="utf-8")
    path.chmod(0o600)
    return password


class Command(BaseCommand):
    help = (
        "Create the database if absent (migrations, reference data, the demo township "
        "西槽头乡), then serve on 127.0.0.1:PORT and print the address and the logins."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="port to serve on (8000)")
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help="generate N× the organisations and people (benchmarks)",
        )
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="set up the database and print the logins, but do not serve",
        )

    def handle(self, *args, port: int, scale: int, no_serve: bool, **options):
        if scale < 1:
            raise CommandError("--scale must be 1 or more")
        if not 0 < port < 65536:
            raise CommandError("--port must be between 1 and 65535")
        started = time.perf_counter()
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            self.stdout.write("Applying database migrations…")
            call_command("migrate", interactive=False, verbosity=0)
        password = demo_password()
        if demo_exists():
            self.stdout.write("The demo township is already in the database; keeping it.")
        else:
            result = build_demo(password=password, scale=scale)
            self.stdout.write(
                f"Demo township built: {result.organizations} organisations, "
                f"{result.users} people, {result.hazards} hazards, "
                f"{result.risk_points} risk points on {result.site_plans} site plans, "
                f"{result.permits} work permits in {result.seconds:.1f} s."
            )
        self.stdout.write(f"Ready in {time.perf_counter() - started:.1f} s.\n")
        self._print_logins(port, password)
        if not no_serve:
            call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, use_threading=True)

    def _print_logins(self, port: int, password: str) -> None:
        from anpai.demo import data
        from anpai.people.models import User

        names = dict(
            User.objects.filter(username__in=[a[0] for a in data.ACCOUNTS]).values_list(
                "username", "full_name"
            )
        )
        self.stdout.write(self.style.SUCCESS(f"anpai demo: http://127.0.0.1:{port}/"))
        self.stdout.write(f"Password for every demo account: {password}")
        with translation.override(settings.LANGUAGE_CODE):
            for username, _, role, _target in data.ACCOUNTS:
                label = str(Role(role).label)
                self.stdout.write(f"  {username:<12} {names.get(username, ''):<6} {label}")
        self.stdout.write(f"API docs: http://127.0.0.1:{port}/api/docs/\n")

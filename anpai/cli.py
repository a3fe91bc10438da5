"""The ``anpai`` console script: every ``manage.py`` command, plus anpai's own.

anpai's own commands are Django management commands in the apps
(``demo``, ``audit verify``, …), so ``anpai help`` lists them all.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anpai.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["anpai", *(argv if argv is not None else sys.argv[1:])])


if __name__ == "__main__":
    main()

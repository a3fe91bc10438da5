"""One measurement in a fresh process, so its peak memory is its own.

``python -m bench.child ledger`` exports the ledger of every hazard (as the
township officer) through :func:`anpai.hazards.ledger.write_ledger`;
``python -m bench.child bare --rows N --orgs FILE`` writes the same cells with
a bare openpyxl write-only loop and nothing else. Each prints one JSON line:
rows, seconds, resident memory before and at peak (MB), file size.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from datetime import date


def _status(field: str) -> float | None:
    """A memory figure of this process from /proc/self/status, in MB (Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return None


def _reset_peak() -> float:
    """Reset the peak-RSS mark (VmHWM) and return the current RSS, in MB.

    ``getrusage``'s maxrss survives ``exec``: a child forked from a big parent
    would report the parent's peak. Writing 5 to clear_refs resets VmHWM
    (Linux 4.0+), so the peak read afterwards is the export's own.
    """
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
            clear.write("5")
    except OSError:
        pass
    return _status("VmRSS") or _rss_mb()


def _rss_mb() -> float:
    peak = _status("VmHWM")
    if peak is not None:
        return peak
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KB


def ledger() -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anpai.settings")
    django.setup()
    from anpai.core import access
    from anpai.hazards.ledger import subtitle_for, title_for, write_ledger
    from anpai.hazards.models import Hazard
    from anpai.people.models import User

    user = User.objects.get(username="township")
    queryset = Hazard.objects.restrict(user, access.EXPORT)
    queryset.count()  # connect, load the grants: set-up is not the export
    before = _reset_peak()
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        rows = write_ledger(queryset, out, title=title_for(user), subtitle=subtitle_for({}))
        seconds = time.perf_counter() - started
        size = out.tell()
    return {"rows": rows, "seconds": seconds, "rss_before": before, "rss_peak": _rss_mb(),
            "bytes": size}  # fmt: skip


def bare(rows: int, orgs_file: str, today: date) -> dict:
    from openpyxl import Workbook

    from bench import fake

    table = json.loads(open(orgs_file, encoding="utf-8").read())  # noqa: SIM115
    orgs, verifier = table["orgs"], table["verifier"]
    before = _reset_peak()
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("整改台账")
        sheet.append(["title"])
        sheet.append(["subtitle"])
        sheet.append([f"h{n}" for n in range(19)])
        for i in range(rows):
            sheet.append(fake.ledger_row(i, today, orgs, verifier))
        workbook.save(out)
        seconds = time.perf_counter() - started
        size = out.tell()
    return {"rows": rows, "seconds": seconds, "rss_before": before, "rss_peak": _rss_mb(),
            "bytes": size}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["ledger", "bare"])
    parser.add_argument("--rows", type=int, default=0)
    parser.add_argument("--orgs", default="")
    parser.add_argument("--today", default=date.today().isoformat())
    args = parser.parse_args()
    if args.what == "ledger":
        result = ledger()
    else:
        result = bare(args.rows, args.orgs, date.fromisoformat(args.today))
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()

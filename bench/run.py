"""``python -m bench``: the figures issue 3 promises, measured on a throw-away database.

1. Builds the demo township (``--size township``: one copy, 44 units;
   ``county``: 20 copies) in a fresh SQLite file under a temporary
   ``ANPAI_DATA_DIR`` — or, when ``DATABASE_URL`` is set, in a new PostgreSQL
   database created next to it and dropped afterwards.
2. Measures the hazard list page (and the API list) at 10 hazards, tops up to
   10,000 and measures again, exports the ledger of 10,000, tops up to
   ``--hazards`` (default 100,000), measures the list once more and exports
   the ledger of all of them; then a bare openpyxl write-only loop writes the
   same cells. Each export runs in its own child process, whose peak resident
   memory (``getrusage`` maxrss) is its own.
3. Prints one table: figure, value, baseline, ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Bench-pass-2024"  # noqa: S105 - a throw-away database
SCALES = {"township": 1, "county": 20}


def _setup_environment(tmp: Path) -> str | None:
    """Point settings at the throw-away database; returns a PostgreSQL db to drop."""
    os.environ["ANPAI_DATA_DIR"] = str(tmp)
    os.environ["ANPAI_TESTING"] = "1"  # fast password hashing for the demo accounts
    os.environ["ANPAI_LOG_LEVEL"] = "WARNING"
    os.environ["DJANGO_SETTINGS_MODULE"] = "anpai.settings"
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return None
    import psycopg

    name = f"anpai_bench_{os.getpid()}"
    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    os.environ["ANPAI_DB_CONN_MAX_AGE"] = "0"
    return name


def _drop_database(name: str, original_url: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    admin = urlunsplit(urlsplit(original_url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _child(*args: str) -> dict:
    result = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "bench.child", *args],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"bench.child {' '.join(args)} failed")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _page(client, url: str, repeat: int = 5) -> tuple[int, float]:
    """(queries, median milliseconds) of GET ``url``, after one warm-up request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            times.append((time.perf_counter() - started) * 1000)
        queries = len(ctx.captured_queries)
    return queries, statistics.median(times)


def _pages(client) -> dict[str, tuple[int, float]]:
    return {
        "list": _page(client, "/hazards/"),
        "api": _page(client, "/api/v1/hazards/"),
        "orgs": _page(client, "/orgs/"),
    }


def _fmt(value: float, unit: str) -> str:
    if unit == "q":
        return f"{value:.0f}"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "MB":
        return f"{value:.1f} MB"
    if unit == "r/s":
        return f"{value:,.0f} rows/s"
    return str(value)


def _table(rows: list[tuple[str, float, float | None, str]]) -> str:
    lines = [("figure", "value", "baseline", "ratio")]
    for figure, value, baseline, unit in rows:
        ratio = f"{value / baseline:.2f}×" if baseline else "—"
        lines.append(
            (
                figure,
                _fmt(value, unit),
                _fmt(baseline, unit) if baseline is not None else "—",
                ratio,
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(4)]

    def render(line) -> str:
        return "  ".join(
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
            for i, cell in enumerate(line)
        )

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([render(lines[0]), rule, *(render(line) for line in lines[1:])])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=sorted(SCALES), default="township")
    parser.add_argument("--hazards", type=int, default=100_000, help="default 100000")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    args = parser.parse_args(argv)
    mid = min(10_000, args.hazards)
    total = max(args.hazards, mid)

    sys.path.insert(0, str(ROOT))
    tmp = Path(tempfile.mkdtemp(prefix="anpai-bench-"))
    original_url = os.environ.get("DATABASE_URL", "")
    pg_name = _setup_environment(tmp)
    try:
        import django

        django.setup()
        from django.db import connection
        from django.test import Client
        from django.utils import timezone

        from anpai.hazards import ledger
        from anpai.people.models import User
        from bench import data, fake

        # The baseline writes the ledger's own names; stop if they drift apart.
        assert fake.LEVEL_NAMES == ledger.LEVEL_NAMES, "bench/fake.py LEVEL_NAMES is stale"
        assert fake.SOURCE_NAMES == ledger.SOURCE_NAMES, "bench/fake.py SOURCE_NAMES is stale"
        assert fake.STATE_NAMES == ledger.STATE_NAMES, "bench/fake.py STATE_NAMES is stale"

        say = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
        engine = connection.vendor
        say(f"database: {engine} ({pg_name or tmp / 'anpai.sqlite3'}); size {args.size}")
        started = time.perf_counter()
        data.build(SCALES[args.size], PASSWORD)
        orgs_file = tmp / "orgs.json"
        orgs, _rows, _verifier = data.org_table(orgs_file)
        today = timezone.localdate()
        say(f"demo built: {len(orgs)} organisations ({time.perf_counter() - started:.1f} s)")

        client = Client()
        client.force_login(User.objects.get(username="township"))

        data.top_up(10, orgs, today)
        at_10 = _pages(client)
        say(f"measured pages at 10 hazards: {at_10}")

        started = time.perf_counter()
        data.top_up(mid, orgs, today)
        say(f"{mid:,} hazards ({time.perf_counter() - started:.1f} s)")
        at_mid = _pages(client)
        say(f"measured pages at {mid:,}: {at_mid}")
        ledger_mid = _child("ledger")
        say(f"ledger of {mid:,}: {ledger_mid}")

        started = time.perf_counter()
        data.top_up(total, orgs, today)
        say(f"{total:,} hazards ({time.perf_counter() - started:.1f} s)")
        at_total = _pages(client) if total != mid else at_mid
        say(f"measured pages at {total:,}: {at_total}")
        ledger_total = _child("ledger")
        say(f"ledger of {total:,}: {ledger_total}")
        common = ["--orgs", str(orgs_file), "--today", today.isoformat()]
        bare_total = _child("bare", "--rows", str(total), *common)
        bare_mid = _child("bare", "--rows", str(mid), *common)
        say(f"bare openpyxl: {bare_total}")

        def growth(result: dict) -> float:
            return result["rss_peak"] - result["rss_before"]

        n, m = f"{total:,}", f"{mid:,}"
        rows = [
            (f"hazard list page: queries at {m} (baseline: at 10)", at_mid["list"][0],
             at_10["list"][0], "q"),
            (f"hazard list page: queries at {n} (baseline: at 10)", at_total["list"][0],
             at_10["list"][0], "q"),
            (f"hazard list page: time at {m} (baseline: at 10)", at_mid["list"][1],
             at_10["list"][1], "ms"),
            (f"hazard list page: time at {n} (baseline: at 10)", at_total["list"][1],
             at_10["list"][1], "ms"),
            (f"API hazard list: queries at {n} (baseline: at 10)", at_total["api"][0],
             at_10["api"][0], "q"),
            (f"API hazard list: time at {n} (baseline: at 10)", at_total["api"][1],
             at_10["api"][1], "ms"),
            (f"org list page ({len(orgs)} units): queries (baseline: at 10 hazards)",
             at_total["orgs"][0], at_10["orgs"][0], "q"),
            (f"org list page ({len(orgs)} units): time (baseline: at 10 hazards)",
             at_total["orgs"][1], at_10["orgs"][1], "ms"),
            (f"ledger export of {n}: time (baseline: bare openpyxl, same cells)",
             ledger_total["seconds"], bare_total["seconds"], "s"),
            (f"ledger export of {m}: time (baseline: bare openpyxl, same cells)",
             ledger_mid["seconds"], bare_mid["seconds"], "s"),
            (f"ledger export of {n}: throughput (baseline: bare openpyxl)",
             total / ledger_total["seconds"], total / bare_total["seconds"], "r/s"),
            (f"ledger export of {n}: peak RSS growth (baseline: bare openpyxl)",
             growth(ledger_total), growth(bare_total), "MB"),
            (f"ledger export: peak RSS growth at {n} (baseline: at {m})",
             growth(ledger_total), growth(ledger_mid), "MB"),
            (f"ledger export of {n}: peak RSS of the process (baseline: bare openpyxl)",
             ledger_total["rss_peak"], bare_total["rss_peak"], "MB"),
        ]  # fmt: skip
        if total == mid:  # one size only: drop the rows that would repeat
            rows = [r for i, r in enumerate(rows) if i not in (1, 3, 9, 12)]
        print()
        print(
            f"anpai bench — {engine}, size {args.size} ({len(orgs)} units), "
            f"{total:,} hazards, {time.strftime('%Y-%m-%d %H:%M')}"
        )
        print(f"ledger file: {ledger_total['bytes'] / 1e6:.1f} MB for {total:,} rows")
        print(_table(rows))
    finally:
        if pg_name:
            _drop_database(pg_name, original_url)
        if args.keep:
            print(f"data kept in {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

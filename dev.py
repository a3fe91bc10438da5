#!/usr/bin/env python3
"""One-command setup for newcomers, using nothing but Python 3.11+ and pip.

    python3 dev.py demo [--port 8000]   set up .venv, the database and the demo township; serve it
    python3 dev.py test [pytest args]   set up .venv with the test tools; run the whole suite
    python3 dev.py check                the gates CI runs besides the tests (ruff, mypy, checks)

The virtual environment is created in .venv from the pinned lock files in
requirements/, and reinstalled only when a lock file changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("ANPAI_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"


def _say(text: str) -> None:
    print(f"[anpai] {text}", flush=True)


def create_venv() -> None:
    """A venv with pip; where ensurepip is missing (Debian without python3-venv),
    bootstrap one with virtualenv fetched by the pip that is there."""
    try:
        venv.EnvBuilder(with_pip=True).create(VENV)
        return
    except (subprocess.CalledProcessError, OSError) as exc:
        _say(f"the venv module could not install pip ({exc}); using virtualenv instead")
        shutil.rmtree(VENV, ignore_errors=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "--target", tmp, "virtualenv"],
            check=True,
        )
        subprocess.run(
            [sys.executable, "-m", "virtualenv", "-q", str(VENV)],
            check=True,
            env={**os.environ, "PYTHONPATH": tmp},
        )


def ensure_venv(with_dev: bool) -> None:
    """Create .venv and install the locked dependencies when they have changed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs before the venv exists
        sys.exit("anpai needs Python 3.11 or newer; this is " + sys.version.split()[0])
    lock = ROOT / "requirements" / ("dev.lock" if with_dev else "base.lock")
    stamp = VENV / ".anpai-installed"
    wanted = hashlib.sha256(lock.read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    installed = stamp.read_text().split() if stamp.exists() else []
    if wanted in installed:
        return
    if not PY.exists():
        _say(f"creating a virtual environment in {VENV}")
        create_venv()
    _say(f"installing dependencies from {lock.relative_to(ROOT)} (first run takes a minute)")
    pip = [str(PY), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "-r", str(lock)], check=True)
    subprocess.run([*pip, "--no-deps", "-e", str(ROOT)], check=True)
    stamp.write_text(" ".join([*installed, wanted]))


def run(cmd: list[str], **env: str) -> int:
    return subprocess.run(cmd, cwd=ROOT, env={**os.environ, **env}).returncode


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "help"
    rest = argv[1:]
    if command == "demo":
        ensure_venv(with_dev=False)
        return run([str(BIN / "anpai"), "demo", *rest])
    if command == "test":
        ensure_venv(with_dev=True)
        # Two workers by default: the suite is I/O-light and CI machines have 2 cores.
        workers = os.environ.get("ANPAI_TEST_WORKERS", "2")
        args = ["-n", workers] if workers not in ("0", "1") else []
        return run([str(PY), "-m", "pytest", *args, *rest])
    if command == "check":
        ensure_venv(with_dev=True)
        steps = [
            [str(BIN / "ruff"), "check", "."],
            [str(BIN / "ruff"), "format", "--check", "."],
            [str(BIN / "mypy")],  # the domain files listed in pyproject.toml
            [str(BIN / "anpai"), "check"],
            [str(BIN / "anpai"), "makemigrations", "--check", "--dry-run"],
        ]
        for step in steps:
            _say(" ".join(Path(step[0]).name if i == 0 else a for i, a in enumerate(step)))
            if run(step, ANPAI_DATA_DIR=os.environ.get("ANPAI_DATA_DIR", str(ROOT / "var"))):
                return 1
        return 0
    print(__doc__)
    return 0 if command in ("help", "-h", "--help") else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

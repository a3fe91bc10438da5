"""Typed helpers that read settings from environment variables and fail fast.

Each helper raises :class:`ImproperlyConfigured` with the variable's name and
the rule it broke, so a mistyped production setting stops the process at
start-up instead of surfacing later as odd behaviour. ``NAME_FILE`` variants
let secrets come from files (Docker/Kubernetes secrets).
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            return Path(file_path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {file_path}: {exc}") from exc
    return os.environ.get(name)


def env_str(name: str, default: str = "") -> str:
    """A string setting; ``default`` when unset."""
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool = False) -> bool:
    """A boolean setting: one of 1/0, true/false, yes/no, on/off."""
    value = _raw(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false, 1/0), not {value!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """An integer setting, optionally with a lower bound."""
    value = _raw(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from exc
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}")
    return number


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """A comma-separated list setting."""
    value = _raw(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    """A setting that must be one of ``choices``."""
    value = env_str(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def env_origin(name: str, default: str = "") -> str:
    """An http(s) origin (scheme, host, optional port; no path), without a trailing slash.

    ``default`` (normally empty: unset) when unset or empty.
    """
    value = (_raw(name) or "").strip()
    if not value:
        return default
    rule = f"{name} must be an http(s) address such as https://anpai.example.cn"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError as exc:
        raise ImproperlyConfigured(f"{rule}, not {value!r}") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImproperlyConfigured(f"{rule}, not {value!r}")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise ImproperlyConfigured(f"{rule} (scheme and host only, no path), not {value!r}")
    return f"{parts.scheme}://{parts.netloc}"


def persistent_secret(path: Path) -> str:
    """Read a generated secret from ``path``, creating it on first use.

    Lets a newcomer run the embedded setup without inventing a SECRET_KEY,
    while keeping the key stable across restarts. The file is created with
    O_EXCL, so workers starting together agree on one key.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another process created it and may still be writing
            value = path.read_text(encoding="utf-8").strip()
            if value:
                return value
            time.sleep(0.05)
        raise ImproperlyConfigured(f"{path} is empty: delete it or set ANPAI_SECRET_KEY") from None
    value = secrets.token_urlsafe(50)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value)
    return value

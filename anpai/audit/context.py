"""Who is acting, from where: set per request (or per command) for the audit trail."""

from __future__ import annotations

import contextvars
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class AuditContext:
    actor: Any = None
    ip: str | None = None
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    source: str = "web"


_current: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar(
    "anpai_audit_context", default=None
)


def current() -> AuditContext:
    ctx = _current.get()
    return ctx if ctx is not None else AuditContext(source="system")


@contextmanager
def acting(actor: Any = None, *, ip: str | None = None, source: str = "web"):
    """Attribute the audit records written inside the block to ``actor``."""
    token = _current.set(AuditContext(actor=actor, ip=ip, source=source))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def set_actor(actor: Any) -> None:
    """Update the actor of the current context (e.g. after token authentication)."""
    ctx = _current.get()
    if ctx is not None:
        ctx.actor = actor

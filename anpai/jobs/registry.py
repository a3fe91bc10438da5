"""Which function runs each kind of job.

An app registers its kinds in its ``jobs`` module (imported by
``JobsConfig.ready``)::

    register("hazard_ledger", run_ledger_job)

A job function takes the :class:`~anpai.jobs.models.Job` and a ``progress``
callable (``progress(done, total=None)``) and returns a :class:`JobOutput`
(the result file) or None.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from anpai.jobs.models import Job


@dataclass
class JobOutput:
    """A job's result: an open, rewound file, its download name and content type."""

    file: IO[bytes]
    name: str
    content_type: str = "application/octet-stream"


Progress = Callable[..., None]
JobFunction = Callable[["Job", Progress], JobOutput | None]

_FUNCTIONS: dict[str, JobFunction] = {}


class UnknownJobKind(LookupError):
    """No function is registered for a job's kind (a typo, or an app removed)."""


def register(kind: str, fn: JobFunction | None = None) -> Any:
    """Register ``fn`` for ``kind``; usable as ``register(kind, fn)`` or ``@register(kind)``."""
    if fn is None:

        def decorator(func: JobFunction) -> JobFunction:
            _FUNCTIONS[kind] = func
            return func

        return decorator
    _FUNCTIONS[kind] = fn
    return fn


def function_for(kind: str) -> JobFunction:
    try:
        return _FUNCTIONS[kind]
    except KeyError:
        raise UnknownJobKind(f"no job function registered for {kind!r}") from None


def kinds() -> list[str]:
    return sorted(_FUNCTIONS)

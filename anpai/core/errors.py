"""Errors that action functions raise, each with the HTTP status it means.

Views and API views translate them into responses; the action functions stay
free of HTTP. The messages are translated and name what went wrong.
"""

from __future__ import annotations

from typing import Any


class ActionError(Exception):
    """Base class: ``status`` is the HTTP status code the error maps to."""

    status = 400

    def __init__(self, message: Any = "", *, fields: dict[str, list[Any]] | None = None):
        super().__init__(str(message))
        self.message = message
        self.fields = fields or {}

    def as_dict(self) -> dict[str, Any]:
        if self.fields:
            return {k: [str(m) for m in v] for k, v in self.fields.items()}
        return {"detail": str(self.message)}


class Invalid(ActionError):
    """Bad input: field errors (400). Nothing was changed."""

    status = 400


class Forbidden(ActionError):
    """The actor may see the object but may not do this (403)."""

    status = 403


class NotFound(ActionError):
    """Outside the actor's scope, or absent (404)."""

    status = 404


class Conflict(ActionError):
    """Not allowed in the object's current state, or changed meanwhile (409)."""

    status = 409

"""The append-only, hash-chained audit trail."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS = "0" * 64


class AuditAction(models.TextChoices):
    CREATE = "create", _("Create")
    UPDATE = "update", _("Change")
    DELETE = "delete", _("Delete")
    LOGIN = "login", _("Login")
    LOGOUT = "logout", _("Logout")
    LOGIN_FAILED = "login_failed", _("Failed login")
    EXPORT = "export", _("Export")
    IMPORT = "import", _("Import")
    TOKEN = "token", _("API token issued")


class AuditRecordQuerySet(models.QuerySet["AuditRecord"]):
    def restrict(self, user, action: str = "view") -> AuditRecordQuerySet:
        """Only the audit administrator reads the trail; nobody may change it."""
        from anpai.core import access

        if action not in ("view", "export") or not access.can(user, "audit.auditrecord", action):
            return self.none()
        return self

    def update(self, **kwargs):  # pragma: no cover - guard
        raise PermissionError("audit records are append-only")

    def delete(self):  # pragma: no cover - guard
        raise PermissionError("audit records are append-only")


class AuditRecord(models.Model):
    """One event: who, when, from where, what, before and after.

    ``hash`` covers every field and the previous record's hash, so editing or
    deleting any row breaks the chain from that row on; ``AuditHead`` holds the
    last link, so cutting rows off the end is detected too.
    """

    seq = models.BigIntegerField(_("sequence"), unique=True)
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        # DO_NOTHING, not SET_NULL: deleting an account must not rewrite the
        # records that name it (actor_id is hashed). No constraint, so the
        # trail outlives the accounts it names.
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_username = models.CharField(_("username"), max_length=150, blank=True, db_index=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=20, blank=True)
    request_id = models.CharField(_("request"), max_length=32, blank=True)
    action = models.CharField(
        _("action"), max_length=20, choices=AuditAction.choices, db_index=True
    )
    object_type = models.CharField(_("object type"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("audit records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any):
        raise PermissionError("audit records are append-only")

    def payload(self) -> dict[str, Any]:
        """The fields the hash covers, in a form that survives a database round trip."""
        return {
            "seq": self.seq,
            "at": _ts(self.at),
            "actor_id": self.actor_id,
            "actor_username": self.actor_username,
            "ip": self.ip,
            "source": self.source,
            "request_id": self.request_id,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "before": self.before,
            "after": self.after,
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self) -> str:
        text = json.dumps(self.payload(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _ts(value) -> str:
    from datetime import UTC

    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class AuditHead(models.Model):
    """The chain's last link (a single row), locked while a record is appended."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash}"


class ChainCheck(models.Model):
    """The result of one verification of the chain, shown on the audit page.

    Not part of the chain itself: it only remembers when the chain was last
    walked, by whom, and what was found.
    """

    at = models.DateTimeField(_("time"), auto_now_add=True)
    username = models.CharField(_("by"), max_length=150, blank=True)
    source = models.CharField(_("source"), max_length=20, blank=True)
    ok = models.BooleanField(_("intact"))
    checked = models.BigIntegerField(_("records verified"))
    broken_seq = models.BigIntegerField(_("first broken record"), null=True, blank=True)
    message = models.CharField(_("result"), max_length=255)

    class Meta:
        ordering = ["-at", "-id"]
        get_latest_by = "at"
        verbose_name = _("chain verification")
        verbose_name_plural = _("chain verifications")

    def __str__(self) -> str:
        return self.message

"""Appending to the audit chain, and verifying it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from anpai.audit import context
from anpai.audit.models import GENESIS, AuditHead, AuditRecord

# Field names never written into the trail.
SECRET_FIELDS = frozenset({"password", "key_hash"})


def jsonable(value: Any) -> Any:
    """A value in a form whose JSON survives any database's JSON column unchanged."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date | Decimal | float):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, models.Model):
        return value.pk
    return str(value)


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The concrete field values of a model instance, for before/after."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in SECRET_FIELDS:
            continue
        data[field.attname] = jsonable(getattr(instance, field.attname))
    return data


def append(
    action: str,
    *,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor: Any = None,
    username: str = "",
) -> AuditRecord:
    """Append one record to the chain, inside the caller's transaction.

    The head row is locked for the append, so records get gapless sequence
    numbers and each links to the one before, whichever database this is.
    """
    ctx = context.current()
    actor = actor if actor is not None else ctx.actor
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:255]
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        record = AuditRecord(
            seq=head.seq + 1,
            at=timezone.now(),
            actor=actor,
            actor_username=(actor.get_username() if actor is not None else username)[:150],
            ip=ctx.ip,
            source=ctx.source,
            request_id=ctx.request_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr[:255],
            before=jsonable(before) if before is not None else None,
            after=jsonable(after) if after is not None else None,
            prev_hash=head.hash,
        )
        record.hash = record.compute_hash()
        record.save()
        AuditHead.objects.filter(pk=1).update(seq=record.seq, hash=record.hash)
    return record


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    message: str
    seq: int | None = None


def verify(chunk_size: int = 2000) -> VerifyResult:
    """Walk the chain in order; report the first record whose link or content is broken."""
    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    qs = AuditRecord.objects.order_by("seq")
    for record in qs.iterator(chunk_size=chunk_size):
        if record.seq != expected_seq:
            return VerifyResult(
                False, checked, f"record #{expected_seq} is missing (next found is #{record.seq})",
                expected_seq,
            )
        if record.prev_hash != prev_hash:
            return VerifyResult(
                False, checked, f"record #{record.seq} does not link to the record before it",
                record.seq,
            )
        if record.compute_hash() != record.hash:
            return VerifyResult(
                False, checked, f"record #{record.seq} was changed after it was written",
                record.seq,
            )
        prev_hash = record.hash
        expected_seq += 1
        checked += 1
    head = AuditHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != checked or head_hash != prev_hash:
        return VerifyResult(
            False, checked,
            f"the chain ends at #{checked} but its head says #{head_seq}: records were removed",
            checked + 1,
        )
    return VerifyResult(True, checked, f"{checked} records verified")

"""Appending to the audit chain, and verifying it."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, empty

from anpai.audit import context
from anpai.audit.models import GENESIS, AuditHead, AuditRecord

# Field names never written into the trail.
SECRET_FIELDS = frozenset({"password", "key_hash"})

# Records appended inside :func:`batch`, waiting to be chained in one write.
_pending: ContextVar[list[AuditRecord] | None] = ContextVar("audit_pending", default=None)


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


def _unwrap(actor: Any) -> Any:
    """The real user behind ``request.user``'s lazy wrapper (or None for anonymous)."""
    if isinstance(actor, SimpleLazyObject):
        if actor._wrapped is empty:
            actor._setup()
        actor = actor._wrapped
    if actor is not None and not getattr(actor, "is_authenticated", False):
        return None
    return actor


def _clean_ip(value: str | None) -> str | None:
    """The address as the database will return it (so the hash survives), or None.

    A proxy header can carry anything; an unparsable value is dropped rather
    than failing the request (PostgreSQL's inet column would refuse it).
    """
    if not value:
        return None
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


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
    actor = _unwrap(actor if actor is not None else ctx.actor)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:255]
    record = AuditRecord(
        at=timezone.now(),
        actor=actor,
        actor_username=(actor.get_username() if actor is not None else username)[:150],
        ip=_clean_ip(ctx.ip),
        source=ctx.source,
        request_id=ctx.request_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:255],
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
    )
    pending = _pending.get()
    if pending is not None:
        pending.append(record)
    else:
        _chain([record])
    return record


def _chain(records: list[AuditRecord]) -> None:
    """Link ``records`` to the chain in order and write them, under the head's lock."""
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        seq, prev = head.seq, head.hash
        for record in records:
            seq += 1
            record.seq = seq
            record.prev_hash = prev
            record.hash = record.compute_hash()
            prev = record.hash
        if len(records) == 1:
            records[0].save()
        else:
            AuditRecord.objects.bulk_create(records, batch_size=500)
        AuditHead.objects.filter(pk=1).update(seq=seq, hash=prev)


@contextmanager
def batch() -> Iterator[None]:
    """Append the records of a bulk operation (the demo build) in one write at the end.

    Each record is what :func:`append` would have written, in the same order;
    only the head's lock and the inserts are shared. Use inside a transaction:
    if the block raises, nothing is appended (and the transaction rolls back
    the changes the records describe). Nested batches join the outer one.
    """
    if _pending.get() is not None:
        yield
        return
    records: list[AuditRecord] = []
    token = _pending.set(records)
    try:
        yield
    finally:
        _pending.reset(token)
    if records:
        _chain(records)


@dataclass
class VerifyResult:
    """What :func:`verify` found: ``seq`` is the first broken record when not ``ok``."""

    ok: bool
    checked: int
    message: str
    seq: int | None = None
    head_hash: str = ""


def _head() -> tuple[int, str]:
    head = AuditHead.objects.filter(pk=1).first()
    return (head.seq, head.hash) if head else (0, GENESIS)


def verify(chunk_size: int = 2000) -> VerifyResult:
    """Walk the chain in order; report the first record whose link or content is broken.

    The head is read first and the walk stops there, so records appended while
    the walk runs do not look like tampering; rows beyond the head that are
    still beyond it at the end did not come through :func:`append`.
    """
    head_seq, head_hash = _head()
    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    qs = AuditRecord.objects.filter(seq__lte=head_seq).order_by("seq")
    for record in qs.iterator(chunk_size=chunk_size):
        if record.seq != expected_seq:
            return VerifyResult(
                False,
                checked,
                f"record #{expected_seq} is missing (the next one found is #{record.seq})",
                expected_seq,
            )
        if record.prev_hash != prev_hash:
            return VerifyResult(
                False,
                checked,
                f"record #{record.seq} does not link to the record before it",
                record.seq,
            )
        if record.compute_hash() != record.hash:
            return VerifyResult(
                False,
                checked,
                f"record #{record.seq} was changed after it was written",
                record.seq,
            )
        prev_hash = record.hash
        expected_seq += 1
        checked += 1
    if checked < head_seq:
        return VerifyResult(
            False,
            checked,
            f"the chain ends at #{checked} but its head says #{head_seq}: records were removed",
            checked + 1,
        )
    if head_hash != prev_hash:
        return VerifyResult(
            False,
            checked,
            f"record #{checked} does not match the chain head: it was replaced",
            checked or None,
        )
    current_seq, _ = _head()
    stray = AuditRecord.objects.filter(seq__gt=current_seq).order_by("seq").first()
    if stray is not None:
        return VerifyResult(
            False,
            checked,
            f"record #{stray.seq} lies beyond the chain head (#{current_seq}): "
            "it was not written by the audit trail",
            stray.seq,
        )
    return VerifyResult(True, checked, f"{checked} records verified", head_hash=head_hash)

"""A batch of appends (the demo build) gives the same chain as one append each."""

from __future__ import annotations

import itertools

import pytest
from django.db import transaction

from anpai.audit.log import append, batch, verify
from anpai.audit.models import AuditAction, AuditHead, AuditRecord


@pytest.mark.django_db
def test_batched_records_are_chained_in_order_and_verify(demo):
    head = AuditHead.objects.get(pk=1)
    with batch():
        for i in range(3):
            append(AuditAction.UPDATE, object_type="x.y", object_id=str(i), username="batch")
        with batch():  # nested: joins the outer batch
            append(AuditAction.UPDATE, object_type="x.y", object_id="3", username="batch")
        assert AuditRecord.objects.filter(actor_username="batch").count() == 0
    records = list(AuditRecord.objects.filter(actor_username="batch").order_by("seq"))
    assert [r.object_id for r in records] == ["0", "1", "2", "3"]
    assert [r.seq for r in records] == [head.seq + 1, head.seq + 2, head.seq + 3, head.seq + 4]
    assert records[0].prev_hash == head.hash
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(records))
    assert verify().ok
    append(AuditAction.UPDATE, object_type="x.y", object_id="after", username="single")
    assert verify().ok


@pytest.mark.django_db
def test_a_failed_batch_appends_nothing(demo):
    before = AuditHead.objects.get(pk=1).seq

    def fail() -> None:
        with transaction.atomic(), batch():
            append(AuditAction.UPDATE, object_type="x.y", object_id="0", username="batch")
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        fail()
    assert AuditHead.objects.get(pk=1).seq == before
    assert not AuditRecord.objects.filter(actor_username="batch").exists()

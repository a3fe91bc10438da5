"""The hash chain: `anpai audit verify` catches edits and deletions; records are append-only."""

from __future__ import annotations

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import close_old_connections, connection

from anpai.audit import context
from anpai.audit.log import append, verify
from anpai.audit.models import AuditAction, AuditHead, AuditRecord, ChainCheck


def _records(n: int = 5) -> list[AuditRecord]:
    return [
        append(
            AuditAction.EXPORT,
            object_type="orgs.organization",
            object_repr=f"export {i}",
            after={"rows": i},
        )
        for i in range(n)
    ]


def _sql(statement: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _verify() -> str:
    out: list[str] = []

    class Sink:
        def write(self, text):
            out.append(text)

        def flush(self):
            pass

    call_command("audit", "verify", stdout=Sink())
    return "".join(out)


@pytest.mark.django_db
def test_untouched_chain_verifies():
    _records()
    total = AuditRecord.objects.count()
    output = _verify()
    assert f"{total} records verified" in output
    assert "head: " in output
    check = ChainCheck.objects.latest()
    assert check.ok
    assert check.checked == total
    assert check.source == "command"


@pytest.mark.django_db
def test_changed_row_is_detected_and_named():
    target = _records()[2]
    _sql("UPDATE audit_auditrecord SET object_repr='x' WHERE seq=%s", target.seq)
    with pytest.raises(CommandError) as excinfo:
        _verify()
    message = str(excinfo.value)
    assert f"#{target.seq}" in message
    assert "changed after it was written" in message
    check = ChainCheck.objects.latest()
    assert not check.ok
    assert check.broken_seq == target.seq


@pytest.mark.django_db
def test_changed_json_is_detected():
    target = _records()[1]
    _sql("UPDATE audit_auditrecord SET after=%s WHERE seq=%s", '{"rows": 999}', target.seq)
    result = verify()
    assert not result.ok
    assert result.seq == target.seq


@pytest.mark.django_db
def test_rehashed_row_breaks_the_next_link():
    """Recomputing the edited row's own hash does not help: the next row links to the old one."""
    records = _records()
    target = records[2]
    target.object_repr = "forged"
    _sql(
        "UPDATE audit_auditrecord SET object_repr='forged', hash=%s WHERE seq=%s",
        target.compute_hash(),
        target.seq,
    )
    result = verify()
    assert not result.ok
    assert result.seq == records[3].seq
    assert "does not link" in result.message


@pytest.mark.django_db
def test_deleted_middle_row_is_detected():
    target = _records()[2]
    _sql("DELETE FROM audit_auditrecord WHERE seq=%s", target.seq)
    with pytest.raises(CommandError, match=rf"#{target.seq}\b.*missing"):
        _verify()


@pytest.mark.django_db
def test_deleted_last_row_is_detected_by_the_head():
    last = _records()[-1]
    _sql("DELETE FROM audit_auditrecord WHERE seq=%s", last.seq)
    with pytest.raises(CommandError) as excinfo:
        _verify()
    assert f"#{last.seq}" in str(excinfo.value)
    assert "removed" in str(excinfo.value)


@pytest.mark.django_db
def test_replaced_last_row_is_detected_by_the_head():
    last = _records()[-1]
    last.object_repr = "forged"
    _sql(
        "UPDATE audit_auditrecord SET object_repr='forged', hash=%s WHERE seq=%s",
        last.compute_hash(),
        last.seq,
    )
    result = verify()
    assert not result.ok
    assert result.seq == last.seq


@pytest.mark.django_db
def test_row_inserted_beyond_the_head_is_detected():
    last = _records()[-1]
    AuditHead.objects.filter(pk=1).update(seq=last.seq - 1)  # as if the last append never ran
    result = verify()
    assert not result.ok


@pytest.mark.django_db
def test_tail_prints_recent_records(capsys):
    _records(3)
    call_command("audit", "tail", "-n", "2")
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    assert "export 1" in lines[0]
    assert "export 2" in lines[1]


@pytest.mark.django_db
def test_tail_refuses_nonsense():
    with pytest.raises(CommandError):
        call_command("audit", "tail", "-n", "0")


@pytest.mark.django_db
def test_records_cannot_be_changed_or_deleted_through_the_orm():
    record = _records(1)[0]
    record.object_repr = "edited"
    with pytest.raises(PermissionError):
        record.save()
    with pytest.raises(PermissionError):
        record.delete()
    with pytest.raises(PermissionError):
        AuditRecord.objects.filter(pk=record.pk).update(object_repr="edited")
    with pytest.raises(PermissionError):
        AuditRecord.objects.filter(pk=record.pk).delete()
    assert verify().ok


@pytest.mark.django_db
def test_deleting_a_user_keeps_the_chain(demo):
    """The actor link must not be rewritten (SET NULL would change hashed rows)."""
    from anpai.people.models import User

    user = User.objects.create_user("leaving", password="Leaving-pass-2024")
    with context.acting(user, ip="10.0.0.9"):
        append(AuditAction.EXPORT, object_type="orgs.organization", object_repr="by leaver")
    user.delete()
    assert verify().ok
    record = AuditRecord.objects.filter(object_repr="by leaver").get()
    assert record.actor_username == "leaving"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("10.0.0.1", "10.0.0.1"),
        ("::ffff:10.0.0.2", "10.0.0.2"),
        ("2001:DB8::0001", "2001:db8::1"),
        ("not-an-ip", None),
        ("", None),
    ],
)
def test_addresses_are_stored_as_the_database_returns_them(given, stored):
    with context.acting(None, ip=given):
        record = append(AuditAction.LOGIN_FAILED, object_type="people.user", username="x")
    record = AuditRecord.objects.get(pk=record.pk)
    assert record.ip == stored
    assert verify().ok


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="threads need real connections; SQLite's test DB is in memory",
)
def test_concurrent_appends_keep_a_gapless_chain():
    workers, each = 8, 15
    errors: list[BaseException] = []
    start = threading.Barrier(workers)

    def work(n):
        try:
            start.wait()
            for i in range(each):
                append(AuditAction.EXPORT, object_type="orgs.organization", object_repr=f"w{n}-{i}")
        except BaseException as exc:
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    result = verify()
    assert result.ok, result.message
    seqs = list(AuditRecord.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert AuditRecord.objects.filter(object_repr__startswith="w").count() == workers * each

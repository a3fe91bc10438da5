"""The audit page: only the audit administrator; search, diff, htmx, verify panel, export."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from anpai.audit import context
from anpai.audit.log import append
from anpai.audit.models import AuditAction, AuditRecord, ChainCheck
from anpai.core import access
from anpai.orgs.models import Industry

pytestmark = pytest.mark.django_db


def _org_update(demo, name="改名后的企业"):
    org = access.memberships(demo["ent1"])[0].organization
    org.name = name
    with context.acting(demo["township"], ip="10.7.7.7"):
        org.save()
    return org


@pytest.mark.parametrize(
    "username", ["admin", "secadmin", "township", "leader", "dept", "village1", "ent1", "county"]
)
def test_everyone_but_the_auditor_is_refused(login, username):
    client = login(username)
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export/").status_code == 403
    assert client.post("/audit/verify/").status_code == 403


def test_anonymous_is_sent_to_log_in(client, demo):
    response = client.get("/audit/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_auditor_sees_records_newest_first_with_a_diff(login, demo):
    org = _org_update(demo)
    response = login("auditor").get("/audit/")
    assert response.status_code == 200
    page = response.content.decode()
    assert org.name in page
    assert "10.7.7.7" in page
    assert "audit-diff" in page
    assert "<del" in page
    assert "<ins" in page
    records = list(response.context["object_list"])
    assert records == sorted(records, key=lambda r: -r.seq)
    update = next(r for r in records if r.action == "update")
    assert update.diff == [
        (str(org._meta.get_field("name").verbose_name), update.diff[0][1], org.name)
    ]


def test_diff_shows_names_labels_and_yes_no(login, demo):
    org = access.memberships(demo["ent1"])[0].organization
    industries = list(Industry.objects.exclude(organizations=org)[:2])
    with context.acting(demo["township"]):
        org.industries.add(*industries)
        org.is_key = not org.is_key
        org.status = "suspended"
        org.save()
    records = list(
        login("auditor")
        .get("/audit/", {"object_id": str(org.pk), "object_type": "orgs.organization"})
        .context["object_list"]
    )
    rows = {label: (before, after) for r in records for label, before, after in r.diff}
    industries_label = str(org._meta.get_field("industries").verbose_name)
    assert all(i.name in rows[industries_label][1] for i in industries)
    assert rows[str(org._meta.get_field("status").verbose_name)][1] == str(
        org._meta.get_field("status").choices[1][1]
    )
    assert set(rows[str(org._meta.get_field("is_key").verbose_name)]) <= {"Yes", "No", "是", "否"}


def test_search_filters(login, demo):
    _org_update(demo)
    with context.acting(None, ip="10.8.8.8"):
        append(
            AuditAction.LOGIN_FAILED,
            object_type="people.user",
            object_repr="intruder",
            username="intruder",
        )
    client = login("auditor")

    def found(**params):
        return list(client.get("/audit/", params).context["object_list"])

    failed = found(action=["login_failed"])
    assert failed
    assert all(r.action == "login_failed" for r in failed)
    both = found(action=["login_failed", "update"])
    assert {r.action for r in both} == {"login_failed", "update"}
    assert all(r.actor_username == "township" for r in found(user="towns"))
    assert found(user="towns")
    orgs = found(object_type="orgs.organization")
    assert orgs
    assert all(r.object_type == "orgs.organization" for r in orgs)
    org = access.memberships(demo["ent1"])[0].organization
    assert {r.object_id for r in found(object_id=str(org.pk))} == {str(org.pk)}
    assert [r.object_repr for r in found(q="intrud")] == ["intruder"]
    today = timezone.localdate()
    assert found(since=today.isoformat(), until=today.isoformat())
    assert found(since=(today + timedelta(days=1)).isoformat()) == []
    assert found(until=(today - timedelta(days=1)).isoformat()) == []


def test_bad_search_input_is_an_error_not_a_crash(login, demo):
    response = login("auditor").get("/audit/", {"since": "2024-13-45", "action": "bogus"})
    assert response.status_code == 200
    assert response.context["filter"].errors
    assert "is-invalid" in response.content.decode()


def test_htmx_gets_only_the_results(login, demo):
    response = login("auditor").get("/audit/", {"action": "update"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="audit-results"')
    assert "<html" not in page
    restore = login("auditor").get(
        "/audit/", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in restore.content.decode()


def test_page_query_count_is_constant(login, demo):
    """The same kinds of records, a page's worth and then many more: the same queries."""
    client = login("auditor")
    org = access.memberships(demo["ent1"])[0].organization
    industries = list(Industry.objects.all()[:3])

    def add_mixed(n):
        for i in range(n):
            _org_update(demo, name=f"改名 {i}")
            org.industries.remove(*industries[:2])
            org.industries.add(*industries)
            append(AuditAction.EXPORT, object_type="orgs.organization", after={"rows": i})

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/audit/").status_code == 200
        return len(queries)

    add_mixed(20)
    client.get("/audit/")  # warm up the session
    first = count()
    add_mixed(40)
    assert count() == first
    assert first <= 12


def test_list_page_is_paginated(login, demo):
    for i in range(60):
        append(AuditAction.EXPORT, object_type="orgs.organization", object_repr=f"bulk {i}")
    response = login("auditor").get("/audit/", {"page": 2})
    assert response.status_code == 200
    assert response.context["page_obj"].number == 2
    assert len(response.context["object_list"]) <= 50


def test_verify_button_runs_and_remembers_the_result(login, demo):
    client = login("auditor")
    assert client.get("/audit/verify/").status_code == 405
    response = client.post("/audit/verify/", follow=True)
    assert response.status_code == 200
    check = ChainCheck.objects.latest()
    assert check.ok
    assert check.username == "auditor"
    assert check.source == "web"
    assert check.checked == AuditRecord.objects.count()
    assert response.context["last_check"] == check
    assert 'data-testid="verify-panel"' in response.content.decode()


def test_verify_button_reports_a_broken_chain(login, demo):
    record = append(AuditAction.EXPORT, object_type="orgs.organization", object_repr="a")
    append(AuditAction.EXPORT, object_type="orgs.organization", object_repr="b")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditrecord SET object_repr='x' WHERE seq=%s", [record.seq])
    response = login("auditor").post("/audit/verify/", follow=True)
    check = ChainCheck.objects.latest()
    assert not check.ok
    assert check.broken_seq == record.seq
    assert f"#{record.seq}" in response.content.decode()


def test_export_is_filtered_and_itself_audited(login, demo):
    _org_update(demo)
    client = login("auditor")
    expected = AuditRecord.objects.filter(action="update").count()
    response = client.get("/audit/export/", {"action": "update"}, REMOTE_ADDR="10.6.6.6")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == expected + 1
    assert {r[6] for r in rows[1:]} == {str(AuditAction.UPDATE.label)}
    record = AuditRecord.objects.order_by("-seq").first()
    assert record.action == AuditAction.EXPORT
    assert record.object_type == "audit.auditrecord"
    assert record.actor_username == "auditor"
    assert record.ip == "10.6.6.6"
    assert record.after == {"filters": {"action": ["update"]}, "rows": expected}


def test_export_query_count_is_constant(login, demo):
    client = login("auditor")
    client.get("/audit/")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/audit/export/").status_code == 200
        return len(queries)

    first = count()
    for i in range(30):
        append(AuditAction.EXPORT, object_type="orgs.organization", object_repr=f"bulk {i}")
    assert count() == first


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_no_page_edits_or_deletes_records(login, demo, method):
    client = login("auditor")
    record = AuditRecord.objects.order_by("-seq").first()
    before = AuditRecord.objects.count()
    for url in ("/audit/", f"/audit/{record.pk}/", "/audit/export/"):
        assert getattr(client, method)(url).status_code in (403, 404, 405)
    assert AuditRecord.objects.count() == before


def test_the_api_has_no_audit_endpoint(api, demo):
    client = api("auditor")
    for url in ("/api/v1/audit/", "/api/v1/auditrecords/", "/api/v1/audit-records/"):
        assert client.get(url).status_code == 404
        assert client.delete(url).status_code in (404, 405)

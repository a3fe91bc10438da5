"""xlsx export: the filtered rows, the audit record, permission, constant queries."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from anpai.audit.models import AuditAction, AuditRecord
from anpai.orgs.choices import OrgKind
from anpai.orgs.models import Industry, Organization
from anpai.orgs.resources import COLUMNS
from anpai.orgs.tests.conftest import org_of

URL = reverse("orgs:export")


def read(response) -> tuple[str, list[str], list[tuple]]:
    content = b"".join(response.streaming_content)
    sheet = load_workbook(BytesIO(content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    return rows[0][0], list(rows[1]), rows[2:]


@pytest.mark.django_db
def test_export_has_the_filtered_rows_and_is_audited(login):
    response = login("township").get(URL, {"is_key": "true", "kind": OrgKind.ENTERPRISE})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    title, headers, rows = read(response)
    assert "西槽头乡" in title
    assert headers == [c.header for c in COLUMNS]
    expected = Organization.objects.filter(
        region__code__startswith="141127203", is_key=True, kind=OrgKind.ENTERPRISE
    )
    names = [r[headers.index("名称")] for r in rows]
    assert sorted(names) == sorted(expected.values_list("name", flat=True))
    assert {r[headers.index("重点企业")] for r in rows} == {"是"}
    record = AuditRecord.objects.filter(action=AuditAction.EXPORT).first()
    assert record.actor_username == "township"
    assert record.after["rows"] == len(rows)
    assert record.after["filters"] == {"is_key": ["true"], "kind": [OrgKind.ENTERPRISE]}


@pytest.mark.django_db
def test_village_officer_exports_only_their_village(login, demo):
    response = login("village1").get(URL)
    _title, headers, rows = read(response)
    village = org_of(demo["village1"]).region
    assert {r[headers.index("区划代码")] for r in rows} == {village.code}
    assert len(rows) == Organization.objects.filter(region=village).count()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["ent1", "ent1safety", "secadmin"])
def test_export_needs_the_export_permission(login, persona):
    assert login(persona).get(URL).status_code == 403


def _export_queries(client, params) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, params)
        _title, _headers, rows = read(response)
    return len(ctx.captured_queries), len(rows)


@pytest.mark.django_db
def test_export_query_count_is_constant(login, demo):
    client = login("township")
    village = org_of(demo["village2"]).region
    params = {"village": village.pk}
    client.get(URL, params)
    few, few_rows = _export_queries(client, params)
    industries = list(Industry.objects.all()[:2])
    for n in range(40):
        Organization.objects.create(
            name=f"导出计数{n:02d}", kind=OrgKind.PLACE, region=village
        ).industries.set(industries)
    many, many_rows = _export_queries(client, params)
    assert many_rows == few_rows + 40
    assert many == few


@pytest.mark.django_db
def test_a_name_that_looks_like_a_formula_is_exported_as_text(login):
    org = Organization.objects.filter(kind=OrgKind.PLACE).first()
    Organization.objects.filter(pk=org.pk).update(name='=HYPERLINK("http://x.example","点我")')
    response = login("township").get(URL, {"q": "HYPERLINK"})
    content = b"".join(response.streaming_content)
    sheet = load_workbook(BytesIO(content)).worksheets[0]
    cell = next(c for row in sheet.iter_rows(min_row=3) for c in row if "HYPERLINK" in str(c.value))
    # Stored as a string cell (Excel shows it as typed), not as a formula.
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://x.example","点我")'

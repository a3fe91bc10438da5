"""The township's compliance table: completion per enterprise and cadence level."""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from anpai.inspections.cadence import compliance, ensure_periods, rate_css, sort_rows
from anpai.inspections.choices import Cadence, InspectionKind, InspectionState
from anpai.inspections.models import ChecklistTemplate, Inspection, InspectionDuty
from anpai.people.models import Membership


@pytest.fixture
def scenario(demo):
    """ent1's enterprise with one daily duty over the last ten days: five done, five missed,
    today still due."""
    org = Membership.objects.get(user=demo["ent1"]).organization
    InspectionDuty.objects.filter(organization=org).delete()
    Inspection.objects.filter(organization=org, kind=InspectionKind.SELF).delete()
    today = timezone.localdate()
    template = ChecklistTemplate.objects.current().first()
    InspectionDuty.objects.create(
        organization=org,
        cadence=Cadence.DAILY,
        person=demo["ent1safety"],
        template_code=template.code,
        starts_on=today - timedelta(days=10),
    )
    for back in range(6, 11):
        day = today - timedelta(days=back)
        Inspection.objects.create(
            organization=org,
            kind=InspectionKind.SELF,
            cadence=Cadence.DAILY,
            template=template,
            date=day,
            lead=demo["ent1safety"],
            state=InspectionState.SUBMITTED,
            submitted_at=timezone.make_aware(datetime.combine(day, time(16))),
        )
    ensure_periods(today)
    return {"org": org, "from": today - timedelta(days=10), "to": today}


def _query(scenario, **extra):
    return {"from": scenario["from"].isoformat(), "to": scenario["to"].isoformat(), **extra}


def test_who_sees_the_table(login):
    url = reverse("inspections:compliance")
    for persona in ("township", "leader", "dept", "county", "village1", "ent1"):
        assert login(persona).get(url).status_code == 200, persona
    for persona in ("secadmin", "auditor"):
        assert login(persona).get(url).status_code == 403, persona


def test_counts_rate_and_colour(scenario, demo):
    data = compliance(demo["township"], scenario["from"], scenario["to"])
    row = next(r for r in data["rows"] if r["id"] == scenario["org"].pk)
    cell = row["cells"]["daily"]
    assert (cell["done"], cell["missed"], cell["due"], cell["expected"]) == (5, 5, 1, 10)
    assert cell["percent"] == 50
    assert cell["css"] == "table-danger"
    assert set(row["cells"]) == {"daily"}
    # Totals per level add up over the enterprises.
    daily_total = data["totals"][list(Cadence.values).index("daily")]
    assert daily_total["done"] == sum(
        r["cells"].get("daily", {}).get("done", 0) for r in data["rows"]
    )
    assert data["overall"]["expected"] == sum(r["total"]["expected"] for r in data["rows"])
    # An enterprise's staff see only their own row.
    mine = compliance(demo["ent1"], scenario["from"], scenario["to"])
    assert [r["id"] for r in mine["rows"]] == [scenario["org"].pk]


def test_rate_colours():
    assert rate_css(None) == "table-light"
    assert rate_css(0.95) == "table-success"
    assert rate_css(0.7) == "table-warning"
    assert rate_css(0.2) == "table-danger"


def test_page_shows_the_row(login, scenario):
    page = login("township").get(reverse("inspections:compliance"), _query(scenario))
    html = page.content.decode()
    assert f'data-testid="compliance-row-{scenario["org"].pk}"' in html
    row = html.split(f'data-testid="compliance-row-{scenario["org"].pk}"')[1].split("</tr>")[0]
    assert "50%" in row
    assert "table-danger" in row
    assert "5/10" in row
    # Enterprises without any duty are listed apart.
    assert 'data-testid="compliance-without"' in html


def test_sorting():
    rows = [
        {"name": "乙", "total": {"rate": 0.5}, "cells": {"daily": {"rate": 1.0}}},
        {"name": "甲", "total": {"rate": 0.9}, "cells": {}},
        {"name": "丙", "total": {"rate": None}, "cells": {"daily": {"rate": 0.1}}},
    ]
    assert [r["name"] for r in sort_rows(rows, "rate")] == ["乙", "甲", "丙"]
    assert [r["name"] for r in sort_rows(rows, "-rate")] == ["甲", "乙", "丙"]
    assert [r["name"] for r in sort_rows(rows, "daily")] == ["丙", "乙", "甲"]
    assert [r["name"] for r in sort_rows(rows, "-daily")] == ["乙", "丙", "甲"]
    assert [r["name"] for r in sort_rows(rows, "name")] == sorted(["乙", "甲", "丙"])


def test_sort_links_and_bad_input(login, scenario):
    client = login("township")
    url = reverse("inspections:compliance")
    assert client.get(url, _query(scenario, sort="-daily")).status_code == 200
    assert client.get(url, _query(scenario, sort="nonsense")).status_code == 200
    response = client.get(url, {"from": "2024-02-30", "to": "yesterday"})
    assert response.status_code == 200
    assert 'data-testid="compliance-error"' in response.content.decode()
    backwards = client.get(
        url, {"from": "2024-03-01", "to": "2024-01-01"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "“to” is before “from”" in backwards.content.decode()


def test_constant_queries(login, scenario, demo):
    """The same number of queries for one enterprise's row and for the whole township."""
    counts = {}
    for persona in ("ent1", "township"):
        client = login(persona)
        client.get(reverse("inspections:compliance"))  # warm up the session
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("inspections:compliance"), _query(scenario))
        assert response.status_code == 200
        counts[persona] = len(ctx.captured_queries)
    township_rows = compliance(demo["township"], scenario["from"], scenario["to"])["rows"]
    assert len(township_rows) > 5
    assert counts["township"] == counts["ent1"], counts
    assert counts["township"] <= 12


def test_export(login, scenario, demo):
    org = scenario["org"]
    org.name = '=HYPERLINK("http://x")'
    org.save()
    response = login("township").get(reverse("inspections:compliance_export"), _query(scenario))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    names = [r[0] for r in rows]
    assert org.name in names  # as text, never a formula
    line = rows[names.index(org.name)]
    daily = 1 + 3 * list(Cadence.values).index("daily")
    assert line[daily : daily + 3] == (5, 10, 50)
    assert len(rows[1]) == 1 + 3 * len(Cadence.values) + 4  # the header row


def test_export_needs_the_export_role(login):
    url = reverse("inspections:compliance_export")
    assert login("county").get(url).status_code == 200
    for persona in ("ent1", "dept", "village1"):
        assert login(persona).get(url).status_code == 403, persona

"""Two officers issuing documents of the same kind at the same instant, on PostgreSQL.

Each thread has its own connection and transaction; a barrier releases them
together. The counter row lock makes the second wait for the first: the two
documents get consecutive, distinct numbers, and the counter ends at the last.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from anpai.enforcement import actions
from anpai.enforcement.models import Case, Document, DocumentCounter
from anpai.enforcement.tests.conftest import later
from anpai.orgs.models import Organization
from anpai.people.choices import Role

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL's row locks and concurrent transactions; "
        "run with DATABASE_URL=postgres://…",
    ),
    pytest.mark.django_db(transaction=True),
]


def _race(calls):
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        from django.db import connections

        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


@pytest.mark.parametrize("first_of_year", [True, False])
def test_two_orders_at_once_get_consecutive_distinct_numbers(demo, first_of_year):
    township = demo["township"]
    org1 = Organization.objects.get(
        memberships__user=demo["ent1"], memberships__role=Role.ENT_PRINCIPAL
    )
    org2 = Organization.objects.get(
        memberships__user=demo["ent2"], memberships__role=Role.ENT_PRINCIPAL
    )
    cases = [
        actions.open_case(by=township, organization=o, title="t", facts="f", grounds=["other"])
        for o in (org1, org2)
    ]
    if first_of_year:  # both race to create the year's counter row as well
        DocumentCounter.objects.filter(kind="order").delete()
        Document.objects.filter(kind="order").delete()
    before = (
        DocumentCounter.objects.filter(kind="order").values_list("last", flat=True).first() or 0
    )
    results = _race(
        [
            lambda c=c: actions.issue_order(
                Case.objects.get(pk=c.pk), by=township, deadline=later(10), items=["问题"]
            )
            for c in cases
        ]
    )
    assert all(isinstance(r, Document) for r in results), results
    serials = sorted(r.serial for r in results)
    assert serials == [before + 1, before + 2]
    assert len({r.number for r in results}) == 2
    assert DocumentCounter.objects.get(kind="order").last == before + 2

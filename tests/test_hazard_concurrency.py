"""Two people acting on the same hazard at the same moment, through the API, on PostgreSQL.

Each thread has its own database connection and its own transaction; a
barrier releases them together, and every history row is written a moment
late so the first one holds the hazard's row lock while the second arrives.
Exactly one must succeed; the other gets 409 with the hazard as it is now;
nothing is lost (version bumped once per success, one history row per step).

SQLite has no row locks (it serialises whole transactions), so this runs on
PostgreSQL only: ``DATABASE_URL=postgres://… pytest tests/test_hazard_concurrency.py``.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from anpai.hazards import actions
from anpai.hazards.choices import EventKind, HazardState
from anpai.hazards.models import Category, Hazard
from anpai.hazards.tests.conftest import make_jpeg
from anpai.people.models import Membership

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL's row locks and concurrent transactions; "
        "run with DATABASE_URL=postgres://…",
    ),
    pytest.mark.django_db(transaction=True),
]

HOLD = 0.3  # seconds the winner keeps the row locked, so the loser really waits on it


def _deadline():
    return timezone.localdate() + timedelta(days=10)


FIVE = {
    "responsible_name": "周晓东",
    "measures": "更换老化线路",
    "funds": Decimal("3500"),
    "contingency": "停用配电箱",
}


@pytest.fixture
def hazard(demo):
    """A general hazard of ent1's enterprise, reported by ent1safety."""
    org = Membership.objects.get(user=demo["ent1safety"]).organization
    return actions.report(
        by=demo["ent1safety"],
        organization=org,
        title="配电箱线路老化",
        description="电线绝缘层破损",
        category=Category.objects.get(code="electrical"),
    )


@pytest.fixture
def slow_history(monkeypatch):
    """Write each history row late: whoever holds the row lock holds it a while."""
    original = actions._event

    def late(*args, **kwargs):
        time.sleep(HOLD)
        return original(*args, **kwargs)

    monkeypatch.setattr(actions, "_event", late)


def race(*requests):
    """Run ``(client, url, body)`` requests at once, one thread and connection each."""
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def run(index, client, url, body):
        try:
            barrier.wait(timeout=10)
            response = client.post(url, body, format="json")
            results[index] = (response.status_code, response.json())
        except Exception as exc:  # reported by the assertion below
            results[index] = exc
        finally:
            connection.close()  # this thread's own connection

    threads = [
        threading.Thread(target=run, args=(i, *request)) for i, request in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a request hung (deadlock?)"
    for result in results:
        assert not isinstance(result, Exception), result
    return results


def _url(hazard, step):
    return f"/api/v1/hazards/{hazard.pk}/{step}/"


def test_two_acceptances_at_once_one_wins_the_other_gets_409(api, demo, hazard, slow_history):
    h = actions.assign(hazard, by=demo["ent1safety"], deadline=_deadline(), **FIVE)
    h = actions.rectify(h, by=demo["ent1safety"], rectification="已更换", photos=[make_jpeg()])
    before = h.version
    results = race(
        (api("ent1"), _url(h, "verify"), {"accepted": True, "comment": "企业验收"}),
        (api("township"), _url(h, "verify"), {"accepted": True, "comment": "乡镇验收"}),
    )
    statuses = sorted(status for status, _ in results)
    assert statuses == [200, 409], results
    loser = next(body for status, body in results if status == 409)
    assert loser["detail"]
    assert loser["hazard"]["state"] == "closed"  # the fresh view
    h.refresh_from_db()
    assert h.state == HazardState.CLOSED
    assert h.version == before + 1
    assert h.events.filter(kind=EventKind.ACCEPT).count() == 1
    winner = next(body for status, body in results if status == 200)
    assert h.verified_by_id == winner["verified_by"]


def test_two_assignments_from_the_same_version_one_wins(api, demo, hazard, slow_history):
    body = {**FIVE, "funds": "3500", "deadline": _deadline().isoformat(), "version": 1}
    results = race(
        (api("ent1safety"), _url(hazard, "assign"), {**body, "responsible_name": "甲"}),
        (api("township"), _url(hazard, "assign"), {**body, "responsible_name": "乙"}),
    )
    assert sorted(status for status, _ in results) == [200, 409], results
    winner = next(body for status, body in results if status == 200)
    hazard.refresh_from_db()
    assert hazard.state == HazardState.ASSIGNED
    assert hazard.version == 2
    assert hazard.responsible_name == winner["responsible_name"]
    assert hazard.events.filter(kind=EventKind.ASSIGN).count() == 1


def test_two_different_steps_at_once_both_land_nothing_lost(api, demo, hazard, slow_history):
    """Without ``version`` both may proceed, one after the other: neither overwrites the other."""
    results = race(
        (api("township"), _url(hazard, "grade"), {"level": "general", "comment": "确认一般"}),
        (
            api("ent1safety"),
            _url(hazard, "assign"),
            {**FIVE, "funds": "3500", "deadline": _deadline().isoformat()},
        ),
    )
    assert [status for status, _ in results] == [200, 200], results
    hazard = Hazard.objects.get(pk=hazard.pk)
    assert hazard.version == 3  # 1 + two steps: no bump lost to a stale read
    assert hazard.state == HazardState.ASSIGNED
    kinds = sorted(hazard.events.exclude(kind=EventKind.REPORT).values_list("kind", flat=True))
    assert kinds == sorted([EventKind.GRADE, EventKind.ASSIGN])

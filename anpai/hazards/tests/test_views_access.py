"""Who gets what on the hazard pages, for every demo persona (like tests/test_isolation.py).

404: outside the persona's scope (as if it did not exist); 403: the role may
not do this; 400: allowed, but the (empty) form is refused; 302: log in first.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from anpai.hazards import actions
from anpai.hazards.tests.conftest import make_jpeg
from conftest import PERSONAS

pytestmark = pytest.mark.django_db

ANON = "anon"
COLUMNS = (*PERSONAS, ANON)

# Columns: admin secadmin auditor township leader dept village1 village2 ent1 ent2 ent1safety
#          county anon
MATRIX: list[tuple[str, str, str | None, str]] = [
    ("get", "hazards:list", None,
     "403 403 403 200 200 200 200 200 200 200 200 200 302"),
    ("get", "hazards:create", None,
     "403 403 403 200 200 200 200 200 200 200 200 403 302"),
    ("get", "hazards:detail", "hazard:ent1",
     "404 404 404 200 200 200 200 404 200 404 200 200 302"),
    ("get", "hazards:detail", "hazard:ent2",
     "404 404 404 200 200 200 404 200 404 200 404 200 302"),
    ("get", "hazards:attachment", "photo:ent1",
     "404 404 404 200 200 200 200 404 200 404 200 200 302"),
    ("get", "hazards:thumb", "photo:ent2",
     "404 404 404 200 200 200 404 200 404 200 404 200 302"),
    # An empty void form: refused as input (400) where the role may void at all.
    ("post", "hazards:action:void", "hazard:ent1",
     "404 404 404 400 403 403 400 404 400 404 400 403 302"),
    ("post", "hazards:action:assign", "hazard:ent2",
     "404 404 404 400 403 400 404 403 404 400 404 403 302"),
]  # fmt: skip


def _cases():
    for row in MATRIX:
        *request, expected = row
        codes = [int(code) for code in expected.split()]
        assert len(codes) == len(COLUMNS), row
        for persona, code in zip(COLUMNS, codes, strict=True):
            yield pytest.param(
                *request, persona, code, id="-".join([*(p for p in request if p), persona])
            )


@pytest.fixture
def targets(demo, org_of, category):
    made = {}
    for name, reporter in (("ent1", "ent1safety"), ("ent2", "ent2")):
        hazard = actions.report(
            by=demo[reporter],
            organization=org_of(reporter),
            title="配电箱线路老化",
            description="电线绝缘层破损",
            category=category,
            photos=[make_jpeg()],
        )
        made[f"hazard:{name}"] = hazard.pk
        made[f"photo:{name}"] = hazard.attachments.get().pk
    return made


@pytest.mark.parametrize(("method", "route", "target", "persona", "expected"), list(_cases()))
def test_hazard_pages(client, login, targets, method, route, target, persona, expected):
    kwargs = {"pk": targets[target]} if target else {}
    if route.startswith("hazards:action:"):
        kwargs["action"] = route.rsplit(":", 1)[1]
        route = "hazards:action"
    url = reverse(route, kwargs=kwargs)
    browser = client if persona == ANON else login(persona)
    response = getattr(browser, method)(url)
    assert response.status_code == expected, (method, url, persona)

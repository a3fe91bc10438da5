"""Who gets what: every API endpoint and the main pages, for every demo persona.

One table per surface. Each row is a request; each column a persona, plus an
anonymous client. 404 means "outside your scope" (indistinguishable from "does
not exist", whatever the method); 403 means "your role may not do this" on a
collection, or "you may see this object but not change it".

The API table must cover every route the router registers: a new viewset
without rows here fails :func:`test_every_api_route_is_in_the_matrix`.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from anpai import api_urls
from anpai.api_urls import router
from anpai.core.validators import credit_code_check_char
from anpai.orgs.choices import OrgKind
from anpai.orgs.models import Organization, Supervision
from anpai.regions.choices import RegionLevel
from anpai.regions.models import Region
from conftest import PERSONAS

ANON = "anon"
COLUMNS = (*PERSONAS, ANON)

# Columns: admin secadmin auditor township leader dept village1 village2 ent1 ent2 ent1safety
#          county anon
API_MATRIX: list[tuple[str, str, str | None, str]] = [
    # method, route name, target, expected statuses
    ("get", "api-root", None,
     "200 200 200 200 200 200 200 200 200 200 200 200 401"),
    ("get", "me", None,
     "200 200 200 200 200 200 200 200 200 200 200 200 401"),
    ("get", "organization-list", None,
     "200 200 403 200 200 200 200 200 200 200 200 200 401"),
    ("get", "organization-detail", "org:ent1",
     "200 200 404 200 200 200 200 404 200 404 200 200 401"),
    ("get", "organization-detail", "org:ent2",
     "200 200 404 200 200 200 404 200 404 200 404 200 401"),
    # A construction company in a third village: not the department's industry.
    ("get", "organization-detail", "org:other",
     "200 200 404 200 200 404 404 404 404 404 404 200 401"),
    # An enterprise in another county: nobody's.
    ("get", "organization-detail", "org:outside",
     "404 404 404 404 404 404 404 404 404 404 404 404 401"),
    ("post", "organization-list", None,  # empty body: 400 means the role got past the gate
     "400 403 403 400 403 403 400 400 403 403 403 403 401"),
    ("patch", "organization-detail", "org:ent1",
     "200 403 404 200 403 403 200 404 403 404 403 403 401"),
    ("patch", "organization-detail", "org:ent2",
     "200 403 404 200 403 403 404 200 404 403 404 403 401"),
    ("patch", "organization-detail", "org:outside",
     "404 404 404 404 404 404 404 404 404 404 404 404 401"),
    ("get", "supervision-list", None,
     "200 403 403 200 200 200 403 403 403 403 403 200 401"),
    ("get", "supervision-detail", "supervision:dept",
     "200 404 404 200 200 200 404 404 404 404 404 200 401"),
    ("get", "supervision-detail", "supervision:other",
     "200 404 404 200 200 404 404 404 404 404 404 200 401"),
    ("get", "region-list", None,
     "200 200 200 200 200 200 200 200 200 200 200 200 401"),
    ("get", "region-detail", "region:village2",
     "200 200 200 200 200 200 200 200 200 200 200 200 401"),
    ("get", "region-detail", "region:outside",
     "404 404 404 404 404 404 404 404 404 404 404 404 401"),
]  # fmt: skip

# Routes tested elsewhere, with where.
COVERED_ELSEWHERE = {"token": "tests/test_api_auth.py (anyone may ask for a token)"}

PAGE_MATRIX: list[tuple[str, str | None, str]] = [
    ("home", None,
     "200 200 200 200 200 200 200 200 200 200 200 200 302"),
    ("orgs:list", None,
     "200 200 403 200 200 200 200 200 200 200 200 200 302"),
    ("orgs:detail", "org:ent1",
     "200 200 404 200 200 200 200 404 200 404 200 200 302"),
    ("orgs:detail", "org:ent2",
     "200 200 404 200 200 200 404 200 404 200 404 200 302"),
    ("orgs:detail", "org:outside",
     "404 404 404 404 404 404 404 404 404 404 404 404 302"),
    ("people:list", None,
     "200 200 403 200 200 403 403 403 403 403 403 403 302"),
    ("audit:list", None,
     "403 403 200 403 403 403 403 403 403 403 403 403 302"),
]  # fmt: skip


def _cases(matrix):
    for row in matrix:
        *request, expected = row
        codes = [int(code) for code in expected.split()]
        assert len(codes) == len(COLUMNS), row
        for persona, code in zip(COLUMNS, codes, strict=True):
            yield pytest.param(
                *request,
                persona,
                code,
                id="-".join([*(str(part) for part in request if part), persona]),
            )


@pytest.fixture
def targets(demo):
    """The objects the matrices point at, by name."""

    def org_of(username: str) -> Organization:
        return demo[username].memberships.get().organization

    dept = org_of("dept")
    village1, village2 = org_of("village1").region, org_of("village2").region
    supervised = set(dept.supervisions.values_list("industry_id", flat=True))
    other = (
        Organization.objects.filter(kind=OrgKind.ENTERPRISE)
        .exclude(region__in=[village1, village2])
        .exclude(industries__in=supervised)
        .order_by("id")
        .first()
    )
    county = Region.objects.create(code="141128000000", name="汾阳市", level=RegionLevel.COUNTY)
    township = Region.objects.create(
        code="141128100000", name="外乡", level=RegionLevel.TOWNSHIP, parent=county
    )
    outside_village = Region.objects.create(
        code="141128100201", name="外村", level=RegionLevel.VILLAGE, parent=township
    )
    body = "91141128MA00UT001"
    outside = Organization.objects.create(
        name="外县化工有限公司",
        kind=OrgKind.ENTERPRISE,
        region=outside_village,
        credit_code=body + credit_code_check_char(body),
    )
    return {
        "org:ent1": org_of("ent1").pk,
        "org:ent2": org_of("ent2").pk,
        "org:other": other.pk,
        "org:outside": outside.pk,
        "supervision:dept": Supervision.objects.filter(department=dept).first().pk,
        "supervision:other": Supervision.objects.exclude(department=dept).first().pk,
        "region:village2": village2.pk,
        "region:outside": outside_village.pk,
    }


def _payload(method: str) -> dict:
    return {"notes": "checked"} if method == "patch" else {}


@pytest.mark.parametrize(
    ("method", "route", "target", "persona", "expected"), list(_cases(API_MATRIX))
)
def test_api(api, targets, method, route, target, persona, expected):
    kwargs = {"pk": targets[target]} if target else {}
    url = reverse(f"api:{route}", kwargs=kwargs)
    client = api(None if persona == ANON else persona)
    response = (
        getattr(client, method)(url, _payload(method), format="json")
        if method != "get"
        else client.get(url)
    )
    assert response.status_code == expected, (method, url, persona, response.content[:300])


@pytest.mark.parametrize(("route", "target", "persona", "expected"), list(_cases(PAGE_MATRIX)))
def test_page(client, login, targets, route, target, persona, expected):
    url = reverse(route, kwargs={"pk": targets[target]} if target else {})
    browser = client if persona == ANON else login(persona)
    response = browser.get(url)
    assert response.status_code == expected, (url, persona)


def test_every_api_route_is_in_the_matrix():
    covered = {route for _, route, _, _ in API_MATRIX} | set(COVERED_ELSEWHERE)
    registered = {p.name for p in api_urls.urlpatterns if getattr(p, "name", None)}
    for _prefix, viewset, basename in router.registry:
        registered.add(f"{basename}-list")
        if hasattr(viewset, "retrieve"):
            registered.add(f"{basename}-detail")
    missing = registered - covered
    assert not missing, f"API routes without rows in the isolation matrix: {sorted(missing)}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_lists_are_exactly_the_restricted_rows(api, demo, persona):
    """What a list answers is what ``restrict`` allows, no more and no less."""
    client = api(persona)
    for url, model in (
        ("/api/v1/organizations/", Organization),
        ("/api/v1/supervisions/", Supervision),
    ):
        response = client.get(url, {"page_size": 500})
        if response.status_code == 403:
            continue
        ids = {row["id"] for row in response.json()["results"]}
        assert ids == set(model.objects.restrict(demo[persona]).values_list("id", flat=True))

"""The risk points API: identify, change, assess (score, level, colour back), the
filters, query counts, and an organisation's four-colour map as SVG."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anpai.people.models import Membership
from anpai.risks import actions
from anpai.risks.models import Assessment, RiskPoint

URL = "/api/v1/risk-points/"


def org_of(user):
    return Membership.objects.filter(user=user).select_related("organization").get().organization


@pytest.fixture
def point(demo):
    """``point("ent1", name=…, **values)``: a risk point of that persona's organisation."""

    def _point(owner: str = "ent1", **values) -> RiskPoint:
        values.setdefault("name", "液氨储罐区")
        values.setdefault("kind", "area")
        return actions.create_point(by=demo[owner], organization=org_of(demo[owner]), **values)

    return _point


# ---------------------------------------------------------------- create, read, change


def test_enterprise_identifies_a_point_in_its_own_organisation(api, demo):
    client = api("ent1")
    response = client.post(
        URL,
        {
            "name": "二车间冲压线",
            "kind": "equipment",
            "location": "二车间东侧",
            "accident_types": ["machinery", "struck"],
            "emergency_phone": "0358-3021119",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["organization"] == org_of(demo["ent1"]).pk
    assert body["accident_types"] == ["machinery", "struck"]
    assert len(body["accident_type_labels"]) == 2
    # Not assessed yet: no level, no colour, nothing to show on the map.
    assert (body["level"], body["colour"], body["score"]) == ("", "", None)
    assert body["measures"] == []
    assert body["assessments"] == []
    point = RiskPoint.objects.get(pk=body["id"])
    assert body["public_url"].endswith(f"/r/{point.public_token}/")
    assert client.get(f"{URL}{point.pk}/").json()["name"] == "二车间冲压线"


def test_bad_input_names_the_field_and_saves_nothing(api):
    client = api("ent1")
    before = RiskPoint.objects.count()
    response = client.post(URL, {"kind": "volcano", "accident_types": ["meteor"]}, format="json")
    assert response.status_code == 400
    assert {"name", "kind", "accident_types"} <= set(response.json())
    assert "meteor" in response.json()["accident_types"][0]
    assert RiskPoint.objects.count() == before


def test_government_names_the_organisation_and_only_one_in_scope(api, demo):
    township = api("township")
    missing = township.post(URL, {"name": "锅炉房", "kind": "area"}, format="json")
    assert missing.status_code == 400
    assert "organization" in missing.json()
    ent2 = org_of(demo["ent2"])
    made = township.post(
        URL, {"organization": ent2.pk, "name": "锅炉房", "kind": "area"}, format="json"
    )
    assert made.status_code == 201
    assert made.json()["organization"] == ent2.pk
    # An enterprise cannot add to another enterprise: that organisation does not exist for it.
    other = api("ent1").post(
        URL, {"organization": ent2.pk, "name": "锅炉房", "kind": "area"}, format="json"
    )
    assert other.status_code == 400
    assert "organization" in other.json()
    # A viewer's role may not add anywhere.
    assert api("leader").post(URL, {"name": "x", "kind": "area"}, format="json").status_code == 403


def test_patch_changes_only_what_is_sent_and_refuses_a_stale_version(api, point):
    p = point(location="罐区北侧")
    client = api("ent1safety")
    version = client.get(f"{URL}{p.pk}/").json()["version"]
    response = client.patch(
        f"{URL}{p.pk}/", {"name": "液氨储罐区（1#罐）", "version": version}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name"], body["location"]) == ("液氨储罐区（1#罐）", "罐区北侧")
    assert body["version"] == version + 1
    stale = client.patch(f"{URL}{p.pk}/", {"name": "旧名称", "version": version}, format="json")
    assert stale.status_code == 409
    p.refresh_from_db()
    assert p.name == "液氨储罐区（1#罐）"


def test_patch_draws_the_area_and_refuses_one_off_the_plan(api, point):
    p = point()
    client = api("ent1")
    square = [[100, 100], [300, 100], [300, 250], [100, 250]]
    response = client.patch(f"{URL}{p.pk}/", {"area": square}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["area"] == [[float(x), float(y)] for x, y in square]
    off = client.patch(f"{URL}{p.pk}/", {"area": [[0, 0], [5000, 0], [0, 10]]}, format="json")
    assert off.status_code == 400
    assert "area" in off.json()
    p.refresh_from_db()
    assert len(p.area) == 4


def test_patch_outside_scope_is_404_and_for_a_viewer_403(api, point):
    p = point()
    assert api("ent2").patch(f"{URL}{p.pk}/", {"name": "x"}, format="json").status_code == 404
    assert api("leader").patch(f"{URL}{p.pk}/", {"name": "x"}, format="json").status_code == 403
    assert api("ent1").put(f"{URL}{p.pk}/", {"name": "x"}, format="json").status_code == 405
    p.refresh_from_db()
    assert p.name == "液氨储罐区"


# ---------------------------------------------------------------- assess


def test_assess_lec_answers_score_level_and_colour(api, point):
    p = point()
    client = api("ent1")
    response = client.post(
        f"{URL}{p.pk}/assess/",
        {"method": "lec", "l": 6, "e": 3, "c": 15, "note": "首次评价"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["score"], body["level"], body["colour"]) == ("270", "significant", "orange")
    assert body["level_display"] == "Significant risk"
    assert body["factors"] == {"l": "6", "e": "3", "c": "15"}
    assert Assessment.objects.get(pk=body["id"]).point_id == p.pk
    detail = client.get(f"{URL}{p.pk}/").json()
    assert (detail["level"], detail["colour"], detail["score"]) == ("significant", "orange", "270")
    assert detail["control_level"] == "department"
    assert detail["assessments"][0]["id"] == body["id"]


def test_assess_matrix_and_residual(api, point):
    p = point()
    client = api("ent1safety")
    inherent = client.post(f"{URL}{p.pk}/assess/", {"method": "matrix", "l": 4, "s": 4})
    assert inherent.status_code == 201
    assert (inherent.json()["score"], inherent.json()["colour"]) == ("16", "orange")
    residual = client.post(
        f"{URL}{p.pk}/assess/",
        {"method": "matrix", "l": 1, "s": 4, "residual": True},
        format="json",
    )
    assert residual.status_code == 201
    assert (residual.json()["level"], residual.json()["residual"]) == ("low", True)
    detail = client.get(f"{URL}{p.pk}/").json()
    # The residual assessment sets the residual level only.
    assert (detail["level"], detail["residual_level"]) == ("significant", "low")
    assert [a["residual"] for a in detail["assessments"]] == [True, False]


def test_a_bad_factor_is_named_and_nothing_is_kept(api, point):
    p = point()
    client = api("ent1")
    response = client.post(f"{URL}{p.pk}/assess/", {"method": "lec", "l": 5, "e": 3, "c": 15})
    assert response.status_code == 400
    assert set(response.json()) == {"l"}
    # The message lists the values allowed.
    assert "10" in response.json()["l"][0]
    assert "0.1" in response.json()["l"][0]
    no_method = client.post(f"{URL}{p.pk}/assess/", {"l": 4, "s": 4})
    assert no_method.status_code == 400
    assert "method" in no_method.json()
    missing = client.post(f"{URL}{p.pk}/assess/", {"method": "matrix", "l": 4})
    assert missing.status_code == 400
    assert set(missing.json()) == {"s"}
    assert not Assessment.objects.filter(point=p).exists()


def test_assess_outside_scope_404_and_without_the_right_403(api, point):
    p = point()
    body = {"method": "lec", "l": 6, "e": 3, "c": 15}
    assert api("ent2").post(f"{URL}{p.pk}/assess/", body).status_code == 404
    assert api("leader").post(f"{URL}{p.pk}/assess/", body).status_code == 403
    assert api("village1").post(f"{URL}{p.pk}/assess/", body).status_code == 403
    assert api("township").post(f"{URL}{p.pk}/assess/", body).status_code == 201
    assert Assessment.objects.filter(point=p).count() == 1


# ---------------------------------------------------------------- list


def test_filters(api, demo, point):
    a = point(name="配电室", kind="area")
    b = point(name="行车", kind="equipment")
    c = point("ent2", name="仓库", kind="area")
    actions.assess(a, by=demo["ent1"], method="lec", values={"l": 6, "e": 6, "c": 15})
    actions.request_reassessment(b, reason="工艺变更")
    client = api("township")

    def ids(**params) -> set[int]:
        response = client.get(URL, {"page_size": 500, **params})
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert {a.pk, b.pk, c.pk} <= ids()
    assert a.pk in ids(level="major")
    assert not {b.pk, c.pk} & ids(level="major")
    assert b.pk in ids(kind="equipment")
    assert not {a.pk, c.pk} & ids(kind="equipment")
    assert b.pk in ids(needs_reassessment="true")
    assert a.pk not in ids(needs_reassessment="true")
    assert ids(organization=c.organization_id) >= {c.pk}
    assert not {a.pk, b.pk} & ids(organization=c.organization_id)
    # An enterprise's list holds its own points only.
    own = {row["id"] for row in api("ent2").get(URL, {"page_size": 500}).json()["results"]}
    assert c.pk in own
    assert not {a.pk, b.pk} & own


def test_list_is_constant_in_queries(api, demo, point, django_assert_max_num_queries):
    client = api("township")
    client.get(URL)  # the token's last-use stamp is written once; measure later requests

    def make(count: int) -> None:
        for i in range(count):
            p = point("ent1" if i % 2 else "ent2", name=f"风险点{i}")
            actions.save_measure(
                p, by=demo["township"], kind="engineering", text="安装可燃气体报警器"
            )
            actions.assess(p, by=demo["township"], method="matrix", values={"l": 3, "s": 3})
            actions.assess(p, by=demo["township"], method="lec", values={"l": 3, "e": 6, "c": 7})

    counts = {}
    for size, more in ((2, 2), (12, 10)):
        make(more)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(URL, {"page_size": 100})
        assert response.status_code == 200
        assert response.json()["count"] >= size
        counts[size] = len(ctx.captured_queries)
    assert counts[2] == counts[12], counts
    with django_assert_max_num_queries(6):
        client.get(URL, {"page_size": 100})


# ---------------------------------------------------------------- the map


def test_risk_map_is_svg_for_those_who_see_the_organisation(api, demo, point):
    p = point(name="配电室")
    actions.assess(p, by=demo["ent1"], method="lec", values={"l": 6, "e": 6, "c": 15})
    actions.save_area(p, by=demo["ent1"], area=[[10, 10], [200, 10], [200, 200]])
    org = p.organization_id
    response = api("ent1").get(f"/api/v1/organizations/{org}/risk-map.svg")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in response.content
    # Whatever the client accepts, errors are JSON and another enterprise's map does not exist.
    other = api("ent2").get(
        f"/api/v1/organizations/{org}/risk-map.svg", HTTP_ACCEPT="image/svg+xml"
    )
    assert other.status_code == 404
    assert api("township").get(f"/api/v1/organizations/{org}/risk-map.svg").status_code == 200

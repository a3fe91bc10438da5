"""The hazards API: the closed loop end to end, its errors, filters and query counts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anpai.hazards import actions
from anpai.hazards.choices import EventKind, HazardState
from anpai.hazards.models import Hazard
from anpai.hazards.tests.conftest import make_jpeg, make_pdf
from anpai.orgs.models import Industry, Organization
from anpai.people.models import Membership

URL = "/api/v1/hazards/"
STEPS = ("grade", "assign", "rectify", "verify", "void", "extend", "supervise")
PLAN = {
    "plan_goals": "消除储罐区泄漏风险",
    "plan_methods": "更换阀门，加装可燃气体报警",
    "plan_resources": "资金5万元，阀门8只",
    "plan_organization": "生产副总牵头，设备科实施",
    "plan_schedule": "30日内完成",
    "plan_safety": "作业期间停产，设警戒区",
}


def _day(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def five(days: int = 10, **extra) -> dict:
    """The five implementations (五落实) as an assign body."""
    return {
        "responsible_name": "周晓东",
        "measures": "更换老化线路，加装漏电保护",
        "funds": "3500.00",
        "deadline": _day(days),
        "contingency": "停用该配电箱，设置警示标识",
        **extra,
    }


def five_args() -> dict:
    """The same, as the action function takes them."""
    body = five()
    body["deadline"] = timezone.localdate() + timedelta(days=10)
    body["funds"] = Decimal("3500")
    return body


def org_of(user):
    return Membership.objects.filter(user=user).select_related("organization").get().organization


@pytest.fixture
def new_hazard(demo):
    """``new_hazard("ent1safety", org=None, level="general", **extra)``: one made directly."""
    from anpai.hazards.models import Category

    category = Category.objects.get(code="electrical")

    def _new(by: str = "ent1safety", *, org=None, level: str = "general", **extra) -> Hazard:
        return actions.report(
            by=demo[by],
            organization=org or org_of(demo[by]),
            title=extra.pop("title", "配电箱线路老化"),
            description="二车间配电箱电线绝缘层老化破损",
            category=category,
            level=level,
            **extra,
        )

    return _new


@pytest.fixture
def report(api):
    """``report("ent1safety", level="general")``: POST a hazard (with a photo); its JSON."""

    def _report(username: str = "ent1safety", **extra) -> dict:
        body = {
            "title": extra.pop("title", "配电箱线路老化"),
            "description": "二车间配电箱电线绝缘层老化破损",
            "category": "electrical",
            "photos": [make_jpeg()],
            **extra,
        }
        response = api(username).post(URL, body, format="multipart")
        assert response.status_code == 201, response.json()
        return response.json()

    return _report


def step(client, hazard_id: int, name: str, body: dict | None = None, fmt: str = "json"):
    return client.post(f"{URL}{hazard_id}/{name}/", body or {}, format=fmt)


def test_general_hazard_runs_the_whole_loop_by_api(api, demo, report):
    safety, principal = api("ent1safety"), api("ent1")
    created = report("ent1safety")
    pk = created["id"]
    assert created["state"] == "reported"
    assert created["organization"] == org_of(demo["ent1safety"]).pk
    assert created["organization_name"]
    assert created["number"].startswith("YH")
    assert created["level"] == "general"
    assert [a["kind"] for a in created["attachments"]] == ["before"]
    assert created["attachments"][0]["url"].endswith(
        f"/hazards/attachments/{created['attachments'][0]['id']}/"
    )
    assert created["version"] == 1

    assigned = step(safety, pk, "assign", five(version=1))
    assert assigned.status_code == 200, assigned.json()
    assert assigned.json()["state"] == "assigned"
    assert assigned.json()["deadline"] == _day(10)
    assert assigned.json()["original_deadline"] == _day(10)
    assert assigned.json()["funds"] == "3500.00"

    rectified = step(
        safety,
        pk,
        "rectify",
        {"rectification": "已更换线路", "actual_cost": "3200", "photos": [make_jpeg("after.jpg")]},
        fmt="multipart",
    )
    assert rectified.status_code == 200, rectified.json()
    assert rectified.json()["state"] == "rectified"
    assert [a["kind"] for a in rectified.json()["attachments"]] == ["before", "after"]
    assert "verify" not in rectified.json()["available_actions"]  # nobody accepts their own

    closed = step(principal, pk, "verify", {"accepted": True, "comment": "验收合格"})
    assert closed.status_code == 200, closed.json()
    body = closed.json()
    assert body["state"] == "closed"
    assert body["verified_by"] == demo["ent1"].pk
    assert body["verified_by_name"] == demo["ent1"].get_full_name()
    assert body["version"] == 4
    assert body["available_actions"] == []

    history = principal.get(f"{URL}{pk}/history/")
    assert history.status_code == 200
    events = history.json()
    assert (events[0]["kind"], events[0]["to_state"]) == ("report", "reported")
    assert [(e["kind"], e["from_state"], e["to_state"]) for e in events[1:]] == [
        ("assign", "reported", "assigned"),
        ("rectify", "assigned", "rectified"),
        ("accept", "rectified", "closed"),
    ]
    assert [e["actor"]["id"] for e in events] == [demo["ent1safety"].pk] * 3 + [demo["ent1"].pk]
    assert events[-1]["actor"]["name"] == demo["ent1"].get_full_name()
    assert events[-1]["comment"] == "验收合格"
    assert {"at", "data"} <= set(events[0])

    # Another enterprise: it does not exist, whatever is asked.
    other = api("ent2")
    assert other.get(f"{URL}{pk}/").status_code == 404
    assert other.get(f"{URL}{pk}/history/").status_code == 404
    upload = other.post(
        f"{URL}{pk}/attachments/", {"file": make_jpeg(), "kind": "before"}, format="multipart"
    )
    assert upload.status_code == 404
    assert pk not in {row["id"] for row in other.get(URL).json()["results"]}


def test_major_hazard_is_accepted_by_township_not_by_the_principal(api, demo, report):
    pk = report("ent1safety", level="major")["id"]
    assert Hazard.objects.get(pk=pk).reported_up_at is not None
    missing_plan = step(api("ent1"), pk, "assign", five())
    assert missing_plan.status_code == 400
    assert set(PLAN) <= set(missing_plan.json())
    assert step(api("ent1"), pk, "assign", five(plan=PLAN)).status_code == 200
    rectify = {"rectification": "已更换阀门", "photos": [make_jpeg()]}
    assert step(api("ent1safety"), pk, "rectify", rectify, fmt="multipart").status_code == 200
    refused = step(api("ent1"), pk, "verify", {"accepted": True})
    assert refused.status_code == 403
    assert refused.json()["detail"]
    assert Hazard.objects.get(pk=pk).state == HazardState.RECTIFIED
    accepted = step(api("township"), pk, "verify", {"accepted": True})
    assert accepted.status_code == 200
    assert accepted.json()["state"] == "closed"


def test_a_step_the_state_does_not_allow_is_409_with_the_hazard_as_it_is(api, report):
    pk = report()["id"]
    response = step(api("ent1"), pk, "verify", {"accepted": True})
    assert response.status_code == 409
    body = response.json()
    assert body["detail"]
    assert body["hazard"]["state"] == "reported"
    assert body["hazard"]["version"] == 1
    assert (
        step(api("ent1safety"), pk, "extend", {"deadline": _day(20), "reason": "x"}).status_code
        == 409
    )


def test_a_stale_version_is_409_and_changes_nothing(api, report):
    pk = report()["id"]
    client = api("ent1safety")
    assert step(client, pk, "grade", {"level": "general", "version": 1}).status_code == 200
    stale = step(client, pk, "assign", five(version=1))
    assert stale.status_code == 409
    assert stale.json()["hazard"]["version"] == 2
    hazard = Hazard.objects.get(pk=pk)
    assert (hazard.state, hazard.version) == (HazardState.REPORTED, 2)
    assert step(client, pk, "assign", five(version=2)).status_code == 200


def test_county_may_read_but_do_nothing(api, report):
    pk = report()["id"]
    county = api("county")
    assert county.get(f"{URL}{pk}/").status_code == 200
    assert county.get(f"{URL}{pk}/history/").status_code == 200
    for name in STEPS:
        assert step(county, pk, name, {"reason": "x"}).status_code == 403, name
    upload = county.post(
        f"{URL}{pk}/attachments/", {"file": make_jpeg(), "kind": "before"}, format="multipart"
    )
    assert upload.status_code == 403
    created = county.post(
        URL, {"title": "t", "description": "d", "category": "electrical"}, format="json"
    )
    assert created.status_code == 403
    assert Hazard.objects.get(pk=pk).version == 1


def test_anonymous_is_401(api, report):
    pk = report()["id"]
    anon = api(None)
    assert anon.get(URL).status_code == 401
    assert anon.get(f"{URL}{pk}/").status_code == 401
    assert step(anon, pk, "void", {"reason": "x"}).status_code == 401


def test_invalid_input_is_400_per_field_and_saves_nothing(api, report):
    pk = report()["id"]
    client = api("ent1safety")
    without_funds = five()
    del without_funds["funds"]
    response = step(client, pk, "assign", without_funds)
    assert response.status_code == 400
    assert set(response.json()) == {"funds"}
    past = step(client, pk, "assign", five(days=-1))
    assert past.status_code == 400
    assert set(past.json()) == {"deadline"}
    typed = step(client, pk, "assign", five(funds="a lot"))
    assert typed.status_code == 400
    assert "funds" in typed.json()
    assert step(client, pk, "grade", {"level": "huge"}).json().keys() == {"level"}
    assert "accepted" in step(api("ent1"), pk, "verify", {}).json()
    assert "reason" in step(client, pk, "void", {"reason": " "}).json()
    hazard = Hazard.objects.get(pk=pk)
    assert (hazard.state, hazard.version) == (HazardState.REPORTED, 1)
    assert list(hazard.events.values_list("kind", flat=True)) == [EventKind.REPORT]

    missing = client.post(URL, {"description": "d", "category": "nope"}, format="json")
    assert missing.status_code == 400
    assert {"title", "category"} <= set(missing.json())
    future = client.post(
        URL,
        {
            "title": "t",
            "description": "d",
            "category": "electrical",
            "found_at": "2999-01-01T00:00",
        },
        format="json",
    )
    assert future.status_code == 400
    assert set(future.json()) == {"found_at"}


def test_reporting_for_an_organisation_out_of_reach_is_a_field_error(api, demo, report):
    ent2_org = org_of(demo["ent2"])
    response = api("ent1safety").post(
        URL,
        {"organization": ent2_org.pk, "title": "t", "description": "d", "category": "electrical"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"organization"}
    # Township staff reach every organisation of the township; they must say which.
    township = api("township")
    body = {"title": "t", "description": "d", "category": "electrical"}
    assert set(township.post(URL, body, format="json").json()) == {"organization"}
    created = township.post(URL, {**body, "organization": ent2_org.pk}, format="json")
    assert created.status_code == 201
    assert created.json()["organization"] == ent2_org.pk


def test_uploads_are_checked_by_content(api, report):
    pk = report()["id"]
    client = api("ent1safety")
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not a photo", content_type="image/jpeg")
    response = client.post(
        f"{URL}{pk}/attachments/", {"file": fake, "kind": "after"}, format="multipart"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"file"}
    pdf_as_photo = client.post(
        f"{URL}{pk}/attachments/", {"file": make_pdf(), "kind": "after"}, format="multipart"
    )
    assert pdf_as_photo.status_code == 400
    assert set(pdf_as_photo.json()) == {"file"}
    missing = client.post(f"{URL}{pk}/attachments/", {"kind": "document"}, format="multipart")
    assert set(missing.json()) == {"file"}
    document = client.post(
        f"{URL}{pk}/attachments/", {"file": make_pdf(), "kind": "document"}, format="multipart"
    )
    assert document.status_code == 201
    assert document.json()["content_type"] == "application/pdf"
    assert document.json()["kind"] == "document"
    assert document.json()["url"].endswith(f"/hazards/attachments/{document.json()['id']}/")
    # Rectify refuses a non-image as the after-photo, and nothing moves.
    step(client, pk, "assign", five())
    bad = step(
        client, pk, "rectify", {"rectification": "done", "photos": [make_pdf()]}, fmt="multipart"
    )
    assert bad.status_code == 400
    assert set(bad.json()) == {"photos"}
    assert Hazard.objects.get(pk=pk).state == HazardState.ASSIGNED
    # After-photos attached earlier count: rectify then needs no file (JSON).
    after = client.post(
        f"{URL}{pk}/attachments/", {"file": make_jpeg(), "kind": "after"}, format="multipart"
    )
    assert after.status_code == 201
    assert step(client, pk, "rectify", {"rectification": "done"}).json()["state"] == "rectified"


def test_a_report_with_a_bad_photo_is_refused_whole(api):
    fake = SimpleUploadedFile("photo.jpg", b"not a photo at all", content_type="image/jpeg")
    body = {"title": "t", "description": "d", "category": "electrical", "photos": [fake]}
    response = api("ent1safety").post(URL, body, format="multipart")
    assert response.status_code == 400
    assert set(response.json()) == {"photos"}
    assert not Hazard.objects.filter(title="t").exists()


def test_extension_request_and_decision(api, demo, report):
    pk = report()["id"]
    step(api("ent1safety"), pk, "assign", five(days=5))
    asked = step(api("ent1"), pk, "extend", {"deadline": _day(20), "reason": "材料未到"})
    assert asked.status_code == 200, asked.json()
    assert [e["state"] for e in asked.json()["extensions"]] == ["pending"]
    assert "decide_extension" in api("township").get(f"{URL}{pk}/").json()["available_actions"]
    # Only township staff decide.
    assert step(api("ent1"), pk, "extend", {"decision": "approve"}).status_code == 403
    refused_without_reason = step(api("township"), pk, "extend", {"decision": "refuse"})
    assert set(refused_without_reason.json()) == {"comment"}
    approved = step(api("township"), pk, "extend", {"decision": "approve", "comment": "同意"})
    assert approved.status_code == 200
    body = approved.json()
    assert (body["deadline"], body["original_deadline"]) == (_day(20), _day(5))
    assert [e["state"] for e in body["extensions"]] == ["approved"]
    kinds = [e["kind"] for e in api("township").get(f"{URL}{pk}/history/").json()]
    assert kinds[-2:] == ["extend_request", "extend_approve"]


def test_grade_supervise_and_void(api, demo, report):
    pk = report()["id"]
    graded = step(api("ent1safety"), pk, "grade", {"level": "major", "clause": "第四条第一款"})
    assert graded.status_code == 200
    assert (graded.json()["level"], graded.json()["clause"]) == ("major", "第四条第一款")
    # Now major: only township staff grade it.
    assert step(api("ent1safety"), pk, "grade", {"level": "general"}).status_code == 403
    supervise = {"supervisor": demo["leader"].pk, "deadline": _day(30), "note": "每周报告"}
    assert step(api("ent1"), pk, "supervise", supervise).status_code == 403
    supervised = step(api("township"), pk, "supervise", supervise)
    assert supervised.status_code == 200
    body = supervised.json()
    assert body["is_supervised"] is True
    assert (body["supervisor"], body["supervise_deadline"]) == (demo["leader"].pk, _day(30))
    assert body["supervisor_name"] == demo["leader"].get_full_name()
    assert step(api("leader"), pk, "supervise", supervise).status_code == 409

    other = report(title="误报")["id"]
    assert step(api("ent1"), other, "void", {"reason": "误报"}).status_code == 403  # not reporter
    voided = step(api("ent1safety"), other, "void", {"reason": "误报"})
    assert voided.status_code == 200
    assert (voided.json()["state"], voided.json()["void_reason"]) == ("voided", "误报")


def test_available_actions_follow_role_state_and_rules(api, demo, report):
    pk = report("ent1safety")["id"]

    def actions_of(username: str) -> list[str]:
        return api(username).get(f"{URL}{pk}/").json()["available_actions"]

    assert actions_of("ent1safety") == ["assign", "attach", "grade", "void"]
    assert actions_of("ent1") == ["assign", "attach"]
    assert actions_of("township") == ["assign", "attach", "grade", "void"]
    assert actions_of("county") == []
    assert actions_of("leader") == []
    step(api("ent1safety"), pk, "assign", five())
    rectify = {"rectification": "done", "photos": [make_jpeg()]}
    step(api("ent1safety"), pk, "rectify", rectify, fmt="multipart")
    assert actions_of("ent1safety") == ["attach"]
    assert actions_of("ent1") == ["attach", "verify"]
    # The list answers the same as the detail.
    listed = api("ent1").get(URL, {"page_size": 500}).json()["results"]
    assert next(row for row in listed if row["id"] == pk)["available_actions"] == [
        "attach",
        "verify",
    ]


@pytest.fixture
def spread(demo, new_hazard):
    """Hazards across ent1 and ent2 in every interesting condition."""
    ent1, ent2 = org_of(demo["ent1"]), org_of(demo["ent2"])
    # An industry neither enterprise is in: only the hazard that names it matches.
    theirs = [
        *ent1.industries.values_list("pk", flat=True),
        *ent2.industries.values_list("pk", flat=True),
    ]
    industry = Industry.objects.filter(is_active=True).exclude(pk__in=theirs).order_by("id").first()
    h = {
        "reported": new_hazard("ent1safety"),
        "ent2": new_hazard("ent2", org=ent2),
        "major": new_hazard("ent1safety", level="major"),
        "assigned": new_hazard("ent1safety"),
        "overdue": new_hazard("ent1safety"),
        "industry": new_hazard("township", org=ent2, industry=industry),
    }
    for key in ("assigned", "overdue"):
        actions.assign(h[key], by=demo["ent1safety"], **five_args())
    deadline = timezone.localdate() + timedelta(days=10)
    Hazard.objects.filter(pk=h["overdue"].pk).update(deadline=timezone.localdate() - timedelta(1))
    actions.supervise(h["major"], by=demo["township"], supervisor=demo["leader"], deadline=deadline)
    return {
        "ids": {k: v.pk for k, v in h.items()},
        "ent1": ent1,
        "ent2": ent2,
        "industry": industry,
    }


def _industry_matches(row: dict, code: str) -> bool:
    """The hazard's own industry, or (when it has none) one of its organisation's."""
    if row["industry"]:
        return row["industry"] == code
    return Organization.objects.filter(pk=row["organization"], industries__code=code).exists()


# Each filter: the query, which of the spread's hazards it finds (of those made here;
# the demo may hold more), and what every row it answers must satisfy.
FILTERS = [
    ({}, {"reported", "ent2", "major", "assigned", "overdue", "industry"}, None),
    ({"state": "assigned"}, {"assigned", "overdue"}, lambda r, s: r["state"] == "assigned"),
    (
        {"state": ["assigned", "reported"]},
        {"reported", "ent2", "major", "assigned", "overdue", "industry"},
        lambda r, s: r["state"] in ("assigned", "reported"),
    ),
    ({"level": "major"}, {"major"}, lambda r, s: r["level"] == "major"),
    ({"overdue": "true"}, {"overdue"}, lambda r, s: r["is_overdue"] and r["overdue_days"] > 0),
    (
        {"overdue": "false"},
        {"reported", "ent2", "major", "assigned", "industry"},
        lambda r, s: not r["is_overdue"],
    ),
    ({"supervised": "true"}, {"major"}, lambda r, s: r["is_supervised"]),
    (
        {"organization": "ent2"},
        {"ent2", "industry"},
        lambda r, s: r["organization"] == s["ent2"].pk,
    ),
    (
        {"industry": "industry"},
        {"industry"},
        lambda r, s: _industry_matches(r, s["industry"].code),
    ),
]


@pytest.mark.parametrize(
    ("params", "expected", "check"),
    FILTERS,
    ids=["all", "state", "states", "level", "overdue", "not-overdue", "supervised", "org", "ind"],
)
def test_list_filters(api, spread, params, expected, check):
    ids = spread["ids"]
    query = dict(params)
    if query.get("organization") == "ent2":
        query["organization"] = spread["ent2"].pk
    if query.get("industry") == "industry":
        query["industry"] = spread["industry"].code
    response = api("township").get(URL, {**query, "page_size": 500})
    assert response.status_code == 200, response.json()
    page = response.json()
    assert {"count", "next", "previous", "results"} <= set(page)
    rows = page["results"]
    assert page["count"] == len(rows)
    found = {row["id"] for row in rows}
    assert found & set(ids.values()) == {ids[k] for k in expected}
    for row in rows:
        assert check is None or check(row, spread), (query, row["id"])
    overdue = next((r for r in rows if r["id"] == ids["overdue"]), None)
    if overdue:
        assert (overdue["is_overdue"], overdue["overdue_days"]) == (True, 1)


def test_list_is_the_restricted_rows(api, demo, spread):
    for username in ("ent1", "ent2", "village1", "village2", "dept", "county", "township"):
        user = demo[username]
        found = {row["id"] for row in api(username).get(URL, {"page_size": 500}).json()["results"]}
        assert found == set(Hazard.objects.restrict(user).values_list("pk", flat=True)), username
    assert api("auditor").get(URL).status_code == 403


@pytest.mark.parametrize("username", ["township", "ent1", "dept"])
def test_list_queries_do_not_grow_with_the_rows(
    api, demo, new_hazard, username, django_assert_max_num_queries
):
    ent1, ent2 = org_of(demo["ent1"]), org_of(demo["ent2"])
    client = api(username)
    client.get(URL)  # the token's last-use stamp is written once; measure later requests

    def make(count: int) -> None:
        for i in range(count):
            org = ent1 if i % 2 else ent2
            h = new_hazard("township", org=org, photos=[make_jpeg()] if i % 3 == 0 else ())
            if i % 4 == 0:
                actions.assign(h, by=demo["township"], **five_args())

    counts = {}
    base = Hazard.objects.count()  # the demo may have some already
    for total in (5, 50):
        make(base + total - Hazard.objects.count())
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(URL, {"page_size": 100})
        assert response.status_code == 200
        assert len(response.json()["results"]) > 0
        counts[total] = len(ctx.captured_queries)
    assert counts[5] == counts[50], counts
    with django_assert_max_num_queries(8):
        client.get(URL, {"page_size": 100})


def test_detail_of_a_hazard_with_evidence_and_history_is_cheap(
    api, report, django_assert_max_num_queries
):
    pk = report()["id"]
    client = api("ent1")
    client.get(f"{URL}{pk}/")
    with django_assert_max_num_queries(8):
        assert client.get(f"{URL}{pk}/").status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(f"{URL}{pk}/history/").status_code == 200


def test_ledger_is_an_xlsx_of_the_filtered_list(api, spread):
    response = api("township").get(f"{URL}ledger.xlsx", {"level": "major"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    data = b"".join(response.streaming_content) if response.streaming else response.content
    assert data[:2] == b"PK"
    assert api("ent1").get(f"{URL}ledger.xlsx").status_code == 200
    assert api("auditor").get(f"{URL}ledger.xlsx").status_code == 403
    assert api(None).get(f"{URL}ledger.xlsx").status_code == 401


def test_schema_documents_every_hazard_route(client, db):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/hazards/"])
    assert "get" in paths["/api/v1/hazards/{id}/"]
    assert "get" in paths["/api/v1/hazards/{id}/history/"]
    assert "post" in paths["/api/v1/hazards/{id}/attachments/"]
    assert "get" in paths["/api/v1/hazards/ledger.xlsx"]
    listing = {p["name"] for p in paths["/api/v1/hazards/"]["get"]["parameters"]}
    assert {"state", "level", "overdue", "supervised", "organization", "industry"} <= listing
    ledger = {p["name"] for p in paths["/api/v1/hazards/ledger.xlsx"]["get"]["parameters"]}
    assert {"state", "level", "overdue"} <= ledger
    for name in STEPS:
        operation = paths[f"/api/v1/hazards/{{id}}/{name}/"]["post"]
        assert "application/json" in operation["requestBody"]["content"], name
        assert {"200", "400", "403", "404", "409"} <= set(operation["responses"]), name
    rectify = paths["/api/v1/hazards/{id}/rectify/"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in rectify

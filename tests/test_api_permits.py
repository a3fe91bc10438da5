"""The permits API: apply, sign, prepare, start, pause, resume, complete and cancel
through the API; the rules of GB 30871 answered as 409 (refusals) or 400 (bad input)
naming the rule or the field; scope 404 and role 403; filters and query counts."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from anpai.people.models import ApiToken, Membership, User
from anpai.permits import actions
from anpai.permits.choices import PermitState
from anpai.permits.models import GasAnalysis, Permit

URL = "/api/v1/permits/"
WORKERS = [
    {
        "name": "焊工丙",
        "certificate_kind": "焊接与热切割作业",
        "certificate_no": "T141127000001",
        "certificate_expires": "2035-01-01",
    }
]


def org_of(username: str):
    return (
        Membership.objects.filter(user__username=username)
        .select_related("organization")[0]
        .organization
    )


def _iso(when) -> str:
    return when.isoformat()


@pytest.fixture
def api_as(demo):
    """``api_as("ent1team")``: an API client with a token of any demo account."""

    def _api(username: str | None = None) -> APIClient:
        client = APIClient()
        if username:
            _, key = ApiToken.issue(User.objects.get(username=username))
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return _api


def body(type_code: str = "hot_work", answers: dict | None = None, *, hours: float = 4, **extra):
    start = timezone.now() + extra.pop("start_in", timedelta(0))
    data = {
        "type": type_code,
        "answers": answers if answers is not None else {"area": "hazardous_area"},
        "unit": "合成车间检修班",
        "content": "更换 3# 罐进料管线法兰",
        "location": "罐区 3# 储罐",
        "medium": "甲醇",
        "medium_lel": "6",
        "planned_start": _iso(start),
        "planned_end": _iso(start + timedelta(hours=hours)),
        "person_in_charge": "郭春生",
        "guardian": "监护人丁",
        "hazard_identification": "易燃气体泄漏、火灾爆炸、灼烫",
        "workers": WORKERS,
    }
    data.update(extra)
    return data


def step(client, pk: int, name: str, data: dict | None = None):
    return client.post(f"{URL}{pk}/{name}/", data or {}, format="json")


@pytest.fixture
def approved(api_as):
    """``approved(type, answers, **body)``: applied for by ent1team over the API, signed by
    the chain, measures confirmed and briefing given; returns the permit's JSON."""

    signers = {"unit": "ent1workshop", "safety": "ent1safety", "principal": "ent1"}

    def _approved(type_code="hot_work", answers=None, **extra) -> dict:
        team = api_as("ent1team")
        created = team.post(URL, body(type_code, answers, **extra), format="json")
        assert created.status_code == 201, created.content
        pk = created.json()["id"]
        assert step(team, pk, "submit").status_code == 200
        for entry in created.json()["chain"]:
            signed = step(api_as(signers[entry["step"]]), pk, "approve", {"opinion": "同意"})
            assert signed.status_code == 200, signed.content
        measures = [
            {"id": m["id"], "applicable": True, "confirmed_by": "确认人"}
            for m in created.json()["measures"]
        ]
        assert step(team, pk, "measures", {"measures": measures}).status_code == 200
        briefed = step(team, pk, "briefing", {"given_by": "郭春生", "received_by": "焊工丙"})
        assert briefed.status_code == 200
        assert briefed.json()["state"] == "approved"
        return briefed.json()

    return _approved


def gas(client, pk: int, minutes_ago: float, **extra):
    data = {
        "taken_at": _iso(timezone.now() - timedelta(minutes=minutes_ago)),
        "point": "3# 罐法兰处",
        "lel_percent": "0.1",
        "o2_percent": "20.9",
        "toxic": {},
        "analyst": "分析员戊",
        **extra,
    }
    return step(client, pk, "gas-analysis", data)


# ---------------------------------------------------------------- the issue's acceptance


def test_level_one_hot_work_starts_with_an_analysis_29_minutes_old_not_31(api_as, approved):
    permit = approved("hot_work", {"area": "hazardous_area"})
    assert (permit["level"], permit["rule"]["validity_hours"]) == ("1", 8)
    team = api_as("ent1team")
    old = gas(team, permit["id"], 31)
    assert old.status_code == 201, old.content
    assert old.json()["passed"] is True
    refused = step(team, permit["id"], "start")
    assert refused.status_code == 409
    assert "30" in refused.json()["detail"]
    assert "GB 30871" in refused.json()["detail"]
    assert Permit.objects.get(pk=permit["id"]).state == PermitState.APPROVED
    assert gas(team, permit["id"], 29).status_code == 201
    started = step(team, permit["id"], "start")
    assert started.status_code == 200, started.content
    assert started.json()["state"] == "in_progress"
    assert started.json()["started_at"]


def test_level_two_hot_work_planned_for_80_hours_is_refused(api_as):
    team = api_as("ent1team")
    before = Permit.objects.count()
    refused = team.post(URL, body("hot_work", {"area": "other"}, hours=80), format="json")
    assert refused.status_code == 400
    assert set(refused.json()) == {"planned_end"}
    assert "72" in refused.json()["planned_end"][0]
    assert "80" in refused.json()["planned_end"][0]
    assert Permit.objects.count() == before
    made = team.post(URL, body("hot_work", {"area": "other"}, hours=72), format="json")
    assert made.status_code == 201
    assert (made.json()["level"], made.json()["state"]) == ("2", "draft")


# ---------------------------------------------------------------- reading


def test_detail_has_the_rule_chain_people_measures_analyses_history_and_actions(api_as, approved):
    permit = approved("hot_work", {"area": "hazardous_area"})
    pk = permit["id"]
    team = api_as("ent1team")
    gas(team, pk, 20, o2_percent="18.0")  # fails: oxygen low
    detail = team.get(f"{URL}{pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert detail["number"].startswith(f"DH-{timezone.localdate().year}-")
    assert detail["organization"] == org_of("ent1").pk
    assert detail["level_display"] == "一级"
    rule = detail["rule"]
    assert rule["chain"] == ["unit", "safety"]
    assert (rule["validity_hours"], rule["break_minutes"]) == (8, 30)
    assert rule["gas_analysis"] is True
    assert rule["analysis_max_age_minutes"] == 30
    assert "GB 30871" in rule["source"]
    chain = detail["chain"]
    assert [c["step"] for c in chain] == ["unit", "safety"]
    assert all(c["signed"] for c in chain)
    assert [c["approver_name"] for c in chain] == ["郭春生", "周晓东"]
    assert chain[0]["name"] == "作业所在单位负责人"
    assert detail["next_step"] is None
    assert detail["workers"][0]["certificate_no"] == "T141127000001"
    assert detail["workers"][0]["certificate_valid"] is True
    assert len(detail["measures"]) == 9
    assert all(m["confirmed_by"] == "确认人" for m in detail["measures"])
    assert detail["briefing_given_by"] == "郭春生"
    analysis = detail["analyses"][0]
    assert analysis["passed"] is False
    assert analysis["lel_percent"] == "0.100"
    assert any("19.5" in f for f in analysis["failures"])
    assert [a["step"] for a in detail["approvals"]] == ["unit", "safety"]
    kinds = [e["kind"] for e in detail["events"]]
    assert kinds == ["create", "submit", "approve", "approve", "gas"]
    # The steps the caller may take: the team leader works, the principal also cancels.
    assert set(detail["available_actions"]) == {"measures", "briefing", "gas-analysis", "start"}
    ent1 = api_as("ent1").get(f"{URL}{pk}/").json()["available_actions"]
    assert "cancel" in ent1
    assert api_as("township").get(f"{URL}{pk}/").json()["available_actions"] == []


def test_the_chain_shows_who_signed_and_who_signs_next(api_as):
    team = api_as("ent1team")
    pk = team.post(URL, body(), format="json").json()["id"]
    step(team, pk, "submit")
    step(api_as("ent1workshop"), pk, "approve", {"opinion": "措施落实，同意"})
    safety = api_as("ent1safety").get(f"{URL}{pk}/").json()
    assert safety["state"] == "submitted"
    assert safety["next_step"] == "safety"
    unit, next_ = safety["chain"]
    assert (unit["signed"], unit["opinion"], unit["approver_name"]) == (
        True,
        "措施落实，同意",
        "郭春生",
    )
    assert (next_["signed"], next_["is_next"], next_["roles"]) == (False, True, ["ent_safety"])
    assert {"approve", "reject"} <= set(safety["available_actions"])
    # The list says whose signature is awaited too.
    row = next(r for r in safety_list(api_as) if r["id"] == pk)
    assert row["next_step"] == "safety"


def safety_list(api_as) -> list[dict]:
    return api_as("ent1safety").get(URL, {"page_size": 500}).json()["results"]


# ---------------------------------------------------------------- errors


def test_bad_input_is_400_naming_the_field_and_saves_nothing(api_as, approved):
    team = api_as("ent1team")
    before = Permit.objects.count()
    bad = team.post(
        URL, body(planned_start="tomorrow", workers=[{"name": "焊工丙"}]), format="json"
    )
    assert bad.status_code == 400
    assert "planned_start" in bad.json()
    unknown = team.post(URL, body("welding"), format="json")
    assert set(unknown.json()) == {"type"}
    no_area = team.post(URL, body(answers={}), format="json")
    assert (no_area.status_code, set(no_area.json())) == (400, {"area"})
    no_cert = team.post(URL, body(workers=[{"name": "焊工丙"}]), format="json")
    assert (no_cert.status_code, set(no_cert.json())) == (400, {"workers"})
    assert Permit.objects.count() == before

    permit = approved()
    pk = permit["id"]
    worse = gas(api_as("ent1team"), pk, 5, lel_percent="abc", o2_percent="120")
    assert worse.status_code == 400
    assert {"lel_percent", "o2_percent"} <= set(worse.json())
    future = gas(api_as("ent1team"), pk, -60)
    assert (future.status_code, set(future.json())) == (400, {"taken_at"})
    assert not GasAnalysis.objects.filter(permit_id=pk).exists()
    blank = step(api_as("ent1team"), pk, "briefing", {"given_by": "", "received_by": "焊工丙"})
    assert (blank.status_code, set(blank.json())) == (400, {"given_by"})


def test_scope_is_404_and_a_role_without_the_step_403(api_as, approved):
    permit = approved()
    pk = permit["id"]
    ent2 = api_as("ent2")
    assert ent2.get(f"{URL}{pk}/").status_code == 404
    assert step(ent2, pk, "start").status_code == 404
    assert step(ent2, pk, "cancel", {"reason": "x"}).status_code == 404
    # Government reads but does not act; a team leader does not cancel.
    assert api_as("township").get(f"{URL}{pk}/").status_code == 200
    assert step(api_as("township"), pk, "start").status_code == 403
    assert step(api_as("leader"), pk, "cancel", {"reason": "x"}).status_code == 403
    assert step(api_as("ent1team"), pk, "cancel", {"reason": "x"}).status_code == 403
    assert api_as("township").post(URL, body(), format="json").status_code == 403
    # Another enterprise's organisation does not exist for an applicant.
    other = api_as("ent1team").post(URL, body(organization=org_of("ent2").pk), format="json")
    assert (other.status_code, set(other.json())) == (400, {"organization"})
    assert Permit.objects.get(pk=pk).state == PermitState.APPROVED


def test_approval_rules_answer_403_or_409_naming_the_rule(api_as):
    team = api_as("ent1team")
    expiring = [{**WORKERS[0], "certificate_expires": timezone.localdate().isoformat()}]
    pk = team.post(
        URL, body("hot_work", {"area": "other"}, hours=30, workers=expiring), format="json"
    ).json()["id"]
    assert step(team, pk, "approve", {"opinion": "同意"}).status_code == 403  # no such role
    assert step(team, pk, "submit").status_code == 200
    again = step(team, pk, "submit")
    assert again.status_code == 409
    head = api_as("ent1workshop")
    blank = step(head, pk, "approve", {"opinion": " "})
    assert (blank.status_code, set(blank.json())) == (400, {"opinion"})
    expired = step(head, pk, "approve", {"opinion": "同意"})
    assert expired.status_code == 409
    assert "焊工丙" in expired.json()["detail"]
    # The safety manager is not the level's unit step.
    wrong = step(api_as("ent1safety"), pk, "approve", {"opinion": "同意"})
    assert wrong.status_code == 403
    assert "作业所在单位负责人" in wrong.json()["detail"]
    # Nobody approves their own permit.
    own = api_as("ent1workshop").post(URL, body(), format="json").json()["id"]
    step(head, own, "submit")
    assert step(head, own, "approve", {"opinion": "同意"}).status_code == 403


def test_reject_sends_back_and_patch_changes_the_draft(api_as):
    team = api_as("ent1team")
    created = team.post(URL, body(), format="json").json()
    pk = created["id"]
    step(team, pk, "submit")
    head = api_as("ent1workshop")
    no_reason = step(head, pk, "reject", {"opinion": ""})
    assert (no_reason.status_code, set(no_reason.json())) == (400, {"opinion"})
    back = step(head, pk, "reject", {"opinion": "动火点周围可燃物未清理"})
    assert back.status_code == 200
    assert back.json()["state"] == "draft"
    assert back.json()["approvals"] == []
    version = back.json()["version"]
    changed = team.patch(
        f"{URL}{pk}/",
        {"location": "罐区 3# 储罐北侧", "answers": {"area": "other"}, "version": version},
        format="json",
    )
    assert changed.status_code == 200, changed.content
    assert (changed.json()["location"], changed.json()["level"]) == ("罐区 3# 储罐北侧", "2")
    assert changed.json()["content"] == created["content"]
    stale = team.patch(f"{URL}{pk}/", {"location": "旧", "version": version}, format="json")
    assert stale.status_code == 409
    retype = team.patch(f"{URL}{pk}/", {"type": "height"}, format="json")
    assert (retype.status_code, set(retype.json())) == (400, {"type"})
    step(team, pk, "submit")
    assert team.patch(f"{URL}{pk}/", {"location": "x"}, format="json").status_code == 409
    assert api_as("ent2").patch(f"{URL}{pk}/", {"location": "x"}, format="json").status_code == 404


def test_pause_resume_complete_and_cancel(api_as, approved):
    team = api_as("ent1team")
    permit = approved("height", {"height_m": "8"})
    pk = permit["id"]
    assert permit["rule"]["gas_analysis"] is False
    assert step(team, pk, "start").json()["state"] == "in_progress"
    assert step(api_as("ent1"), pk, "cancel", {"reason": "x"}).status_code == 409
    paused = step(team, pk, "pause", {"reason": "风力增大至六级"})
    assert paused.json()["state"] == "paused"
    assert paused.json()["events"][-1]["comment"] == "风力增大至六级"
    assert step(team, pk, "resume").json()["state"] == "in_progress"
    nobody = step(team, pk, "complete", {"accepted_by": ""})
    assert (nobody.status_code, set(nobody.json())) == (400, {"accepted_by"})
    done = step(team, pk, "complete", {"accepted_by": "郭春生", "note": "现场清理完毕"})
    assert done.status_code == 200
    assert (done.json()["state"], done.json()["accepted_by"]) == ("completed", "郭春生")
    assert done.json()["available_actions"] == []
    assert step(team, pk, "pause").status_code == 409

    other = approved("temp_power", {})
    cancelled = step(api_as("ent1workshop"), other["id"], "cancel", {"reason": "计划调整"})
    assert (cancelled.json()["state"], cancelled.json()["cancel_reason"]) == (
        "cancelled",
        "计划调整",
    )


def test_a_break_longer_than_the_limit_needs_a_new_analysis(api_as, approved):
    team = api_as("ent1team")
    permit = approved("hot_work", {"area": "hazardous_area"})
    pk = permit["id"]
    gas(team, pk, 5)
    step(team, pk, "start")
    step(team, pk, "pause")
    # As if the analysis was an hour ago and the work paused 31 minutes ago.
    now = timezone.now()
    GasAnalysis.objects.filter(permit_id=pk).update(taken_at=now - timedelta(minutes=60))
    Permit.objects.filter(pk=pk).update(paused_at=now - timedelta(minutes=31))
    refused = step(team, pk, "resume")
    assert refused.status_code == 409
    assert "30" in refused.json()["detail"]
    assert gas(team, pk, 1).status_code == 201
    assert step(team, pk, "resume").json()["state"] == "in_progress"


def test_hot_work_inside_a_confined_space_links_and_waits_for_it(api_as, approved):
    team = api_as("ent1team")
    confined = approved("confined_space", {}, content="污水池清淤")
    hot = approved("hot_work", {"area": "hazardous_area"}, linked=[confined["id"]])
    assert [p["id"] for p in hot["linked_permits"]] == [confined["id"]]
    assert hot["linked"] == [confined["id"]]
    gas(team, hot["id"], 2)
    waiting = step(team, hot["id"], "start")
    assert waiting.status_code == 409
    assert confined["number"] in waiting.json()["detail"]
    gas(team, confined["id"], 2, toxic={"H2S": "2"})
    assert step(team, confined["id"], "start").status_code == 200
    assert step(team, hot["id"], "start").json()["state"] == "in_progress"
    linked_back = team.get(f"{URL}{confined['id']}/").json()["linked_permits"]
    assert linked_back[0]["state"] == "in_progress"


# ---------------------------------------------------------------- the list


def _make(by: str, type_code: str = "height", answers=None, *, days: int = 0, **values):
    user = User.objects.get(username=by)
    day = timezone.localdate() + timedelta(days=days)
    start = timezone.make_aware(datetime.combine(day, time(9)))  # 09:00–15:00 that day
    return actions.create(
        by=user,
        organization=org_of(by),
        type=type_code,
        answers=answers if answers is not None else {"height_m": "8"},
        content="检修",
        location="车间",
        planned_start=start,
        planned_end=start + timedelta(hours=6),
        workers=WORKERS,
        person_in_charge="郭春生",
        guardian="监护人丁",
        hazard_identification="高处坠落",
        **values,
    )


def test_filters(api_as):
    a = _make("ent1team", "height", {"height_m": "3"}, days=20)
    b = _make("ent1team", "hot_work", {"area": "other"}, days=21)
    c = _make("ent2", "height", {"height_m": "20"}, days=20)
    actions.submit(b, by=User.objects.get(username="ent1team"))
    client = api_as("township")

    def ids(**params) -> set[int]:
        response = client.get(URL, {"page_size": 500, **params})
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert {a.pk, b.pk, c.pk} <= ids()
    assert ids(organization=c.organization_id) & {a.pk, b.pk, c.pk} == {c.pk}
    assert ids(type="hot_work") & {a.pk, b.pk, c.pk} == {b.pk}
    assert ids(level="I") & {a.pk, b.pk, c.pk} == {a.pk}
    assert ids(level="III") & {a.pk, b.pk, c.pk} == {c.pk}
    assert ids(state="submitted") & {a.pk, b.pk, c.pk} == {b.pk}
    assert ids(state=["draft", "submitted"]) & {a.pk, b.pk, c.pk} == {a.pk, b.pk, c.pk}
    day20 = (timezone.localdate() + timedelta(days=20)).isoformat()
    day21 = (timezone.localdate() + timedelta(days=21)).isoformat()
    assert ids(planned_from=day21) & {a.pk, b.pk, c.pk} == {b.pk}
    assert ids(planned_to=day20, planned_from=day20) & {a.pk, b.pk, c.pk} == {a.pk, c.pk}
    assert client.get(URL, {"state": "lost"}).status_code == 400
    # An enterprise lists its own permits only.
    own = {r["id"] for r in api_as("ent2").get(URL, {"page_size": 500}).json()["results"]}
    assert c.pk in own
    assert not {a.pk, b.pk} & own
    assert own == set(
        Permit.objects.filter(organization=c.organization).values_list("pk", flat=True)
    )


def test_list_and_detail_are_constant_in_queries(api_as, django_assert_max_num_queries):
    client = api_as("township")
    client.get(URL)  # the token's last-use stamp is written once; measure later requests

    def make(count: int) -> Permit:
        permit = None
        for i in range(count):
            permit = _make("ent1team" if i % 2 else "ent2", days=30)
            permit = actions.submit(permit, by=permit.applicant)
            if i % 2:
                actions.approve(
                    permit, by=User.objects.get(username="ent1workshop"), opinion="同意"
                )
        assert permit is not None
        return permit

    counts = {}
    details = {}
    for size, more in ((2, 2), (12, 10)):
        last = make(more)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(URL, {"page_size": 100})
        assert response.status_code == 200
        assert response.json()["count"] >= size
        counts[size] = len(ctx.captured_queries)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"{URL}{last.pk}/").status_code == 200
        details[size] = len(ctx.captured_queries)
    assert counts[2] == counts[12], counts
    assert details[2] == details[12], details
    with django_assert_max_num_queries(6):
        client.get(URL, {"page_size": 100})
    with django_assert_max_num_queries(10):
        client.get(f"{URL}{last.pk}/")

"""The permit pages: the list, applying (type first, the level live), the permit with the
steps each person may take now, the board of today's work and the rules, for the people
who may (and may not). The whole journey goes through the pages as a user would."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from anpai.orgs.models import Organization
from anpai.permits import actions
from anpai.permits.models import GasAnalysis, Permit, PermitRules

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
FMT = "%Y-%m-%dT%H:%M"


@pytest.fixture(autouse=True)
def no_demo_permits(demo):
    """The demo's permits out of the way (rolled back after each test)."""
    Permit.objects.all().delete()


@pytest.fixture
def client_as(client, demo, people):
    """``client_as("head")``: the test client logged in as a persona or one of ``people``;
    ``en=True`` asks for English pages (for tests that read the rules' wording)."""

    def _as(who: str, *, en: bool = False):
        client.logout()
        client.force_login(people[who] if who in people else demo[who])
        if en:
            client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        else:
            client.defaults.pop("HTTP_ACCEPT_LANGUAGE", None)
        return client

    return _as


def _local(dt) -> str:
    return timezone.localtime(dt).strftime(FMT)


def _form(org, type_code="hot_work", **overrides):
    """What the apply form posts: a level-1 hot work from the next minute, for four hours."""
    start = timezone.now() + timedelta(minutes=1)
    data = {
        "type": type_code,
        "organization": org.pk,
        "area": "hazardous_area",
        "content": "更换 3# 罐进料管线法兰",
        "location": "罐区 3# 储罐",
        "unit": "维修车间",
        "medium": "甲醇",
        "medium_lel": "6",
        "planned_start": _local(start),
        "planned_end": _local(start + timedelta(hours=4)),
        "person_in_charge": "车间主任甲",
        "guardian": "监护人丁",
        "guardian_certificate": "JH-001",
        "hazard_identification": "易燃气体泄漏、火灾爆炸",
        "workers-TOTAL_FORMS": "2",
        "workers-INITIAL_FORMS": "0",
        "workers-MIN_NUM_FORMS": "0",
        "workers-MAX_NUM_FORMS": "30",
        "workers-0-name": "焊工丙",
        "workers-0-certificate_kind": "焊接与热切割作业",
        "workers-0-certificate_no": "T140000001",
        "workers-0-certificate_expires": "2030-01-01",
    }
    data.update(overrides)
    return data


def _gas(**overrides):
    data = {
        "taken_at": _local(timezone.now()),
        "point": "罐内中部",
        "lel_percent": "0.1",
        "o2_percent": "20.6",
        "h2s": "",
        "co": "",
        "nh3": "",
        "analyst": "分析员戊",
    }
    data.update(overrides)
    return data


def _act(client, permit, action, data=None):
    return client.post(reverse("permits:action", args=[permit.pk, action]), data or {})


def _html(response) -> str:
    return response.content.decode()


# ---------------------------------------------------------------- list


def test_list_for_the_enterprise_the_township_and_the_village(client_as, make):
    permit = make()
    for who in ("principal", "team", "township", "village1", "county"):
        response = client_as(who).get(reverse("permits:list"))
        assert response.status_code == 200, who
        html = _html(response)
        assert f'data-testid="permit-row" data-pk="{permit.pk}" data-state="draft"' in html
        assert "更换 3# 罐进料管线法兰" in html
    # Another enterprise and another village do not see it.
    for who in ("ent2", "village2"):
        html = _html(client_as(who).get(reverse("permits:list")))
        assert "更换 3# 罐进料管线法兰" not in html, who


def test_apply_button_only_for_those_who_may_apply(client_as, make):
    make()
    for who, shown in (
        ("team", True),
        ("head", True),
        ("principal", True),
        ("township", False),
        ("village1", False),
    ):
        html = _html(client_as(who).get(reverse("permits:list")))
        assert ('data-testid="permit-new"' in html) is shown, who


def test_list_filters_and_htmx_fragment(client_as, make, people):
    hot = make()
    confined = make("confined_space", {}, content="清理 2# 污水池", location="污水处理站")
    confined = actions.submit(confined, by=people["team"])
    client = client_as("township")
    response = client.get(reverse("permits:list"), {"type": "confined_space"}, **HTMX)
    html = _html(response)
    assert "<html" not in html
    assert 'hx-swap-oob="true"' in html
    assert "HX-Request" in response.get("Vary", "")
    assert f'data-pk="{confined.pk}"' in html
    assert f'data-pk="{hot.pk}"' not in html
    by_state = _html(client.get(reverse("permits:list"), {"state": "submitted"}))
    assert f'data-pk="{confined.pk}"' in by_state
    assert f'data-pk="{hot.pk}"' not in by_state
    by_level = _html(client.get(reverse("permits:list"), {"level": "1"}))
    assert f'data-pk="{hot.pk}"' in by_level
    assert f'data-pk="{confined.pk}"' not in by_level
    by_number = _html(client.get(reverse("permits:list"), {"q": confined.number}))
    assert f'data-pk="{confined.pk}"' in by_number
    assert f'data-pk="{hot.pk}"' not in by_number
    by_content = _html(client.get(reverse("permits:list"), {"q": "污水池"}))
    assert f'data-pk="{confined.pk}"' in by_content
    assert f'data-pk="{hot.pk}"' not in by_content
    today = timezone.localdate()
    in_range = _html(client.get(reverse("permits:list"), {"date_from": today, "date_to": today}))
    assert f'data-pk="{hot.pk}"' in in_range
    later = today + timedelta(days=3)
    out_of_range = _html(client.get(reverse("permits:list"), {"date_from": later}))
    assert f'data-pk="{hot.pk}"' not in out_of_range
    other = Organization.objects.exclude(pk=hot.organization_id).filter(kind="enterprise").first()
    if other is not None:
        by_org = _html(client.get(reverse("permits:list"), {"organization": other.pk}))
        assert f'data-pk="{hot.pk}"' not in by_org
    bad = client.get(reverse("permits:list"), {"date_from": "yesterday"})
    assert bad.status_code == 200
    assert b"filter-errors" in bad.content


def test_list_shows_who_signs_next_and_whose_turn_it_is(client_as, make, people):
    permit = make()
    actions.submit(permit, by=people["team"])
    html = _html(client_as("head").get(reverse("permits:list")))
    assert 'data-testid="permit-next"' in html
    assert 'data-testid="badge-my-turn"' in html
    # The safety manager signs second, not now; the applicant never.
    assert 'data-testid="badge-my-turn"' not in _html(
        client_as("safety").get(reverse("permits:list"))
    )
    assert 'data-testid="badge-my-turn"' not in _html(
        client_as("team").get(reverse("permits:list"))
    )


def _many(make, people, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        permit = make(
            ["hot_work", "confined_space", "height"][i % 3],
            [{"area": "other"}, {}, {"height_m": "8"}][i % 3],
            content=f"作业{i}",
        )
        if i % 2:
            actions.submit(permit, by=people["team"])


def test_list_constant_queries(client_as, make, people, django_assert_max_num_queries):
    _many(make, people, 2)
    counts = {}
    for who in ("township", "head"):
        client = client_as(who)
        with django_assert_max_num_queries(30) as few:
            response = client.get(reverse("permits:list"))
        assert response.content.count(b'data-testid="permit-row"') == 2
        counts[who] = len(few.captured_queries)
    _many(make, people, 12, start=2)
    client = client_as("township")
    with django_assert_max_num_queries(counts["township"]):
        response = client.get(reverse("permits:list"))
    assert response.content.count(b'data-testid="permit-row"') == 14
    client = client_as("head")
    with django_assert_max_num_queries(counts["head"]):
        response = client.get(reverse("permits:list"))
    assert response.content.count(b'data-testid="permit-row"') == 14
    assert response.content.count(b'data-testid="badge-my-turn"') == 7


# ---------------------------------------------------------------- apply


def test_apply_starts_with_the_eight_types(client_as, org):
    html = _html(client_as("team").get(reverse("permits:create")))
    buttons = re.findall(r'data-testid="type-([a-z_]+)"', html)
    assert buttons == [
        "hot_work",
        "confined_space",
        "blind_plate",
        "height",
        "lifting",
        "temp_power",
        "excavation",
        "road_break",
    ]
    for name in (
        "动火作业",
        "受限空间作业",
        "盲板抽堵作业",
        "高处作业",
        "吊装作业",
        "临时用电作业",
    ):
        assert name in html
    assert "动土作业" in html
    assert "断路作业" in html


def test_apply_form_asks_the_type_s_level_questions(client_as, org):
    client = client_as("team")
    url = reverse("permits:create")
    hot = _html(client.get(url, {"type": "hot_work", "organization": org.pk}))
    assert 'name="area"' in hot
    assert 'name="night_or_holiday"' in hot
    assert 'name="medium_lel"' in hot
    assert 'name="height_m"' not in hot
    height = _html(client.get(url, {"type": "height"}))
    assert 'name="height_m"' in height
    assert 'name="area"' not in height
    assert 'name="medium_lel"' not in height
    lifting = _html(client.get(url, {"type": "lifting"}))
    assert 'name="mass_t"' in lifting
    # A single-level type shows its level and chain at once.
    confined = _html(client.get(url, {"type": "confined_space"}))
    assert 'data-testid="level-preview" data-level="single"' in confined
    assert 'name="medium_lel"' in confined
    assert 'type="datetime-local"' in confined
    assert 'id="worker-template"' in confined
    assert "permits/form.js" in confined
    assert "<script>" not in confined


def test_apply_is_refused_to_those_who_may_not(client_as, org, demo):
    assert client_as("township").get(reverse("permits:create")).status_code == 403
    assert client_as("village1").get(reverse("permits:create")).status_code == 403
    other = Organization.objects.filter(memberships__user=demo["ent2"]).first()
    response = client_as("team").get(
        reverse("permits:create"), {"type": "hot_work", "organization": other.pk}
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("type_code", "answers", "level", "chain"),
    [
        ("hot_work", {"area": "hazardous_area"}, "1", "unit,safety"),
        (
            "hot_work",
            {"area": "hazardous_area", "night_or_holiday": "on"},
            "special",
            "unit,safety,principal",
        ),
        ("hot_work", {"area": "other"}, "2", "unit"),
        ("height", {"height_m": "8"}, "II", "unit"),
        ("height", {"height_m": "31"}, "IV", "unit,safety,principal"),
        ("lifting", {"mass_t": "120"}, "1", "unit,safety,principal"),
        ("confined_space", {}, "single", "unit"),
    ],
)
def test_level_preview(client_as, org, type_code, answers, level, chain):
    response = client_as("team").post(
        reverse("permits:level_preview"),
        {"type": type_code, "organization": org.pk, **answers},
        **HTMX,
    )
    assert response.status_code == 200
    html = _html(response)
    assert f'data-level="{level}"' in html
    assert f'data-chain="{chain}"' in html


def test_level_preview_names_what_is_wrong(client_as, org):
    client = client_as("team", en=True)
    url = reverse("permits:level_preview")
    low = _html(client.post(url, {"type": "height", "organization": org.pk, "height_m": "1.5"}))
    assert 'data-testid="level-error"' in low
    assert "below 2 m" in low
    start = timezone.now()
    long = _html(
        client.post(
            url,
            {
                "type": "hot_work",
                "organization": org.pk,
                "area": "other",
                "planned_start": _local(start),
                "planned_end": _local(start + timedelta(hours=80)),
            },
        )
    )
    assert 'data-level="2"' in long
    assert 'data-testid="window-error"' in long
    assert "at most 72 hours" in long


def test_apply_creates_a_draft_with_workers_and_links(client_as, org, make):
    confined = make("confined_space", {}, content="清理 2# 污水池", location="污水处理站")
    data = _form(org, linked=[confined.pk])
    response = client_as("team").post(reverse("permits:create"), data)
    assert response.status_code == 302
    permit = Permit.objects.exclude(pk=confined.pk).get(organization=org, unit="维修车间")
    assert response["Location"] == reverse("permits:detail", args=[permit.pk])
    assert (permit.type, permit.level, permit.state) == ("hot_work", "1", "draft")
    assert list(permit.workers.values_list("name", "certificate_no")) == [("焊工丙", "T140000001")]
    assert list(permit.linked.all()) == [confined]
    assert permit.medium_lel == 6
    assert permit.measures.count() == 9
    page = _html(client_as("team").get(response["Location"]))
    assert 'data-testid="permit-linked"' in page
    assert reverse("permits:detail", args=[confined.pk]) in page
    # The link is symmetrical: the confined-space permit names the hot work too.
    other = _html(client_as("team").get(reverse("permits:detail", args=[confined.pk])))
    assert reverse("permits:detail", args=[permit.pk]) in other


def test_hot_work_method_is_kept_and_printed(client_as, org):
    response = client_as("team").post(reverse("permits:create"), _form(org, method="电焊"))
    assert response.status_code == 302
    permit = Permit.objects.get(organization=org, unit="维修车间")
    assert permit.answers["method"] == "电焊"
    import pypdfium2 as pdfium

    from anpai.permits.pdf import render_permit

    text = pdfium.PdfDocument(render_permit(permit))[0].get_textpage().get_text_range()
    assert "电焊" in text


def test_apply_and_submit_in_one_go(client_as, org):
    response = client_as("team").post(reverse("permits:create"), {**_form(org), "submit": "1"})
    assert response.status_code == 302
    permit = Permit.objects.get(organization=org, unit="维修车间")
    assert permit.state == "submitted"
    assert permit.number.startswith("DH-")


def test_apply_errors_are_shown_by_field_and_nothing_is_saved(client_as, org):
    client = client_as("team", en=True)
    start = timezone.now()
    cases = [
        ({"content": ""}, "error-content", "required"),
        (
            {"area": "other", "planned_end": _local(start + timedelta(hours=80))},
            "error-planned_end",
            "at most 72 hours",
        ),
        ({"area": ""}, "error-area", "Say where the hot work is"),
        ({"medium_lel": "abc"}, "error-medium_lel", "must be a number"),
        ({"workers-0-certificate_no": ""}, "error-worker-certificate_no", "required"),
    ]
    for overrides, testid, words in cases:
        response = client.post(reverse("permits:create"), _form(org, **overrides))
        assert response.status_code == 400, overrides
        html = _html(response)
        assert f'data-testid="{testid}"' in html, overrides
        assert words in html, overrides
        assert 'data-testid="form-errors"' in html
    assert not Permit.objects.filter(organization=org).exists()


def test_submit_in_one_go_says_what_is_missing(client_as, org):
    response = client_as("team", en=True).post(
        reverse("permits:create"), {**_form(org, guardian=""), "submit": "1"}, follow=True
    )
    permit = Permit.objects.get(organization=org, unit="维修车间")
    assert permit.state == "draft"
    assert "not submitted" in _html(response)
    assert "Guardian is required" in _html(response)


def test_edit_a_draft(client_as, make):
    permit = make()
    client = client_as("team")
    page = client.get(reverse("permits:edit", args=[permit.pk]))
    assert page.status_code == 200
    assert 'value="hazardous_area" class="form-check-input" id="id_area_1" checked' in _html(page)
    data = _form(
        permit.organization,
        area="hazardous_area",
        night_or_holiday="on",
        version=permit.version,
        content="夜间抢修法兰",
        **{
            "workers-TOTAL_FORMS": "1",
            "workers-INITIAL_FORMS": "1",
            "workers-0-name": "焊工己",
        },
    )
    response = client.post(reverse("permits:action", args=[permit.pk, "edit"]), data)
    assert response.status_code == 302
    permit.refresh_from_db()
    assert (permit.level, permit.content) == ("special", "夜间抢修法兰")
    assert list(permit.workers.values_list("name", flat=True)) == ["焊工己"]
    # Removing the row (and adding none) leaves no worker.
    removed = _form(
        permit.organization,
        version=permit.version,
        **{"workers-TOTAL_FORMS": "1", "workers-INITIAL_FORMS": "1", "workers-0-DELETE": "on"},
    )
    client.post(reverse("permits:edit", args=[permit.pk]), removed)
    assert permit.workers.count() == 0


def test_a_form_opened_before_someone_else_s_change_is_refused(client_as, make):
    permit = make()
    client = client_as("team", en=True)
    stale = permit.version
    actions.update(permit, by=permit.applicant, content="先改的内容")
    data = _form(permit.organization, version=stale, content="后改的内容")
    response = client.post(reverse("permits:edit", args=[permit.pk]), data, follow=True)
    assert "Someone else changed this permit" in _html(response)
    permit.refresh_from_db()
    assert permit.content == "先改的内容"


def test_apply_at_a_risk_point(client_as, org, demo):
    from anpai.risks import actions as risk_actions

    point = risk_actions.create_point(
        by=demo["ent1"], organization=org, name="甲醇储罐区", kind="area", location="厂区东北角"
    )
    html = _html(
        client_as("team").get(
            reverse("permits:create"), {"type": "hot_work", "risk_point": point.pk}
        )
    )
    assert f'<option value="{point.pk}" selected>' in html
    assert 'value="厂区东北角"' in html


def test_only_a_draft_is_edited(client_as, make, people):
    permit = make()
    actions.submit(permit, by=people["team"])
    response = client_as("team").get(reverse("permits:edit", args=[permit.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("permits:detail", args=[permit.pk])
    assert client_as("village1").get(reverse("permits:edit", args=[permit.pk])).status_code == 403


# ---------------------------------------------------------------- the permit


def test_detail_shows_the_permit_as_on_paper(client_as, ready, people):
    permit = ready()
    actions.gas_analysis(
        permit,
        by=people["team"],
        taken_at=timezone.now() - timedelta(minutes=5),
        point="罐内",
        lel_percent="0.9",
        o2_percent="20.5",
        analyst="分析员戊",
    )
    html = _html(client_as("township").get(reverse("permits:detail", args=[permit.pk])))
    assert 'data-testid="permit-header" data-state="approved" data-level="1"' in html
    assert html.count('data-testid="chain-step"') == 2
    assert html.count('data-signed="1"') == 2
    assert people["head"].get_full_name() in html
    assert 'data-testid="analysis" data-passed="0"' in html
    assert 'class="pm-gas-failed"' in html
    assert html.count('data-testid="measure" data-confirmed="1"') == 9
    assert "车间主任甲" in html  # the briefing
    assert 'data-testid="permit-pdf"' in html
    assert reverse("permits:pdf", args=[permit.pk]) in html
    # The township reads; it has no step to take.
    assert 'data-testid="form-' not in html


def test_a_certificate_expiring_before_the_work_ends_is_highlighted(client_as, make):
    permit = make("confined_space", {}, start_in=timedelta(days=1))
    page = _html(client_as("head").get(reverse("permits:detail", args=[permit.pk])))
    assert 'data-testid="worker" data-expired="0"' in page
    permit.workers.update(certificate_expires=timezone.localdate())
    page = _html(client_as("head").get(reverse("permits:detail", args=[permit.pk])))
    assert 'data-testid="worker" data-expired="1"' in page
    assert 'class="pm-expired"' in page


def test_another_enterprise_gets_404(client_as, make, people):
    permit = make()
    actions.submit(permit, by=people["team"])
    client = client_as("ent2")
    assert client.get(reverse("permits:detail", args=[permit.pk])).status_code == 404
    assert client.get(reverse("permits:edit", args=[permit.pk])).status_code == 404
    assert _act(client, permit, "approve", {"opinion": "同意"}).status_code == 404
    permit.refresh_from_db()
    assert permit.approvals.count() == 0


def test_a_village_officer_sees_but_cannot_act(client_as, make, people):
    permit = make()
    actions.submit(permit, by=people["team"])
    client = client_as("village1")
    page = client.get(reverse("permits:detail", args=[permit.pk]))
    assert page.status_code == 200
    assert 'data-testid="form-' not in _html(page)
    for action, data in (
        ("approve", {"opinion": "同意"}),
        ("reject", {"opinion": "不同意"}),
        ("gas-analysis", _gas()),
        ("cancel", {"reason": "x"}),
        ("submit", {}),
    ):
        assert _act(client, permit, action, data).status_code == 403, action
    permit.refresh_from_db()
    assert (permit.state, permit.approvals.count(), permit.analyses.count()) == ("submitted", 0, 0)


def test_each_person_sees_the_steps_they_may_take_now(client_as, make, people):
    permit = make()
    actions.submit(permit, by=people["team"])

    def steps(who):
        html = _html(client_as(who).get(reverse("permits:detail", args=[permit.pk])))
        return re.findall(r'data-testid="form-([a-z-]+)"', html)

    assert steps("head") == ["approve", "reject", "measures", "briefing", "gas-analysis", "cancel"]
    assert steps("team") == ["measures", "briefing", "gas-analysis"]  # the applicant signs nothing


def test_unknown_step_is_404_and_get_goes_back(client_as, make):
    permit = make()
    client = client_as("team")
    assert _act(client, permit, "explode").status_code == 404
    response = client.get(reverse("permits:action", args=[permit.pk, "submit"]))
    assert response.status_code == 302


def test_the_whole_journey_through_the_pages(client_as, org, people):
    team = client_as("team")
    response = team.post(reverse("permits:create"), _form(org))
    permit = Permit.objects.get(organization=org, unit="维修车间")
    assert _act(team, permit, "submit").status_code == 302
    permit.refresh_from_db()
    assert permit.state == "submitted"

    head = client_as("head")
    page = _html(head.get(reverse("permits:detail", args=[permit.pk])))
    assert 'data-testid="signs-next"' in page
    assert _act(head, permit, "approve", {"opinion": "同意，措施落实后作业"}).status_code == 302
    permit.refresh_from_db()
    assert permit.state == "submitted"  # the safety manager signs next
    safety = client_as("safety")
    assert _act(safety, permit, "approve", {"opinion": "同意"}).status_code == 302
    permit.refresh_from_db()
    assert permit.state == "approved"
    assert list(permit.approvals.values_list("approver__username", "step")) == [
        (people["head"].username, "unit"),
        (people["safety"].username, "safety"),
    ]

    team = client_as("team")
    measures = {f"applies_{m.pk}": "on" for m in permit.measures.all()}
    first = permit.measures.first()
    measures[f"by_{first.pk}"] = "安全员庚"
    response = _act(team, permit, "measures", {**measures, "all_by": "班组长乙"})
    assert response.status_code == 302
    assert permit.measures.get(pk=first.pk).confirmed_by == "安全员庚"
    assert permit.measures.filter(confirmed_by="班组长乙").count() == 8
    briefing = {"given_by": "车间主任甲", "received_by": "焊工丙、监护人丁"}
    assert _act(team, permit, "briefing", briefing).status_code == 302
    assert _act(team, permit, "gas-analysis", _gas()).status_code == 302
    assert permit.analyses.get().passed
    response = _act(team, permit, "start")
    assert response.status_code == 302
    permit.refresh_from_db()
    assert permit.state == "in_progress"
    assert _act(team, permit, "pause", {"reason": "午休"}).status_code == 302
    permit.refresh_from_db()
    assert permit.state == "paused"
    assert _act(team, permit, "resume").status_code == 302
    permit.refresh_from_db()
    assert permit.state == "in_progress"
    done = {"accepted_by": "车间主任甲", "note": "现场已清理"}
    response = _act(team, permit, "complete", done)
    assert response.status_code == 302
    permit.refresh_from_db()
    assert (permit.state, permit.accepted_by) == ("completed", "车间主任甲")
    html = _html(team.get(reverse("permits:detail", args=[permit.pk])))
    kinds = re.findall(r'data-testid="timeline-step" data-kind="([a-z]+)"', html)
    assert kinds == [
        "create",
        "submit",
        "approve",
        "approve",
        "gas",
        "start",
        "pause",
        "resume",
        "complete",
    ]
    assert 'data-testid="form-' not in html  # nothing left to do


def test_a_refusal_shows_the_rule_and_changes_nothing(client_as, ready):
    permit = ready()  # approved, measures and briefing done, but no gas analysis
    client = client_as("team", en=True)
    version = permit.version
    response = _act(client, permit, "start")
    assert response.status_code == 409
    html = _html(response)
    assert 'data-testid="refusal"' in html
    assert "A gas analysis taken within 30 minutes before the work is required" in html
    assert "Nothing was changed." in html
    permit.refresh_from_db()
    assert (permit.state, permit.version) == ("approved", version)
    # An analysis 31 minutes old is refused too; a failed one names what failed.
    actions.gas_analysis(
        permit,
        by=permit.applicant,
        taken_at=timezone.now() - timedelta(minutes=31),
        point="罐内",
        lel_percent="0.1",
        o2_percent="20.6",
        analyst="分析员戊",
    )
    assert _act(client, permit, "start").status_code == 409
    _act(client, permit, "gas-analysis", _gas(lel_percent="0.8"))
    response = _act(client, permit, "start")
    assert response.status_code == 409
    assert "The latest gas analysis failed" in _html(response)
    assert "0.8" in _html(response)
    permit.refresh_from_db()
    assert permit.state == "approved"


def test_approval_rules_are_named(client_as, make, people):
    permit = make()
    actions.submit(permit, by=people["team"])
    # The head signs the unit step, then may not sign the safety step too.
    head = client_as("head", en=True)
    _act(head, permit, "approve", {"opinion": "同意"})
    response = _act(head, permit, "approve", {"opinion": "同意"})
    assert response.status_code == 403
    assert "signed by a different person" in _html(response)
    # An expired certificate blocks the safety manager's signature.
    permit.workers.update(certificate_expires=timezone.localdate() - timedelta(days=1))
    response = _act(client_as("safety", en=True), permit, "approve", {"opinion": "同意"})
    assert response.status_code == 409
    assert "Certificate expired" in _html(response)
    assert permit.approvals.count() == 1


def test_bad_input_shows_field_errors(client_as, ready):
    permit = ready()
    client = client_as("team", en=True)
    response = _act(client, permit, "gas-analysis", _gas(o2_percent="abc"))
    assert response.status_code == 400
    html = _html(response)
    assert 'data-testid="error-o2_percent"' in html
    assert "Oxygen must be a number" in html
    assert 'value="abc"' in html  # what was typed stays
    response = _act(client, permit, "gas-analysis", _gas(analyst=""))
    assert response.status_code == 400
    assert 'data-testid="error-analyst"' in _html(response)
    assert 'class="collapse show" id="step-gas-analysis"' in html  # the form is open again
    assert not GasAnalysis.objects.filter(permit=permit).exists()
    response = _act(client_as("head", en=True), permit, "cancel", {"reason": ""})
    assert response.status_code == 400
    assert 'data-testid="error-reason"' in _html(response)
    response = _act(client, permit, "briefing", {"given_by": "", "received_by": "x"})
    assert 'data-testid="error-given_by"' in _html(response)


def test_a_failed_gas_analysis_is_said_loudly(client_as, ready):
    permit = ready()
    client = client_as("team", en=True)
    response = _act(client, permit, "gas-analysis", _gas(o2_percent="18"))
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "FAILED" in _html(page)
    assert "Oxygen 18" in _html(page)


# ---------------------------------------------------------------- board


def _in_progress(ready, people, **kwargs) -> Permit:
    permit = ready(**kwargs)
    actions.gas_analysis(
        permit,
        by=people["team"],
        taken_at=timezone.now(),
        point="罐内",
        lel_percent="0.1",
        o2_percent="20.6",
        analyst="分析员戊",
    )
    return actions.start(permit, by=people["team"])


def test_board_shows_today_s_work(client_as, ready, make, people):
    running = _in_progress(ready, people)
    approved = ready("confined_space", {})
    draft = make(location="仓库")
    later = ready(start_in=timedelta(days=2))
    for who in ("principal", "township", "village1"):
        response = client_as(who).get(reverse("permits:board"))
        assert response.status_code == 200
        html = _html(response)
        assert f'data-testid="board-permit" data-pk="{running.pk}" data-state="in_progress"' in html
        assert f'data-pk="{approved.pk}" data-state="approved"' in html
        assert f'data-pk="{draft.pk}"' not in html
        assert f'data-pk="{later.pk}"' not in html
        assert 'hx-trigger="every 60s"' in html
    township = _html(client_as("township").get(reverse("permits:board")))
    assert 'data-testid="board-org"' in township
    assert running.organization.name in township
    assert f'data-testid="board-permit" data-pk="{running.pk}"' not in _html(
        client_as("ent2").get(reverse("permits:board"))
    )
    fragment = client_as("township").get(reverse("permits:board"), **HTMX)
    assert b"<html" not in fragment.content
    assert b"board-permit" in fragment.content


def test_board_warns_when_the_gas_analysis_is_old(client_as, ready, people):
    running = _in_progress(ready, people)
    html = _html(client_as("principal").get(reverse("permits:board")))
    assert f'data-pk="{running.pk}" data-state="in_progress" data-gas-warn="0"' in html
    running.analyses.update(taken_at=timezone.now() - timedelta(minutes=31))
    html = _html(client_as("principal").get(reverse("permits:board")))
    assert f'data-pk="{running.pk}" data-state="in_progress" data-gas-warn="1"' in html
    assert 'data-testid="board-warnings"' in html
    assert 'data-age="31"' in html


def test_board_constant_queries(client_as, ready, people, django_assert_max_num_queries):
    client = client_as("township")
    for _ in range(2):
        _in_progress(ready, people)
    with django_assert_max_num_queries(30) as few:
        response = client.get(reverse("permits:board"))
    assert response.content.count(b'data-testid="board-permit"') == 2
    for i in range(8):
        if i % 2:
            ready("confined_space", {})
        else:
            _in_progress(ready, people)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("permits:board"))
    assert response.content.count(b'data-testid="board-permit"') == 10


# ---------------------------------------------------------------- rules


def _rules_post(rules: PermitRules, **changes) -> dict[str, str]:
    data: dict[str, str] = {}
    for type_rule in rules.data["types"]:
        for level in type_rule["levels"]:
            key = f"{type_rule['code']}__{level['code']}"
            data[f"{key}__validity_hours"] = str(level["validity_hours"])
            data[f"{key}__break_minutes"] = str(level.get("break_minutes", 0))
            for step in level["chain"]:
                data[f"{key}__chain__{step}"] = "1"
    limits = rules.data["gas_limits"]
    for i, band in enumerate(limits["combustible"]):
        data[f"gas__combustible__{i}"] = band["max_percent"]
    data["gas__o2_min"], data["gas__o2_max"] = limits["o2_min"], limits["o2_max"]
    for gas, value in limits["toxic_mg_m3"].items():
        data[f"gas__toxic__{gas}"] = value
    data.update(changes)
    return data


def test_rules_are_read_by_everyone_who_reads_permits(client_as):
    for who in ("principal", "team", "village1", "township", "county"):
        response = client_as(who).get(reverse("permits:rules"))
        assert response.status_code == 200, who
        html = _html(response)
        assert html.count('data-testid="rules-type"') == 8
        assert 'data-testid="unverified"' in html
        assert "GB 30871-2022" in html
        assert ('data-testid="rules-save"' in html) is (who == "township")
    assert client_as("principal").post(reverse("permits:rules"), {}).status_code == 403


def test_the_township_changes_the_rules_and_permits_keep_theirs(client_as, make, people):
    before = make("hot_work", {"area": "other"})  # level 2: 72 hours
    client = client_as("township")
    rules = actions.rules_for(before.organization.region)
    data = _rules_post(
        rules,
        **{
            "hot_work__2__validity_hours": "48",
            "hot_work__2__chain__safety": "1",
            "gas__o2_min": "19.0",
        },
    )
    response = client.post(reverse("permits:rules"), data)
    assert response.status_code == 302
    township = before.organization.township
    current = PermitRules.objects.get(region=township, is_current=True)
    level = next(
        lv
        for t in current.data["types"]
        if t["code"] == "hot_work"
        for lv in t["levels"]
        if lv["code"] == "2"
    )
    assert (level["validity_hours"], level["chain"]) == (48, ["unit", "safety"])
    assert current.data["gas_limits"]["o2_min"] == "19"
    before.refresh_from_db()
    assert before.level_rule["validity_hours"] == 72  # kept
    html = _html(client.get(reverse("permits:rules")))
    assert f'data-testid="rules-version" data-version="{current.version}" data-own="1"' in html
    assert 'data-testid="rules-history-version"' in html
    # A new permit follows the new rules: 50 hours no longer fits a level-2 hot work.
    preview = _html(
        client_as("team").post(
            reverse("permits:level_preview"),
            {"type": "hot_work", "organization": before.organization_id, "area": "other"},
        )
    )
    assert 'data-validity="48"' in preview
    assert 'data-chain="unit,safety"' in preview


def test_bad_rules_are_refused_with_the_reason(client_as, org):
    client = client_as("township", en=True)
    rules = actions.rules_for(org.region)
    for changes, words in (
        ({"hot_work__2__validity_hours": "lots"}, "whole numbers"),
        ({"hot_work__2__validity_hours": "9999"}, "1 to 744 hours"),
        ({"gas__o2_min": "22"}, "below the maximum"),
        ({"gas__toxic__H2S": "x"}, "H2S"),
        (
            {"hot_work__2__chain__unit": ""},
            "at least one approval step",
        ),
    ):
        response = client.post(reverse("permits:rules"), _rules_post(rules, **changes))
        assert response.status_code == 400, changes
        html = _html(response)
        assert 'data-testid="rules-errors"' in html
        assert words in html, changes
    assert not PermitRules.objects.filter(region=org.township).exists()


# ---------------------------------------------------------------- navigation


def test_permits_in_the_navigation(client_as):
    html = _html(client_as("team").get(reverse("permits:board")))
    assert f'href="{reverse("permits:list")}"' in html
    assert 'data-testid="subnav"' in html
    assert f'href="{reverse("permits:rules")}"' in html
    admin = _html(client_as("admin").get(reverse("home")))
    assert f'href="{reverse("permits:list")}"' not in admin


def test_list_survives_the_last_possible_date(login):
    response = login("township").get(
        "/permits/", {"date_to": "9999-12-31", "date_from": "0001-01-01"}
    )
    assert response.status_code == 200

"""Government inspection rounds and the 双随机 draw."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from anpai.core.errors import Forbidden, Invalid
from anpai.inspections import rounds
from anpai.inspections.choices import InspectionKind, InspectionState
from anpai.inspections.models import (
    ChecklistTemplate,
    Inspection,
    InspectionRound,
    RoundAssignment,
)
from anpai.orgs.models import Organization
from anpai.people.models import Membership

# A realistic township: 44 organisations, a pool of 9 inspectors (ids as the database gives).
CANDIDATES = list(range(101, 145))
POOL = [7, 12, 15, 16, 23, 31, 42, 44, 50]


def test_same_seed_same_picks():
    """Done when: the draw with the same recorded seed picks the same organisations and
    inspectors."""
    first = rounds.draw(CANDIDATES, POOL, 8, 2, seed=123456789)
    again = rounds.draw(CANDIDATES, POOL, 8, 2, seed=123456789)
    assert first == again
    assert len(first) == 8
    assert len({p["organization"] for p in first}) == 8
    assert {p["organization"] for p in first} <= set(CANDIDATES)
    assert all(len(p["inspectors"]) == 2 and set(p["inspectors"]) <= set(POOL) for p in first)


def test_order_of_the_lists_does_not_matter():
    shuffled_candidates, shuffled_pool = CANDIDATES[:], POOL[:]
    random.Random(1).shuffle(shuffled_candidates)
    random.Random(2).shuffle(shuffled_pool)
    assert rounds.draw(shuffled_candidates, shuffled_pool, 8, 2, 42) == rounds.draw(
        CANDIDATES, POOL, 8, 2, 42
    )


def test_a_different_seed_gives_a_different_pick():
    base = rounds.draw(CANDIDATES, POOL, 8, 2, seed=1)
    other = rounds.draw(CANDIDATES, POOL, 8, 2, seed=2)
    assert [p["organization"] for p in base] != [p["organization"] for p in other]
    # Over many seeds the organisations picked differ almost always.
    picks = {
        tuple(p["organization"] for p in rounds.draw(CANDIDATES, POOL, 8, 2, s)) for s in range(50)
    }
    assert len(picks) == 50


def test_the_record_verifies_and_a_tampered_one_does_not():
    record = rounds.draw_record(CANDIDATES, POOL, 5, 3, seed=2**40 + 7)
    assert rounds.verify(record)
    assert record["candidates"] == sorted(CANDIDATES)
    assert record["seed"] == 2**40 + 7
    tampered = {
        **record,
        "picks": [{**record["picks"][0], "organization": 999}, *record["picks"][1:]],
    }
    assert not rounds.verify(tampered)
    assert not rounds.verify({**record, "seed": record["seed"] + 1})
    assert not rounds.verify({"seed": "x"})


def test_small_lists():
    picks = rounds.draw([3, 1], [9], 5, 4, seed=0)
    assert sorted(p["organization"] for p in picks) == [1, 3]
    assert all(p["inspectors"] == [9] for p in picks)
    assert rounds.draw([], [1], 3, 1, 0) == []


def test_seed_defaults_to_48_bits():
    seeds = {rounds.new_seed() for _ in range(20)}
    assert len(seeds) == 20
    assert all(0 <= s < 2**48 for s in seeds)


def test_spread_dates():
    assert rounds.spread_dates(date(2024, 1, 1), date(2024, 1, 11), 3) == [
        date(2024, 1, 1),
        date(2024, 1, 6),
        date(2024, 1, 11),
    ]
    assert rounds.spread_dates(date(2024, 1, 1), date(2024, 1, 11), 1) == [date(2024, 1, 1)]


# ---------------------------------------------------------------- planning


@pytest.fixture
def township_org(demo):
    return Membership.objects.get(user=demo["township"]).organization


@pytest.fixture
def pool(demo):
    return [demo["township"].pk, demo["leader"].pk, demo["dept"].pk]


def _plan(demo, township_org, pool, **extra):
    today = timezone.localdate()
    kwargs = {
        "by": demo["township"],
        "organization": township_org,
        "name": "双随机抽查",
        "kind": InspectionKind.TOWNSHIP,
        "template": ChecklistTemplate.objects.current().first(),
        "starts_on": today,
        "ends_on": today + timedelta(days=10),
        "criteria": {},
        "inspectors": pool,
        "is_random": True,
        "n_orgs": 6,
        "per_org": 2,
        "seed": 987654321,
    }
    kwargs.update(extra)
    return rounds.plan_round(**kwargs)


def test_plan_a_random_round(demo, township_org, pool):
    rnd = _plan(demo, township_org, pool)
    assert rnd.is_random
    assert rnd.seed == 987654321
    assert rounds.verify(rnd.draw)
    assert rounds.verify_round(rnd) == (True, True)
    assignments = list(rnd.assignments.order_by("planned_on", "pk"))
    assert len(assignments) == 6
    candidates = set(rounds.candidates(demo["township"], {}).values_list("pk", flat=True))
    assert set(rnd.draw["candidates"]) == candidates
    assert {a.organization_id for a in assignments} <= candidates
    assert all(a.inspectors.count() == 2 for a in assignments)
    assert assignments[0].planned_on == rnd.starts_on
    assert assignments[-1].planned_on == rnd.ends_on
    # The same record, drawn again by anyone, picks the same.
    again = rounds.draw(rnd.draw["candidates"], rnd.draw["inspector_pool"], 6, 2, 987654321)
    assert again == rnd.draw["picks"]
    # Changing a planned inspector afterwards shows up when verifying.
    assignments[0].inspectors.set([pool[0]] if len(assignments[0].inspectors.all()) != 1 else [])
    assert rounds.verify_round(rnd) == (True, False)


def test_plan_by_criteria(demo, township_org, pool):
    gas = Organization.objects.filter(industries__code="gas").values_list("pk", flat=True)
    industry = Organization.industries.through.objects.filter(industry__code="gas").first()
    rnd = _plan(
        demo,
        township_org,
        pool[:1],
        is_random=False,
        criteria={"industries": [industry.industry_id]},
    )
    planned = set(rnd.assignments.values_list("organization_id", flat=True))
    assert planned
    assert planned <= set(gas)
    assert not rnd.draw
    assert rnd.seed is None
    assert all(
        list(a.inspectors.values_list("pk", flat=True)) == pool[:1] for a in rnd.assignments.all()
    )


def test_plan_refuses_bad_input(demo, township_org, pool):
    before = InspectionRound.objects.count()
    with pytest.raises(Invalid) as bad:
        _plan(
            demo,
            township_org,
            pool,
            name=" ",
            per_org=5,
            ends_on=timezone.localdate() - timedelta(days=1),
        )
    assert {"name", "per_org", "ends_on"} <= set(bad.value.fields)
    with pytest.raises(Invalid) as nobody:
        _plan(demo, township_org, pool, criteria={"flags": ["is_key"], "min_major": 99})
    assert "criteria" in nobody.value.fields
    with pytest.raises(Invalid) as outsider:
        _plan(demo, township_org, [*pool, demo["ent2"].pk])
    assert "inspectors" in outsider.value.fields
    with pytest.raises(Forbidden):
        _plan(demo, township_org, pool, by=demo["ent1"])
    assert InspectionRound.objects.count() == before


def test_completion(demo, township_org, pool):
    rnd = _plan(demo, township_org, pool)
    first = rnd.assignments.order_by("pk").first()
    Inspection.objects.create(
        organization_id=first.organization_id,
        kind=InspectionKind.TOWNSHIP,
        template=rnd.template,
        lead=demo["township"],
        state=InspectionState.SUBMITTED,
        assignment=first,
    )
    Inspection.objects.create(  # a draft does not complete anything
        organization_id=first.organization_id,
        kind=InspectionKind.TOWNSHIP,
        template=rnd.template,
        lead=demo["township"],
        assignment=rnd.assignments.last(),
    )
    progress = rounds.with_progress(InspectionRound.objects.filter(pk=rnd.pk)).get()
    assert (progress.planned, progress.completed) == (6, 1)


# ---------------------------------------------------------------- pages


def _form(demo, **extra):
    today = timezone.localdate()
    data = {
        "name": "第二轮双随机抽查",
        "kind": "township",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=14)).isoformat(),
        "mode": "random",
        "inspectors": [demo["township"].pk, demo["leader"].pk, demo["dept"].pk],
        "n_orgs": 4,
        "per_org": 2,
        "seed": 5555,
    }
    data.update(extra)
    return data


def test_pages_access(login, demo):
    for persona in ("township", "leader", "dept", "county"):
        assert login(persona).get(reverse("inspections:rounds")).status_code == 200, persona
    for persona in ("ent1", "village1", "secadmin"):
        assert login(persona).get(reverse("inspections:rounds")).status_code == 403, persona
    assert login("township").get(reverse("inspections:round_create")).status_code == 200
    for persona in ("leader", "county", "ent1"):
        assert login(persona).get(reverse("inspections:round_create")).status_code == 403


def test_preview_then_save_the_same_draw(login, demo):
    client = login("township")
    url = reverse("inspections:round_create")
    preview = client.post(url, {**_form(demo), "preview": "1"})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert 'data-testid="preview-picks"' in html
    assert InspectionRound.objects.filter(name="第二轮双随机抽查").count() == 0
    saved = client.post(url, {**_form(demo), "save": "1"})
    assert saved.status_code == 302
    rnd = InspectionRound.objects.get(name="第二轮双随机抽查")
    assert rnd.seed == 5555
    assert rnd.created_by == demo["township"]
    for pick in rnd.draw["picks"]:
        name = Organization.objects.get(pk=pick["organization"]).name
        assert name in html  # the preview showed exactly what was saved
    detail = client.get(saved["Location"]).content.decode()
    assert 'data-testid="draw-seed">5555<' in detail
    assert detail.count('data-testid="assignment-') == 4
    assert "/inspections/new/?organization=" in detail
    verify = client.post(reverse("inspections:round_verify", args=[rnd.pk]), follow=True)
    assert [m.level_tag for m in verify.context["messages"]] == ["success"]
    # After someone edits the plan, verifying says so.
    first = rnd.assignments.order_by("pk").first()
    first.inspectors.set([demo["township"].pk, demo["leader"].pk, demo["dept"].pk])
    verify = client.post(reverse("inspections:round_verify", args=[rnd.pk]), follow=True)
    assert [m.level_tag for m in verify.context["messages"]] == ["warning"]


def test_form_errors_name_the_field(login, demo):
    client = login("township")
    url = reverse("inspections:round_create")
    before = InspectionRound.objects.count()
    for change, field in (
        ({"per_org": 9}, "per_org"),
        ({"n_orgs": ""}, "n_orgs"),
        ({"seed": "-1"}, "seed"),
        ({"ends_on": "2000-01-01"}, "ends_on"),
        ({"inspectors": []}, "inspectors"),
        ({"inspectors": [demo["ent1"].pk]}, "inspectors"),
    ):
        response = client.post(url, {**_form(demo, **change), "save": "1"})
        assert response.status_code == 200, change
        assert f'data-testid="error-{field}"' in response.content.decode(), change
    assert InspectionRound.objects.count() == before


def test_round_detail_scope(login, demo):
    rnd = InspectionRound.objects.filter(is_random=True).first()
    assert rnd is not None  # the demo season has one
    url = reverse("inspections:round_detail", args=[rnd.pk])
    assert login("township").get(url).status_code == 200
    assert login("county").get(url).status_code == 200
    # A department sees the rounds it planned, not the township's.
    assert login("dept").get(url).status_code == 404
    assert login("ent1").get(url).status_code == 404


def test_demo_round_verifies(demo):
    rnd = InspectionRound.objects.filter(is_random=True).first()
    assert rounds.verify_round(rnd) == (True, True)
    assert RoundAssignment.objects.filter(round=rnd).exists()


def test_list_query_count(login, django_assert_max_num_queries):
    client = login("township")
    with django_assert_max_num_queries(12):
        client.get(reverse("inspections:rounds"))

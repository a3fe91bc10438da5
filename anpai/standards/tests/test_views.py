"""Standards library pages: the list by family and date, a standard's clauses, and the
local standards township officers write (shipped ones are read-only)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from anpai.audit.models import AuditRecord
from anpai.orgs.models import Industry
from anpai.people.models import Membership
from anpai.regions.choices import RegionLevel
from anpai.regions.models import Region
from anpai.standards.models import Clause, Standard

pytestmark = pytest.mark.django_db

LIST = reverse("standards:list")
NEW = reverse("standards:create")


def _detail(pk: int) -> str:
    return reverse("standards:detail", args=[pk])


def make_standard(code: str, family: str = "", clauses=(), **fields) -> Standard:
    """A standard with clauses given as (number, text, makes_major, is_verified)."""
    fields.setdefault("name", f"测试标准 {code}")
    fields.setdefault("effective_from", date(2020, 1, 1))
    standard = Standard.objects.create(code=code, family=family or code, **fields)
    for order, (number, text, major, verified) in enumerate(clauses, 1):
        Clause.objects.create(
            standard=standard,
            number=number,
            text=text,
            makes_major=major,
            is_verified=verified,
            source_ref=f"{code} {number}",
            sort_order=order * 10,
        )
    return standard


def township_of(user) -> Region:
    return Membership.objects.get(user=user).organization.township


@pytest.fixture
def family():
    """Two versions of one shipped standard: v1 repealed on 2024-12-03, v2 from then."""
    old = make_standard(
        "testfam-2019",
        "testfam",
        name="测试民爆标准（试行）",
        version="2019（试行）",
        effective_from=date(2019, 1, 1),
        repealed_on=date(2024, 12, 3),
        is_shipped=True,
        clauses=[("第1项", "无证生产旧版", True, True)],
    )
    new = make_standard(
        "testfam-2024",
        "testfam",
        name="测试民爆标准",
        version="2024",
        effective_from=date(2024, 12, 3),
        is_shipped=True,
        is_verified=False,
        clauses=[
            ("第1项", "无证或证照过期从事生产销售", True, False),
            ("第2项", "安全警示标志缺失", False, True),
        ],
    )
    return old, new


@pytest.fixture
def local(demo):
    """A local standard of the demo township, written earlier by its officer."""
    return make_standard(
        "local-test",
        name="西槽头乡自建房消防要求",
        region=township_of(demo["township"]),
        clauses=[("1", "出租房每层配置灭火器", False, True)],
    )


def _in_force_codes(body: str) -> list[str]:
    return re.findall(r'data-testid="in-force" data-code="([^"]+)"', body)


# ---------------------------------------------------------------- list


@pytest.mark.parametrize("persona", ["township", "ent1", "county", "dept", "auditor"])
def test_list_renders_for_every_role_holder(login, family, persona):
    response = login(persona).get(LIST)
    assert response.status_code == 200
    body = response.content.decode()
    assert "测试民爆标准" in body
    assert 'data-testid="library-tabs"' in body


def test_list_needs_login(client):
    response = client.get(LIST)
    assert response.status_code == 302


def test_nav_shows_standards_to_everyone_with_a_role(login):
    body = login("ent1").get(reverse("home")).content.decode()
    assert f'href="{LIST}"' in body


def test_in_force_filter_picks_the_version_in_force_on_the_date(login, family):
    old, new = family
    client = login("township")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the dates' wording is checked in English
    body = client.get(LIST, {"on": "2024-06-01"}).content.decode()
    assert old.code in _in_force_codes(body)
    assert new.code not in _in_force_codes(body)
    assert "From 2024-12-03" in body  # the coming version, shown as another version
    body = client.get(LIST, {"on": "2025-01-01"}).content.decode()
    assert new.code in _in_force_codes(body)
    assert old.code not in _in_force_codes(body)
    assert "Repealed on 2024-12-03" in body


def test_family_not_yet_in_force_is_hidden_unless_all_versions(login, family):
    client = login("township")
    body = client.get(LIST, {"on": "2018-06-01"}).content.decode()
    assert 'data-family="testfam"' not in body
    query = {"on": "2018-06-01", "versions": "all"}
    body = client.get(LIST, query, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-family="testfam"' in body
    assert body.count("From 2019-01-01") == 1


def test_bad_date_is_reported_and_today_is_used(login, family):
    response = login("township").get(LIST, {"on": "2024-13-45"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="filter-errors"' in body
    assert "testfam-2024" in _in_force_codes(body)


def test_search_finds_clause_text_and_shows_the_hits(login, family):
    body = login("ent1").get(LIST, {"q": "警示标志"}).content.decode()
    assert 'data-family="testfam"' in body
    assert 'data-testid="clause-hits"' in body
    assert "安全警示标志缺失" in body
    body = login("ent1").get(LIST, {"q": "没有这样的条款"}).content.decode()
    assert 'data-family="testfam"' not in body
    assert 'data-testid="standard-empty"' in body


def test_industry_filter(login, family):
    gas = Industry.objects.get(code="gas")
    make_standard("testgas-2023", industry=gas, name="测试燃气标准")
    body = login("township").get(LIST, {"industry": "gas"}).content.decode()
    assert 'data-family="testgas-2023"' in body
    assert 'data-family="testfam"' not in body


def test_local_standards_are_marked_and_stay_in_their_area(login, local, demo):
    body = login("ent1").get(LIST).content.decode()
    assert 'data-family="local-test"' in body
    assert 'data-testid="badge-local"' in body
    county = Region.objects.create(code="141128000000", name="汾阳市", level=RegionLevel.COUNTY)
    elsewhere = Region.objects.create(
        code="141128100000", name="外乡", level=RegionLevel.TOWNSHIP, parent=county
    )
    other = make_standard("local-elsewhere", name="外乡标准", region=elsewhere)
    assert "外乡标准" not in login("township").get(LIST).content.decode()
    assert login("township").get(_detail(other.pk)).status_code == 404


def test_list_query_count_does_not_grow_with_standards(
    login, family, django_assert_max_num_queries
):
    client = login("township")
    client.get(LIST)  # warm caches (session, content types)

    def count(params):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(LIST, params).status_code == 200
        return len(ctx.captured_queries)

    before = (count({}), count({"q": "标志"}), count({"versions": "all"}))
    for n in range(8):
        make_standard(
            f"bulk-{n}",
            f"bulk{n % 3}",
            clauses=[("1", "标志 一", True, False), ("2", "标志 二", False, True)],
        )
    after = (count({}), count({"q": "标志"}), count({"versions": "all"}))
    assert before == after
    with django_assert_max_num_queries(after[1]):
        client.get(LIST, {"q": "标志"})


# ---------------------------------------------------------------- detail


def test_detail_shows_clauses_major_badge_and_unverified_markers(login, family):
    old, new = family
    response = login("ent1").get(_detail(new.pk))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="unverified-standard"' in body
    # One marker for the standard's header, one for its unverified clause.
    assert body.count('data-testid="unverified"') == 2
    assert body.count('data-testid="badge-major"') == 1
    assert "testfam-2024 第1项" in body  # source reference
    assert f'href="{_detail(old.pk)}"' in body  # the other version
    assert 'data-testid="standard-edit"' not in body
    body = login("ent1").get(_detail(old.pk), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="unverified"' not in body
    assert "Repealed on 2024-12-03" in body


def test_detail_of_missing_standard_is_404(login):
    assert login("township").get(_detail(999999)).status_code == 404


# ---------------------------------------------------------------- shipped: read-only


def test_shipped_standard_has_no_edit_buttons_and_refuses_changes(login, family):
    _, shipped = family
    client = login("township")
    body = client.get(_detail(shipped.pk)).content.decode()
    assert 'data-testid="standard-edit"' not in body
    assert 'data-testid="clause-add"' not in body
    assert 'data-testid="clause-edit"' not in body
    edit = reverse("standards:edit", args=[shipped.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"name": "改名", "effective_from": "2024-01-01"}).status_code == 403
    clause = shipped.clauses.first()
    add = reverse("standards:clause_add", args=[shipped.pk])
    assert client.post(add, {"number": "9", "text": "新"}).status_code == 403
    change = reverse("standards:clause_edit", args=[shipped.pk, clause.pk])
    assert client.post(change, {"number": clause.number, "text": "改"}).status_code == 403
    shipped.refresh_from_db()
    clause.refresh_from_db()
    assert shipped.name == "测试民爆标准"
    assert clause.text == "无证或证照过期从事生产销售"
    assert shipped.clauses.count() == 2


# ---------------------------------------------------------------- local standards


def _standard_data(**extra) -> dict:
    data = {
        "name": "西槽头乡出租房消防安全要求",
        "code": "xct-rental-2024",
        "family": "",
        "issuer": "西槽头乡人民政府",
        "number": "西政发〔2024〕5号",
        "version": "2024",
        "effective_from": "2024-03-01",
        "repealed_on": "",
        "industry": str(Industry.objects.get(code="fire_crowded").pk),
        "source": "乡政府文件",
        "notes": "",
        "is_verified": "on",
    }
    data.update(extra)
    return data


def test_township_officer_creates_a_local_standard(login, demo):
    client = login("township")
    body = client.get(LIST).content.decode()
    assert 'data-testid="standard-new"' in body
    assert client.get(NEW).status_code == 200
    response = client.post(NEW, _standard_data())
    assert response.status_code == 302
    standard = Standard.objects.get(code="xct-rental-2024")
    assert response["Location"] == _detail(standard.pk)
    assert standard.region == township_of(demo["township"])
    assert standard.family == "xct-rental-2024"  # defaults to the code
    assert not standard.is_shipped
    assert AuditRecord.objects.filter(
        object_type="standards.standard", object_id=str(standard.pk)
    ).exists()
    body = client.get(_detail(standard.pk)).content.decode()
    assert 'data-testid="standard-edit"' in body
    assert 'data-testid="clause-add"' in body


@pytest.mark.parametrize("persona", ["ent1", "county", "dept", "leader", "admin"])
def test_others_may_not_create_local_standards(login, persona):
    client = login(persona)
    assert 'data-testid="standard-new"' not in client.get(LIST).content.decode()
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, _standard_data()).status_code == 403
    assert not Standard.objects.filter(code="xct-rental-2024").exists()


def test_local_standard_validation_names_the_fields(login):
    client = login("township")
    response = client.post(
        NEW,
        _standard_data(
            name="", code="西槽头 2024", effective_from="2024-03-01", repealed_on="2024-01-01"
        ),
    )
    assert response.status_code == 400
    body = response.content.decode()
    for field in ("name", "code", "repealed_on"):
        assert f'data-testid="error-{field}"' in body
    assert not Standard.objects.filter(issuer="西槽头乡人民政府").exists()
    make_standard("taken-code")
    response = client.post(NEW, _standard_data(code="taken-code", effective_from="not a date"))
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="error-code"' in body
    assert 'data-testid="error-effective_from"' in body


def test_local_standard_edit_keeps_its_code_and_region(login, local, demo):
    client = login("township")
    url = reverse("standards:edit", args=[local.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _standard_data(name="改过的名称", code="hijack"))
    assert response.status_code == 302
    local.refresh_from_db()
    assert local.name == "改过的名称"
    assert local.code == "local-test"
    assert local.region == township_of(demo["township"])


@pytest.mark.parametrize("persona", ["ent1", "county", "village1"])
def test_others_see_a_local_standard_but_may_not_change_it(login, local, persona):
    client = login(persona)
    body = client.get(_detail(local.pk)).content.decode()
    assert "西槽头乡自建房消防要求" in body
    assert 'data-testid="standard-edit"' not in body
    url = reverse("standards:edit", args=[local.pk])
    assert client.post(url, _standard_data(name="x")).status_code == 403
    add = reverse("standards:clause_add", args=[local.pk])
    assert client.post(add, {"number": "9", "text": "x"}).status_code == 403


def test_clauses_of_a_local_standard_are_added_and_edited(login, local):
    client = login("township")
    add = reverse("standards:clause_add", args=[local.pk])
    assert client.get(add).status_code == 200
    response = client.post(
        add,
        {"number": "2", "text": "疏散通道不得堵塞", "makes_major": "on", "is_verified": "on"},
    )
    assert response.status_code == 302
    clause = local.clauses.get(number="2")
    assert clause.makes_major
    assert clause.sort_order == 20  # after the existing clause
    # A duplicate number is refused on its field; an empty text too.
    response = client.post(add, {"number": "2", "text": ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="error-number"' in body
    assert 'data-testid="error-text"' in body
    edit = reverse("standards:clause_edit", args=[local.pk, clause.pk])
    response = client.post(edit, {"number": "2", "text": "疏散通道、安全出口不得堵塞"})
    assert response.status_code == 302
    clause.refresh_from_db()
    assert clause.text == "疏散通道、安全出口不得堵塞"
    assert not clause.is_verified  # unticked
    body = client.get(_detail(local.pk)).content.decode()
    assert 'data-testid="clause-edit"' in body
    assert 'data-testid="unverified"' in body


def test_clause_of_another_standard_is_404(login, local, family):
    other_clause = family[1].clauses.first()
    url = reverse("standards:clause_edit", args=[local.pk, other_clause.pk])
    assert login("township").get(url).status_code == 404

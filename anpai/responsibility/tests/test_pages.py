"""The leaders' lists pages for each role: the township's overview, a leader's lists with
inline progress, the self-review form, the list forms, the printable page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from anpai.responsibility.choices import ListKind
from anpai.responsibility.models import LeaderList, ListItem, SelfReview

from .conftest import lists_of

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
OVERVIEW = "/responsibility/leaders/"


def _html(response) -> str:
    return response.content.decode()


def _rows(html: str) -> list[str]:
    return re.findall(r'data-testid="overview-row" data-leader="(\d+)"', html)


def _leader_url(org, user, year) -> str:
    return reverse("responsibility:leader", args=[org.pk, user.pk]) + f"?year={year}"


def test_the_township_sees_every_leader_and_who_has_reviewed(login, demo, year):
    html = _html(login("township").get(OVERVIEW, {"year": year}))
    ids = [int(i) for i in _rows(html)]
    # The township government's leaders first, then the villages'.
    assert ids[:2] == [demo["leader"].pk, demo["township"].pk]
    assert set(ids[2:]) == {demo["village1"].pk, demo["village2"].pk}
    assert html.count('data-testid="review-submitted"') == 1  # 王建国's half-year review
    assert html.count('data-testid="review-missing"') == 3
    assert 'data-testid="list-new"' in html
    assert 'data-testid="export-items"' in html
    # 刘秀英 has no practical-matters list: the officer may write it from here.
    assert "kind=matters" in html


def test_the_overview_filters_by_organisation_and_year(login, demo, village, year):
    client = login("township")
    ids = _rows(_html(client.get(OVERVIEW, {"year": year, "organization": village.pk})))
    assert ids == [str(demo["village1"].pk)]
    # A year without lists: the leaders are there to write them for, nothing counted.
    html = _html(client.get(OVERVIEW, {"year": year - 5}))
    assert len(_rows(html)) == 4
    assert 'data-testid="cell-count"' not in html
    assert 'data-testid="review-missing"' not in html
    assert html.count("kind=duty") == 4


def test_a_village_officer_sees_only_their_village(login, demo, year):
    html = _html(login("village1").get(OVERVIEW, {"year": year}))
    assert _rows(html) == [str(demo["village1"].pk)]
    assert 'data-testid="list-new"' not in html
    assert 'data-testid="export-items"' not in html
    assert 'data-testid="my-lists"' in html


def test_the_county_reads_and_exports(login, demo, year):
    html = _html(login("county").get(OVERVIEW, {"year": year}))
    assert len(_rows(html)) == 4
    assert 'data-testid="export-overview"' in html
    assert 'data-testid="list-new"' not in html


@pytest.mark.parametrize("persona", ["ent1", "ent1safety", "dept"])
def test_enterprises_and_departments_have_no_access(login, demo, township_org, persona):
    client = login(persona)
    assert client.get(OVERVIEW).status_code == 403
    url = reverse("responsibility:leader", args=[township_org.pk, demo["leader"].pk])
    assert client.get(url).status_code == 403
    assert client.get(reverse("responsibility:export")).status_code == 403
    home = _html(client.get("/"))
    assert 'href="/responsibility/leaders/"' not in home


def test_the_enterprise_lands_on_commitments(login):
    response = login("ent1").get("/responsibility/")
    assert response.status_code == 302
    assert "leaders" not in response["Location"]
    response = login("township").get("/responsibility/")
    assert response["Location"].endswith("/responsibility/leaders/")


def test_the_leader_page_lets_the_leader_update_their_items(login, demo, township_org, year):
    html = _html(login("leader").get(_leader_url(township_org, demo["leader"], year)))
    for kind in ListKind.values:
        assert f'data-testid="list-{kind}"' in html
    total = ListItem.objects.filter(list__leader=demo["leader"], list__year=year).count()
    assert html.count('data-testid="item"') == total
    assert html.count('data-testid="progress-form"') == total
    assert 'data-testid="review-link"' in html
    assert 'data-testid="list-edit"' not in html


def test_an_item_past_its_due_date_shows_overdue(login, demo, township_org, year):
    from datetime import timedelta

    from django.utils import timezone

    item = lists_of(demo["leader"], year)[ListKind.TASK].items.exclude(status="done").first()
    item.due_on = timezone.localdate() - timedelta(days=1)
    item.save()
    ListItem.objects.filter(list__leader=demo["leader"]).exclude(pk=item.pk).update(due_on=None)
    html = _html(login("leader").get(_leader_url(township_org, demo["leader"], year)))
    assert html.count('data-testid="item-overdue"') == 1
    assert re.search(rf'id="item-{item.pk}"[^>]*>(?:(?!</li>).)*item-overdue', html, re.S)


def test_a_leader_sees_but_cannot_update_another_leaders_list(login, demo, township_org, year):
    client = login("leader")
    html = _html(client.get(_leader_url(township_org, demo["township"], year)))
    assert 'data-testid="item"' in html
    assert 'data-testid="progress-form"' not in html
    assert 'data-testid="review-link"' not in html
    item = lists_of(demo["township"], year)[ListKind.DUTY].items.first()
    url = reverse("responsibility:progress", args=[item.pk])
    assert client.post(url, {"status": "done"}, **HTMX).status_code == 403
    assert client.post(url, {"status": "done"}).status_code == 403
    item.refresh_from_db()
    assert item.updated_by != demo["leader"] or item.status != "done"


def test_other_villages_answer_404(login, demo, village2, year):
    client = login("village1")
    assert client.get(_leader_url(village2, demo["village2"], year)).status_code == 404
    item = lists_of(demo["village2"], year)[ListKind.DUTY].items.first()
    url = reverse("responsibility:progress", args=[item.pk])
    assert client.post(url, {"status": "done"}).status_code == 404
    the_list = lists_of(demo["village2"], year)[ListKind.DUTY]
    assert client.get(reverse("responsibility:edit", args=[the_list.pk])).status_code == 404
    own = lists_of(demo["village1"], year)[ListKind.DUTY]
    assert client.get(reverse("responsibility:edit", args=[own.pk])).status_code == 403
    edit = login("township").get(reverse("responsibility:edit", args=[the_list.pk]))
    assert edit.status_code == 200


def test_inline_progress_returns_the_item_row(login, demo, year):
    client = login("village1")
    item = lists_of(demo["village1"], year)[ListKind.TASK].items.order_by("order").last()
    url = reverse("responsibility:progress", args=[item.pk])
    response = client.post(url, {"status": "done", "progress": "", "note": "已排查完毕"}, **HTMX)
    html = _html(response)
    assert response.status_code == 200
    assert html.startswith("<li")
    assert 'data-status="done"' in html
    assert 'data-testid="item-saved"' in html
    assert "已排查完毕" in html
    item.refresh_from_db()
    assert (item.status, item.progress) == ("done", 100)

    # Bad input: the row again with the message, nothing changed.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post(url, {"status": "in_progress", "progress": "120"}, **HTMX)
    assert response.status_code == 400
    assert "Progress: a whole number from 0 to 100." in _html(response)
    item.refresh_from_db()
    assert (item.status, item.progress) == ("done", 100)


def test_the_self_review_form_refuses_an_incomplete_submission(login, demo, village2, year):
    client = login("village2")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    url = reverse("responsibility:review", args=[village2.pk, demo["village2"].pk])
    html = _html(client.get(url, {"year": year}))
    items = list(
        ListItem.objects.filter(list__leader=demo["village2"], list__year=year).order_by(
            "list__kind", "order"
        )
    )
    assert html.count('data-testid="review-item"') == len(items)
    data = {"year": year, "period": "全年", "summary": "按清单履职", "submit": "1"}
    for item in items[1:]:
        data[f"assessment-{item.pk}"] = "fulfilled"
    response = client.post(url, data)
    html = _html(response)
    assert response.status_code == 400
    assert "Not assessed (1):" in html
    assert items[0].text[:30] in html
    assert re.search(rf'class="[^"]*rl-missing[^"]*"[^>]*data-item="{items[0].pk}"', html)
    assert not SelfReview.objects.filter(leader=demo["village2"]).exists()

    data[f"assessment-{items[0].pk}"] = "partly"
    data[f"remark-{items[0].pk}"] = "部分完成"
    response = client.post(url, data)
    review = SelfReview.objects.get(leader=demo["village2"], year=year, period="全年")
    assert response.status_code == 302
    assert response["Location"] == reverse("responsibility:review_detail", args=[review.pk])
    assert review.lines.count() == len(items)
    detail = _html(client.get(response["Location"]))
    assert "部分完成" in detail
    assert 'data-testid="review-state"' in detail

    # The township sees it on the overview.
    overview = _html(login("township").get(OVERVIEW, {"year": year}))
    assert overview.count('data-testid="review-submitted"') == 2


def test_only_the_leader_opens_their_self_review_form(login, demo, township_org, year):
    url = reverse("responsibility:review", args=[township_org.pk, demo["leader"].pk])
    assert login("township").get(url).status_code == 403
    assert login("county").get(url).status_code == 403
    assert login("leader").get(url, {"year": year}).status_code == 200


def test_a_draft_is_kept_and_reopened(login, demo, township_org, year):
    client = login("leader")
    url = reverse("responsibility:review", args=[township_org.pk, demo["leader"].pk])
    item = ListItem.objects.filter(list__leader=demo["leader"], list__year=year).first()
    response = client.post(
        url,
        {"year": year, "period": "上半年", "summary": "草稿", f"assessment-{item.pk}": "partly"},
    )
    assert response.status_code == 302
    html = _html(client.get(response["Location"]))
    assert "草稿" in html
    assert re.search(rf'id="a-{item.pk}-partly" value="partly" checked', html)


def test_the_township_officer_writes_and_edits_a_list_through_the_form(login, demo, village2, year):
    client = login("township")
    form = _html(client.get(reverse("responsibility:create")))
    assert f'value="{village2.pk}:{demo["village2"].pk}"' in form
    response = client.post(
        reverse("responsibility:create"),
        {
            "leader": f"{village2.pk}:{demo['village2'].pk}",
            "kind": "matters",
            "year": year,
            "post": "村委会副主任",
            "item_id": ["", "", ""],
            "item_text": ["配备巡查手持终端", "", "落实巡查补助经费"],
            "item_category": ["equipment", "", "funding"],
            "item_due": ["", "", f"{year}-12-31"],
        },
    )
    assert response.status_code == 302
    the_list = LeaderList.objects.get(leader=demo["village2"], year=year, kind="matters")
    assert list(the_list.items.values_list("text", "category")) == [
        ("配备巡查手持终端", "equipment"),
        ("落实巡查补助经费", "funding"),
    ]
    # Missing a category: 400 naming the row; nothing saved.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    edit = reverse("responsibility:edit", args=[the_list.pk])
    first, second = the_list.items.order_by("order")
    response = client.post(
        edit,
        {
            "version": the_list.version,
            "post": "村委会副主任",
            "item_id": [first.pk, second.pk, ""],
            "item_text": [first.text, second.text, "建设村级视频监控"],
            "item_category": ["equipment", "funding", ""],
            "item_due": ["", "", ""],
        },
    )
    assert response.status_code == 400
    assert "Item 3: choose the category of this practical matter." in _html(response)
    assert the_list.items.count() == 2


def test_the_print_page_has_the_lists_and_no_navigation(login, demo, township_org, year):
    url = reverse("responsibility:print", args=[township_org.pk, demo["leader"].pk])
    html = _html(login("township").get(url, {"year": year}))
    assert "安全生产职责清单" in html
    assert "办实事解难题清单" in html
    assert "<nav" not in html
    assert 'data-testid="print-button"' in html
    assert "<script>" not in html
    for text in ListItem.objects.filter(list__leader=demo["leader"], list__year=year).values_list(
        "text", flat=True
    ):
        assert text in html


def test_my_lists_takes_a_leader_to_their_page(login, demo, village, year):
    response = login("village1").get(reverse("responsibility:mine"))
    assert response["Location"] == _leader_url(village, demo["village1"], year)


def test_the_overview_runs_constant_queries(
    login, demo, year, make_leaders, django_assert_max_num_queries
):
    client = login("township")
    with django_assert_max_num_queries(30) as few:
        html = _html(client.get(OVERVIEW, {"year": year}))
    assert len(_rows(html)) == 4
    make_leaders(12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = _html(client.get(OVERVIEW, {"year": year}))
    assert len(_rows(html)) == 16


def test_the_leader_page_runs_constant_queries(
    login, demo, township_org, year, django_assert_max_num_queries
):
    client = login("township")
    url = _leader_url(township_org, demo["leader"], year)
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    the_list = lists_of(demo["leader"], year)[ListKind.DUTY]
    ListItem.objects.bulk_create(
        ListItem(list=the_list, order=10 + i, text=f"追加事项{i}", updated_by=demo["township"])
        for i in range(15)
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = _html(client.get(url))
    assert "追加事项14" in html

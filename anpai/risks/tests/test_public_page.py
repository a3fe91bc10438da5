"""The public page a risk notification card's QR code opens: no login, the point's facts,
a button to report a hazard there, no personal phone numbers, and nothing for a wrong
token or a retired point."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.urls import reverse

from anpai.risks import actions
from anpai.risks.tests.test_card import make_point

SHOTS = Path(os.environ.get("ANPAI_SCREENSHOTS", "var/screenshots"))


def public(point) -> str:
    return reverse("risk_public", args=[point.public_token])


@pytest.mark.django_db
def test_logged_out_visitor_sees_the_facts_and_the_report_button(client, demo):
    point = make_point(demo)
    response = client.get(public(point), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    for fact in (
        "液氨储罐区",
        "文水县鑫源化工有限公司",
        "液氨储罐 2 × 30 m³",
        "人员中毒窒息",
        "储罐区设置氨气泄漏检测报警仪并与喷淋系统联锁",
        "每半年组织一次泄漏应急演练",
        "立即撤离至上风向",
        "当心中毒、禁止烟火",
        "安全环保部",
        "Poisoning and asphyxiation",
        "Major risk · Red",
        'href="tel:0571-88886666"',
        'href="tel:119"',
        'href="tel:120"',
        'href="tel:12350"',
    ):
        assert fact in html, fact
    assert f'href="/hazards/new/?risk_point={point.pk}"' in html
    assert 'data-fill="#e60012"' in html
    assert "background-color: #e60012" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"


@pytest.mark.django_db
def test_public_page_shows_no_personal_phone_and_no_internal_navigation(client, demo):
    point = make_point(demo)
    html = client.get(public(point)).content.decode()
    assert "13912345678" not in html  # the responsible person's phone
    assert "王建国" not in html  # nor their name: the department answers publicly
    for internal in ("/hazards/\"", "/orgs/", "/inspections/", "/risks/", "/audit/",
                     "/notifications/", "<script"):  # fmt: skip
        assert internal not in html, internal


@pytest.mark.django_db
def test_unassessed_point_says_so(client, demo, english):
    point = make_point(demo, name="新建配电房", lec=None)
    response = client.get(public(point), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Not assessed yet" in response.content.decode()
    assert 'data-fill="#8a8f98"' in response.content.decode()


@pytest.mark.django_db
def test_wrong_token_and_retired_point_are_the_ordinary_404(client, demo):
    point = make_point(demo)
    unknown = client.get(reverse("risk_public", args=["not-a-real-token"]))
    elsewhere = client.get("/no-such-page/")
    actions.deactivate_point(point, by=demo["ent1"])
    retired = client.get(public(point))
    for response in (unknown, retired, elsewhere):
        assert response.status_code == 404
        assert [t.name for t in response.templates][:1] == ["404.html"]
        assert "液氨储罐区" not in response.content.decode()


@pytest.mark.django_db
def test_report_button_asks_an_anonymous_visitor_to_log_in(client, demo):
    point = make_point(demo)
    response = client.get(f"/hazards/new/?risk_point={point.pk}")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "risk_point" in response["Location"]


@pytest.mark.django_db
def test_public_page_queries_do_not_grow_with_measures(client, demo, django_assert_max_num_queries):
    few = make_point(demo, name="一号车间", measures=[("management", "巡检")])
    many = make_point(
        demo, name="二号车间", measures=[("engineering", f"措施{i}") for i in range(12)]
    )
    for point in (few, many):
        with django_assert_max_num_queries(3):
            assert client.get(public(point)).status_code == 200


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_public_page_on_a_phone(browser, live_server, demo):
    point = make_point(demo)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}{public(point)}")
        band = page.get_by_test_id("level-band")
        assert band.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(230, 0, 18)"
        assert page.get_by_test_id("public-name").inner_text() == "液氨储罐区"
        # Nothing is wider than the phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "risk-public-phone.png"), full_page=True)
        page.get_by_test_id("report-hazard").click()
        page.wait_for_url(f"{live_server.url}/login/**")
        assert f"risk_point%3D{point.pk}" in page.url or f"risk_point={point.pk}" in page.url
    finally:
        context.close()

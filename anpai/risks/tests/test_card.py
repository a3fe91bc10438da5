"""The risk notification card (风险告知卡): a PDF in the level's colour whose Chinese text
renders and whose QR code opens the point's public page."""

from __future__ import annotations

import os
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import reverse

from anpai.orgs.models import Organization
from anpai.risks import actions
from anpai.risks.card import public_url, render_card, render_cards
from anpai.risks.models import RiskPoint

SHOTS = Path(os.environ.get("ANPAI_SCREENSHOTS", "var/screenshots"))
SCALE = 2  # 144 dpi: 1 pt = 2 px
MM = 72 / 25.4 * SCALE  # pixels per millimetre at SCALE


def _org(demo) -> Organization:
    return Organization.objects.get(
        memberships__user=demo["ent1"], memberships__role="ent_principal"
    )


DEFAULT_MEASURES = [
    ("engineering", "储罐区设置氨气泄漏检测报警仪并与喷淋系统联锁"),
    ("engineering", "设置紧急切断阀和围堰"),
    ("management", "每班巡检两次并记录"),
    ("ppe", "配备正压式空气呼吸器两套、防化服两套"),
    ("emergency", "每半年组织一次泄漏应急演练"),
]


def make_point(demo, *, name: str = "液氨储罐区", lec=(6, 6, 15), measures=None, **extra):
    values = {
        "code": "FX-001",
        "kind": "area",
        "location": "厂区东北角，二号库房北侧",
        "hazard_sources": "液氨储罐 2 × 30 m³，输送管道及阀门；泄漏后遇明火可能爆炸。",
        "accident_types": ["poisoning", "vessel", "fire"],
        "consequences": "人员中毒窒息、灼伤，储罐超压爆炸，火灾。",
        "emergency_actions": "立即撤离至上风向，拨打应急电话，"
        "佩戴正压式空气呼吸器后关闭紧急切断阀。",
        "emergency_phone": "0571-8888 6666",
        "warning_signs": "当心中毒、禁止烟火、必须戴防护手套",
        "department": "安全环保部",
        "responsible_name": "王建国",
        "responsible_phone": "13912345678",
    }
    values.update(extra)
    point = actions.create_point(by=demo["ent1"], organization=_org(demo), name=name, **values)
    for kind, text in DEFAULT_MEASURES if measures is None else measures:
        actions.save_measure(point, by=demo["ent1"], kind=kind, text=text)
    if lec:
        actions.assess(point, by=demo["ent1"], method="lec",
                       values=dict(zip("lec", lec, strict=True)))  # fmt: skip
    return RiskPoint.objects.get(pk=point.pk)


def pages(data: bytes) -> pdfium.PdfDocument:
    assert data.startswith(b"%PDF")
    return pdfium.PdfDocument(data)


def image(doc: pdfium.PdfDocument, index: int = 0):
    return doc[index].render(scale=SCALE).to_pil().convert("RGB")


def text(doc: pdfium.PdfDocument, index: int = 0) -> str:
    """The page's text without line breaks (a wrapped line may split a word)."""
    return "".join(doc[index].get_textpage().get_text_range().split())


def qr_text(img) -> str:
    qr = zxingcpp.BarcodeFormat.QRCode
    found = [r.text for r in zxingcpp.read_barcodes(img) if r.format == qr]
    assert len(found) == 1, found
    return found[0]


def band_pixel(img) -> tuple[int, int, int]:
    """A pixel inside the top band, left of its centred text."""
    return img.getpixel((round(17 * MM), round(17 * MM)))


def hex_rgb(value: str) -> tuple[int, int, int]:
    return tuple(int(value[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def near(a, b, tolerance: int = 3) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def save(img, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    img.save(SHOTS / f"{name}.png")


@pytest.mark.django_db
def test_card_prints_chinese_red_band_and_a_qr_code_to_the_public_page(demo):
    point = make_point(demo)
    url = f"https://anpai.example.gov.cn/r/{point.public_token}/"
    doc = pages(render_card(point, url))
    assert len(doc) == 1
    img = image(doc)
    save(img, "risk-card-red")
    assert qr_text(img) == url
    words = text(doc)
    for fact in ("液氨储罐区", "FX-001", "安全环保部", "王建国", "13912345678",
                 "喷淋系统联锁", "0571-88886666", "119", "120", "12350"):  # fmt: skip
        assert fact in words, fact
    assert near(band_pixel(img), hex_rgb("#e60012"))
    # The band is the full width of the printed area: its right end is red too.
    assert near(img.getpixel((round(193 * MM), round(17 * MM))), hex_rgb("#e60012"))


@pytest.mark.django_db
def test_blue_and_unassessed_bands(demo):
    blue = make_point(demo, name="成品仓库", lec=(1, 3, 7))
    assert blue.level == "low"
    img = image(pages(render_card(blue, "http://x/r/a/")))
    save(img, "risk-card-blue")
    assert near(band_pixel(img), hex_rgb("#0068b7"))

    grey = make_point(demo, name="新建配电房", lec=None)
    doc = pages(render_card(grey, "http://x/r/b/"))
    img = image(doc)
    assert near(band_pixel(img), hex_rgb("#8a8f98"))
    assert "新建配电房" in text(doc)


@pytest.mark.django_db
def test_long_texts_shrink_to_one_page_then_continue_and_never_leave_the_page(demo):
    # A few long measures: the type shrinks and the card stays on one page.
    fair = [("management", f"第{i}条：" + "作业前确认能量隔离、上锁挂牌并双人复核。" * 5)
            for i in range(8)]  # fmt: skip
    doc = pages(render_card(make_point(demo, name="一号车间", measures=fair), "http://x/r/c/"))
    assert len(doc) == 1
    assert "第7条" in text(doc)

    # Far too much for a page, and one measure longer than a page by itself: the
    # card continues on more pages, each with the point's name, and nothing is lost.
    check = "检查防爆电气设备接地电阻与静电跨接。"
    huge = [("engineering", f"措施{i}开始" + check * 40 + f"措施{i}结束") for i in range(6)]
    huge.append(("management", "超长开始" + "严格执行动火作业审批制度。" * 400 + "超长结束"))
    point = make_point(demo, name="溶剂罐区", measures=huge, hazard_sources="甲苯" * 600)
    doc = pages(render_card(point, f"http://x/r/{point.public_token}/"))
    assert len(doc) > 2
    save(image(doc, 1), "risk-card-continued")
    everything = "".join(text(doc, i) for i in range(len(doc)))
    for marker in ("措施0结束", "措施5结束", "超长开始", "超长结束"):
        assert marker in everything, marker
    for i in range(1, len(doc)):
        assert "溶剂罐区" in text(doc, i)  # the strip naming the point on each further page
    assert qr_text(image(doc, len(doc) - 1)) == f"http://x/r/{point.public_token}/"
    for i in range(len(doc)):
        page = doc[i]
        width, height = page.get_size()
        chars = page.get_textpage()
        for c in range(chars.count_chars()):
            left, bottom, right, top = chars.get_charbox(c)
            assert left >= -0.5, (i, c)
            assert right <= width + 0.5, (i, c)
            assert bottom >= -0.5, (i, c)
            assert top <= height + 0.5, (i, c)


@pytest.mark.django_db
def test_card_view_qr_follows_the_request_or_anpai_public_url(login, demo, settings):
    point = make_point(demo)
    client = login("ent1")
    settings.ANPAI_PUBLIC_URL = ""
    response = client.get(reverse("risks:card", args=[point.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="risk-card-{point.pk}.pdf"' in response["Content-Disposition"]
    data = b"".join(response) if response.streaming else response.content
    assert qr_text(image(pages(data))) == f"http://testserver/r/{point.public_token}/"

    settings.ANPAI_PUBLIC_URL = "https://anpai.example.gov.cn"
    response = client.get(reverse("risks:card", args=[point.pk]))
    assert qr_text(image(pages(response.content))) == (
        f"https://anpai.example.gov.cn/r/{point.public_token}/"
    )
    request = RequestFactory().get("/", HTTP_HOST="10.0.0.5:8000")
    assert public_url(point, request).startswith("https://anpai.example.gov.cn/r/")


@pytest.mark.django_db
def test_card_of_another_enterprise_is_not_found(login, demo):
    point = make_point(demo)
    assert login("ent2").get(reverse("risks:card", args=[point.pk])).status_code == 404
    assert login("township").get(reverse("risks:card", args=[point.pk])).status_code == 200


@pytest.mark.django_db
def test_cards_pdf_has_one_page_per_active_point(login, demo, django_assert_max_num_queries):
    org = _org(demo)
    make_point(demo, name="液氨储罐区")
    retired = make_point(demo, name="旧锅炉房", lec=(3, 6, 7))
    actions.deactivate_point(retired, by=demo["ent1"])
    client = login("ent1")
    url = reverse("risks:cards") + f"?organization={org.pk}"

    def fetch(expected: int) -> pdfium.PdfDocument:
        assert RiskPoint.objects.filter(organization=org, is_active=True).count() == expected
        with django_assert_max_num_queries(9):
            response = client.get(url)
        assert response.status_code == 200
        assert f'filename="risk-cards-{org.pk}.pdf"' in response["Content-Disposition"]
        return pages(response.content)

    active = RiskPoint.objects.filter(organization=org, is_active=True).count()
    doc = fetch(active)
    assert len(doc) == active
    everything = "".join(text(doc, i) for i in range(len(doc)))
    assert "液氨储罐区" in everything
    assert "旧锅炉房" not in everything
    # Three more points with measures: still one page each, in as many queries.
    for name in ("成品仓库", "配电房", "污水处理站"):
        make_point(demo, name=name, lec=(3, 3, 7))
    doc = fetch(active + 3)
    assert len(doc) == active + 3


@pytest.mark.django_db
def test_cards_need_a_visible_organisation(login, demo):
    org = _org(demo)
    make_point(demo)
    assert login("ent2").get(reverse("risks:cards") + f"?organization={org.pk}").status_code == 404
    client = login("ent1")
    for query in ("", "?organization=", "?organization=abc"):
        response = client.get(reverse("risks:cards") + query, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400
        assert b"organization=" in response.content
    assert client.get(reverse("risks:cards") + "?organization=999999").status_code == 404


@pytest.mark.django_db
def test_cards_of_an_organisation_without_points(demo):
    doc = pages(render_cards([], lambda point: ""))
    assert len(doc) == 1


def test_public_url_setting_is_an_origin(monkeypatch):
    from anpai.env import env_origin

    monkeypatch.setenv("ANPAI_PUBLIC_URL", "https://anpai.example.gov.cn/")
    assert env_origin("ANPAI_PUBLIC_URL") == "https://anpai.example.gov.cn"
    monkeypatch.setenv("ANPAI_PUBLIC_URL", "http://10.1.2.3:8080")
    assert env_origin("ANPAI_PUBLIC_URL") == "http://10.1.2.3:8080"
    monkeypatch.setenv("ANPAI_PUBLIC_URL", "")
    assert env_origin("ANPAI_PUBLIC_URL") == ""
    for bad in ("anpai.example.gov.cn", "ftp://x.cn", "https://x.cn/anpai", "https://x.cn?a=1",
                "https://:80", "https://x.cn:99999"):  # fmt: skip
        monkeypatch.setenv("ANPAI_PUBLIC_URL", bad)
        with pytest.raises(ImproperlyConfigured, match="ANPAI_PUBLIC_URL"):
            env_origin("ANPAI_PUBLIC_URL")

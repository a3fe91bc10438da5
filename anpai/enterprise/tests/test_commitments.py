"""The principal's yearly commitment (承诺书): signing (every duty ticked, a name, a drawn
signature, one a year), who may sign and read it, the township's list of who has and
has not signed, its export, and the printed PDF."""

from __future__ import annotations

import base64
import io
import os
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image, ImageDraw

from anpai.audit.models import AuditRecord
from anpai.core.errors import Conflict, Forbidden, Invalid, NotFound
from anpai.enterprise import actions
from anpai.enterprise.models import Commitment
from anpai.orgs.choices import OrgKind
from anpai.orgs.models import Organization

CODES = [d["code"] for d in actions.duties()]


def signature_url() -> str:
    image = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(10, 60), (80, 20), (150, 80), (280, 30)], fill="black", width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def _org(user):
    return user.memberships.get().organization


def _sign(by, **overrides):
    values = {
        "duties_ticked": CODES,
        "signer_name": "王建国",
        "signature": signature_url(),
        "extra": "",
    }
    values.update(overrides)
    return actions.sign_commitment(by=by, **values)


def test_the_demo_has_ent1_signed_and_ent2_not(demo):
    year = actions.this_year()
    assert Commitment.objects.filter(organization=_org(demo["ent1"]), year=year).exists()
    assert not Commitment.objects.filter(organization=_org(demo["ent2"]), year=year).exists()


def test_the_principal_signs_once_a_year(demo, english):
    commitment = _sign(demo["ent2"], extra="每月带队检查。")
    assert commitment.organization == _org(demo["ent2"])
    assert commitment.year == actions.this_year()
    assert commitment.duties == CODES
    assert commitment.pledge == actions.pledge_text()
    assert commitment.signer == demo["ent2"]
    assert commitment.signature.name.endswith(".png")
    with pytest.raises(Conflict) as caught:
        _sign(demo["ent2"])
    assert str(actions.this_year()) in str(caught.value.message)
    assert Commitment.objects.filter(organization=_org(demo["ent2"])).count() == 1


def test_next_year_can_be_signed_ahead_but_not_last_year(demo, english):
    year = actions.this_year()
    assert _sign(demo["ent1"], year=year + 1).year == year + 1
    with pytest.raises(Invalid) as caught:
        _sign(demo["ent2"], year=year - 1)
    assert "year" in caught.value.fields


def test_every_duty_must_be_ticked(demo, english):
    with pytest.raises(Invalid) as caught:
        _sign(demo["ent2"], duties_ticked=CODES[:5])
    message = " ".join(str(m) for m in caught.value.fields["duties"])
    assert "6, 7" in message
    assert "seven duties" in message
    assert not Commitment.objects.filter(organization=_org(demo["ent2"])).exists()


def test_name_and_signature_are_required(demo, english):
    with pytest.raises(Invalid) as caught:
        _sign(demo["ent2"], signer_name="  ", signature="")
    assert set(caught.value.fields) == {"signer_name", "signature"}
    with pytest.raises(Invalid) as caught:
        _sign(demo["ent2"], signature="data:image/png;base64,bm90IGEgcG5n")
    assert "signature" in caught.value.fields
    assert not Commitment.objects.filter(organization=_org(demo["ent2"])).exists()


@pytest.mark.parametrize("who", ["ent1safety", "township", "dept", "village1", "county"])
def test_only_the_principal_signs(demo, who):
    with pytest.raises(Forbidden):
        _sign(demo[who])


def test_no_signing_for_another_enterprise(demo):
    with pytest.raises(NotFound):
        _sign(demo["ent2"], organization=_org(demo["ent1"]).pk)


def test_the_township_sees_who_has_signed(login, demo):
    client = login("township")
    response = client.get(reverse("enterprise:commitments"))
    assert response.status_code == 200
    rows = {org.pk: org for org in response.context["object_list"]}
    ent1, ent2 = _org(demo["ent1"]), _org(demo["ent2"])
    assert rows[ent1.pk].commitment_id
    assert not rows[ent2.pk].commitment_id
    counts = response.context["counts"]
    assert counts["signed"] + counts["unsigned"] == counts["total"] > 2
    assert counts["unsigned"] >= 1
    unsigned = client.get(reverse("enterprise:commitments"), {"status": "unsigned"})
    listed = {org.pk for org in unsigned.context["object_list"]}
    assert ent2.pk in listed
    assert ent1.pk not in listed


def test_the_township_list_takes_constant_queries(login, demo):
    client = login("township")
    url = reverse("enterprise:commitments")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    township_region = _org(demo["ent1"]).region
    extra = [
        Organization(name=f"新增企业{i}", kind=OrgKind.ENTERPRISE, region=township_region)
        for i in range(12)
    ]
    Organization.objects.bulk_create(extra)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.context["counts"]["total"] >= 12
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


def test_an_enterprise_sees_only_its_own(login, demo):
    response = login("ent2").get(reverse("enterprise:commitments"))
    assert [org.pk for org in response.context["object_list"]] == [_org(demo["ent2"]).pk]
    assert response.context["signable"], "ent2 is offered this year's commitment to sign"
    response = login("ent1").get(reverse("enterprise:commitments"))
    assert not response.context["signable"]
    assert response.context["own"]


def test_signing_through_the_page(login, demo, english):
    client = login("ent2")
    url = reverse("enterprise:commitment_sign")
    assert client.get(url).status_code == 200
    refused = client.post(
        url,
        {
            "year": actions.this_year(),
            "duties": CODES[:6],
            "signer_name": "王建国",
            "signature": signature_url(),
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 400
    assert b"not ticked: 7" in refused.content
    response = client.post(
        url,
        {
            "year": actions.this_year(),
            "duties": CODES,
            "signer_name": "王建国",
            "signature": signature_url(),
        },
    )
    commitment = Commitment.objects.get(organization=_org(demo["ent2"]), year=actions.this_year())
    assert response.status_code == 302
    assert response["Location"] == reverse("enterprise:commitment_detail", args=[commitment.pk])
    again = client.post(
        url,
        {"duties": CODES, "signer_name": "王建国", "signature": signature_url()},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert str(actions.this_year()).encode() in again.content
    assert b"already signed" in again.content


def test_the_commitment_and_its_signature_are_read_within_scope(login, demo):
    commitment = Commitment.objects.get(organization=_org(demo["ent1"]), year=actions.this_year())
    for who, status in (("ent1", 200), ("township", 200), ("village1", 200), ("ent2", 404)):
        client = login(who)
        url = reverse("enterprise:commitment_detail", args=[commitment.pk])
        assert client.get(url).status_code == status, who
        sig = client.get(reverse("enterprise:commitment_signature", args=[commitment.pk]))
        assert sig.status_code == status, who
        if status == 200:
            assert sig["Content-Type"] == "image/png"


def test_the_printed_commitment(login, demo, tmp_path):
    import pypdfium2

    commitment = _sign(demo["ent2"], extra="重大事故隐患由本人领衔整治。")
    response = login("township").get(reverse("enterprise:commitment_pdf", args=[commitment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = pypdfium2.PdfDocument(response.content)
    text = pdf[0].get_textpage().get_text_range()
    assert f"{commitment.year}年度主要负责人安全生产承诺书" in text
    assert commitment.organization.name in text
    for number in range(1, 8):
        assert f"{number}．" in text
    assert "王建国" in text
    assert "重大事故隐患由本人领衔整治" in text
    image = pdf[0].render(scale=1.4).to_pil()
    image.save(Path(os.environ.get("ANPAI_SCREENSHOTS") or tmp_path) / "commitment-pdf.png")
    # The signature is drawn: dark pixels in the lower part of the page.
    lower = image.convert("L").crop((0, image.height // 2, image.width, image.height))
    assert lower.getextrema()[0] < 80
    assert (
        login("ent1").get(reverse("enterprise:commitment_pdf", args=[commitment.pk])).status_code
        == 404
    )


def test_the_export_lists_every_enterprise_and_is_audited(login, demo):
    client = login("township")
    response = client.get(reverse("enterprise:commitment_export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    names = {row[0]: row[2] for row in rows}
    assert names[_org(demo["ent1"]).name] == "是"
    assert names[_org(demo["ent2"]).name] == "否"
    assert AuditRecord.objects.filter(object_type="enterprise.commitment").exists()
    assert login("ent1").get(reverse("enterprise:commitment_export")).status_code == 403

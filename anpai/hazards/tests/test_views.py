"""The hazard pages: list and filters, reporting, the detail page and its step forms."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override

from anpai.hazards import actions
from anpai.hazards.choices import AttachmentKind, EventKind, HazardState
from anpai.hazards.models import Attachment, Hazard
from anpai.hazards.tests.conftest import make_jpeg

pytestmark = pytest.mark.django_db

LIST = reverse("hazards:list")
NEW = reverse("hazards:create")


def _deadline(days: int = 10):
    return timezone.localdate() + timedelta(days=days)


def _act(pk: int, action: str) -> str:
    return reverse("hazards:action", args=[pk, action])


def _detail(pk: int) -> str:
    return reverse("hazards:detail", args=[pk])


def _five(version: int, **extra) -> dict:
    data = {
        "assign-version": version,
        "assign-responsible_name": "周晓东",
        "assign-measures": "更换老化线路，加装漏电保护",
        "assign-funds": "3500",
        "assign-deadline": _deadline().isoformat(),
        "assign-contingency": "停用该配电箱，设置警示标识",
    }
    data.update(extra)
    return data


def _assigned(demo, new_hazard, by="ent1safety", **kw):
    h = new_hazard(by, **kw)
    plan = dict.fromkeys(actions.PLAN_FIELDS, "内容") if h.is_major else None
    return actions.assign(
        h,
        by=demo["ent1safety"],
        responsible_name="周晓东",
        measures="更换",
        funds=Decimal("100"),
        deadline=_deadline(),
        contingency="停用",
        plan=plan,
    )


# ---------------------------------------------------------------- list


def test_list_shows_hazards_in_scope_only(login, new_hazard, org_of):
    mine = new_hazard("ent1safety", title="一号企业的隐患")
    response = login("ent1").get(LIST)
    assert response.status_code == 200
    body = response.content.decode()
    assert mine.number in body
    assert 'data-testid="hazard-new"' in body  # principals may report
    response = login("ent2").get(LIST)
    assert mine.number not in response.content.decode()


def test_list_filters_and_shortcut_tabs(demo, login, new_hazard):
    general = new_hazard("ent1safety", title="普通隐患甲")
    major = new_hazard("ent1safety", title="重大隐患乙", level="major")
    late = _assigned(demo, new_hazard, title="逾期隐患丙")
    Hazard.objects.filter(pk=late.pk).update(deadline=timezone.localdate() - timedelta(days=3))
    ours = {general.number, major.number, late.number}
    client = login("township")

    def numbers(query: str, as_client=None) -> set[str]:
        """Which of this test's hazards the list shows (the demo has its own too)."""
        page = (as_client or client).get(f"{LIST}?{query}")
        assert page.status_code == 200
        return {h.number for h in page.context["object_list"]} & ours

    assert numbers("") == ours
    assert numbers("level=major") == {major.number}
    assert numbers("level=general") == {general.number, late.number}
    assert numbers("overdue=true") == {late.number}
    assert numbers("overdue=false") == {general.number, major.number}
    assert numbers("q=普通隐患甲") == {general.number}
    assert numbers(f"q={major.number}") == {major.number}
    assert numbers("state=assigned") == {late.number}
    assert numbers("state=reported&state=assigned") == ours
    assert numbers("open=true") == ours
    assert numbers("open=false") == set()
    assert numbers("category=electrical") == ours
    assert numbers("category=gas") == set()
    assert numbers("source=tip_off") == set()
    assert numbers("source=self_inspection") == ours
    assert numbers("supervised=true") == set()
    org = general.organization
    assert numbers(f"organization={org.pk}") == ours
    assert numbers(f"village={org.region_id}") == ours
    industry = org.industries.first()
    if industry is not None:
        assert numbers(f"industry={industry.code}") == ours
    today = timezone.localdate()
    assert numbers(f"found_after={today.isoformat()}") == ours
    assert numbers(f"found_before={(today - timedelta(days=1)).isoformat()}") == set()
    assert numbers(f"deadline_before={today.isoformat()}") == {late.number}
    assert numbers(f"deadline_after={today.isoformat()}") == set()
    # "My tasks" are the hazards the user reported or is responsible for.
    assert numbers("mine=true", login("ent1safety")) == ours
    assert numbers("mine=true", login("ent1")) == set()
    # The tabs are links to the shortcuts; the active one is marked.
    body = client.get(f"{LIST}?overdue=true").content.decode()
    for key in ("mine", "overdue", "major", "all"):
        assert f'data-testid="tab-{key}"' in body
    assert 'aria-current="page" href="/hazards/?overdue=true"' in body


def test_list_answers_htmx_with_the_results_fragment(login, new_hazard):
    h = new_hazard()
    client = login("ent1")
    response = client.get(f"{LIST}?q={h.number}", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert h.number in body
    assert "<html" not in body
    assert 'id="hazard-count"' in body  # out-of-band count update
    assert "HX-Request" in response["Vary"]


def test_list_export_link_keeps_the_filters(login):
    body = login("township").get(f"{LIST}?level=major&page=1").content.decode()
    assert 'href="/hazards/ledger.xlsx?level=major"' in body


def test_list_and_filters_refuse_bad_input_without_500(login):
    response = login("township").get(f"{LIST}?found_after=notadate&village=abc&overdue=maybe")
    assert response.status_code == 200


def _bulk(org, category, user, n: int, start: int = 0) -> None:
    now = timezone.now()
    Hazard.objects.bulk_create(
        Hazard(
            organization=org,
            title=f"批量隐患{i}",
            description="批量",
            category=category,
            reported_by=user,
            number=f"YHB-{org.pk}-{i:05d}",
            found_at=now - timedelta(minutes=i),
            state=HazardState.ASSIGNED if i % 2 else HazardState.REPORTED,
            deadline=timezone.localdate() - timedelta(days=i % 5),
            is_supervised=bool(i % 7 == 0),
            level="major" if i % 3 == 0 else "general",
        )
        for i in range(start, start + n)
    )


@pytest.mark.parametrize("username", ["township", "ent1", "dept"])
def test_list_query_count_is_constant(demo, login, org_of, category, username):
    org = org_of("ent1")
    client = login(username)
    _bulk(org, category, demo["ent1"], 10)
    client.get(LIST)  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as small:
        assert client.get(LIST).status_code == 200
    _bulk(org, category, demo["ent1"], 190, start=10)
    with CaptureQueriesContext(connection) as large:
        response = client.get(LIST)
    assert response.status_code == 200
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
    assert len(large) <= 14


# ---------------------------------------------------------------- report


def test_report_form_for_one_organisation_hides_the_choice(login, org_of):
    response = login("ent1safety").get(NEW)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.single_org == org_of("ent1safety")
    body = response.content.decode()
    assert 'type="hidden" name="organization"' in body
    assert 'capture="environment"' in body
    assert 'accept="image/*"' in body
    assert "multiple" in body


def test_report_form_for_township_offers_the_organisations(login, org_of):
    response = login("township").get(NEW)
    assert response.status_code == 200
    assert response.context["form"].fields["organization"].queryset.count() > 10
    preselected = login("township").get(f"{NEW}?organization={org_of('ent2').pk}")
    assert preselected.context["form"]["organization"].value() == org_of("ent2").pk


def test_report_form_preselects_a_category_by_code(login):
    from anpai.hazards.models import Category

    response = login("township").get(f"{NEW}?category=work_without_permit")
    expected = Category.objects.get(code="work_without_permit").pk
    assert response.context["form"]["category"].value() == expected
    unknown = login("township").get(f"{NEW}?category=nonsense")
    assert unknown.context["form"]["category"].value() in (None, "")


def test_county_may_not_report(login):
    assert login("county").get(NEW).status_code == 403


def _report_data(org, **extra):
    data = {
        "organization": org.pk,
        "title": "配电箱线路老化",
        "description": "二车间配电箱电线绝缘层老化破损",
        "category": "",
        "level": "general",
        "source": "self_inspection",
        "place": "二车间",
        "found_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "clause": "",
    }
    data.update(extra)
    return data


def test_report_with_photos_creates_the_hazard(login, org_of, category):
    client = login("ent1safety")
    data = _report_data(org_of("ent1safety"), category=category.pk)
    data["photos"] = [make_jpeg("a.jpg"), make_jpeg("b.jpg", color=(0, 90, 0))]
    response = client.post(NEW, data)
    assert response.status_code == 302
    hazard = Hazard.objects.latest("id")
    assert response["Location"] == _detail(hazard.pk)
    assert hazard.title == "配电箱线路老化"
    assert hazard.attachments.filter(kind=AttachmentKind.BEFORE).count() == 2
    page = client.get(response["Location"])
    assert hazard.number in page.content.decode()


def test_report_errors_are_shown_under_the_fields_and_nothing_is_saved(login, org_of, category):
    client = login("ent1safety")
    before = Hazard.objects.count()
    response = client.post(NEW, _report_data(org_of("ent1safety"), title="", category=""))
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="error-title"' in body
    assert 'data-testid="error-category"' in body
    # A file that is not a photo: refused by content, under the photo field.
    data = _report_data(org_of("ent1safety"), category=category.pk)
    data["photos"] = [SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")]
    response = client.post(NEW, data)
    assert response.status_code == 400
    assert 'data-testid="error-photos"' in response.content.decode()
    # A time in the future.
    future = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        NEW, _report_data(org_of("ent1safety"), category=category.pk, found_at=future)
    )
    assert response.status_code == 400
    assert 'data-testid="error-found_at"' in response.content.decode()
    assert Hazard.objects.count() == before


def test_report_for_an_organisation_outside_scope_is_refused(login, org_of, category):
    before = Hazard.objects.count()
    response = login("ent1safety").post(NEW, _report_data(org_of("ent2"), category=category.pk))
    assert response.status_code == 400  # not a choice offered to this user
    assert 'data-testid="error-organization"' in response.content.decode()
    assert Hazard.objects.count() == before


# ---------------------------------------------------------------- detail and access


def test_other_enterprise_gets_404_on_detail_attachments_and_actions(login, new_hazard):
    h = new_hazard(photos=[make_jpeg()])
    attachment = h.attachments.get()
    client = login("ent2")
    assert client.get(_detail(h.pk)).status_code == 404
    assert client.get(reverse("hazards:attachment", args=[attachment.pk])).status_code == 404
    assert client.get(reverse("hazards:thumb", args=[attachment.pk])).status_code == 404
    assert client.post(_act(h.pk, "void"), {"void-reason": "x"}).status_code == 404


def test_evidence_is_served_through_the_view_not_media(login, new_hazard):
    h = new_hazard(photos=[make_jpeg()])
    attachment = h.attachments.get()
    client = login("ent1")
    body = client.get(_detail(h.pk)).content.decode()
    assert reverse("hazards:thumb", args=[attachment.pk]) in body
    assert reverse("hazards:attachment", args=[attachment.pk]) in body
    assert settings.MEDIA_URL not in body.replace("/static/", "")
    full = client.get(reverse("hazards:attachment", args=[attachment.pk]))
    assert full.status_code == 200
    assert full["Content-Type"] == "image/jpeg"
    assert full["X-Content-Type-Options"] == "nosniff"
    assert "private" in full["Cache-Control"]
    thumb = client.get(reverse("hazards:thumb", args=[attachment.pk]))
    assert thumb.status_code == 200
    assert b"".join(thumb.streaming_content)[:2] == b"\xff\xd8"


def test_county_sees_but_gets_no_buttons_and_403_on_actions(login, new_hazard):
    h = new_hazard()
    client = login("county")
    response = client.get(_detail(h.pk))
    assert response.status_code == 200
    assert response.context["action_forms"] == []
    assert 'data-testid="hazard-actions"' not in response.content.decode()
    for action in ("assign", "void", "grade", "attach"):
        assert client.post(_act(h.pk, action), {}).status_code == 403
    assert Hazard.objects.get(pk=h.pk).version == h.version


def test_unknown_action_is_404_and_get_redirects(login, new_hazard):
    h = new_hazard()
    client = login("ent1safety")
    assert client.post(_act(h.pk, "explode"), {}).status_code == 404
    assert client.get(_act(h.pk, "assign")).status_code == 302


def test_the_general_loop_through_the_web_forms(demo, login, org_of, category):
    client = login("ent1safety")
    data = _report_data(org_of("ent1safety"), category=category.pk)
    data["photos"] = [make_jpeg("before.jpg")]
    response = client.post(NEW, data)
    assert response.status_code == 302
    h = Hazard.objects.latest("id")
    page = client.get(_detail(h.pk))
    names = [f["name"] for f in page.context["action_forms"]]
    assert names[0] == "assign"
    assert "verify" not in names
    # The five implementations.
    response = client.post(
        _act(h.pk, "assign"),
        _five(h.version, **{"assign-responsible_user": demo["ent1safety"].pk}),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    h.refresh_from_db()
    assert h.state == HazardState.ASSIGNED
    assert h.responsible_user == demo["ent1safety"]
    # Rectify with an after photo.
    response = client.post(
        _act(h.pk, "rectify"),
        {
            "rectify-version": h.version,
            "rectify-rectification": "已更换全部老化线路",
            "rectify-actual_cost": "3200",
            "rectify-photos": [make_jpeg("after.jpg", color=(20, 160, 20))],
        },
    )
    assert response.status_code == 302
    h.refresh_from_db()
    assert h.state == HazardState.RECTIFIED
    # The one who rectified gets no accept button; the principal does.
    page = client.get(_detail(h.pk))
    assert "verify" not in [f["name"] for f in page.context["action_forms"]]
    principal = login("ent1")
    page = principal.get(_detail(h.pk))
    assert "verify" in [f["name"] for f in page.context["action_forms"]]
    response = principal.post(
        _act(h.pk, "verify"),
        {"verify-version": h.version, "verify-accepted": "yes", "verify-comment": "验收合格"},
    )
    assert response.status_code == 302
    h.refresh_from_db()
    assert h.state == HazardState.CLOSED
    page = principal.get(_detail(h.pk))
    body = page.content.decode()
    assert body.count('data-testid="timeline-step"') == 4
    assert [r["event"].kind for r in page.context["timeline"]] == [
        EventKind.REPORT,
        EventKind.ASSIGN,
        EventKind.RECTIFY,
        EventKind.ACCEPT,
    ]
    assert "验收合格" in body
    assert len(page.context["before_photos"]) == 1
    assert len(page.context["after_photos"]) == 1
    assert 'data-testid="photo-before"' in body
    assert 'data-testid="photo-after"' in body
    assert page.context["action_forms"] == []  # nothing left to do on a closed hazard


def test_invalid_step_form_shows_errors_and_changes_nothing(login, new_hazard):
    h = new_hazard()
    client = login("ent1safety")
    response = client.post(
        _act(h.pk, "assign"), _five(h.version, **{"assign-measures": "", "assign-funds": "-5"})
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="error-measures"' in body
    assert 'data-testid="error-funds"' in body
    assert response.context["open_action"] == "assign"
    h.refresh_from_db()
    assert h.state == HazardState.REPORTED
    # An error the action finds (a deadline in the past) lands under its field too.
    response = client.post(
        _act(h.pk, "assign"),
        _five(
            h.version, **{"assign-deadline": (timezone.localdate() - timedelta(days=1)).isoformat()}
        ),
    )
    assert response.status_code == 400
    assert 'data-testid="error-deadline"' in response.content.decode()
    # Rectifying without an after-photo is refused under the photo field.
    h = actions.assign(
        h,
        by=h.reported_by,
        responsible_name="周",
        measures="换",
        funds=Decimal("1"),
        deadline=_deadline(),
        contingency="停",
    )
    response = client.post(
        _act(h.pk, "rectify"), {"rectify-version": h.version, "rectify-rectification": "做了"}
    )
    assert response.status_code == 400
    assert 'data-testid="error-photos"' in response.content.decode()
    assert Hazard.objects.get(pk=h.pk).state == HazardState.ASSIGNED


def test_major_hazard_is_not_accepted_by_the_enterprise(demo, login, new_hazard):
    h = _assigned(demo, new_hazard, level="major")
    h = actions.rectify(h, by=demo["ent1safety"], rectification="完成", photos=[make_jpeg()])
    client = login("ent1")
    page = client.get(_detail(h.pk))
    assert "verify" not in [f["name"] for f in page.context["action_forms"]]
    assert 'data-testid="action-verify"' not in page.content.decode()
    response = client.post(
        _act(h.pk, "verify"), {"verify-version": h.version, "verify-accepted": "yes"}
    )
    assert response.status_code == 403
    assert Hazard.objects.get(pk=h.pk).state == HazardState.RECTIFIED
    # The township accepts it; the governance plan is on the page.
    township = login("township")
    page = township.get(_detail(h.pk))
    assert "verify" in [f["name"] for f in page.context["action_forms"]]
    assert 'data-testid="plan"' in page.content.decode()
    response = township.post(
        _act(h.pk, "verify"), {"verify-version": h.version, "verify-accepted": "yes"}
    )
    assert response.status_code == 302
    assert Hazard.objects.get(pk=h.pk).state == HazardState.CLOSED


def test_stale_form_gets_the_conflict_message_on_the_fresh_page(demo, login, new_hazard):
    h = new_hazard()
    stale = h.version
    actions.grade(h, by=demo["ent1safety"], level="general", comment="复核")
    client = login("ent1safety")
    response = client.post(_act(h.pk, "assign"), _five(stale), follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    with override(settings.LANGUAGE_CODE):
        expected = gettext(
            "Someone else changed this hazard since you opened it. Reload it and try again."
        )
    assert expected in body
    h.refresh_from_db()
    assert h.state == HazardState.REPORTED
    assert f'data-version="{h.version}"' in body


def test_state_conflict_is_a_message_not_a_crash(demo, login, new_hazard):
    h = _assigned(demo, new_hazard)
    client = login("ent1safety")
    # The hazard is already assigned: assigning again is a conflict.
    response = client.post(_act(h.pk, "assign"), _five(h.version), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == _detail(h.pk)
    assert list(response.context["messages"])


def test_reject_then_extension_then_supervise(demo, login, new_hazard):
    h = _assigned(demo, new_hazard, level="major")
    h = actions.rectify(h, by=demo["ent1safety"], rectification="完成", photos=[make_jpeg()])
    township = login("township")
    # Not accepted without a reason: error under the comment.
    response = township.post(
        _act(h.pk, "verify"), {"verify-version": h.version, "verify-accepted": "no"}
    )
    assert response.status_code == 400
    assert 'data-testid="error-comment"' in response.content.decode()
    response = township.post(
        _act(h.pk, "verify"),
        {"verify-version": h.version, "verify-accepted": "no", "verify-comment": "仍有破损"},
    )
    assert response.status_code == 302
    h.refresh_from_db()
    assert h.state == HazardState.ASSIGNED
    # The enterprise asks for more time; the township approves.
    ent = login("ent1safety")
    response = ent.post(
        _act(h.pk, "extend"),
        {
            "extend-version": h.version,
            "extend-deadline": _deadline(30).isoformat(),
            "extend-reason": "材料未到货",
        },
    )
    assert response.status_code == 302
    h.refresh_from_db()
    township = login("township")
    page = township.get(_detail(h.pk))
    assert "decide_extension" in [f["name"] for f in page.context["action_forms"]]
    response = township.post(
        _act(h.pk, "decide_extension"),
        {"decide_extension-version": h.version, "decide_extension-approve": "yes"},
    )
    assert response.status_code == 302
    h.refresh_from_db()
    assert h.deadline == _deadline(30)
    # Listed supervision by the township.
    page = township.get(_detail(h.pk))
    form = next(f["form"] for f in page.context["action_forms"] if f["name"] == "supervise")
    assert demo["leader"] in form.fields["supervisor"].queryset
    response = township.post(
        _act(h.pk, "supervise"),
        {
            "supervise-version": h.version,
            "supervise-supervisor": demo["leader"].pk,
            "supervise-deadline": _deadline(20).isoformat(),
            "supervise-note": "每周报告进度",
        },
    )
    assert response.status_code == 302
    page = township.get(_detail(h.pk))
    body = page.content.decode()
    assert 'data-testid="badge-supervised"' in body
    assert 'data-testid="extensions"' in body
    assert len(page.context["timeline"]) >= 7
    assert login("township").get(f"{LIST}?supervised=true").context["object_list"][0].pk == h.pk


def test_attach_a_document_and_void(login, new_hazard):
    from anpai.hazards.tests.conftest import make_pdf

    h = new_hazard()
    client = login("ent1safety")
    response = client.post(
        _act(h.pk, "attach"), {"attach-kind": "document", "attach-file": make_pdf()}
    )
    assert response.status_code == 302
    doc = Attachment.objects.get(hazard=h, kind="document")
    page = client.get(_detail(h.pk))
    assert 'data-testid="documents"' in page.content.decode()
    download = client.get(reverse("hazards:attachment", args=[doc.pk]))
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    h.refresh_from_db()
    response = client.post(_act(h.pk, "void"), {"void-version": h.version, "void-reason": ""})
    assert response.status_code == 400
    response = client.post(
        _act(h.pk, "void"), {"void-version": h.version, "void-reason": "重复上报"}
    )
    assert response.status_code == 302
    assert Hazard.objects.get(pk=h.pk).state == HazardState.VOIDED


def test_detail_query_count_does_not_grow_with_history(demo, login, new_hazard):
    h = _assigned(demo, new_hazard)
    client = login("ent1")
    client.get(_detail(h.pk))
    with CaptureQueriesContext(connection) as small:
        client.get(_detail(h.pk))
    for _ in range(5):
        actions.attach(h, by=demo["ent1safety"], file=make_jpeg(), kind="before")
    with CaptureQueriesContext(connection) as large:
        client.get(_detail(h.pk))
    assert len(large) == len(small)


# ---------------------------------------------------------------- home


def test_home_shows_hazard_counts_with_constant_queries(demo, login, org_of, category):
    client = login("township")
    _bulk(org_of("ent1"), category, demo["ent1"], 5)
    client.get("/")
    with CaptureQueriesContext(connection) as small:
        response = client.get("/")
    counts = response.context["hazard_counts"]
    expected_open = Hazard.objects.restrict(demo["township"]).open().count()
    assert counts["open"] == expected_open
    assert counts["overdue"] == Hazard.objects.restrict(demo["township"]).overdue().count()
    body = response.content.decode()
    assert 'href="/hazards/?overdue=true"' in body
    _bulk(org_of("ent2"), category, demo["ent2"], 30)
    with CaptureQueriesContext(connection) as large:
        client.get("/")
    assert len(large) == len(small)
    # ent2 counts only its own.
    response = login("ent2").get("/")
    expected = Hazard.objects.restrict(demo["ent2"]).open().count()
    assert response.context["hazard_counts"]["open"] == expected >= 30

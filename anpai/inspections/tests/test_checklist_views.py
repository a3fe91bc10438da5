"""Checklist pages: list and detail for every role holder, editing a local checklist
(always a new version, so inspections keep theirs), copying a shipped one, xlsx."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from anpai.hazards.models import Category
from anpai.hazards.reference import ensure_categories
from anpai.inspections.choices import AnswerResult, InspectionKind
from anpai.inspections.models import Answer, ChecklistItem, ChecklistTemplate, Inspection
from anpai.people.models import Membership
from anpai.standards.models import Clause, Standard

pytestmark = pytest.mark.django_db

LIST = reverse("inspections:checklist_list")


def _detail(pk: int) -> str:
    return reverse("inspections:checklist_detail", args=[pk])


def _edit(pk: int) -> str:
    return reverse("inspections:checklist_edit", args=[pk])


def _org(demo, username):
    return Membership.objects.get(user=demo[username]).organization


@pytest.fixture
def clauses(db):
    """A test standard: one clause that makes a hazard major (verified), one that does not
    (unverified)."""
    standard = Standard.objects.create(
        family="cv-std", code="cv-std-2023", name="测试判定标准", effective_from=date(2023, 1, 1)
    )
    major = Clause.objects.create(
        standard=standard, number="第四条(一)", text="未依法取得安全许可", makes_major=True
    )
    minor = Clause.objects.create(
        standard=standard,
        number="第五条",
        text="安全警示标志缺失",
        makes_major=False,
        is_verified=False,
    )
    return major, minor


def make_checklist(code, *, region=None, shipped=False, clauses=(None, None), n=2):
    ensure_categories()
    template = ChecklistTemplate.objects.create(
        code=code, version=1, name=f"检查表 {code}", region=region, is_shipped=shipped
    )
    electrical = Category.objects.get(code="electrical")
    for i in range(n):
        ChecklistItem.objects.create(
            template=template,
            order=(i + 1) * 10,
            section="现场" if i else "证照",
            question=f"旧问题{i + 1}",
            guidance="查看现场" if i == 0 else "",
            clause=clauses[i] if i < len(clauses) else None,
            category=electrical,
            allow_na=bool(i),
            photo_required_on_fail=not i,
        )
    return template


@pytest.fixture
def local(demo, clauses):
    """A local checklist of the demo township: v1, two items tied to the clauses."""
    township = _org(demo, "township").township
    return make_checklist("cv-local", region=township, clauses=clauses)


@pytest.fixture
def shipped(clauses):
    return make_checklist("cv-shipped", shipped=True, clauses=clauses)


def _post_data(template, **changes) -> dict:
    """The edit form as the browser sends it, with the template's items unchanged."""
    items = list(template.items.select_related("clause__standard").order_by("order"))
    data = {
        "name": changes.pop("name", template.name),
        "description": template.description,
        "industry": "",
        "place_kind": template.place_kind,
        "form-TOTAL_FORMS": str(len(items) + 1),
        "form-INITIAL_FORMS": str(len(items)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    for i, item in enumerate(items):
        p = f"form-{i}-"
        data.update(
            {
                p + "order": str(item.order),
                p + "section": item.section,
                p + "question": item.question,
                p + "guidance": item.guidance,
                p + "clause": f"{item.clause.standard.code}#{item.clause.number}"
                if item.clause
                else "",
                p + "category": str(item.category_id or ""),
            }
        )
        if item.allow_na:
            data[p + "allow_na"] = "on"
        if item.photo_required_on_fail:
            data[p + "photo_required_on_fail"] = "on"
    last = len(items)
    for key in ("order", "section", "question", "guidance", "clause", "category"):
        data[f"form-{last}-{key}"] = ""
    data.update(changes)
    return data


# ---------------------------------------------------------------- list and detail


@pytest.mark.parametrize("persona", ["township", "ent1", "ent1safety", "county", "dept"])
def test_list_and_detail_render_for_role_holders(login, local, shipped, persona):
    client = login(persona)
    response = client.get(LIST)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-code="cv-local"' in body
    assert 'data-code="cv-shipped"' in body
    response = client.get(_detail(shipped.pk))
    assert response.status_code == 200


def test_list_needs_login(client):
    assert client.get(LIST).status_code == 302


def test_local_checklist_of_another_township_is_invisible(login, clauses):
    from anpai.regions.choices import RegionLevel
    from anpai.regions.models import Region

    county = Region.objects.create(code="141128000000", name="汾阳市", level=RegionLevel.COUNTY)
    elsewhere = Region.objects.create(
        code="141128100000", name="外乡", level=RegionLevel.TOWNSHIP, parent=county
    )
    other = make_checklist("cv-elsewhere", region=elsewhere)
    client = login("township")
    assert 'data-code="cv-elsewhere"' not in client.get(LIST).content.decode()
    assert client.get(_detail(other.pk)).status_code == 404
    assert client.post(_edit(other.pk), _post_data(other)).status_code == 404


def test_detail_shows_items_clauses_badges_and_history(login, local):
    body = login("ent1").get(_detail(local.pk)).content.decode()
    assert body.count('data-testid="checklist-item"') == 2
    assert "旧问题1" in body
    assert "查看现场" in body  # guidance
    assert "第四条(一)" in body
    assert body.count('data-testid="badge-major"') == 1
    assert body.count('data-testid="unverified"') == 1  # the unverified clause
    assert body.count('data-testid="photo-required"') == 1
    assert 'data-testid="checklist-history"' in body
    assert 'data-testid="checklist-edit"' not in body  # ent1 may not edit


# ---------------------------------------------------------------- shipped: copy, never edit


def test_shipped_checklist_is_read_only_but_can_be_copied(login, demo, shipped):
    client = login("township")
    body = client.get(_detail(shipped.pk)).content.decode()
    assert 'data-testid="checklist-edit"' not in body
    assert 'data-testid="checklist-copy"' in body
    assert client.get(_edit(shipped.pk)).status_code == 403
    assert client.post(_edit(shipped.pk), _post_data(shipped, name="改")).status_code == 403
    assert ChecklistTemplate.objects.filter(code="cv-shipped").count() == 1

    response = client.post(reverse("inspections:checklist_copy", args=[shipped.pk]))
    assert response.status_code == 302
    copy = ChecklistTemplate.objects.exclude(pk=shipped.pk).get(code__startswith="cv-shipped-")
    assert response["Location"] == _edit(copy.pk)
    assert copy.region == _org(demo, "township").township
    assert not copy.is_shipped
    assert copy.items.count() == 2
    assert copy.name == "检查表 cv-shipped（西槽头乡）"
    shipped.refresh_from_db()
    assert shipped.is_current


@pytest.mark.parametrize("persona", ["ent1", "ent1safety", "county"])
def test_others_may_not_copy_or_edit(login, shipped, local, persona):
    client = login(persona)
    assert 'data-testid="checklist-copy"' not in client.get(_detail(shipped.pk)).content.decode()
    assert client.post(reverse("inspections:checklist_copy", args=[shipped.pk])).status_code == 403
    assert client.post(_edit(local.pk), _post_data(local, name="改")).status_code == 403
    assert ChecklistTemplate.objects.filter(code="cv-local").count() == 1


# ---------------------------------------------------------------- editing makes a version


def test_edit_makes_a_new_version_and_old_inspections_keep_their_items(login, demo, local):
    org = _org(demo, "ent1")
    inspection = Inspection.objects.create(
        organization=org,
        kind=InspectionKind.TOWNSHIP,
        template=local,
        lead=demo["township"],
        date=date(2024, 3, 1),
    )
    old_items = list(local.items.order_by("order"))
    Answer.objects.create(inspection=inspection, item=old_items[0], result=AnswerResult.FAIL)

    client = login("township")
    body = client.get(_detail(local.pk)).content.decode()
    assert 'data-testid="checklist-edit"' in body
    assert client.get(_edit(local.pk)).status_code == 200
    data = _post_data(
        local,
        **{
            "name": "检查表 第二版",
            "form-0-question": "新问题1：许可证是否在有效期内？",
            "form-1-DELETE": "on",
            "form-2-question": "新增：消防器材是否完好？",
            "form-2-clause": "cv-std-2023#第五条",
        },
    )
    response = client.post(_edit(local.pk), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    v2 = ChecklistTemplate.objects.get(code="cv-local", is_current=True)
    assert v2.version == 2
    assert response["Location"] == _detail(v2.pk)
    assert v2.name == "检查表 第二版"
    questions = list(v2.items.order_by("order").values_list("question", flat=True))
    assert questions == ["新问题1：许可证是否在有效期内？", "新增：消防器材是否完好？"]
    assert v2.items.get(question__startswith="新增").clause.number == "第五条"

    # The version the inspection used is untouched, and so is the inspection.
    local.refresh_from_db()
    assert not local.is_current
    assert local.name == "检查表 cv-local"
    inspection.refresh_from_db()
    assert inspection.template_id == local.pk
    assert [i.question for i in inspection.template.items.order_by("order")] == [
        "旧问题1",
        "旧问题2",
    ]
    assert inspection.answers.get().item.question == "旧问题1"
    body = client.get(_detail(local.pk)).content.decode()
    assert 'data-testid="old-version"' in body
    assert "旧问题1" in body
    # The version history counts the inspections that keep using the old version.
    english = client.get(_detail(local.pk), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "used by 1 inspection" in english
    assert 'data-testid="checklist-edit"' not in body  # history is not edited
    assert client.get(_edit(local.pk)).status_code == 403

    # The list shows the current version and how many older ones there are.
    body = client.get(LIST, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "v2" in body
    assert "1 older version" in body
    body = client.get(_detail(v2.pk), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 older version" in body


def test_edit_validation_names_the_fields_and_saves_nothing(login, local):
    client = login("township")
    data = _post_data(
        local,
        **{"name": "", "form-0-question": "", "form-1-clause": "no-such-std#第1条"},
    )
    response = client.post(_edit(local.pk), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="error-name"' in body
    assert 'data-testid="error-form-0-question"' in body
    assert 'data-testid="error-form-1-clause"' in body
    assert ChecklistTemplate.objects.filter(code="cv-local").count() == 1
    # Removing every item is refused too.
    data = _post_data(local, **{"form-0-DELETE": "on", "form-1-DELETE": "on"})
    response = client.post(_edit(local.pk), data)
    assert response.status_code == 400
    assert 'data-testid="error-items"' in response.content.decode()
    assert ChecklistTemplate.objects.filter(code="cv-local").count() == 1


# ---------------------------------------------------------------- xlsx


def test_export_and_import_round_trip(login, local):
    client = login("township")
    response = client.get(reverse("inspections:checklist_export", args=[local.pk]))
    assert response.status_code == 200
    from anpai.audit.models import AuditAction, AuditRecord

    exported = AuditRecord.objects.filter(action=AuditAction.EXPORT, object_id=str(local.pk))
    assert exported.get().actor_username == "township"  # exports are audited
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert any("旧问题1" in [str(v) for v in row] for row in rows)
    # Change the first question and upload: a new version, nothing else touched.
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == "旧问题1":
                cell.value = "导入后的问题1"
    out = io.BytesIO()
    workbook.save(out)
    upload = SimpleUploadedFile("checklist.xlsx", out.getvalue())
    response = client.post(reverse("inspections:checklist_import"), {"file": upload})
    assert response.status_code == 200, response.content.decode()[:3000]
    assert 'data-testid="import-ok"' in response.content.decode()
    v2 = ChecklistTemplate.objects.get(code="cv-local", is_current=True)
    assert v2.version == 2
    assert v2.items.filter(question="导入后的问题1").exists()
    assert local.items.filter(question="旧问题1").exists()
    imported = AuditRecord.objects.get(action=AuditAction.IMPORT, object_id=str(v2.pk))
    assert imported.after["file"] == "checklist.xlsx"


def test_import_errors_are_listed_and_nothing_is_saved(login, local):
    client = login("township")
    response = client.get(reverse("inspections:checklist_export", args=[local.pk]))
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == "cv-std-2023#第四条(一)":
                cell.value = "cv-std-2023#第九十九条"
    out = io.BytesIO()
    workbook.save(out)
    upload = SimpleUploadedFile("checklist.xlsx", out.getvalue())
    response = client.post(reverse("inspections:checklist_import"), {"file": upload})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="import-errors"' in body
    assert "第九十九条" in body
    assert ChecklistTemplate.objects.filter(code="cv-local").count() == 1


@pytest.mark.parametrize(
    ("persona", "export", "import_"),
    [("township", 200, 200), ("ent1safety", 200, 403), ("ent1", 403, 403), ("county", 403, 403)],
)
def test_xlsx_follows_the_policy(login, shipped, persona, export, import_):
    client = login(persona)
    url = reverse("inspections:checklist_export", args=[shipped.pk])
    assert client.get(url).status_code == export
    assert client.get(reverse("inspections:checklist_import")).status_code == import_
    body = client.get(LIST).content.decode()
    assert ('data-testid="checklist-import"' in body) == (import_ == 200)


# ---------------------------------------------------------------- query counts


def test_list_and_detail_query_counts_do_not_grow(login, local, clauses):
    client = login("township")
    client.get(LIST)

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    list_before, detail_before = count(LIST), count(_detail(local.pk))
    for n in range(6):
        make_checklist(f"cv-bulk-{n}", shipped=True, clauses=clauses, n=4)
    for _ in range(2):
        ChecklistItem.objects.create(
            template=local, order=99, question="再加一项", clause=clauses[0]
        )
    assert count(LIST) == list_before
    assert count(_detail(local.pk)) == detail_before


def test_organisations_own_checklists_are_listed_apart(login, demo):
    own = ChecklistTemplate.objects.filter(organization__isnull=False, is_current=True)
    assert own.exists()  # the demo's risk control checks of ent1's enterprise
    client = login("township")
    shared = client.get(LIST)
    listed = [t.pk for g in shared.context["groups"] for t in g["templates"]]
    assert not set(listed) & set(own.values_list("pk", flat=True))
    assert shared.context["own_count"] == own.count()
    apart = client.get(LIST, {"own": "1"})
    listed = {t.pk for g in apart.context["groups"] for t in g["templates"]}
    assert listed == set(own.values_list("pk", flat=True))
    # Another enterprise sees neither the list nor the count of ent1's.
    assert login("ent2").get(LIST).context["own_count"] == 0

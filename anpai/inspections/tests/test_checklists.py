"""Checklist content: shipped data, loading, versioning, xlsx round trip and the API."""

from __future__ import annotations

import json
from io import BytesIO

import pytest
from openpyxl import load_workbook

from anpai.core.errors import Conflict, Forbidden, Invalid
from anpai.inspections import checklists
from anpai.inspections.choices import InspectionKind
from anpai.inspections.models import Answer, ChecklistItem, ChecklistTemplate, Inspection
from anpai.standards.models import Clause

INDUSTRY_TEMPLATES = {
    "hazchem",
    "construction",
    "road_transport",
    "explosives",
    "culture_tourism",
    "fire_crowded",
    "metallurgy_trade",
    "gas",
}


def _docs() -> dict[str, dict]:
    return {doc["code"]: doc for _path, doc in checklists.read_documents()}


# ---------------------------------------------------------------- shipped data


def test_shipped_documents_validate():
    docs = _docs()
    assert set(docs) == {"campaign-2023", *INDUSTRY_TEMPLATES}
    for code in INDUSTRY_TEMPLATES:
        assert docs[code]["industry"] == code
        assert 6 <= len(docs[code]["items"]) <= 15, code
    for code, doc in docs.items():
        assert checklists.validate_document(doc) == [], code


@pytest.mark.django_db
def test_every_clause_reference_resolves():
    for code, doc in _docs().items():
        for item in doc["items"]:
            if item["clause"]:
                std, _sep, number = item["clause"].partition("#")
                assert Clause.objects.filter(standard__code=std, number=number).exists(), (
                    code,
                    item["clause"],
                )


@pytest.mark.django_db
def test_campaign_covers_the_notice_and_majors_come_only_from_clauses():
    template = ChecklistTemplate.objects.get(code="campaign-2023", is_current=True)
    items = list(template.items.select_related("clause", "category"))
    assert len(items) >= 15
    assert {i.category.code for i in items} >= {
        "electrical",
        "gas",
        "fire_facilities",
        "evacuation",
        "structure",
        "hazardous_work",
    }
    major = [i for i in items if i.clause and i.clause.makes_major]
    assert len(major) >= 2
    # The rest cite no clause or one that does not by itself make a hazard major.
    assert all(i.clause is None or not i.clause.makes_major for i in items if i not in major)
    text = " ".join(i.question for i in items)
    for phrase in (
        "大功率",
        "过载",
        "易燃",
        "安全出口",
        "气瓶间",
        "紧急切断阀",
        "承重构件",
        "动火",
        "有限空间",
        "高处作业",
    ):
        assert phrase in text, phrase


def test_validate_document_reports_problems():
    doc = json.loads((checklists.DATA_DIR / "gas.json").read_text(encoding="utf-8"))
    doc["industry"] = "mining"
    doc["items"][0]["category"] = "nope"
    doc["items"][1]["clause"] = "gas-2023 第1项"
    doc["items"][2]["question"] = " "
    problems = " ".join(checklists.validate_document(doc))
    for expected in ("unknown industry", "unknown category", "clause must be", "empty question"):
        assert expected in problems


@pytest.mark.django_db
def test_loader_is_idempotent_and_respects_newer_local_versions(tmp_path):
    before = (ChecklistTemplate.objects.count(), ChecklistItem.objects.count())
    counts = checklists.load_shipped_checklists()
    assert counts == {"checklists": 9, "created": 0, "unchanged": 9, "items_created": 0}
    assert checklists.load_shipped_checklists() == counts
    assert (ChecklistTemplate.objects.count(), ChecklistItem.objects.count()) == before

    # A newer shipped version becomes current; an older one loaded later does not.
    doc = _docs()["gas"]
    doc["code"] = "tmp-gas"
    for version, count in ((1, 11), (3, 6), (2, 7)):
        doc["version"] = version
        doc["items"] = _docs()["gas"]["items"][:count]
        (tmp_path / "tmp-gas.json").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
        assert checklists.load_shipped_checklists(tmp_path)["created"] == 1
    current = ChecklistTemplate.objects.get(code="tmp-gas", is_current=True)
    assert current.version == 3
    assert current.items.count() == 6
    assert ChecklistTemplate.objects.filter(code="tmp-gas").count() == 3


@pytest.mark.django_db
def test_loader_refuses_an_unknown_clause(tmp_path):
    doc = _docs()["gas"]
    doc["code"] = "broken"
    doc["items"][0]["clause"] = "gas-2023#第99项"
    (tmp_path / "broken.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValueError, match="第99项"):
        checklists.load_shipped_checklists(tmp_path)
    assert not ChecklistTemplate.objects.filter(code="broken").exists()


# ---------------------------------------------------------------- versioning


@pytest.fixture
def local(demo):
    """A local copy of the campaign checklist, made by the township officer."""
    shipped = ChecklistTemplate.objects.get(code="campaign-2023", is_current=True)
    return checklists.copy(shipped, by=demo["township"], code="xct-campaign", name="本乡检查表")


@pytest.mark.django_db
def test_copy_is_local_to_the_township(demo, local):
    assert not local.is_shipped
    assert local.version == 1
    assert local.is_current
    assert local.region == demo["township"].memberships.get().organization.region
    assert local.items.count() == 20
    with pytest.raises(Invalid):
        checklists.copy(local, by=demo["township"], code="xct-campaign")
    with pytest.raises(Invalid):
        checklists.copy(local, by=demo["township"], code="Not a slug!")
    with pytest.raises(Forbidden):
        checklists.copy(local, by=demo["ent1"], code="ent-copy")


@pytest.mark.django_db
def test_shipped_checklists_cannot_be_versioned(demo, english):
    shipped = ChecklistTemplate.objects.get(code="campaign-2023", is_current=True)
    with pytest.raises(Forbidden, match="read-only"):
        checklists.new_version(shipped, by=demo["township"], changes={"name": "x"})


@pytest.mark.django_db
def test_new_version_leaves_old_inspections_alone(demo, local):
    org = demo["ent1"].memberships.get().organization
    inspection = Inspection.objects.create(
        organization=org, kind=InspectionKind.TOWNSHIP, template=local, lead=demo["township"]
    )
    old_items = list(local.items.order_by("order"))
    Answer.objects.create(inspection=inspection, item=old_items[0], result="fail")
    snapshot = [(i.pk, i.question, i.clause_id) for i in old_items]

    first, second = old_items[0], old_items[1]
    new = checklists.new_version(
        local,
        by=demo["township"],
        changes={
            "name": "本乡检查表（修订）",
            "remove": [second.pk],
            "update": {first.pk: {"question": "电气线路是否完好？"}},
            "add": [
                {
                    "question": "是否配备应急照明？",
                    "category": "fire_facilities",
                    "clause": "gb35181-2025#第6章·消防设施",
                }
            ],
        },
    )
    local.refresh_from_db()
    assert (new.code, new.version, new.is_current) == ("xct-campaign", 2, True)
    assert not local.is_current
    assert new.name == "本乡检查表（修订）"
    questions = list(new.items.order_by("order").values_list("question", flat=True))
    assert questions[0] == "电气线路是否完好？"
    assert second.question not in questions
    assert questions[-1] == "是否配备应急照明？"
    assert len(questions) == 20
    # The inspection still points at version 1 and its items are unchanged.
    inspection.refresh_from_db()
    assert inspection.template_id == local.pk
    assert [(i.pk, i.question, i.clause_id) for i in local.items.order_by("order")] == snapshot
    assert inspection.answers.get().item_id == first.pk

    with pytest.raises(Conflict):  # v1 is no longer current
        checklists.new_version(local, by=demo["township"], changes={"name": "again"})


@pytest.mark.django_db
def test_new_version_validates_everything_and_saves_nothing(demo, local, english):
    with pytest.raises(Invalid) as exc:
        checklists.new_version(
            local,
            by=demo["township"],
            changes={
                "items": [
                    {"question": ""},
                    {"question": "ok", "clause": "nope#1", "category": "bogus"},
                ]
            },
        )
    text = " ".join(exc.value.fields["items"])
    assert "Item 1" in text
    assert "nope#1" in text
    assert "bogus" in text
    assert ChecklistTemplate.objects.filter(code="xct-campaign").count() == 1
    local.refresh_from_db()
    assert local.is_current
    with pytest.raises(Invalid):
        checklists.new_version(local, by=demo["township"], changes={"remove": [0]})


@pytest.mark.django_db
def test_only_the_policy_may_change(demo, local):
    for persona in ("ent1safety", "dept", "leader"):
        with pytest.raises(Forbidden):
            checklists.new_version(local, by=demo[persona], changes={"name": "x"})


# ---------------------------------------------------------------- xlsx


def _xlsx(workbook) -> BytesIO:
    buffer = BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "checklist.xlsx"
    return buffer


@pytest.mark.django_db
def test_xlsx_round_trip_of_a_shipped_checklist_as_a_new_code(demo, english):
    shipped = ChecklistTemplate.objects.get(code="campaign-2023", is_current=True)
    upload = _xlsx(checklists.export_xlsx(shipped))
    # Re-importing under the shipped code would change a read-only checklist.
    with pytest.raises(Invalid) as exc:
        checklists.import_xlsx(upload, by=demo["township"])
    assert "read-only" in " ".join(" ".join(v) for v in exc.value.fields.values())
    upload.seek(0)
    imported = checklists.import_xlsx(upload, by=demo["township"], code="xct-imported")
    assert (imported.version, imported.is_shipped, imported.name) == (1, False, shipped.name)
    assert imported.industry == shipped.industry
    assert imported.description == shipped.description

    def rows(t):
        return [
            (
                i.order,
                i.section,
                i.question,
                i.guidance,
                i.clause_id,
                i.category_id,
                i.allow_na,
                i.photo_required_on_fail,
            )
            for i in t.items.order_by("order")
        ]

    assert rows(imported) == rows(shipped)

    # Importing the same code again makes version 2.
    upload = _xlsx(checklists.export_xlsx(imported))
    again = checklists.import_xlsx(upload, by=demo["township"])
    assert (again.code, again.version, again.is_current) == ("xct-imported", 2, True)
    assert rows(again) == rows(imported)


@pytest.mark.django_db
def test_xlsx_import_reports_every_bad_row_and_saves_nothing(demo):
    workbook = checklists.import_template()
    sheet = workbook.active
    sheet["B1"], sheet["D1"] = "xct-bad", "坏表"
    sheet.append([10, "A", "", "", "", "", "", ""])
    sheet.append([20, "A", "问题二", "", "gas-2023#第99项", "", "", ""])
    sheet.append(["x", "A", "问题三", "", "", "不存在", "也许", ""])
    sheet.append([40, "A", "问题四", "", "gas-2023#第1项", "燃气使用", "是", "否"])
    result = checklists.run_import(_xlsx(workbook), user=demo["township"])
    found = {(e.row, e.column) for e in result.errors}
    assert found == {
        (4, "检查内容"),
        (5, "判定依据"),
        (6, "序号"),
        (6, "隐患类别"),
        (6, "可不适用"),
    }
    assert not ChecklistTemplate.objects.filter(code="xct-bad").exists()


@pytest.mark.django_db
def test_xlsx_import_refuses_a_non_workbook_and_roles_without_import(demo):
    junk = BytesIO(b"not a workbook")
    junk.name = "x.xlsx"
    with pytest.raises(Invalid) as exc:
        checklists.import_xlsx(junk, by=demo["township"])
    assert "file" in exc.value.fields
    workbook = checklists.import_template()
    workbook.active["B1"], workbook.active["D1"] = "ent-own", "企业自编"
    workbook.active.append([10, "", "问题", "", "", "", "", ""])
    with pytest.raises(Invalid) as exc:
        checklists.import_xlsx(_xlsx(workbook), by=demo["ent1safety"])
    assert not ChecklistTemplate.objects.filter(code="ent-own").exists()


@pytest.mark.django_db
def test_export_writes_formula_like_text_as_text(demo, local):
    checklists.new_version(
        local, by=demo["township"], changes={"add": [{"question": "=1+1", "category": "other"}]}
    )
    current = ChecklistTemplate.objects.get(code="xct-campaign", is_current=True)
    sheet = load_workbook(_xlsx(checklists.export_xlsx(current))).active
    cell = next(row[2] for row in sheet.iter_rows(min_row=4) if row[2].value == "=1+1")
    assert cell.data_type == "s"


# ---------------------------------------------------------------- API

URL = "/api/v1/checklists/"


@pytest.mark.django_db
def test_api_lists_current_versions_and_any_version_by_code(api, demo, local):
    checklists.new_version(local, by=demo["township"], changes={"name": "v2"})
    client = api("township")
    rows = client.get(URL, {"page_size": 100}).json()["results"]
    codes = [r["code"] for r in rows]
    assert {"campaign-2023", *INDUSTRY_TEMPLATES, "xct-campaign"} <= set(codes)
    assert len(codes) == len(set(codes))  # current versions only
    assert [r["version"] for r in rows if r["code"] == "xct-campaign"] == [2]
    one = client.get(URL, {"code": "xct-campaign", "version": 1}).json()["results"]
    assert [(r["version"], r["is_current"]) for r in one] == [(1, False)]
    both = client.get(URL, {"code": "xct-campaign", "all_versions": "true"}).json()["results"]
    assert [r["version"] for r in both] == [2, 1]
    assert client.get(URL, {"industry": "gas"}).json()["results"][0]["code"] == "gas"


@pytest.mark.django_db
def test_api_detail_nests_items_with_clauses(api):
    pk = ChecklistTemplate.objects.get(code="campaign-2023", is_current=True).pk
    body = api("ent2").get(f"{URL}{pk}/").json()
    assert body["item_count"] == len(body["items"]) == 20
    cited = [i for i in body["items"] if i["clause"]]
    assert any(i["clause"]["makes_major"] for i in cited)
    assert cited[0]["clause"]["ref"].startswith(cited[0]["clause"]["standard"] + "#")
    assert api("ent2").get(f"{URL}999999/").status_code == 404


@pytest.mark.django_db
def test_api_local_checklist_is_404_outside_its_area(api, demo, local):
    from anpai.regions.choices import RegionLevel
    from anpai.regions.models import Region

    assert api("ent2").get(f"{URL}{local.pk}/").status_code == 200
    county = Region.objects.create(code="141128000000", name="外县", level=RegionLevel.COUNTY)
    far = ChecklistTemplate.objects.create(code="far", name="外县表", region=county)
    assert api("township").get(f"{URL}{far.pk}/").status_code == 404
    codes = [r["code"] for r in api("township").get(URL, {"page_size": 100}).json()["results"]]
    assert "far" not in codes


@pytest.mark.django_db
def test_api_detail_query_count_is_constant(api, django_assert_max_num_queries):
    pk = ChecklistTemplate.objects.get(code="campaign-2023", is_current=True).pk
    client = api("township")
    with django_assert_max_num_queries(10):
        assert client.get(f"{URL}{pk}/").status_code == 200

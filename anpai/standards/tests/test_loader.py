"""The shipped standards library: its data files, the loader and versions in force."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from anpai.orgs.models import Industry
from anpai.regions.choices import RegionLevel
from anpai.regions.models import Region
from anpai.standards import loader
from anpai.standards.models import Clause, Standard

CODES = {
    "gongmao-2023",
    "hazchem-2017",
    "fireworks-2017",
    "explosives-2023",
    "explosives-2024",
    "construction-2022",
    "construction-2024",
    "gas-2023",
    "road-2023",
    "gb35181-2017",
    "gb35181-2025",
}
FAMILIES = {
    "gongmao",
    "hazchem",
    "fireworks",
    "explosives",
    "construction",
    "gas",
    "road",
    "gb35181",
}


def _docs():
    return {doc["code"]: doc for _path, doc in loader.read_documents()}


def test_every_data_file_validates_and_every_code_is_shipped():
    docs = _docs()
    assert set(docs) == CODES
    assert {doc["family"] for doc in docs.values()} == FAMILIES
    for code, doc in docs.items():
        assert loader.validate(doc) == [], code
        assert doc["industry"] in loader.INDUSTRY_CODES, code
        for clause in doc["clauses"]:
            assert clause["source_ref"], (code, clause["number"])


def test_hazchem_has_its_twenty_items_all_major():
    doc = _docs()["hazchem-2017"]
    assert [c["number"] for c in doc["clauses"]] == [f"第{i}项" for i in range(1, 21)]
    assert all(c["makes_major"] and c["is_verified"] for c in doc["clauses"])


def test_gongmao_general_items_are_verified_and_summaries_are_not():
    clauses = {c["number"]: c for c in _docs()["gongmao-2023"]["clauses"]}
    for number in ("第三条(一)", "第三条(二)", "第三条(三)"):
        assert clauses[number]["is_verified"]
        assert clauses[number]["makes_major"]
    for number in ("第四条", "第十条", "第十一条", "第十二条"):
        assert not clauses[number]["is_verified"]
    assert all(c["makes_major"] for c in clauses.values())


def test_validate_reports_bad_documents():
    doc = json.loads((loader.DATA_DIR / "road-2023.json").read_text(encoding="utf-8"))
    doc["industry"] = "mining"
    doc["repealed_on"] = "2020-01-01"
    doc["clauses"].append(dict(doc["clauses"][0]))
    problems = " ".join(loader.validate(doc))
    assert "unknown industry" in problems
    assert "repealed_on must be after" in problems
    assert "appears twice" in problems
    del doc["clauses"]
    assert "missing key 'clauses'" in " ".join(loader.validate(doc))


@pytest.mark.django_db
def test_migration_loaded_everything_and_loader_is_idempotent():
    assert set(Standard.objects.filter(is_shipped=True).values_list("code", flat=True)) >= CODES
    before = (Standard.objects.count(), Clause.objects.count())
    first = loader.load_standards()
    second = loader.load_standards()
    assert first == second  # nothing left to create or update after the migration
    assert second["created"] == second["updated"] == second["clauses_created"] == 0
    assert second["standards"] == len(CODES)
    assert (Standard.objects.count(), Clause.objects.count()) == before


@pytest.mark.django_db
def test_loader_restores_edited_shipped_rows_and_never_touches_local_ones(tmp_path):
    shipped = Standard.objects.get(code="road-2023")
    shipped.name = "改过的名称"
    shipped.save()
    Clause.objects.filter(standard=shipped, number="第1项").update(text="改过")
    Clause.objects.filter(standard=shipped, number="第5项").delete()  # no item cites it
    counts = loader.load_standards()
    assert counts["updated"] == 1
    assert counts["clauses_updated"] == 1
    assert counts["clauses_created"] == 1
    shipped.refresh_from_db()
    assert shipped.name.startswith("道路运输企业")

    # A local standard that happens to hold a shipped code is left alone.
    doc = json.loads((loader.DATA_DIR / "gas-2023.json").read_text(encoding="utf-8"))
    doc["code"] = "local-gas"
    (tmp_path / "local-gas.json").write_text(json.dumps(doc, ensure_ascii=False))
    region = Region.objects.filter(level=RegionLevel.TOWNSHIP).first()
    local = Standard.objects.create(
        code="local-gas",
        family="gas",
        name="本乡燃气规定",
        effective_from=date(2024, 1, 1),
        region=region,
        is_shipped=False,
    )
    counts = loader.load_standards(tmp_path)
    assert counts["skipped"] == 1
    assert counts["created"] == 0
    local.refresh_from_db()
    assert local.name == "本乡燃气规定"
    assert not local.clauses.exists()


@pytest.mark.django_db
def test_shipped_rows_point_at_their_industry():
    assert Standard.objects.get(code="hazchem-2017").industry == Industry.objects.get(
        code="hazchem"
    )
    assert Standard.objects.get(code="gb35181-2025").industry.code == "fire_crowded"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2025, 10, 31), "gb35181-2017"),
        (date(2025, 11, 1), "gb35181-2025"),
        (date(2024, 12, 2), "explosives-2023"),
        (date(2024, 12, 3), "explosives-2024"),
    ],
)
def test_in_force_picks_the_version_of_the_day(on, expected):
    family = expected.split("-")[0]
    in_force = Standard.objects.in_force(on).filter(family=family)
    assert list(in_force.values_list("code", flat=True)) == [expected]


@pytest.mark.django_db
def test_shipped_standards_are_read_only(demo):
    for persona in ("township", "admin", "ent1"):
        user = demo[persona]
        assert Standard.objects.restrict(user, "view").filter(code="gongmao-2023").exists()
        assert not Standard.objects.restrict(user, "change").filter(is_shipped=True).exists()


@pytest.mark.django_db
def test_command_prints_counts():
    out = StringIO()
    call_command("load-standards", stdout=out)
    text = out.getvalue()
    assert "standards: 11 in files, 0 created, 0 updated" in text
    assert "checklists: 9 in files, 0 created, 9 unchanged" in text

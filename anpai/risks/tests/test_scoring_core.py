"""The core of assessment: the notice's examples under the default bands, and that a
township's new bands change new assessments, never the old ones."""

import pytest

from anpai.core.errors import Forbidden, Invalid
from anpai.orgs.models import Organization
from anpai.risks import actions
from anpai.risks.models import Assessment


@pytest.fixture
def point(demo):
    org = Organization.objects.get(
        memberships__user=demo["ent1"], memberships__role="ent_principal"
    )
    return actions.create_point(
        by=demo["ent1"],
        organization=org,
        name="液氨储罐区",
        kind="area",
        accident_types=["poisoning"],
    )


@pytest.mark.django_db
def test_lec_examples_under_default_bands(point, demo):
    major = actions.assess(point, by=demo["ent1"], method="lec", values={"l": 6, "e": 6, "c": 15})
    assert (major.score, major.level, major.colour) == (540, "major", "red")
    point.refresh_from_db()
    assert (point.level, point.control_level) == ("major", "company")
    general = actions.assess(point, by=demo["ent1"], method="lec", values={"l": 3, "e": 6, "c": 7})
    assert (general.score, general.level, general.colour) == (126, "general", "yellow")
    point.refresh_from_db()
    assert (point.level, point.control_level) == ("general", "team")


@pytest.mark.django_db
def test_matrix_bands(point, demo):
    a = actions.assess(point, by=demo["ent1"], method="matrix", values={"l": 4, "s": 4})
    assert (a.score, a.level) == (16, "significant")
    b = actions.assess(point, by=demo["ent1"], method="matrix", values={"l": 5, "s": 4})
    assert (b.score, b.level) == (20, "major")


@pytest.mark.django_db
def test_value_outside_the_table_is_refused_and_nothing_saved(point, demo):
    with pytest.raises(Invalid) as err:
        actions.assess(point, by=demo["ent1"], method="lec", values={"l": 5, "e": 6})
    assert set(err.value.fields) == {"l", "c"}
    assert not Assessment.objects.filter(point=point).exists()


@pytest.mark.django_db
def test_new_bands_change_new_assessments_not_history(point, demo):
    township = point.organization.township
    first = actions.assess(point, by=demo["ent1"], method="lec", values={"l": 3, "e": 6, "c": 7})
    data = actions.scheme_for(township, "lec").data
    data["bands"] = [
        {"level": "major", "min": "160"},
        {"level": "significant", "min": "70"},
        {"level": "general", "min": "20"},
        {"level": "low", "min": "0"},
    ]
    scheme = actions.save_scheme(by=demo["township"], region=township, method="lec", data=data)
    assert scheme.version == 1
    assert scheme.region == township
    second = actions.assess(point, by=demo["ent1"], method="lec", values={"l": 3, "e": 6, "c": 7})
    assert second.level == "significant"
    first.refresh_from_db()
    assert first.level == "general"
    assert first.bands[0]["min"] == "320"


@pytest.mark.django_db
def test_only_township_officers_set_the_scheme(point, demo):
    township = point.organization.township
    data = actions.scheme_for(township, "lec").data
    with pytest.raises(Forbidden):
        actions.save_scheme(by=demo["ent1"], region=township, method="lec", data=data)
    data["bands"][1]["min"] = "400"
    with pytest.raises(Invalid) as err:
        actions.save_scheme(by=demo["township"], region=township, method="lec", data=data)
    assert "bands" in err.value.fields

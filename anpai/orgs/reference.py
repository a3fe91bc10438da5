"""Reference data every installation has: the notice's key industries."""

from __future__ import annotations

INDUSTRIES = [
    ("hazchem", "危险化学品", "Hazardous chemicals"),
    ("construction", "建筑施工", "Construction"),
    ("road_transport", "道路运输", "Road transport"),
    ("explosives", "民爆物品", "Civil explosives"),
    ("culture_tourism", "文化旅游", "Culture and tourism"),
    ("fire_crowded", "消防安全/人员密集场所", "Fire safety / crowded places"),
    ("metallurgy_trade", "冶金工贸", "Metallurgy, industry and trade"),
    ("gas", "燃气", "Gas"),
    ("other", "其他", "Other"),
]


def ensure_industries(industry_model=None) -> None:
    """Create the seeded industries that are missing (idempotent; leaves local ones alone).

    Takes the model class so that the data migration can pass its historical model.
    """
    if industry_model is None:
        from anpai.orgs.models import Industry as industry_model
    for order, (code, name, name_en) in enumerate(INDUSTRIES, start=1):
        industry_model.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "sort_order": order * 10}
        )

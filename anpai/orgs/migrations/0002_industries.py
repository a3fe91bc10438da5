"""Seed the notice's key industries (an extensible list: more can be added later)."""

from django.db import migrations

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


def seed(apps, schema_editor):
    Industry = apps.get_model("orgs", "Industry")
    for order, (code, name, name_en) in enumerate(INDUSTRIES, start=1):
        Industry.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "sort_order": order * 10}
        )


def unseed(apps, schema_editor):
    apps.get_model("orgs", "Industry").objects.filter(code__in=[c for c, _, _ in INDUSTRIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]

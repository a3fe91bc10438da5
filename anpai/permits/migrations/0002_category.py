"""The hazard category for special work found without a permit."""

from django.db import migrations


def seed(apps, schema_editor):
    from anpai.hazards.reference import ensure_categories

    ensure_categories(apps.get_model("hazards", "Category"))


class Migration(migrations.Migration):
    dependencies = [("permits", "0001_initial"), ("hazards", "0004_hazard_risk_point")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

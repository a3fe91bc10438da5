"""Seed the hazard categories (an extensible list)."""

from django.db import migrations


def seed(apps, schema_editor):
    from anpai.hazards.reference import ensure_categories

    ensure_categories(apps.get_model("hazards", "Category"))


class Migration(migrations.Migration):
    dependencies = [("hazards", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

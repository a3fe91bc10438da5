"""Seed the notice's key industries (an extensible list: more can be added later)."""

from django.db import migrations


def seed(apps, schema_editor):
    from anpai.orgs.reference import ensure_industries

    ensure_industries(apps.get_model("orgs", "Industry"))


def unseed(apps, schema_editor):
    from anpai.orgs.reference import INDUSTRIES

    apps.get_model("orgs", "Industry").objects.filter(
        code__in=[code for code, _, _ in INDUSTRIES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]

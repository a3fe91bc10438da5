"""Load the shipped standards library (anpai/standards/data/*.json)."""

from django.db import migrations


def load(apps, schema_editor):
    from anpai.standards.loader import load_standards

    load_standards(apps=apps)


class Migration(migrations.Migration):
    dependencies = [("standards", "0001_initial"), ("orgs", "0002_industries")]
    # Not reversed: shipped rows may be referenced by checklists and hazards by then.
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

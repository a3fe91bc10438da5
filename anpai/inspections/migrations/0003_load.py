"""Load the shipped checklists (anpai/inspections/data/*.json), after the standards
library and the hazard categories their items cite."""

from django.db import migrations


def load(apps, schema_editor):
    from anpai.inspections.checklists import load_shipped_checklists

    load_shipped_checklists(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0002_initial"),
        ("standards", "0002_load"),
        ("hazards", "0002_categories"),
        ("orgs", "0002_industries"),
    ]
    # Not reversed: inspections may already use the shipped versions.
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

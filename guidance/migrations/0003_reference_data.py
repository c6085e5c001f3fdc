"""Load the stage checklist templates, support programmes and expert kinds."""

from django.db import migrations

from guidance.reference import sync_reference_data


class Migration(migrations.Migration):
    dependencies = [("guidance", "0002_workflow")]

    operations = [migrations.RunPython(sync_reference_data, migrations.RunPython.noop)]

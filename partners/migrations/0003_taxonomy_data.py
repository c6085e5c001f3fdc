"""Load the fixed lists of management challenges and themes."""

from django.db import migrations

from partners.reference import sync_reference_data


class Migration(migrations.Migration):
    dependencies = [("partners", "0002_profiles")]

    operations = [migrations.RunPython(sync_reference_data, migrations.RunPython.noop)]

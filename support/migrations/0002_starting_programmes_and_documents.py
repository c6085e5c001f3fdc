"""Load the policy package's programmes, the window's own, and the starting model documents."""

from django.db import migrations

from support.reference import sync_reference_data


class Migration(migrations.Migration):
    dependencies = [("support", "0001_programmes_and_documents")]

    operations = [migrations.RunPython(sync_reference_data, migrations.RunPython.noop)]

"""Load the 47 prefectures and the tag taxonomies."""

from django.db import migrations

from cases.reference import sync_reference_data


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(sync_reference_data, migrations.RunPython.noop)]

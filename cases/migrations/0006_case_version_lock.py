"""Cases lock on an integer version (portal/changes.check_version). On SQLite adding the column
rebuilds the table and drops its search triggers, so the index is made again."""

from django.db import migrations, models

from portal.search_index import index_operation


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_refresh_report_case_facts"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.AddField(
            model_name="historicalcase",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        index_operation("cases_case", "cases_case_search_trgm"),
    ]

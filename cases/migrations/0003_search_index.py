"""Index the normalised search text: pg_trgm on PostgreSQL, an FTS5 trigram table on SQLite."""

from django.db import migrations

from portal.search_index import index_operation


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_reference_data")]

    operations = [index_operation("cases_case", "cases_case_search_trgm")]

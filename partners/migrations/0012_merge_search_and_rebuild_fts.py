from django.db import migrations

from portal.search_index import index_operation


class Migration(migrations.Migration):
    """Joins the registry's parallel changes. Several of them added columns, which on SQLite
    rebuilds a table and drops its FTS triggers: whatever order they ran in, set them up again."""

    dependencies = [
        ("partners", "0010_corporation_sort_key_and_site_search"),
        ("partners", "0011_merge_snapshot_versions_and_events"),
    ]

    operations = [
        index_operation("partners_establishment", "partners_establishment_search_trgm"),
        index_operation("partners_corporation", "partners_corporation_search_trgm"),
    ]

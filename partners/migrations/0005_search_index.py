"""Index establishments' and corporations' normalised names: pg_trgm or FTS5 trigram."""

from django.db import migrations

from portal.search_index import index_operation


class Migration(migrations.Migration):
    dependencies = [("partners", "0004_corporation_size")]

    operations = [
        index_operation("partners_establishment", "partners_establishment_search_trgm"),
        index_operation("partners_corporation", "partners_corporation_search_trgm"),
    ]

"""Every full-text index keeps its triggers after all migrations (SQLite rebuilds tables)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_every_sqlite_fts_table_keeps_its_three_triggers():
    if connection.vendor != "sqlite":
        pytest.skip("pg_trgm indexes need no triggers")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name LIKE '%\\_fts' ESCAPE '\\'"
        )
        tables = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT name FROM sqlite_master WHERE type='trigger'")
        triggers = {row[0] for row in cursor.fetchall()}
    assert {"cases_case_fts", "partners_corporation_fts", "partners_establishment_fts"} <= set(
        tables
    )
    for table in tables:
        assert {f"{table}_ai", f"{table}_ad", f"{table}_au"} <= triggers, table


def test_postgresql_has_a_trigram_index_for_each_searched_table():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite uses FTS5 tables")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%search_trgm'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"partners_corporation_search_trgm", "partners_establishment_search_trgm"} <= names

"""Indexes over normalised `search_text` columns: pg_trgm on PostgreSQL, FTS5 trigram on SQLite.

Migrations call `index_operation(table)`; querysets call `matching_filter(queryset, table, terms)`
so every app searches Japanese text the same way.

On SQLite, a later migration that rebuilds the table (adding a foreign key, altering a column)
drops its triggers: such a migration must end with `index_operation(table, ...)` again
(tests/portal/test_search_index.py checks that every FTS table still has its three triggers).
"""

from django.db import connection, migrations
from django.db.models.expressions import RawSQL


def _sqlite_forward(table: str) -> list[str]:
    fts = f"{table}_fts"
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5("
        f"search_text, content='{table}', content_rowid='id', tokenize='trigram')",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ad AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, search_text) "
        f"VALUES ('delete', old.id, old.search_text); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_au AFTER UPDATE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, search_text) "
        f"VALUES ('delete', old.id, old.search_text); "
        f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def _sqlite_backward(table: str) -> list[str]:
    fts = f"{table}_fts"
    return [
        f"DROP TRIGGER IF EXISTS {fts}_ai",
        f"DROP TRIGGER IF EXISTS {fts}_ad",
        f"DROP TRIGGER IF EXISTS {fts}_au",
        f"DROP TABLE IF EXISTS {fts}",
    ]


def _postgres_forward(table: str, index: str) -> list[str]:
    return [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        f"CREATE INDEX IF NOT EXISTS {index} ON {table} USING gin (search_text gin_trgm_ops)",
    ]


def index_operation(table: str, index: str) -> migrations.RunPython:
    statements = {
        "forward": {
            "sqlite": _sqlite_forward(table),
            "postgresql": _postgres_forward(table, index),
        },
        "backward": {
            "sqlite": _sqlite_backward(table),
            "postgresql": [f"DROP INDEX IF EXISTS {index}"],
        },
    }

    def run(direction):
        def apply(apps, schema_editor):
            for sql in statements[direction].get(schema_editor.connection.vendor, []):
                schema_editor.execute(sql)

        return apply

    return migrations.RunPython(run("forward"), run("backward"))


def matching_filter(queryset, table: str, terms: list[str]):
    """Every term must occur in search_text. SQLite asks its FTS5 trigram table for terms of three
    characters or more (shorter ones use LIKE); PostgreSQL's LIKE uses the pg_trgm index."""
    for term in terms:
        if connection.vendor == "sqlite" and len(term) >= 3:
            phrase = '"' + term.replace('"', '""') + '"'
            ids = RawSQL(f"SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH %s", [phrase])  # noqa: S611
            queryset = queryset.filter(pk__in=ids)
        else:
            queryset = queryset.filter(search_text__contains=term)
    return queryset

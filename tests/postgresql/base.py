"""PostgreSQL for the test suite: Django's own backend, except in how a test empties the database.

A transactional test (browser journeys, real workers, live servers) ends with Django's `flush`.
Two things differ from Django's:

- On PostgreSQL Django truncates every table: about a second for our ~100 tables however few rows
  they hold, because TRUNCATE gives each table and index a new file. Deleting the rows instead
  takes a few hundredths of a second for what a test leaves behind. Foreign keys are DEFERRABLE
  INITIALLY DEFERRED (Django creates them so), so the deletes may run in any order inside the one
  transaction `flush` opens.
- The flush then puts back what the migrations left (content types, permissions, the fixed lists
  of challenges, themes, checklist templates and programmes), copied once per test database into
  the schema `migrated_state` (`take_migrated_state`, from tests/conftest.py). Without it every
  later test in the same process found those lists gone and loaded them again inside its own
  transaction, which rolled them back: a quarter of a second per test, a third of the leg.
  Where the flush resets sequences (`manage.py flush`), they go back to where the migrations
  left them, not to 1, since the rows put back hold those ids.
"""

from django.db.backends.postgresql import base, operations

MIGRATED_STATE = "migrated_state"
# The tables copied into MIGRATED_STATE by this process (one test database per process).
_migrated_tables: set[str] = set()
# Each table's sequences and their values then (None: never used): {table: [(sequence, value)]}.
_migrated_sequences: dict[str, list[tuple[str, int | None]]] = {}

SEQUENCES = """
    SELECT t.relname, s.relname, q.last_value
    FROM pg_class s
    JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i')
    JOIN pg_class t ON t.oid = d.refobjid
    JOIN pg_namespace n ON n.oid = s.relnamespace AND n.nspname = 'public'
    JOIN pg_sequences q ON q.schemaname = n.nspname AND q.sequencename = s.relname
    WHERE s.relkind = 'S'
"""


def take_migrated_state(connection) -> None:
    """Copy every table that holds rows into the schema MIGRATED_STATE (dropped first: with
    --reuse-db a schema from an earlier run may hold older rows)."""
    from django.db import transaction

    tables = connection.introspection.django_table_names(only_existing=True)
    _migrated_tables.clear()
    _migrated_sequences.clear()
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {MIGRATED_STATE} CASCADE")
        cursor.execute(f"CREATE SCHEMA {MIGRATED_STATE}")
        for table in sorted(tables):
            name = connection.ops.quote_name(table)
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM public.{name})")  # noqa: S608
            if cursor.fetchone()[0]:
                cursor.execute(f"CREATE TABLE {MIGRATED_STATE}.{name} AS TABLE public.{name}")
                _migrated_tables.add(table)
        cursor.execute(SEQUENCES)
        for table, sequence, value in cursor.fetchall():
            _migrated_sequences.setdefault(table, []).append((sequence, value))


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if not tables:
            return []
        keyword = style.SQL_KEYWORD
        deletes = [
            f"{keyword('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};"
            for table in tables
        ]
        restores = [
            f"{keyword('INSERT INTO')} public.{self.quote_name(table)} "
            f"{keyword('SELECT')} * {keyword('FROM')} {MIGRATED_STATE}.{self.quote_name(table)};"
            for table in tables
            if table in _migrated_tables
        ]
        sequences = []
        if reset_sequences:
            for table in tables:
                for sequence, value in _migrated_sequences.get(table, []):
                    name = self.quote_name(sequence).replace("'", "''")
                    at = f"{value}, true" if value is not None else "1, false"
                    sequences.append(f"{keyword('SELECT')} setval('{name}', {at});")
        return [f"{keyword('SET CONSTRAINTS ALL DEFERRED')};", *deletes, *restores, *sequences]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

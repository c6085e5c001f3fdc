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


def django_tables(connection) -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True))


def copy_tables_to(connection, schema: str, *, only_with_rows: bool = False) -> list[str]:
    """Copy Django's tables from `public` into `schema` (dropped first: with --reuse-db a schema
    from an earlier run may hold older rows); with `only_with_rows`, the empty ones are left out.
    Returns the tables copied."""
    from django.db import transaction

    copied = []
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        cursor.execute(f"CREATE SCHEMA {schema}")
        for table in django_tables(connection):
            name = connection.ops.quote_name(table)
            if only_with_rows:
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM public.{name})")  # noqa: S608
                if not cursor.fetchone()[0]:
                    continue
            cursor.execute(f"CREATE TABLE {schema}.{name} AS TABLE public.{name}")
            copied.append(table)
    return copied


def restore_statements(ops, schema: str, tables, copied) -> list[str]:
    """SQL that empties `tables` and copies back the rows `schema` holds for those in `copied`.
    Foreign keys are DEFERRABLE INITIALLY DEFERRED (Django creates them so): with the constraints
    deferred, the deletes and copies may run in any order inside one transaction."""
    # Table and schema names come from Django's introspection and this module, quoted.
    deletes = [f"DELETE FROM public.{ops.quote_name(table)};" for table in tables]  # noqa: S608
    copies = [
        f"INSERT INTO public.{ops.quote_name(table)} "  # noqa: S608
        f"SELECT * FROM {schema}.{ops.quote_name(table)};"
        for table in tables
        if table in copied
    ]
    return ["SET CONSTRAINTS ALL DEFERRED;", *deletes, *copies]


def take_migrated_state(connection) -> None:
    """Copy every table that holds rows into the schema MIGRATED_STATE, and note the sequences."""
    _migrated_tables.clear()
    _migrated_tables.update(copy_tables_to(connection, MIGRATED_STATE, only_with_rows=True))
    _migrated_sequences.clear()
    with connection.cursor() as cursor:
        cursor.execute(SEQUENCES)
        for table, sequence, value in cursor.fetchall():
            _migrated_sequences.setdefault(table, []).append((sequence, value))


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if not tables:
            return []
        sequences = []
        if reset_sequences:
            for table in tables:
                for sequence, value in _migrated_sequences.get(table, []):
                    name = self.quote_name(sequence).replace("'", "''")
                    at = f"{value}, true" if value is not None else "1, false"
                    sequences.append(f"SELECT setval('{name}', {at});")
        return [*restore_statements(self, MIGRATED_STATE, tables, _migrated_tables), *sequences]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

"""The report's 29 cases for a test: `load_cases` once per test process, then the same rows copied
back (tests/conftest.py's `report_cases`).

`load_cases` takes about a second (a thousand queries: each case validated, saved with its
relations, its history and its search text). A test that only needs the library then spends most
of its time loading it. So the first load in a process notes which tables it wrote and what they
held, and every later test whose database is in the same state before the load (the same rows in
those tables and in the tables they point to) gets those rows back in a few statements, with the
same ids, timestamps and history. Any other state (a test that made a case of its own first, a
flushed SQLite database whose reference lists were loaded again under other ids) loads for real.
"""

import functools

from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection

from cases.state import LIBRARY
from tests.postgresql.base import django_tables

# Filled by the first load of this process (one test database per process).
_written: dict[str, list] = {}  # table -> its rows after the load
_before: dict[str, list] = {}  # the same tables and those they point to -> their rows before


def load_report_cases() -> None:
    if _written:
        if _state(list(_before)) == _before:
            _restore()
        else:
            call_command("load_cases", verbosity=0)
        return
    tables = django_tables(connection)
    before = _state(tables)
    call_command("load_cases", verbosity=0)
    after = _state(tables)
    written = [t for t in tables if after[t] != before[t]]
    if not written:
        return
    _written.update({t: after[t] for t in written})
    _before.update({t: before[t] for t in sorted({*written, *_pointed_to(written)})})


def _models(tables) -> list:
    return [m for m in apps.get_models(include_auto_created=True) if m._meta.db_table in tables]


def _pointed_to(tables) -> set[str]:
    """The tables that rows of these tables point to (a column holding at least one id)."""
    pointed = set()
    with connection.cursor() as cursor:
        for model in _models(tables):
            for field in model._meta.concrete_fields:
                if not field.is_relation or field.related_model is None:
                    continue
                table, column = (
                    connection.ops.quote_name(n) for n in (model._meta.db_table, field.column)
                )
                cursor.execute(f"SELECT 1 FROM {table} WHERE {column} IS NOT NULL LIMIT 1")  # noqa: S608
                if cursor.fetchone():
                    pointed.add(field.related_model._meta.db_table)
    return pointed


@functools.cache  # a table's primary key does not change within a process
def _order(table: str) -> str:
    model = _models([table])[0]
    return connection.ops.quote_name(model._meta.pk.column)


def _state(tables) -> dict[str, list]:
    """Every row of each table, in primary-key order, as the engine returns it."""
    rows = {}
    with connection.cursor() as cursor:
        for table in tables:
            name = connection.ops.quote_name(table)
            if connection.vendor == "postgresql":
                # As JSON text: PostgreSQL returns json/jsonb columns as Python values, which a
                # plain INSERT could not take back; json_populate_recordset reads this text.
                by = _order(table)
                sql = f"SELECT COALESCE(json_agg(t ORDER BY t.{by})::text, '[]') FROM {name} t"  # noqa: S608
                cursor.execute(sql)
                rows[table] = cursor.fetchone()[0]
            else:
                cursor.execute(f"SELECT * FROM {name} ORDER BY {_order(table)}")  # noqa: S608
                rows[table] = cursor.fetchall()
    return rows


def _restore() -> None:
    """The rows of the first load, in the test's own transaction (rolled back with it)."""
    # Django makes foreign keys DEFERRABLE INITIALLY DEFERRED on both engines: any order will do.
    with connection.cursor() as cursor:
        for table in _written:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608
        for table, rows in _written.items():
            name = connection.ops.quote_name(table)
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"INSERT INTO {name} SELECT * FROM json_populate_recordset(NULL::{name}, %s)",  # noqa: S608
                    [rows],
                )
            elif rows:
                marks = ", ".join(["%s"] * len(rows[0]))
                cursor.executemany(f"INSERT INTO {name} VALUES ({marks})", rows)  # noqa: S608
        # SQLite's AUTOINCREMENT follows inserted ids by itself; PostgreSQL's sequences do not.
        for sql in connection.ops.sequence_reset_sql(no_style(), _models(_written)):
            cursor.execute(sql)
    LIBRARY.changed()  # as the ORM's writes would have: no page cached before shows through

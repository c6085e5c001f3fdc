"""The set-based writer of the establishment import on PostgreSQL: one batch of checked rows goes
through COPY into staging tables and a few INSERT … SELECT … ON CONFLICT statements, with the same
results as the ORM path (`imports._orm_write`): the same municipalities, corporations and
establishments, the same created / updated / unchanged / reopened counts (a closed establishment
listed again has closed_on cleared), `last_seen_import` set on every row of the batch (unchanged
ones too, without history), and one history row per created or changed row with the same change
reason and user.

What the ORM path decides in Python stays in Python, so the two cannot drift: the checked values
(`imports.clean_row`), the kind and search text of a corporation. Only the comparison and the
writes move into SQL. Corporation sizes are derived by the caller once per file
(`corporations_refresh_size(ids=result.corporations)`), as the ORM path does.

`imports._upsert_batch` calls it in place of `imports._orm_write` when
`connection.vendor == "postgresql"`, inside the transaction that also writes the run's counts and
heartbeat; a DataError (also from COPY) rolls the batch back and the caller retries row by row.

Rows must have distinct (事業所番号, サービスの種類) keys, as the import's `seen` check ensures.
"""

# SQL is assembled from model metadata only (table and column names); every value is a parameter
# or goes through COPY. ruff: noqa: S608 applies to the whole file for that reason.
# ruff: noqa: S608

from collections.abc import Sequence
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from partners.models import Corporation, Establishment, ImportRun, Municipality
from partners.services import imports
from portal.text import normalize

# One result type for both writers.
BatchResult = imports.BatchResult


# The establishment columns the import writes, in staging order (the model's, plus the keys).
ESTABLISHMENT_COLUMNS = ("number", "service_type", *imports.ESTABLISHMENT_FIELDS)


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _history_insert(
    model: type[models.Model], source: str, *, history_type: str, extra_where: str = ""
) -> str:
    """INSERT INTO the model's history table one row per row of `source` (a CTE or table holding
    the model's columns), as django-simple-history writes it: the tracked fields, the date, the
    change reason, the type (+ created, ~ changed) and the user. Params: now, reason, user id."""
    history = model.history.model  # type: ignore[attr-defined]
    columns, values = [], []
    for f in history._meta.concrete_fields:
        if f.name == "history_id":
            continue
        columns.append(connection.ops.quote_name(f.column))
        if f.name == "history_date":
            values.append("%(now)s::timestamptz")
        elif f.name == "history_change_reason":
            values.append("%(reason)s::varchar")
        elif f.name == "history_type":
            values.append(f"'{history_type}'")
        elif f.name == "history_user":
            values.append("%(user)s::bigint")
        else:
            values.append(f"{source}.{connection.ops.quote_name(f.column)}")
    return (
        f"INSERT INTO {_table(history)} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM {source} {extra_where}"
    )


def _copy(cursor: Any, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """COPY rows into a staging table (psycopg 3: values are sent typed, None as NULL)."""
    raw = cursor.cursor  # the psycopg cursor under Django's wrapper
    # Django's wrapper turns psycopg's errors into django.db's (DataError for a refused value).
    with (
        connection.wrap_database_errors,
        raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _stage(cursor: Any, name: str, model: type[models.Model], columns: Sequence[str]) -> None:
    """A temporary table with the model's column types and no constraints. Dropped at the end of
    the batch (ON COMMIT DROP alone would keep it when the batch runs inside a larger transaction)."""
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(
        f"CREATE TEMP TABLE {name} ON COMMIT DROP AS "
        f"SELECT {quoted} FROM {_table(model)} WITH NO DATA"
    )


def establishments_write(
    rows: Sequence["imports.CleanRow"], *, run: ImportRun, by=None
) -> BatchResult:
    """Write one batch of checked rows in one transaction (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        raise RuntimeError("bulk_pg writes through PostgreSQL's COPY; use the ORM path elsewhere")
    result = BatchResult()
    if not rows:
        return result
    params = {
        "now": timezone.now(),
        "reason": f"取り込み #{run.pk}（{run.file_name}）",
        "user": by.pk if by is not None else None,
        "run": run.pk,
    }
    # What the ORM path computes in Python, computed the same way (the last row of a key wins).
    places = {r.municipality_code: (r.prefecture_name, r.municipality_name) for r in rows}
    names = {r.corporation_number: r.corporation_name for r in rows if r.corporation_number}
    # The defaults a new Corporation() gets, from the model (bulk_create writes them too).
    blank = Corporation()
    corporation_defaults = {
        name: getattr(blank, name)
        for name in ("kana", "address", "site_count", "size_band", "capacity_total", "sort_key")
    }
    with transaction.atomic(), connection.cursor() as cursor:
        # Municipalities: new codes only (the ORM path never renames one).
        _stage(cursor, "stage_municipality", Municipality, ("code", "prefecture_name", "name"))
        _copy(
            cursor,
            "stage_municipality",
            ("code", "prefecture_name", "name"),
            [(code, pref, name) for code, (pref, name) in places.items()],
        )
        cursor.execute(
            f"WITH added AS (INSERT INTO {_table(Municipality)} (code, prefecture_name, name) "
            "SELECT code, prefecture_name, name FROM stage_municipality "
            "ON CONFLICT (code) DO NOTHING RETURNING *) "
            + _history_insert(Municipality, "added", history_type="+"),
            params,
        )

        # Corporations: a new number is created; a known one whose name changed is renamed.
        _stage(cursor, "stage_corporation", Corporation, ("number", "name", "kind", "search_text"))
        _copy(
            cursor,
            "stage_corporation",
            ("number", "name", "kind", "search_text"),
            [
                (number, name, imports.corporation_kind(name), normalize(f"{name} {number}"))
                for number, name in names.items()
            ],
        )
        corp = _table(Corporation)
        cursor.execute(
            f"WITH renamed AS (UPDATE {corp} AS c SET name = s.name, kind = s.kind, "
            "search_text = s.search_text FROM stage_corporation AS s "
            "WHERE c.number = s.number AND s.name <> '' AND c.name <> s.name RETURNING c.*) "
            + _history_insert(Corporation, "renamed", history_type="~"),
            params,
        )
        cursor.execute(
            f"WITH added AS (INSERT INTO {corp} (number, name, kind, search_text, kana, address, "
            "site_count, size_band, capacity_total, sort_key, service_types, created_at, "
            "updated_at) "
            "SELECT number, name, kind, search_text, %(kana)s::varchar, %(address)s::varchar, "
            "%(site_count)s::integer, %(size_band)s::varchar, %(capacity_total)s::integer, "
            "%(sort_key)s::varchar, "
            "'[]'::jsonb, %(now)s::timestamptz, %(now)s::timestamptz "
            "FROM stage_corporation ON CONFLICT (number) DO NOTHING RETURNING *) "
            + _history_insert(Corporation, "added", history_type="+"),
            {**params, **corporation_defaults},
        )

        # Establishments: one upsert that changes only rows whose values differ.
        staged = (
            "corporation_number",
            *(c for c in ESTABLISHMENT_COLUMNS if c != "corporation_id"),
        )
        columns = [c for c in ESTABLISHMENT_COLUMNS if c != "corporation_id"]
        _stage(cursor, "stage_establishment", Establishment, columns)
        cursor.execute("ALTER TABLE stage_establishment ADD COLUMN corporation_number varchar(13)")
        _copy(
            cursor,
            "stage_establishment",
            staged,
            [
                (
                    r.corporation_number,
                    *(
                        r.municipality_code if c == "municipality_id" else r.establishment[c]
                        for c in staged[1:]
                    ),
                )
                for r in rows
            ],
        )
        est = _table(Establishment)
        written = [
            *ESTABLISHMENT_COLUMNS,
            "last_import_id",
            "last_seen_import_id",
            "closed_on",
            "updated_at",
        ]
        compared = ", ".join(f"e.{c}" for c in imports.ESTABLISHMENT_FIELDS)
        incoming = ", ".join(f"EXCLUDED.{c}" for c in imports.ESTABLISHMENT_FIELDS)
        source = ", ".join(
            "c.id" if col == "corporation_id" else f"s.{col}" for col in ESTABLISHMENT_COLUMNS
        )
        assignments = ", ".join(
            f"{c} = EXCLUDED.{c}" for c in written if c not in ("number", "service_type")
        )
        # A row is written when a value differs or when it was closed (listed again: reopened,
        # closed_on cleared); `before` sees the rows as they were before the upsert.
        cursor.execute(
            f"WITH before AS (SELECT e.id, e.corporation_id, e.closed_on FROM {est} AS e "
            "JOIN stage_establishment AS s USING (number, service_type)), "
            f"up AS (INSERT INTO {est} AS e ({', '.join(written)}) "
            f"SELECT {source}, %(run)s::bigint, %(run)s::bigint, NULL::date, %(now)s::timestamptz "
            "FROM stage_establishment AS s "
            f"LEFT JOIN {corp} AS c ON c.number = s.corporation_number "
            f"ON CONFLICT (number, service_type) DO UPDATE SET {assignments} "
            f"WHERE ({compared}) IS DISTINCT FROM ({incoming}) OR e.closed_on IS NOT NULL "
            "RETURNING e.*, (e.xmax = 0) AS inserted), "
            "added AS ("
            + _history_insert(
                Establishment, "up", history_type="+", extra_where="WHERE up.inserted"
            )
            + "), "
            "changed AS ("
            + _history_insert(
                Establishment, "up", history_type="~", extra_where="WHERE NOT up.inserted"
            )
            + ") "
            "SELECT count(*) FILTER (WHERE up.inserted), "
            "count(*) FILTER (WHERE NOT up.inserted AND before.closed_on IS NULL), "
            "count(*) FILTER (WHERE NOT up.inserted AND before.closed_on IS NOT NULL), "
            "coalesce(array_agg(DISTINCT before.corporation_id) FILTER "
            "(WHERE NOT up.inserted AND before.corporation_id IS NOT NULL), '{}') "
            "FROM up LEFT JOIN before ON before.id = up.id",
            params,
        )
        created, updated, reopened, previous_owners = cursor.fetchone()
        # Unchanged rows are seen too (a snapshot's closing passes them by); no history, as
        # nothing tracked changed (last_seen_import is left out of the history).
        cursor.execute(
            f"UPDATE {est} AS e SET last_seen_import_id = %(run)s::bigint "
            "FROM stage_establishment AS s "
            "WHERE e.number = s.number AND e.service_type = s.service_type "
            "AND e.last_seen_import_id IS DISTINCT FROM %(run)s::bigint",
            params,
        )
        cursor.execute(f"SELECT c.id FROM {corp} AS c JOIN stage_corporation AS s USING (number)")
        named = {pk for (pk,) in cursor.fetchall()}
        for name in ("stage_municipality", "stage_corporation", "stage_establishment"):
            cursor.execute(f"DROP TABLE {name}")
    result.created, result.updated, result.reopened = created, updated, reopened
    result.unchanged = len(rows) - created - updated - reopened
    result.corporations = named | set(previous_owners)
    return result

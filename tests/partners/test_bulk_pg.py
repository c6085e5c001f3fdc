"""The set-based PostgreSQL writer gives the same registry as the ORM path: the same rows, counts
and history, batch after batch (new rows, changed rows, unchanged rows, a renamed corporation, an
establishment that changes hands)."""

import pytest
from django.db import connection, transaction

from partners.models import Corporation, Establishment, ImportRun, Municipality
from partners.services import bulk_pg, imports
from tests.spreadsheet_checks import open_data_row

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the set-based writer is PostgreSQL's"
    ),
]

MIDORI, SAKURA = "2100005000017", "3100005000016"


def rows(*cells: list[str]) -> list:
    cleaned = [imports.clean_row(line, c) for line, c in enumerate(cells, start=2)]
    assert all(isinstance(r, imports.CleanRow) for r in cleaned), cleaned
    return cleaned


def first_snapshot() -> list:
    return rows(
        open_data_row(法人番号=MIDORI, 事業所番号="2070100011"),
        open_data_row(
            法人番号=MIDORI, 事業所番号="2070100011", サービスの種類="通所介護", 定員="30"
        ),
        open_data_row(
            法人番号=SAKURA,
            法人の名称="社会福祉法人さくら会",
            事業所番号="2070100029",
            都道府県コード又は市町村コード="202029",
            市区町村名="松本市",
        ),
        open_data_row(法人番号="", 法人の名称="", 事業所番号="2070100037", 事業所名="ひかり"),
    )


def second_snapshot() -> list:
    return rows(
        open_data_row(法人番号=MIDORI, 事業所番号="2070100011"),  # unchanged
        open_data_row(  # changed: capacity and location
            法人番号=MIDORI,
            事業所番号="2070100011",
            サービスの種類="通所介護",
            定員="35",
            緯度="36.650000",
        ),
        open_data_row(  # changes hands and the new owner is new; さくら会 is renamed elsewhere
            法人番号="4100005000015",
            法人の名称="株式会社つばさ",
            事業所番号="2070100029",
            都道府県コード又は市町村コード="202029",
            市区町村名="松本市",
        ),
        open_data_row(
            法人番号=SAKURA, 法人の名称="社会福祉法人さくら福祉会", 事業所番号="2070100045"
        ),
        open_data_row(法人番号="", 法人の名称="", 事業所番号="2070100037", 事業所名="ひかり"),
        open_data_row(  # a new municipality
            法人番号=MIDORI,
            事業所番号="2070100052",
            都道府県コード又は市町村コード="202053",
            市区町村名="飯田市",
        ),
    )


def snapshot() -> dict:
    """Every row the import writes, with ids and clock times left out (they differ by run)."""
    numbers = dict(Corporation.objects.values_list("pk", "number"))
    skip = {"id", "history_id", "history_date", "created_at", "updated_at"}

    def table(model, owner="corporation_id"):
        result = []
        for row in model.objects.values():
            row = {k: v for k, v in row.items() if k not in skip}
            if owner in row:
                row[owner] = numbers.get(row[owner])
            result.append(tuple(sorted((k, str(v)) for k, v in row.items())))
        return sorted(result)

    return {
        "municipalities": table(Municipality),
        "corporations": table(Corporation),
        "establishments": table(Establishment),
        "municipality history": table(Municipality.history.model),
        "corporation history": table(Corporation.history.model),
        "establishment history": table(Establishment.history.model),
    }


def orm_write(batch, run, staff) -> tuple:
    counts = imports.Counts()
    imports._upsert_batch(batch, run, staff, counts)
    owners = Corporation.objects.filter(pk__in=counts.corporations)
    return counts.created, counts.updated, counts.unchanged, {c.number for c in owners}


def bulk_write(batch, run, staff) -> tuple:
    result = bulk_pg.establishments_write(batch, run=run, by=staff)
    owners = Corporation.objects.filter(pk__in=result.corporations)
    return result.created, result.updated, result.unchanged, {c.number for c in owners}


class Rollback(Exception):
    pass


def test_the_set_based_writer_leaves_the_same_registry_as_the_orm_path(staff):
    run = ImportRun.objects.create(file_name="jigyosho_110_all.csv", file_hash="0" * 64)
    outcomes = {}
    for writer in (orm_write, bulk_write):
        try:
            with transaction.atomic():
                counts = [
                    writer(first_snapshot(), run, staff),
                    writer(second_snapshot(), run, staff),
                ]
                # The same snapshot again changes nothing.
                counts.append(writer(second_snapshot(), run, staff))
                outcomes[writer.__name__] = (counts, snapshot())
                raise Rollback
        except Rollback:
            pass
    orm_counts, orm_tables = outcomes["orm_write"]
    bulk_counts, bulk_tables = outcomes["bulk_write"]
    assert orm_counts[0][:3] == (4, 0, 0)
    assert orm_counts[1][:3] == (2, 2, 2)  # 0029 changes hands, 0011/通所介護 changes
    assert orm_counts[2][:3] == (0, 0, 6)
    assert bulk_counts == orm_counts
    for name, rows_ in orm_tables.items():
        assert bulk_tables[name] == rows_, name
    assert len(orm_tables["establishment history"]) == 4 + 2 + 2
    assert len(orm_tables["corporation history"]) == 2 + 1 + 1  # new, つばさ, the rename

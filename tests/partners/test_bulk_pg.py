"""The set-based PostgreSQL writer gives the same registry as the ORM path: the same rows, counts
and history, batch after batch (new rows, changed rows, unchanged rows, a renamed corporation, an
establishment that changes hands, a closed establishment listed again, a row whose 法人番号 has a
wrong check digit), and every row it is given is marked as seen by the run."""

import csv
import datetime

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
        open_data_row(  # a wrong check digit: kept, with no corporation
            法人番号="1234567890123", 法人の名称="誤った番号の法人", 事業所番号="2070100060"
        ),
    )


def close(number: str) -> None:
    """What a snapshot's closing does to an establishment it no longer finds."""
    Establishment.objects.filter(number=number).update(closed_on=datetime.date(2026, 11, 30))


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


def outcome(result: imports.BatchResult) -> tuple:
    owners = Corporation.objects.filter(pk__in=result.corporations)
    numbers = {c.number for c in owners}
    return result.created, result.updated, result.unchanged, result.reopened, numbers


def orm_write(batch, run, staff) -> tuple:
    return outcome(imports._orm_write(batch, run=run, by=staff))


def bulk_write(batch, run, staff) -> tuple:
    return outcome(bulk_pg.establishments_write(batch, run=run, by=staff))


class Rollback(Exception):
    pass


def test_the_set_based_writer_leaves_the_same_registry_as_the_orm_path(staff):
    runs = [
        ImportRun.objects.create(file_name=f"jigyosho_110_{n}.csv", file_hash=f"{n}" * 64)
        for n in range(4)
    ]
    outcomes = {}
    for writer in (orm_write, bulk_write):
        try:
            with transaction.atomic():
                counts = [
                    writer(first_snapshot(), runs[0], staff),
                    writer(second_snapshot(), runs[1], staff),
                ]
                # The same snapshot again changes nothing, but every row is seen by the run.
                counts.append(writer(second_snapshot(), runs[2], staff))
                seen = set(Establishment.objects.values_list("last_seen_import", flat=True))
                assert seen == {runs[2].pk}, writer.__name__
                # ひかり (unchanged) and 0011/通所介護 were closed; both are listed again.
                close("2070100037")
                Establishment.objects.filter(number="2070100011", service_type="通所介護").update(
                    closed_on=datetime.date(2026, 11, 30)
                )
                counts.append(writer(second_snapshot(), runs[3], staff))
                assert not Establishment.objects.filter(closed_on__isnull=False).exists()
                outcomes[writer.__name__] = (counts, snapshot())
                raise Rollback
        except Rollback:
            pass
    orm_counts, orm_tables = outcomes["orm_write"]
    bulk_counts, bulk_tables = outcomes["bulk_write"]
    assert orm_counts[0][:4] == (4, 0, 0, 0)
    assert orm_counts[1][:4] == (3, 2, 2, 0)  # 0029 changes hands, 0011/通所介護 changes
    assert orm_counts[2][:4] == (0, 0, 7, 0)
    assert orm_counts[3][:4] == (0, 0, 5, 2)
    assert bulk_counts == orm_counts
    for name, rows_ in orm_tables.items():
        assert bulk_tables[name] == rows_, name
    assert len(orm_tables["establishment history"]) == 4 + 3 + 2 + 2
    assert len(orm_tables["corporation history"]) == 2 + 1 + 1  # new, つばさ, the rename
    # The row with a wrong 法人番号 is kept without a corporation.
    unlinked = [
        row
        for row in orm_tables["establishments"]
        if ("number", "2070100060") in row and ("corporation_id", "None") in row
    ]
    assert len(unlinked) == 1


def test_an_import_on_postgresql_writes_through_the_set_based_writer(db, tmp_path, monkeypatch):
    """The import itself uses the set-based writer here; the ORM writer is SQLite's."""

    def refuse(*args, **kwargs):
        raise AssertionError("the ORM writer ran on PostgreSQL")

    monkeypatch.setattr(imports, "_orm_write", refuse)
    path = tmp_path / "jigyosho.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(imports.HEADER)
        writer.writerow(open_data_row(法人番号=MIDORI, 事業所番号="2070100011"))
        writer.writerow(open_data_row(法人番号="", 法人の名称="", 事業所番号="2070100037"))
    run = imports.establishments_import(path=path)
    run.refresh_from_db()
    assert (run.created, run.updated, run.unchanged, run.rejected) == (2, 0, 0, 0)
    again = imports.establishments_import(path=path)
    again.refresh_from_db()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Corporation.objects.get(number=MIDORI).site_count == 1


def test_a_refused_value_in_a_large_batch_costs_a_few_writes_and_rejects_only_its_row(
    db, tmp_path, monkeypatch
):
    # As if the checks had missed the phone's length: PostgreSQL refuses two of 32 rows.
    monkeypatch.setattr(imports, "STORED_TEXT", [t for t in imports.STORED_TEXT if t[2] != "phone"])
    writes = []
    upsert = imports._upsert_batch

    def counted(rows, *args):
        writes.append(len(rows))
        return upsert(rows, *args)

    monkeypatch.setattr(imports, "_upsert_batch", counted)
    path = tmp_path / "jigyosho.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(imports.HEADER)
        for n in range(32):
            phone = "0" * (36 if n in (5, 20) else 12)
            writer.writerow(open_data_row(事業所番号=f"20701{n:05d}", 電話番号=phone))
    run = imports.establishments_import(path=path, batch_size=32)
    assert (run.status, run.created, run.rejected) == ("done", 30, 2)
    assert len(writes) < 32
    with open(run.rejects_file, encoding="utf-8-sig", newline="") as handle:
        lines = [r["行番号"] for r in csv.DictReader(handle)]
    assert lines == ["7", "22"]

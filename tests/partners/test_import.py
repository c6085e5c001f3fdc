"""Staff import the national open data: every edge case of item 2 of the registry issue."""

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from partners.models import Corporation, Establishment, ImportRun, Municipality
from partners.services.imports import HEADER, UnusableFile, establishments_import
from portal.validators import municipality_code_check_digit
from tests.partners.helpers import CORP, rejects_of, row, write

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp932"])
def test_file_encodings_are_detected(db, tmp_path, encoding):
    path = write(tmp_path, [row(備考="送迎あり、土曜も営業\n年末年始は休み")], encoding=encoding)
    run = establishments_import(path=path)
    establishment = Establishment.objects.get()
    assert (run.created, run.rejected) == (1, 0)
    assert (
        establishment.remarks == "送迎あり、土曜も営業\n年末年始は休み"
    )  # quoted comma and newline
    assert establishment.kana == "ミドリノイエ"  # half-width kana made full-width
    assert establishment.corporation.number == CORP
    assert establishment.municipality.name == "長野市"


def test_blank_coordinates_capacity_zero_and_full_width_digits(db, tmp_path):
    path = write(
        tmp_path,
        [
            row(緯度="", 経度=""),
            row(事業所番号="２０７０１０００２９", 定員="２５", サービスの種類="通所介護"),
        ],
    )
    establishments_import(path=path)
    first = Establishment.objects.get(number="2070100011")
    assert (first.latitude, first.longitude, first.capacity) == (None, None, None)
    second = Establishment.objects.get(number="2070100029")
    assert second.capacity == 25


def test_one_number_under_two_services_is_two_establishments(db, tmp_path):
    path = write(tmp_path, [row(), row(サービスの種類="居宅介護支援")])
    run = establishments_import(path=path)
    assert run.created == 2
    assert Establishment.objects.filter(number="2070100011").count() == 2


def test_bad_rows_are_rejected_with_line_column_and_reason_and_good_rows_kept(db, tmp_path):
    path = write(
        tmp_path,
        [
            row(),
            row(),  # duplicate of line 2
            row(事業所番号="2070100045", 定員="約20"),
            row(事業所番号="123"),
            row(事業所番号="2070100060")[:20],
            row(事業所番号="2070100078", 法人番号=""),  # no corporation: kept, unlinked
        ],
    )
    run = establishments_import(path=path)
    assert (run.created, run.rejected, run.warnings) == (2, 4, 0)
    reasons = {(r["行番号"], r["列"]): r["理由"] for r in rejects_of(run)}
    assert reasons[("3", "事業所番号")] == "2行目と同じ事業所番号・サービスの行です。"
    assert "約20" in reasons[("4", "定員")]
    assert "10文字" in reasons[("5", "事業所番号")]
    assert "列の数" in reasons[("6", "（行全体）")]
    assert {r["種別"] for r in rejects_of(run)} == {"取り込めず"}
    assert Establishment.objects.get(number="2070100078").corporation is None


def test_unknown_places_and_bad_corporate_numbers_are_kept_with_a_warning(db, tmp_path):
    bad_corp = CORP[:-1] + "3"
    path = write(
        tmp_path,
        [
            row(事業所番号="2070100011", 緯度="0", 経度="0"),  # how the data writes "unknown"
            row(事業所番号="2070100029", 緯度="", 経度=""),
            row(事業所番号="2070100037", 緯度="99.1"),  # outside Japan
            row(事業所番号="2070100045", 法人番号=bad_corp),  # check digit fails
            row(事業所番号="2070100052", 緯度="北緯36度"),  # broken: not a number
            row(事業所番号="2070100060", 事業所名="社" * 201),  # broken: over-long
            row(事業所番号="2070100078", 備考="送迎\x00あり"),  # broken: NUL
            row(事業所番号="2070100086"),
        ],
    )
    run = establishments_import(path=path)
    assert (run.created, run.warnings, run.rejected) == (5, 4, 3)
    assert run.summary == (
        "created 5, updated 0, unchanged 0, rejected 3, skipped 0, closed 0, reopened 0, warnings 4"
    )
    lines = {(r["行番号"], r["種別"], r["列"]): r["理由"] for r in rejects_of(run)}
    assert "0（不明）" in lines[("2", "警告", "緯度・経度")]
    assert "空欄" in lines[("3", "警告", "緯度・経度")]
    assert "範囲" in lines[("4", "警告", "緯度・経度")]
    assert "法人と結び付けずに取り込みました" in lines[("5", "警告", "法人番号")]
    assert "数値ではありません" in lines[("6", "取り込めず", "緯度")]
    assert "長すぎます" in lines[("7", "取り込めず", "事業所名")]
    assert "NUL" in lines[("8", "取り込めず", "備考")]
    assert all(r["ファイル"] == "jigyosho.csv" for r in rejects_of(run))
    unplaced = Establishment.objects.filter(number__in=["2070100011", "2070100029", "2070100037"])
    assert [(e.latitude, e.longitude) for e in unplaced] == [(None, None)] * 3
    assert Establishment.objects.get(number="2070100045").corporation is None
    assert Establishment.objects.get(number="2070100086").corporation.number == CORP


def test_wrong_header_is_refused_and_nothing_is_written(db, tmp_path):
    path = write(tmp_path, [row()], header=["番号", *HEADER[1:]])
    with pytest.raises(UnusableFile, match="見出し行"):
        establishments_import(path=path)
    assert Establishment.objects.count() == 0
    assert ImportRun.objects.get().status == "failed"


def test_unreadable_bytes_are_refused_before_anything_is_written(db, tmp_path):
    path = write(tmp_path, [row()] * 1)
    path.write_bytes(path.read_bytes() + b"\x82\xff\xfe\x80\n")
    with pytest.raises(UnusableFile, match="文字コード"):
        establishments_import(path=path)
    assert Establishment.objects.count() == 0


def test_second_run_of_the_same_file_changes_nothing(db, tmp_path):
    path = write(tmp_path, [row(), row(事業所番号="2070100029")])
    establishments_import(path=path)
    history = Establishment.history.count()
    again = establishments_import(path=path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Establishment.history.count() == history


def test_changed_rows_are_updated_and_the_history_names_the_run(db, tmp_path):
    establishments_import(path=write(tmp_path, [row()]))
    run = establishments_import(path=write(tmp_path, [row(電話番号="026-111-2222")], name="v2.csv"))
    assert (run.created, run.updated) == (0, 1)
    latest = Establishment.history.latest()
    assert latest.phone == "026-111-2222"
    assert f"取り込み #{run.pk}（v2.csv）" == latest.history_change_reason


def test_an_interrupted_run_leaves_whole_batches_and_a_rerun_completes_it(db, tmp_path):
    rows = [row(事業所番号=f"20701{n:05d}") for n in range(50)]
    path = write(tmp_path, rows)

    def stop_after_first_batch(_percent):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        establishments_import(path=path, batch_size=20, progress=stop_after_first_batch)
    assert Establishment.objects.count() == 20  # one whole batch, nothing half-written
    assert ImportRun.objects.get().status == "interrupted"  # not left "running"
    rerun = establishments_import(path=path)
    assert (rerun.created, rerun.unchanged) == (30, 20)
    assert Establishment.objects.count() == 50
    # The derived size covers all fifty sites, although the first run stopped early.
    assert Corporation.objects.get(number=CORP).site_count == 50


def test_every_run_is_recorded_with_file_hash_counts_and_person(db, tmp_path, staff):
    path = write(tmp_path, [row()])
    run = establishments_import(path=path, by=staff)
    assert run.file_name == "jigyosho.csv"
    assert len(run.file_hash) == 64
    assert run.started_by == staff and run.status == "done"
    assert run.summary == (
        "created 1, updated 0, unchanged 0, rejected 0, skipped 0, closed 0, reopened 0, warnings 0"
    )


def test_municipality_codes_are_validated(db):
    assert municipality_code_check_digit("20201") == 1
    assert Municipality._meta.get_field("code").validators


def test_command_prints_the_summary_and_exits_0_1_or_2(db, tmp_path):
    good = write(tmp_path, [row()], name="good.csv")
    bad_rows = write(tmp_path, [row(), row(事業所番号="1")], name="some-bad.csv")
    unusable = write(tmp_path, [row()], header=["x"] * 24, name="unusable.csv")
    out = io.StringIO()
    call_command("import_establishments", str(good), stdout=out)
    assert "created 1, updated 0, unchanged 0, rejected 0" in out.getvalue()
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_establishments", str(bad_rows), stdout=io.StringIO())
    assert exit_info.value.code == 1
    with pytest.raises(SystemExit) as exit_info:
        call_command(
            "import_establishments", str(unusable), stdout=io.StringIO(), stderr=io.StringIO()
        )
    assert exit_info.value.code == 2


def test_generated_files_import_cleanly_apart_from_their_dirty_rows(db, tmp_path):
    subprocess.run(
        [
            sys.executable,
            "bench/gen_establishments.py",
            "--rows",
            "400",
            "--out",
            str(tmp_path),
            "--encoding",
            "cp932",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    runs = [establishments_import(path=p) for p in sorted(tmp_path.glob("*.csv"))]
    assert sum(r.created for r in runs) > 350
    assert sum(r.rejected for r in runs) < 40
    assert Corporation.objects.exists()
    assert all(c.kind for c in Corporation.objects.all())


def test_corporation_size_is_derived_from_its_establishments(db, tmp_path):
    rows = [row(事業所番号=f"20701{n:05d}", 定員=str(10 + n)) for n in range(3)]
    rows.append(row(事業所番号="2070100000", サービスの種類="居宅介護支援", 定員="0"))  # same site
    establishments_import(path=write(tmp_path, rows))
    corporation = Corporation.objects.get(number=CORP)
    assert corporation.site_count == 3  # distinct 事業所番号
    assert corporation.capacity_total == 10 + 11 + 12
    assert corporation.get_size_band_display() == "2～4拠点"


# --- Issue 18: no bad cell aborts an import, no run stays "running" -------------------------------
def write_lines(tmp_path, parts, name="jigyosho.csv") -> Path:
    """A file from rows (lists of cells) and raw lines (str), in that order, after the header."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for part in parts:
        if isinstance(part, str):
            buffer.write(part + "\r\n")
        else:
            writer.writerow(part)
    path = tmp_path / name
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    return path


def test_over_long_nul_and_million_column_rows_are_rejected_and_the_batches_after_them_written(
    db, tmp_path
):
    phone_limit = Establishment._meta.get_field("phone").max_length
    path = write_lines(
        tmp_path,
        [
            row(事業所番号="2070100011"),  # line 2
            row(事業所番号="2070100029", 電話番号="0" * 36),  # line 3
            row(事業所番号="2070100037", 事業所名="みどり\x00の家"),  # line 4
            "," * 999_999,  # line 5: a million empty columns
            row(事業所番号="2070100045", 法人の名称="社" * 201),  # line 6
            row(事業所番号="2070100052"),  # line 7
            row(事業所番号="2070100060", 備考="送迎あり\x00"),  # line 8
            row(事業所番号="2070100078"),  # line 9
        ],
    )
    run = establishments_import(path=path, batch_size=1)
    assert (run.status, run.created, run.rejected) == ("done", 3, 5)
    reasons = {(r["行番号"], r["列"]): r["理由"] for r in rejects_of(run)}
    assert reasons[("3", "電話番号")] == f"電話番号が長すぎます（36文字、上限{phone_limit}文字）。"
    assert reasons[("4", "事業所名")] == "使えない文字（NUL）が含まれています。"
    assert reasons[("5", "（行全体）")].startswith("行が長すぎます（上限100,000文字）")
    assert reasons[("6", "法人の名称")] == "法人の名称が長すぎます（201文字、上限200文字）。"
    assert reasons[("8", "備考")] == "使えない文字（NUL）が含まれています。"
    assert set(Establishment.objects.values_list("number", flat=True)) == {
        "2070100011",
        "2070100052",
        "2070100078",
    }
    # The same file again stops nowhere: nothing new, the same rows rejected, done again.
    again = establishments_import(path=path)
    assert (again.status, again.created, again.unchanged, again.rejected) == ("done", 0, 3, 5)


def test_numbers_outside_their_columns_range_are_rejected_not_written(db, tmp_path):
    path = write(
        tmp_path,
        [
            row(事業所番号="2070100011", 定員="99999999999"),
            row(事業所番号="2070100029", 定員="𐩀"),  # a digit to str.isdigit(), not to int()
            row(事業所番号="2070100037", 緯度="NaN"),
            row(事業所番号="2070100045", 経度="Infinity"),
            row(事業所番号="2070100052", 定員="２５"),
        ],
    )
    run = establishments_import(path=path)
    assert (run.status, run.created, run.rejected) == ("done", 1, 4)
    reasons = {(r["行番号"], r["列"]): r["理由"] for r in rejects_of(run)}
    assert reasons[("2", "定員")] == "定員が大きすぎます（上限2,147,483,647）。"
    assert "整数ではありません" in reasons[("3", "定員")]
    assert "数値ではありません" in reasons[("4", "緯度")]
    assert "数値ではありません" in reasons[("5", "経度")]
    assert Establishment.objects.get().capacity == 25


def test_a_value_the_database_still_refuses_rejects_only_its_row(db, tmp_path, monkeypatch):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite stores any length; PostgreSQL is the one that refuses")
    import partners.services.imports as imports

    # As if the checks had missed a column: the database's refusal is caught row by row.
    monkeypatch.setattr(imports, "STORED_TEXT", [t for t in imports.STORED_TEXT if t[2] != "phone"])
    path = write(
        tmp_path,
        [row(事業所番号=f"20701{n:05d}", 電話番号="0" * (36 if n == 2 else 12)) for n in range(5)],
    )
    run = establishments_import(path=path, batch_size=3)
    assert (run.status, run.created, run.rejected) == ("done", 4, 1)
    (reject,) = rejects_of(run)
    assert reject["行番号"] == "4" and "データベースが受け付けない値" in reject["理由"]


def test_an_error_mid_run_marks_it_interrupted_and_a_rerun_completes_it(db, tmp_path):
    path = write(tmp_path, [row(事業所番号=f"20701{n:05d}") for n in range(30)])

    def fail_after_first_batch(_percent):
        raise RuntimeError("connection lost")

    with pytest.raises(RuntimeError):
        establishments_import(path=path, batch_size=10, progress=fail_after_first_batch)
    stopped = ImportRun.objects.get()
    assert stopped.status == "interrupted" and stopped.get_status_display() == "中断"
    assert "RuntimeError: connection lost" in stopped.message
    assert "続きから完了します" in stopped.message
    assert stopped.finished_at is not None
    rerun = establishments_import(path=path)
    assert (rerun.status, rerun.created, rerun.unchanged) == ("done", 20, 10)


def test_a_killed_run_is_marked_interrupted_by_the_sweep_and_by_the_next_start(
    db, tmp_path, settings
):
    from datetime import timedelta

    from django.utils import timezone

    from partners.services.imports import import_runs_mark_interrupted
    from partners.tasks import sweep_import_runs

    long_ago = timezone.now() - timedelta(hours=1)
    killed = ImportRun.objects.create(file_name="killed.csv", file_hash="", heartbeat_at=long_ago)
    alive = ImportRun.objects.create(
        file_name="alive.csv", file_hash="", heartbeat_at=timezone.now()
    )
    assert import_runs_mark_interrupted(older_than_seconds=600) == 1
    killed.refresh_from_db()
    alive.refresh_from_db()
    assert (killed.status, alive.status) == ("interrupted", "running")
    assert "強制終了" in killed.message and killed.finished_at is not None

    # The beat task runs the same sweep with the configured staleness.
    settings.IMPORT_RUN_STALE_SECONDS = 60
    ImportRun.objects.filter(pk=alive.pk).update(heartbeat_at=long_ago)
    assert sweep_import_runs() == 1
    assert ImportRun.objects.get(pk=alive.pk).status == "interrupted"

    # A run without a heartbeat (killed before its first batch) counts from its start.
    early = ImportRun.objects.create(file_name="early.csv", file_hash="")
    ImportRun.objects.filter(pk=early.pk).update(started_at=long_ago)
    run = establishments_import(path=write(tmp_path, [row()]))  # the next start sweeps too
    assert ImportRun.objects.get(pk=early.pk).status == "interrupted"
    assert run.status == "done" and run.heartbeat_at is not None


def test_ctrl_c_marks_the_run_interrupted_and_the_command_says_how_to_continue(db, tmp_path):
    path = write(tmp_path, [row(事業所番号=f"20701{n:05d}") for n in range(30)])

    def stop(_percent):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        establishments_import(path=path, batch_size=10, progress=stop)
    stopped = ImportRun.objects.get()
    assert stopped.status == "interrupted"
    assert "停止の指示" in stopped.message
    out = io.StringIO()
    call_command("import_establishments", str(path), stdout=out)
    assert "created 20, updated 0, unchanged 10, rejected 0" in out.getvalue()

"""A whole national snapshot: many files, folders and ZIP archives in one run, one prefecture's
rows, the data date, and establishments closed when a snapshot no longer lists them."""

import io
import zipfile
from datetime import date

import pytest
from django.core.management import call_command

from partners.models import Corporation, Establishment, ImportRun
from partners.services.imports import UnusableFile, establishments_import
from partners.services.sources import last_half_year_end, proposed_as_of, provided_on
from tests.partners.helpers import CORP, rejects_of, row, write

TOKYO = {
    "都道府県コード又は市町村コード": "131016",
    "都道府県名": "東京都",
    "市区町村名": "千代田区",
}


def home_care(n: int, **values) -> list[str]:
    return row(事業所番号=f"20701{n:05d}", **values)


def day_care(n: int, **values) -> list[str]:
    return row(事業所番号=f"20702{n:05d}", サービスの種類="通所介護", **values)


def zip_of(tmp_path, name: str, members: dict[str, bytes]):
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member, content in members.items():
            archive.writestr(member, content)
    return path


def test_a_zip_archive_is_one_run_and_its_other_members_are_reported_and_skipped(db, tmp_path):
    home = write(tmp_path, [home_care(1), home_care(2)], name="jigyosho_110.csv")
    day = write(tmp_path, [day_care(1)], encoding="cp932", name="jigyosho_150.csv")
    other = write(tmp_path, [home_care(3)], header=["名前", *["x"] * 23], name="notes.csv")
    archive = zip_of(
        tmp_path,
        "opendata_20260715.zip",
        {
            "2026/jigyosho_110_all_20260715103000.csv": home.read_bytes(),
            "2026/jigyosho_150_all_20260715103000.csv": day.read_bytes(),
            "2026/readme.txt": "利用規約".encode(),
            "2026/notes.csv": other.read_bytes(),
        },
    )
    run = establishments_import(path=archive)
    assert (run.status, run.created, run.rejected) == ("done", 3, 0)
    assert ImportRun.objects.count() == 1
    assert run.file_name == "opendata_20260715.zip"
    assert run.as_of == date(2026, 6, 30)  # the last half-year end before 2026年7月15日
    progress = {s["name"]: s for s in run.sources}
    assert progress["opendata_20260715.zip/2026/jigyosho_110_all_20260715103000.csv"]["done"] == 2
    assert (
        "CSVファイルではありません" in progress["opendata_20260715.zip/2026/readme.txt"]["skipped"]
    )
    assert "見出し行" in progress["opendata_20260715.zip/2026/notes.csv"]["skipped"]
    assert run.rows_total == 3


def test_several_files_and_a_folder_are_one_run_and_a_duplicate_names_the_other_file(db, tmp_path):
    folder = tmp_path / "snapshot"
    folder.mkdir()
    write(folder, [day_care(1), day_care(2)], name="jigyosho_150.csv")
    (folder / "memo.txt").write_text("メモ", encoding="utf-8")
    single = write(tmp_path, [home_care(1), day_care(1)], name="jigyosho_110.csv")
    run = establishments_import(paths=[single, folder])
    assert (run.created, run.rejected) == (3, 1)
    (duplicate,) = rejects_of(run)
    assert duplicate["ファイル"] == "jigyosho_150.csv"
    assert duplicate["理由"] == "jigyosho_110.csvの3行目と同じ事業所番号・サービスの行です。"
    assert run.file_name == "jigyosho_110.csv ほか1件"


def test_an_unusable_named_file_refuses_the_whole_run_and_writes_nothing(db, tmp_path):
    good = write(tmp_path, [home_care(1)], name="good.csv")
    bad = write(tmp_path, [home_care(2)], header=["x"] * 24, name="bad.csv")
    with pytest.raises(UnusableFile, match="bad.csv: 見出し行"):
        establishments_import(paths=[good, bad])
    assert Establishment.objects.count() == 0
    assert ImportRun.objects.get().status == "failed"


def test_only_the_portals_prefecture_is_imported_and_the_others_are_counted_not_checked(
    db, tmp_path, settings
):
    settings.PORTAL_PREFECTURE = "長野県"
    path = write(
        tmp_path,
        [
            home_care(1),
            home_care(2, **TOKYO),
            home_care(3, **TOKYO, 定員="約20"),  # broken, but not ours: not checked
            home_care(4, 都道府県名="長野県", 定員="約20"),  # ours and broken: rejected
        ],
    )
    run = establishments_import(path=path)
    assert (run.created, run.skipped, run.rejected, run.prefecture) == (1, 2, 1, "長野県")
    assert run.summary.startswith("created 1, updated 0, unchanged 0, rejected 1, skipped 2")
    tokyo = establishments_import(path=path, prefecture="東京都")
    assert (tokyo.created, tokyo.skipped, tokyo.rejected) == (1, 2, 1)
    everything = establishments_import(path=path, all_prefectures=True)
    assert (everything.skipped, everything.prefecture) == (0, "")
    assert Establishment.objects.count() == 2  # one of each prefecture


def test_a_snapshot_closes_the_absent_and_reopens_them_when_listed_again(db, tmp_path, staff):
    first = write(tmp_path, [home_care(1), home_care(2), home_care(3)], name="jigyosho_110_a.csv")
    days = write(tmp_path, [day_care(1)], name="jigyosho_150.csv")
    tokyo = write(tmp_path, [home_care(9, **TOKYO)], name="tokyo.csv")
    establishments_import(path=tokyo, prefecture="東京都")
    establishments_import(path=days)
    present = establishments_import(path=first, snapshot=True, as_of=date(2025, 12, 31))
    assert (present.created, present.closed, present.reopened) == (3, 0, 0)

    # The next snapshot of 訪問介護 no longer lists site 2.
    second = write(tmp_path, [home_care(1), home_care(3)], name="jigyosho_110_b.csv")
    absent = establishments_import(path=second, snapshot=True, as_of=date(2026, 6, 30), by=staff)
    assert (absent.created, absent.updated, absent.unchanged, absent.closed) == (0, 0, 2, 1)
    gone = Establishment.objects.get(number="2070100002")
    assert gone.closed_on == date(2026, 6, 30)  # kept, never deleted
    assert gone.history.latest().history_change_reason.endswith("最新データに掲載なし")
    assert gone.history.latest().history_user == staff
    # Other service types and other prefectures are not this snapshot's to close.
    assert not Establishment.objects.unlisted().exclude(pk=gone.pk).exists()
    assert set(Establishment.objects.listed().values_list("number", flat=True)) == {
        "2070100001", "2070100003", "2070200001", "2070100009",
    }  # fmt: skip
    assert Corporation.objects.get(number=CORP).site_count == 4  # 2 of the 3 home care sites

    # The same snapshot again: nothing created, updated or closed.
    again = establishments_import(path=second, snapshot=True, as_of=date(2026, 6, 30))
    assert (again.created, again.updated, again.closed, again.reopened) == (0, 0, 0, 0)
    history = Establishment.history.count()

    # A later snapshot lists it again.
    third = write(tmp_path, [home_care(1), home_care(2), home_care(3)], name="jigyosho_110_c.csv")
    back = establishments_import(path=third, snapshot=True, as_of=date(2026, 12, 31))
    assert (back.created, back.updated, back.unchanged, back.reopened, back.closed) == (
        0, 0, 2, 1, 0,
    )  # fmt: skip
    assert back.summary == (
        "created 0, updated 0, unchanged 2, rejected 0, skipped 0, closed 0, reopened 1, warnings 0"
    )
    assert Establishment.objects.get(number="2070100002").closed_on is None
    assert Establishment.history.count() == history + 1


def test_an_import_that_is_not_a_snapshot_closes_nothing(db, tmp_path):
    establishments_import(path=write(tmp_path, [home_care(1), home_care(2)], name="a.csv"))
    run = establishments_import(path=write(tmp_path, [home_care(1)], name="b.csv"))
    assert run.closed == 0
    assert not Establishment.objects.unlisted().exists()


def test_a_snapshot_closes_by_the_file_names_service_code_even_when_none_is_left(db, tmp_path):
    establishments_import(path=write(tmp_path, [day_care(1)], name="start.csv"))
    run = establishments_import(
        path=write(tmp_path, [], name="jigyosho_150_all_20260115103000.csv"), snapshot=True
    )
    assert (run.closed, run.as_of) == (1, date(2025, 12, 31))


def test_the_data_date_is_proposed_from_the_file_names(db):
    assert provided_on("jigyosho_150_all_20260715103000.csv") == date(2026, 7, 15)
    assert provided_on("jigyosho_150.csv") is None
    assert last_half_year_end(date(2026, 7, 1)) == date(2026, 6, 30)
    assert last_half_year_end(date(2026, 6, 30)) == date(2025, 12, 31)
    assert last_half_year_end(date(2027, 1, 10)) == date(2026, 12, 31)
    assert proposed_as_of(["a_20260105000000.csv", "b_20260716000000.csv"]) == date(2026, 6, 30)


def test_the_command_takes_a_zip_a_prefecture_a_data_date_and_a_snapshot(db, tmp_path):
    home = write(tmp_path, [home_care(1), home_care(2, **TOKYO)], name="jigyosho_110.csv")
    archive = zip_of(tmp_path, "snapshot.zip", {"jigyosho_110.csv": home.read_bytes()})
    out = io.StringIO()
    call_command(
        "import_establishments", str(archive), "--as-of", "2026-06-30", "--snapshot", stdout=out
    )
    assert (
        "created 1, updated 0, unchanged 0, rejected 0, skipped 1, closed 0, reopened 0, warnings 0"
        in out.getvalue()
    )
    run = ImportRun.objects.get()
    assert (run.as_of, run.snapshot, run.prefecture) == (date(2026, 6, 30), True, "長野県")
    out = io.StringIO()
    call_command("import_establishments", str(archive), "--all", stdout=out)
    assert "created 1, updated 0, unchanged 1, rejected 0, skipped 0" in out.getvalue()
    with pytest.raises(Exception, match="都道府県名"):
        call_command("import_establishments", str(archive), "--prefecture", "長野")
    with pytest.raises(Exception, match="YYYY-MM-DD"):
        call_command("import_establishments", str(archive), "--as-of", "2026/06/30")
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_establishments", str(tmp_path / "missing.csv"), stderr=io.StringIO())
    assert exit_info.value.code == 2


def test_the_registry_hides_closed_establishments_unless_the_filter_asks_for_them(
    client, staff, tmp_path
):
    from django.urls import reverse

    establishments_import(path=write(tmp_path, [home_care(1), home_care(2)], name="a.csv"))
    establishments_import(
        path=write(tmp_path, [home_care(1)], name="jigyosho_110.csv"),
        snapshot=True,
        as_of=date(2026, 6, 30),
    )
    client.force_login(staff)
    url = reverse("partners:index")
    listed = client.get(url, {"view": "establishments"}).content.decode()
    assert "1件の事業所" in listed and "2070100002" not in listed
    closed = client.get(url, {"view": "establishments", "listing": "closed"}).content.decode()
    assert "1件の事業所" in closed and "2070100002" in closed
    assert "最新データに掲載なし（2026年6月30日時点）" in closed
    everything = client.get(url, {"view": "establishments", "listing": "all"}).content.decode()
    assert "2件の事業所" in everything
    page = client.get(reverse("partners:corporation", args=[CORP])).content.decode()
    assert "最新データに掲載なし（2026年6月30日時点）" in page


def test_matching_no_longer_offers_a_corporation_whose_sites_are_all_closed(db, tmp_path, staff):
    from partners.access import RegistryViewer
    from partners.selectors import match_candidates

    other = "3000020202011"  # a valid 法人番号 (長野市)
    rows = [home_care(1), home_care(2, 法人番号=other, 法人の名称="長野市")]
    establishments_import(path=write(tmp_path, rows, name="a.csv"))
    own = Corporation.objects.get(number=CORP)
    viewer = RegistryViewer(staff)
    before = [m.candidate.number for m in match_candidates(corporation=own, viewer=viewer)]
    assert before == [other]
    run = establishments_import(
        path=write(tmp_path, [home_care(1)], name="jigyosho_110.csv"), snapshot=True
    )
    assert run.closed == 1
    assert Corporation.objects.get(number=other).site_count == 0
    assert match_candidates(corporation=own, viewer=viewer) == []

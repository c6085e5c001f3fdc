"""The window's survey of intentions: import_profiles from CSV or XLSX, with the same error rules."""

import csv
import io

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from partners.models import Corporation, ImportRun, ProviderProfile
from partners.services.imports import PROFILE_HEADER, UnusableFile, profiles_import

CORP = "7000012050002"
OTHER = "5000012010024"
VALID_UNKNOWN = "3510001012345"  # valid check digit, not in the registry


@pytest.fixture
def corporations(db):
    Corporation.objects.create(number=CORP, name="社会福祉法人みどり会")
    Corporation.objects.create(number=OTHER, name="株式会社ひかりケア")


def write_csv(tmp_path, rows, header=PROFILE_HEADER, encoding="utf-8-sig"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    path = tmp_path / "profiles.csv"
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def test_profiles_import_from_csv_with_several_values(corporations, tmp_path):
    path = write_csv(
        tmp_path,
        [
            [
                CORP,
                "人材確保（採用）;災害への備え",
                "人材確保・育成、物資等供給",
                "はい",
                "佐藤",
                "026-000-0000",
            ],
            [OTHER, "経営の安定", "", "いいえ", "", ""],
        ],
        encoding="cp932",
    )
    run = profiles_import(path=path)
    assert (run.created, run.rejected) == (2, 0)
    profile = ProviderProfile.objects.get(corporation__number=CORP)
    assert profile.consent_matching is True
    assert {c.code for c in profile.challenges.all()} == {"recruiting", "disaster"}
    assert {t.code for t in profile.themes.all()} == {"workforce", "supplies"}
    again = profiles_import(path=path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_profiles_import_from_xlsx(corporations, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(PROFILE_HEADER)
    sheet.append([CORP, "事業承継", "経営支援", "同意", "田中", "tanaka@example.jp"])
    path = tmp_path / "profiles.xlsx"
    book.save(path)
    run = profiles_import(path=path)
    assert run.created == 1
    assert ProviderProfile.objects.get().contact == "tanaka@example.jp"


def test_bad_profile_rows_are_rejected_with_reasons(corporations, tmp_path):
    path = write_csv(
        tmp_path,
        [
            ["1234567890123", "", "", "はい", "", ""],
            [VALID_UNKNOWN, "", "", "はい", "", ""],
            [CORP, "人手が足りない", "", "はい", "", ""],
            [OTHER, "", "", "たぶん", "", ""],
        ],
    )
    run = profiles_import(path=path)
    assert (run.created, run.rejected) == (0, 4)
    with open(run.rejects_file, encoding="utf-8-sig") as handle:
        reasons = [r["理由"] for r in csv.DictReader(handle)]
    assert "検査数字" in reasons[0]
    assert "台帳にありません" in reasons[1]
    assert "「人手が足りない」は選択肢にありません" in reasons[2]
    assert "はい／いいえ" in reasons[3]


def test_wrong_profile_header_is_refused(corporations, tmp_path):
    path = write_csv(
        tmp_path, [[CORP, "", "", "はい", "", ""]], header=("番号", *PROFILE_HEADER[1:])
    )
    with pytest.raises(UnusableFile):
        profiles_import(path=path)
    assert ProviderProfile.objects.count() == 0
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_profiles", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert exit_info.value.code == 2


# --- Issue 18: bad cells rejected row by row, XLSX bombs refused before they are opened ----------
def xlsx_with_sheet(tmp_path, sheet_xml: bytes, *, extra: dict[str, bytes] | None = None):
    """A real workbook whose first sheet is replaced by hand-written XML (small on disk)."""
    import zipfile

    book = Workbook()
    book.active.append(PROFILE_HEADER)
    plain = tmp_path / "plain.xlsx"
    book.save(plain)
    path = tmp_path / "profiles.xlsx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = sheet_xml if item.filename == "xl/worksheets/sheet1.xml" else source.read(item)
            out.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED)
        for name, data in (extra or {}).items():
            out.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return path


def sheet(*rows: bytes, dimension: str = "A1:F2") -> bytes:
    header = b"".join(
        b'<c t="inlineStr"><is><t>' + h.encode() + b"</t></is></c>" for h in PROFILE_HEADER
    )
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<dimension ref="' + dimension.encode() + b'"/><sheetData>'
        b'<row r="1">' + header + b"</row>" + b"".join(rows) + b"</sheetData></worksheet>"
    )


@pytest.fixture
def openpyxl_never_opens(monkeypatch):
    """The caps must trigger before openpyxl builds anything from the file."""

    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl opened a file the caps should have refused")

    monkeypatch.setattr("openpyxl.load_workbook", refuse)


def test_long_contact_person_and_nul_rows_are_rejected_and_the_others_imported(
    corporations, tmp_path
):
    limit = ProviderProfile._meta.get_field("contact_person").max_length
    path = write_csv(
        tmp_path,
        [
            [CORP, "", "", "はい", "佐" * 101, ""],
            [CORP, "", "", "はい", "佐藤", "026-000-0000\x00"],
            ["__wide__", "", "", "", "", ""],
            [OTHER, "", "", "いいえ", "田中", "tanaka@example.jp"],
        ],
    )
    text = path.read_text(encoding="utf-8-sig")
    path.write_text(text.replace("__wide__,,,,,", "," * 999_999), encoding="utf-8-sig")
    run = profiles_import(path=path)
    assert (run.status, run.created, run.rejected) == ("done", 1, 3)
    with open(run.rejects_file, encoding="utf-8-sig") as handle:
        reasons = {(r["行番号"], r["列"]): r["理由"] for r in csv.DictReader(handle)}
    assert reasons[("2", "担当者")] == f"担当者が長すぎます（101文字、上限{limit}文字）。"
    assert reasons[("3", "連絡先")] == "使えない文字（NUL）が含まれています。"
    assert reasons[("4", "（行全体）")].startswith("行が長すぎます")
    assert ProviderProfile.objects.get().corporation.number == OTHER


def test_long_contact_person_in_xlsx_is_rejected_too(corporations, tmp_path):
    book = Workbook()
    book.active.append(PROFILE_HEADER)
    book.active.append([CORP, "", "", "はい", "佐" * 101, ""])
    book.active.append([OTHER, "", "", "はい", "田中", "連" * 201])
    book.active.append([OTHER, "", "", "はい", "田中", ""])
    path = tmp_path / "profiles.xlsx"
    book.save(path)
    run = profiles_import(path=path)
    assert (run.status, run.created, run.rejected) == ("done", 1, 2)
    with open(run.rejects_file, encoding="utf-8-sig") as handle:
        columns = [r["列"] for r in csv.DictReader(handle)]
    assert columns == ["担当者", "連絡先"]


def test_an_xlsx_bomb_with_three_million_rows_is_refused_before_it_is_opened(
    corporations, tmp_path, openpyxl_never_opens
):
    far = b'<row r="3000000"><c r="A3000000" t="inlineStr"><is><t>x</t></is></c></row>'
    path = xlsx_with_sheet(tmp_path, sheet(far, dimension="A1:F3000000"))
    assert path.stat().st_size < 20_000
    with pytest.raises(UnusableFile, match=r"行が多すぎます（見出しを除いて上限20,000行）"):
        profiles_import(path=path)
    run = ImportRun.objects.get()
    assert run.status == "failed" and "行が多すぎます" in run.message
    assert ProviderProfile.objects.count() == 0


def test_an_xlsx_with_more_rows_than_the_cap_is_refused(corporations, tmp_path, settings):
    settings.IMPORT_PROFILES_MAX_ROWS = 3
    book = Workbook()
    book.active.append(PROFILE_HEADER)
    for _ in range(4):
        book.active.append([CORP, "", "", "はい", "", ""])
    path = tmp_path / "profiles.xlsx"
    book.save(path)
    with pytest.raises(UnusableFile, match="上限3行"):
        profiles_import(path=path)
    settings.IMPORT_PROFILES_MAX_ROWS = 4
    assert profiles_import(path=path).status == "done"


def test_a_million_column_xlsx_row_is_refused_not_loaded(
    corporations, tmp_path, openpyxl_never_opens
):
    wide = b'<row r="2">' + b"<c/>" * 1_000_000 + b"</row>"
    path = xlsx_with_sheet(tmp_path, sheet(wide))
    assert path.stat().st_size < 100_000
    with pytest.raises(UnusableFile, match=r"2行目の列が多すぎます（上限256列）"):
        profiles_import(path=path)
    assert ProviderProfile.objects.count() == 0


def test_an_xlsx_that_inflates_past_the_cap_is_refused(
    corporations, tmp_path, settings, openpyxl_never_opens
):
    settings.IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    path = xlsx_with_sheet(tmp_path, sheet(), extra={"xl/media/padding.bin": b" " * 2_000_000})
    with pytest.raises(UnusableFile, match="展開すると大きすぎます"):
        profiles_import(path=path)


def test_a_profile_file_over_the_size_cap_is_refused(corporations, tmp_path, settings):
    settings.IMPORT_PROFILES_MAX_BYTES = 100
    path = write_csv(tmp_path, [[CORP, "", "", "はい", "佐藤" * 20, ""]])
    with pytest.raises(UnusableFile, match="ファイルが大きすぎます"):
        profiles_import(path=path)
    assert ProviderProfile.objects.count() == 0


def test_an_error_mid_profile_import_marks_the_run_interrupted(corporations, tmp_path, monkeypatch):
    import partners.services.imports as imports

    written = imports._profile_write

    def fail_on_second(**kwargs):
        if ProviderProfile.objects.exists():
            raise RuntimeError("disk full")
        return written(**kwargs)

    monkeypatch.setattr(imports, "_profile_write", fail_on_second)
    path = write_csv(tmp_path, [[CORP, "", "", "はい", "", ""], [OTHER, "", "", "はい", "", ""]])
    with pytest.raises(RuntimeError):
        profiles_import(path=path)
    run = ImportRun.objects.get()
    assert run.status == "interrupted" and "RuntimeError: disk full" in run.message
    monkeypatch.undo()
    rerun = profiles_import(path=path)
    assert (rerun.status, rerun.created, rerun.unchanged) == ("done", 1, 1)

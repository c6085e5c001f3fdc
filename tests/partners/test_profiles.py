"""The window's survey of intentions: import_profiles from CSV or XLSX, with the same error rules."""

import csv
import io

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from partners.imports import PROFILE_HEADER, UnusableFile, profiles_import
from partners.models import Corporation, ProviderProfile

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

"""Registry exports, sub-meeting group exports and import rejects files never carry a live
formula, even when an imported file's names start with = + - @ or a tab."""

import csv

import pytest
from django.urls import reverse

from partners import exports
from partners.models import Corporation
from partners.services.imports import PROFILE_HEADER, establishments_import, profiles_import
from tests.factories import _corporate_number, profile_for, submeeting_with
from tests.spreadsheet_checks import (
    HOSTILE,
    assert_csv_neutral,
    assert_xlsx_neutral,
    csv_cells,
    open_data_row,
    without_credit,
    write_open_data,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(tmp_path):
    """One establishment per hostile text, each of its own corporation named by that text."""
    rows = [
        open_data_row(
            No=str(index),
            事業所名=text,
            法人の名称=text,
            法人番号=_corporate_number(index),
            事業所番号=f"20701{index:05d}",
        )
        for index, text in enumerate(HOSTILE, start=1)
    ]
    run = establishments_import(path=write_open_data(tmp_path / "jigyosho.csv", rows))
    assert (run.created, run.rejected) == (len(HOSTILE), 0)
    corporations = list(Corporation.objects.order_by("number"))
    # What the registry holds after the import's normalisation (＝ becomes =, the tab goes).
    names = tuple(sorted({c.name for c in corporations}))
    assert "=1+1" in names and '=HYPERLINK("http://x","y")' in names and "@cmd" in names
    return corporations, names


def test_the_registry_csv_quotes_imported_names_that_look_like_formulas(client, staff, imported):
    corporations, names = imported
    client.force_login(staff)
    response = client.get(reverse("partners:export", args=["csv"]))
    rows = without_credit(assert_csv_neutral(b"".join(response.streaming_content), names))
    assert sorted(r[1] for r in rows[1:]) == sorted("'" + c.name for c in corporations)
    response = client.get(reverse("partners:export", args=["csv"]), {"view": "establishments"})
    assert_csv_neutral(b"".join(response.streaming_content), names)


def test_the_registry_xlsx_writes_imported_names_as_text_not_formulas(client, staff, imported):
    _corporations, names = imported
    client.force_login(staff)
    for params in ({}, {"view": "establishments"}):
        response = client.get(reverse("partners:export", args=["xlsx"]), params)
        book = assert_xlsx_neutral(response.content, names)
        sheet = book.active
        header = [c.value for c in sheet[1]]
        column = header.index("法人名") + 1
        assert {sheet.cell(row=r, column=column).value for r in range(2, sheet.max_row + 1)} == set(
            names
        )


def test_registry_numbers_stay_numbers_and_negative_numbers_are_not_quoted():
    header = ["名前", "数"]
    rows = [["=1+1", -1], ["-1+1", 3]]
    assert without_credit(csv_cells("".join(exports.stream_csv(header, rows))))[1:] == [
        ["'=1+1", "-1"],
        ["'-1+1", "3"],
    ]
    book = assert_xlsx_neutral(exports.xlsx_bytes("表", header, rows), ("=1+1", "-1+1"))
    sheet = book.active
    assert (sheet["B2"].value, sheet["B2"].data_type) == (-1, "n")


@pytest.fixture
def grouped_meeting(staff, imported):
    corporations, _names = imported
    for corporation in corporations:
        profile_for(corporation, challenges=["recruiting"], themes=["workforce"])
    return submeeting_with(corporations, by=staff, grouped=True)


def test_the_meeting_group_exports_write_imported_names_as_text(client, staff, grouped_meeting):
    names = tuple({c.name for c in Corporation.objects.all()})
    client.force_login(staff)
    response = client.get(reverse("partners:meeting_export", args=[grouped_meeting.pk, "csv"]))
    rows = without_credit(assert_csv_neutral(response.content, names))
    assert len(rows) == 1 + len(HOSTILE)
    response = client.get(reverse("partners:meeting_export", args=[grouped_meeting.pk, "xlsx"]))
    sheet = assert_xlsx_neutral(response.content, names).active
    assert sheet["A2"].data_type == "n"  # the group number stays a number


def test_the_import_rejects_file_quotes_the_original_cells(db, tmp_path):
    rows = [
        open_data_row(
            No=str(i), 事業所名=text, 法人の名称=text, 定員="約20", 事業所番号=f"2070{i:06d}"
        )
        for i, text in enumerate(HOSTILE, start=1)
    ]
    run = establishments_import(path=write_open_data(tmp_path / "jigyosho.csv", rows))
    assert run.rejected == len(HOSTILE)
    with open(run.rejects_file, "rb") as handle:
        rows = assert_csv_neutral(handle.read())
    assert rows[1][0] == "2"  # the line number stays a plain number


def test_the_profile_rejects_file_quotes_the_original_cells(db, tmp_path):
    Corporation.objects.create(number="7000012050002", name="社会福祉法人みどり会")
    path = tmp_path / "profiles.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(PROFILE_HEADER)
        for text in HOSTILE:
            writer.writerow(["7000012050002", "", "", "たぶん", text, text])
    run = profiles_import(path=path)
    assert run.rejected == len(HOSTILE)
    with open(run.rejects_file, "rb") as handle:
        assert_csv_neutral(handle.read())

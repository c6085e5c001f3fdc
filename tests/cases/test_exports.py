"""Exports honour the list's filters: CSV for Excel, XLSX with a column guide, JSON for scripts."""

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import CaseFactory
from tests.spreadsheet_checks import open_in_libreoffice

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def library(db):
    CaseFactory(number=1001, name="安曇野ケアサポート会", tags=[("operation", "workforce")])
    CaseFactory(number=1002, name="上田災害ネット", form="close", tags=[("operation", "disaster")])
    CaseFactory(number=1003, name="下書き", status="draft", tags=[("operation", "workforce")])


def test_json_export_lists_the_filtered_cases_with_the_promised_keys(client, library):
    response = client.get(reverse("cases:export_json"), {"operation": "workforce"})
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    rows = json.loads(response.content)
    assert [r["number"] for r in rows] == [1001]
    row = rows[0]
    for key in (
        "number",
        "name",
        "prefectures",
        "form",
        "legal_form",
        "member_count",
        "operations",
        "reasons",
        "stages",
        "url",
    ):
        assert key in row
    assert row["prefectures"] == ["長野県"]
    assert row["form"] == "loose"
    assert sorted(row["stages"]) == ["1", "2", "3", "4", "5", "6"]
    assert row["url"] == "http://testserver/cases/1001/"


def test_csv_export_opens_in_excel(client, library):
    response = client.get(reverse("cases:export_csv"), {"form": "close"})
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["事例番号", "名称", "連携の形態"]
    assert [r[0] for r in rows[1:]] == ["1002"]
    assert rows[1][2] == "緊密な連携"


def test_xlsx_export_has_a_sheet_explaining_each_column(client, library):
    response = client.get(reverse("cases:export_xlsx"))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["事例", "列の説明"]
    cases = list(book["事例"].values)
    assert [r[0] for r in cases[1:]] == [1001, 1002]  # drafts stay hidden from the public
    guide = list(book["列の説明"].values)
    assert guide[1][1] == "事例番号"
    assert len([g for g in guide[1:] if g and g[0]]) == len(cases[0])


def test_staff_exports_include_drafts(client, library, staff):
    client.force_login(staff)
    rows = json.loads(client.get(reverse("cases:export_json")).content)
    assert [r["number"] for r in rows] == [1001, 1002, 1003]


@pytest.mark.parametrize("count", [2, 20])
def test_export_runs_a_constant_number_of_queries(client, db, count, django_assert_num_queries):
    for n in range(count):
        CaseFactory(number=4000 + n, tags=[("operation", "workforce")])
    with django_assert_num_queries(6):
        client.get(reverse("cases:export_json"), {"operation": "workforce"})


def test_export_command_writes_each_format(library, tmp_path):
    out = tmp_path / "cases.xlsx"
    call_command("export_cases", "--format", "xlsx", "--out", str(out))
    assert load_workbook(out)["事例"].max_row == 3
    call_command("export_cases", "--format", "csv", "--out", str(tmp_path / "cases.csv"))
    assert (tmp_path / "cases.csv").read_bytes().startswith("\ufeff".encode())


def test_export_command_prints_json_to_stdout(library):
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    call_command("export_cases", stdout=stdout)
    rows = json.loads(stdout.buffer.getvalue())
    assert [r["number"] for r in rows] == [1001, 1002]


def test_export_command_rejects_bad_arguments():
    result = subprocess.run(
        [sys.executable, "manage.py", "export_cases", "--format", "yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "invalid choice" in result.stderr or "無効" in result.stderr


def test_the_case_xlsx_has_typed_cells_a_frozen_filtered_header_and_prints_landscape(
    client, library, tmp_path, settings
):
    settings.PORTAL_WINDOW_NAME = "長野県介護生産性向上総合相談センター"
    response = client.get(reverse("cases:export_xlsx"))
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["事例"]
    header = [c.value for c in sheet[1]]
    number, members = header.index("事例番号") + 1, header.index("参加法人数") + 1
    assert sheet.cell(row=2, column=number).data_type == "n"
    count = sheet.cell(row=2, column=members)
    assert (count.value, count.data_type) == (5, "n")  # a number, never 「5法人」
    assert sheet.freeze_panes == "C2"  # header row and the number and name columns stay
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(row=1, column=len(header)).column_letter}3"
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    assert "報告書" in sheet.oddHeader.left.text and "現在" in sheet.oddHeader.right.text
    assert sheet.column_dimensions["B"].width >= 18  # fitted to 「安曇野ケアサポート会」
    guide = book["列の説明"]
    assert guide.freeze_panes == "A2" and guide.auto_filter.ref == f"A1:C{len(header) + 1}"
    assert book.properties.title == "事例ライブラリの一覧"
    assert book.properties.creator == "長野県介護生産性向上総合相談センター"
    open_in_libreoffice(response.content, tmp_path)

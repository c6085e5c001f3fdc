"""The public case exports never carry a live formula, whatever a case's text starts with."""

import pytest
from django.urls import reverse

from tests.factories import CaseFactory
from tests.spreadsheet_checks import HOSTILE, assert_csv_neutral, assert_xlsx_neutral, csv_cells

pytestmark = pytest.mark.django_db


@pytest.fixture
def hostile_cases():
    for offset, text in enumerate(HOSTILE):
        CaseFactory(number=1001 + offset, name=text, summary=text, legal_form=text, stage_3=text)
    CaseFactory(number=1100, name="+SUM(A1)の会", summary="+SUM(A1)", member_count=12)


def test_anyone_downloading_the_case_csv_gets_formulas_as_quoted_text(client, hostile_cases):
    response = client.get(reverse("cases:export_csv"))
    assert response.status_code == 200
    rows = assert_csv_neutral(response.content)
    header = rows[0]
    by_number = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert by_number["1003"]["概要"] == "'+SUM(A1)"
    assert by_number["1004"]["名称"] == "'＝1+1"
    assert by_number["1100"]["名称"] == "'+SUM(A1)の会"
    assert by_number["1100"]["参加法人数"] == "12"


def test_anyone_downloading_the_case_xlsx_gets_formulas_as_text_cells(client, hostile_cases):
    response = client.get(reverse("cases:export_xlsx"))
    assert response.status_code == 200
    book = assert_xlsx_neutral(response.content)
    sheet = book["事例"]
    header = [c.value for c in sheet[1]]
    rows = {row[0].value: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)}
    hyperlink = rows[1001]["概要"]
    assert (hyperlink.value, hyperlink.data_type) == ('=HYPERLINK("http://x","y")', "s")
    assert rows[1001]["概要"].quotePrefix
    assert rows[1003]["概要"].value == "+SUM(A1)"
    count = rows[1100]["参加法人数"]
    assert (count.value, count.data_type) == (12, "n")
    assert rows[1100]["事例番号"].data_type == "n"


def test_the_export_command_neutralises_formulas_too(hostile_cases, tmp_path):
    from django.core.management import call_command

    out = tmp_path / "cases.csv"
    call_command("export_cases", "--format", "csv", "--out", str(out))
    assert csv_cells(out.read_bytes())[1][1] == "'" + HOSTILE[0]

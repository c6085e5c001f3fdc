"""The one cell writer every export uses: what it quotes, what it leaves alone."""

import io
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from portal.spreadsheets import append_row, csv_row, starts_like_formula
from tests.spreadsheet_checks import looks_like_formula


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+1", "-1+1", "@SUM(A1)", "\tx", "\r=1", "＝1+1", "＋1", "－1", "＠cmd"],
)
def test_text_that_starts_like_a_formula_is_quoted_in_csv(text):
    assert starts_like_formula(text)
    assert csv_row([text]) == ["'" + text]


@pytest.mark.parametrize("text", ["", "みどり会", "1+1", "'=1", " =1", "#N/A", "a=1"])
def test_other_text_is_left_alone(text):
    assert csv_row([text]) == [text]


def test_numbers_dates_and_empty_cells_stay_typed():
    values = [-1, 0, 2.5, Decimal("-3.5"), date(2026, 4, 1), None, True]
    assert csv_row(values) == values


@given(st.text(max_size=20))
def test_no_csv_cell_ever_starts_like_a_formula(text):
    (cell,) = csv_row([text])
    assert not looks_like_formula(cell)
    assert cell in (text, "'" + text)
    assert starts_like_formula(text) == looks_like_formula(text)


@pytest.mark.parametrize("write_only", [False, True])
def test_xlsx_text_is_never_a_formula_and_numbers_stay_numbers(write_only):
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("表") if write_only else book.active
    values = ['=HYPERLINK("http://x","y")', "＝1+1", "@cmd", "#N/A", "a\x00b\x01", -1, 2.5, "ok"]
    append_row(sheet, values)
    buffer = io.BytesIO()
    book.save(buffer)
    cells = list(load_workbook(buffer).worksheets[0].iter_rows())[0]
    assert [c.value for c in cells] == [*values[:4], "ab", -1, 2.5, "ok"]
    assert [c.data_type for c in cells] == ["s"] * 5 + ["n", "n", "s"]
    assert [bool(c.quotePrefix) for c in cells[:3]] == [True, True, True]

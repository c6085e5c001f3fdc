"""The one cell writer every export uses: what it quotes, what it leaves alone."""

import io
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from portal.spreadsheets import (
    WIDTH_SAMPLE,
    Percent,
    TableSheet,
    append_row,
    csv_row,
    display_width,
    new_workbook,
    starts_like_formula,
    workbook_bytes,
)
from tests.reports.helpers import pages, squeeze
from tests.spreadsheet_checks import looks_like_formula, open_in_libreoffice


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


# --- TableSheet: the one way every XLSX of the portal lays out a table ------------------------------
def _table_book(write_only: bool, rows, *, lines=(), header=("名称", "件数", "割合", "日付")):
    book = new_workbook(title="テストの一覧", subject="出典：テスト", write_only=write_only)
    table = TableSheet(
        book, "一覧", list(header), source="出典：テスト", as_of=date(2026, 9, 18), lines=lines
    )
    table.extend(rows)
    table.close(after=[["注：テストの注記です。"]])
    return load_workbook(io.BytesIO(workbook_bytes(book)))


@pytest.mark.parametrize("write_only", [False, True])
def test_a_table_sheet_writes_numbers_dates_and_rates_as_typed_cells(write_only, settings):
    settings.PORTAL_WINDOW_NAME = "長野県介護生産性向上総合相談センター"
    rows = [
        ["みどり会", 4, Percent(0.375), date(2026, 9, 18)],
        ["=1+1", Decimal("12.5"), Percent(1.2), datetime(2026, 9, 18, 0, 30, tzinfo=UTC)],
    ]
    book = _table_book(write_only, rows)
    sheet = book["一覧"]
    first, second = list(sheet.iter_rows(min_row=2, max_row=3))
    assert [c.value for c in first] == [
        "みどり会",
        4,
        0.375,
        datetime.combine(date(2026, 9, 18), time()),
    ]
    assert [c.data_type for c in first] == ["s", "n", "n", "d"]
    assert first[2].number_format == "0.0%"
    assert first[3].number_format == 'yyyy"年"m"月"d"日"'
    assert second[0].data_type == "s" and second[0].quotePrefix  # still never a formula
    assert second[1].value == 12.5 and second[2].value == 1.2
    # Excel has no time zones: an aware moment is written as the time in Tokyo.
    assert second[3].value == datetime.combine(date(2026, 9, 18), time(9, 30))
    assert book.properties.title == "テストの一覧"
    assert book.properties.creator == "長野県介護生産性向上総合相談センター"


@pytest.mark.parametrize("write_only", [False, True])
def test_a_table_sheet_freezes_filters_and_prints_its_header_on_every_page(write_only):
    book = _table_book(
        write_only,
        [["みどり会", 4, Percent(0.5), date(2026, 4, 1)]] * 3,
        lines=("表のタイトル", "出典：テスト　集計日：2026年9月18日"),
    )
    sheet = book["一覧"]
    assert [c.value for c in sheet[3]] == ["名称", "件数", "割合", "日付"]
    assert sheet["A1"].value == "表のタイトル" and sheet["A1"].font.b
    assert sheet["A3"].font.b
    assert sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref == "A3:D6"  # header and rows, not the note below
    assert sheet.print_title_rows == "$1:$3"
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.paperSize == 9  # A4
    assert sheet.oddHeader.left.text is None  # the caption rows repeat on every page instead
    assert sheet.oddHeader.right.text == "2026年9月18日現在"
    assert sheet["A8"].value == "注：テストの注記です。"
    assert sheet["B4"].font.name == "游ゴシック"


@pytest.mark.parametrize("write_only", [False, True])
def test_columns_fit_their_content_and_wide_tables_print_landscape(write_only):
    narrow = _table_book(write_only, [["みどり会", 4, None, None]])["一覧"]
    # 「名称」 (4) + filter button and bold (4) + margin (2); the Japanese name counts double.
    assert narrow.column_dimensions["A"].width == 10
    assert narrow.page_setup.orientation == "portrait"
    long_name = "社会福祉法人" * 6  # 36 full-width characters: 72 columns, capped at 60
    wide = _table_book(write_only, [[long_name, 4, None, long_name], ["a", 123456789, None, ""]])
    sheet = wide["一覧"]
    assert sheet.column_dimensions["A"].width == 60
    assert sheet.column_dimensions["B"].width == 11  # nine digits + margin beats 「件数」 + 4
    assert sheet.page_setup.orientation == "landscape"


def test_display_width_counts_east_asian_characters_double():
    assert display_width("abc") == 3
    assert display_width("みどり会") == 8
    assert display_width("ＡＢ１") == 6  # full-width Latin and digits
    assert display_width("ｱｲｳ") == 3  # half-width katakana


def test_a_streamed_sheet_longer_than_the_width_sample_keeps_every_row():
    book = new_workbook(title="大きな一覧", write_only=True)
    table = TableSheet(
        book, "事業所", ["番号", "名称"], source="出典：テスト", as_of=date(2026, 4, 1)
    )
    count = WIDTH_SAMPLE * 2 + 7
    table.extend([n, f"事業所{n}"] for n in range(count))
    table.close()
    sheet = load_workbook(io.BytesIO(workbook_bytes(book)))["事業所"]
    assert sheet.max_row == count + 1
    assert sheet.auto_filter.ref == f"A1:B{count + 1}"
    assert sheet.freeze_panes == "A2"
    assert sheet.cell(row=count + 1, column=1).value == count - 1


def test_a_percent_reads_as_a_whole_percent_and_keeps_its_ratio():
    rate = Percent(0.375)
    assert rate == 38 and str(rate) == "38" and rate.ratio == 0.375


def test_the_workbook_font_is_a_japanese_font_excel_has(settings):
    book = _table_book(False, [["みどり会", 1, None, None]])
    assert book._fonts[0].name == "游ゴシック"
    assert book._fonts[0].charset == 128  # Shift_JIS: a Japanese fallback where it is missing


def test_a_table_sheet_opens_in_libreoffice(tmp_path):
    book = new_workbook(title="テストの一覧")
    table = TableSheet(
        book, "一覧", ["名称", "割合", "日付"], source="出典：A&B", as_of=date(2026, 9, 18),
    )  # fmt: skip
    table.extend([["みどり会", Percent(0.375), date(2026, 9, 18)]])
    table.close()
    pdf = open_in_libreoffice(workbook_bytes(book), tmp_path)
    text = squeeze("".join(pages(pdf)))
    # LibreOffice applies the formats: the rate as a percent, the date in Japanese, the header.
    for expected in ("みどり会", "37.5%", "2026年9月18日", "出典：A&B", "2026年9月18日現在"):
        assert expected in text, expected

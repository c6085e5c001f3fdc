"""Cell writing for every CSV and XLSX the portal produces, so no text becomes a live formula.

OWASP "CSV injection": a spreadsheet evaluates a cell that starts with = + - @ (or a tab or a
carriage return, which some programs skip before reading the formula). Names, summaries and KPI
titles come from users and imported files, so every writer passes its cells through here:
CSV cells with such a start get a leading apostrophe; XLSX text is always a string cell (never a
formula or an error value) and the risky ones are quote-prefixed, so editing them in Excel keeps
them text. Numbers, dates and booleans stay typed. The start is read after NFKC, so a full-width
＝ counts as =.

Every XLSX is laid out by TableSheet (below), so all of them read the same in Excel: typed cells
(dates with a Japanese date format, rates with a % format), fitted widths, a frozen and filtered
header row, A4 print setup that fits the width and repeats the header, the source and as-of date,
a Japanese font and document properties naming the window.
"""

import csv
import io
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = frozenset("=+-@\t\r")

# NFKC of a leading character never depends on more than a few following combining marks.
_LOOKAHEAD = 16


def starts_like_formula(text: str) -> bool:
    """True if a spreadsheet could read this text as a formula (raw or after NFKC)."""
    if not text:
        return False
    if text[0] in FORMULA_STARTS:
        return True
    normalised = unicodedata.normalize("NFKC", text[:_LOOKAHEAD])
    return normalised[:1] in FORMULA_STARTS


def csv_value(value: Any) -> Any:
    """A CSV cell: risky text gets a leading apostrophe; everything else is left as it is."""
    if isinstance(value, str) and starts_like_formula(value):
        return "'" + value
    return value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_value(v) for v in values]


class SafeCsvWriter:
    """csv.writer whose rows go through csv_row; writerow returns what the target's write returns
    (so a streaming response can use an echo target)."""

    def __init__(self, target: Any, **kwargs: Any):
        self._writer = csv.writer(target, **kwargs)

    def writerow(self, values: Iterable[Any]) -> Any:
        return self._writer.writerow(csv_row(values))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for values in rows:
            self._writer.writerow(csv_row(values))


def csv_writer(target: Any, **kwargs: Any) -> SafeCsvWriter:
    return SafeCsvWriter(target, **kwargs)


def xlsx_value(sheet: Any, value: Any) -> Any:
    """A value for Worksheet.append (normal or write-only): text that openpyxl would turn into a
    formula or an error value, or that looks like a formula, becomes an explicit string cell."""
    if not isinstance(value, str):
        return value
    # Control characters are not allowed in XLSX; openpyxl would raise, so drop them.
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    risky = starts_like_formula(text)
    if not risky and not text.startswith("=") and text not in ERROR_CODES:
        return text
    # row and column are placeholders: append() sets the real ones.
    cell = Cell(sheet, row=1, column=1, value=text)
    cell.data_type = "s"
    if risky:
        cell.quotePrefix = True
    return cell


def xlsx_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    return [xlsx_value(sheet, v) for v in values]


def append_row(sheet: Any, values: Iterable[Any]) -> None:
    """sheet.append(values) with every text cell written as text."""
    sheet.append(xlsx_row(sheet, values))


# --- Workbooks that read well in Excel ---------------------------------------------------------------
# Excel on Windows (8.1 and later) and on macOS ships 游ゴシック, and it has been the default font of
# Japanese Excel since 2016. charset 128 (Shift_JIS) and family 3 let Excel and LibreOffice pick a
# Japanese fallback (MS Pゴシック, Noto Sans CJK JP) where it is missing, never a Latin-only font.
FONT_NAME = "游ゴシック"
FONT = Font(name=FONT_NAME, charset=128, family=3, sz=11)
HEADER_FONT = Font(name=FONT_NAME, charset=128, family=3, sz=11, b=True)
TITLE_FONT = Font(name=FONT_NAME, charset=128, family=3, sz=14, b=True)
HEADER_FILL = PatternFill("solid", fgColor="E3F0F2")
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
DATETIME_FORMAT = 'yyyy"年"m"月"d"日" h:mm'
RATE_FORMAT = "0.0%"
WRAP = Alignment(wrap_text=True, vertical="top")
# Column widths are in characters of the default font; a full-width character counts two.
MIN_WIDTH, MAX_WIDTH = 6, 60
# Beyond this sum of column widths a table no longer fits A4 portrait at a readable scale.
PORTRAIT_WIDTH = 100
# A streamed sheet fits its columns to the first rows (and the header): widths are written before
# the first row, so the whole table cannot be measured without holding it in memory.
WIDTH_SAMPLE = 500


class Percent(int):
    """A rate shown as a whole percent (int value: 38) that keeps its exact ratio (0.375), which
    spreadsheets write as a number with a % format."""

    ratio: float

    def __new__(cls, ratio: float) -> "Percent":
        value = super().__new__(cls, round(ratio * 100))
        value.ratio = float(ratio)
        return value


def display_width(text: str) -> int:
    """Width in half-width columns: East Asian wide and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _shown(value: Any) -> str:
    """Roughly what a cell shows, for fitting its column."""
    if value is None:
        return ""
    if isinstance(value, Percent):
        return f"{value.ratio * 100:.1f}%"
    if isinstance(value, datetime):
        return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def typed_cell(sheet: Any, value: Any, *, wrap: bool = False) -> Any:
    """A value for Worksheet.append: text through xlsx_value (never a formula), dates as dates with
    a Japanese date format, Percent as its ratio with a % format, numbers as numbers."""
    if isinstance(value, str):
        value = xlsx_value(sheet, value)
        if not wrap:
            return value
        cell = value if isinstance(value, Cell) else Cell(sheet, row=1, column=1, value=value)
        cell.alignment = WRAP
        return cell
    number_format = None
    if isinstance(value, Percent):
        value, number_format = value.ratio, RATE_FORMAT
    elif isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value, number_format = value.replace(tzinfo=None), DATETIME_FORMAT
    elif isinstance(value, date):
        number_format = DATE_FORMAT
    if number_format is None and not wrap:
        return value
    cell = Cell(sheet, row=1, column=1, value=value)
    if number_format:
        cell.number_format = number_format
    if wrap:
        cell.alignment = WRAP
    return cell


def new_workbook(*, title: str, subject: str = "", write_only: bool = False) -> Workbook:
    """A workbook in the Japanese font, whose properties name it and the window that made it."""
    book = Workbook(write_only=write_only)
    # Cells without a style of their own use font 0: make it the Japanese font.
    book._fonts = IndexedList([FONT])
    book._named_styles["Normal"].font = FONT
    props = book.properties
    props.title = title
    props.subject = subject or title
    props.creator = settings.PORTAL_WINDOW_NAME
    props.lastModifiedBy = settings.PORTAL_WINDOW_NAME
    props.language = "ja-JP"
    props.created = props.modified = timezone.now().replace(tzinfo=None)
    if not write_only:
        book.remove(book.active)
    return book


def _header_footer_text(text: str) -> str:
    # & starts a code (&P, &D) in Excel's header and footer language.
    return text.replace("&", "&&")


class TableSheet:
    """One table on one sheet, written the same way for every spreadsheet of the portal.

    Optional caption lines (title, source, as-of date) come first, then the header row, which is
    the frozen, filtered and printed-on-every-page row, then the typed rows. Widths are fitted to
    the header and the first WIDTH_SAMPLE rows (East Asian characters count double); rows are
    written as they come, so a write-only workbook streams. Call close() after the last row.
    """

    def __init__(
        self,
        book: Workbook,
        title: str,
        header: list[str],
        *,
        source: str,
        as_of: date,
        lines: Iterable[str] = (),
        freeze_columns: int = 0,
        wrap_columns: Iterable[int] = (),
        max_width: int = MAX_WIDTH,
    ):
        self.sheet = book.create_sheet(sheet_title(title))
        self.header = list(header)
        self.source = source
        self.as_of = as_of
        self.lines = list(lines)
        self.freeze_columns = freeze_columns
        self.wrap_columns = frozenset(wrap_columns)
        self.max_width = max_width
        self.header_row = len(self.lines) + 1
        self.rows_written = 0
        self._pending: list[list[Any]] | None = []

    def append(self, row: Iterable[Any]) -> None:
        row = list(row)
        if self._pending is None:
            self._write(row)
            return
        self._pending.append(row)
        if len(self._pending) >= WIDTH_SAMPLE:
            self._start()

    def extend(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.append(row)

    def _write(self, row: list[Any]) -> None:
        self.sheet.append(
            [typed_cell(self.sheet, v, wrap=i in self.wrap_columns) for i, v in enumerate(row)]
        )
        self.rows_written += 1

    def _widths(self, rows: list[list[Any]]) -> list[int]:
        widths = []
        for index, heading in enumerate(self.header):
            cells = [display_width(_shown(r[index])) for r in rows if index < len(r)]
            # Bold header text is a little wider; the filter button takes two more columns.
            wide = max([display_width(heading) + 4, *cells])
            widths.append(max(MIN_WIDTH, min(self.max_width, wide + 2)))
        return widths

    def _start(self) -> None:
        """Set everything a write-only sheet needs before its first row, then write the rows held."""
        sheet, pending = self.sheet, self._pending or []
        self._pending = None
        widths = self._widths(pending)
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        first_data = self.header_row + 1
        sheet.freeze_panes = f"{get_column_letter(self.freeze_columns + 1)}{first_data}"
        sheet.print_title_rows = f"1:{self.header_row}"
        setup = sheet.page_setup
        setup.paperSize = Worksheet.PAPERSIZE_A4
        setup.orientation = "landscape" if sum(widths) > PORTRAIT_WIDTH else "portrait"
        setup.fitToWidth = 1
        setup.fitToHeight = 0  # as many pages down as it takes
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        if not self.lines:
            # Without caption lines the page header carries the source; with them, the caption
            # rows are printed on every page already.
            sheet.oddHeader.left.text = _header_footer_text(self.source)
            sheet.oddHeader.left.size = 8
        sheet.oddHeader.right.text = (
            f"{self.as_of.year}年{self.as_of.month}月{self.as_of.day}日現在"
        )
        sheet.oddHeader.right.size = 8
        sheet.oddFooter.center.text = "&P / &N"
        sheet.oddFooter.center.size = 8
        table_width = sum(widths)
        for number, text in enumerate(self.lines, start=1):
            value = xlsx_value(sheet, text)
            cell = value if isinstance(value, Cell) else Cell(sheet, row=1, column=1, value=value)
            cell.font = TITLE_FONT if number == 1 else FONT
            sheet.append([cell])
            if number > 1 and hasattr(sheet, "merge_cells") and len(widths) > 1:
                # A long source line wraps within the table's width instead of running past it
                # (which would widen the printed area and shrink the whole table on paper).
                last = get_column_letter(len(widths))
                sheet.merge_cells(f"A{number}:{last}{number}")
                cell.alignment = WRAP
                lines = -(-display_width(str(text)) // max(1, table_width - 2))
                sheet.row_dimensions[number].height = 15 * max(1, lines)
        header = []
        for text in self.header:
            cell = typed_cell(sheet, text)
            if not isinstance(cell, Cell):
                cell = Cell(sheet, row=1, column=1, value=cell)
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(vertical="center")
            header.append(cell)
        sheet.append(header)
        for row in pending:
            self._write(row)

    def close(self, after: Iterable[Iterable[Any]] = ()) -> Any:
        """Finish the table (filter over header and rows), then write the `after` rows (notes)
        below it, outside the filtered range. Returns the sheet."""
        if self._pending is not None:
            self._start()
        last = self.header_row + self.rows_written
        self.sheet.auto_filter.ref = (
            f"A{self.header_row}:{get_column_letter(max(1, len(self.header)))}{last}"
        )
        after = list(after)
        if after:
            self.sheet.append([])
            for row in after:
                self.sheet.append([typed_cell(self.sheet, v) for v in row])
        return self.sheet


def sheet_title(title: str) -> str:
    """A valid, unique-enough sheet name: Excel allows 31 characters and none of []:*?/\\."""
    cleaned = "".join("・" if ch in "[]:*?/\\／" else ch for ch in title)
    return cleaned[:31] or "表"


def workbook_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

"""Cell writing for every CSV and XLSX the portal produces, so no text becomes a live formula.

OWASP "CSV injection": a spreadsheet evaluates a cell that starts with = + - @ (or a tab or a
carriage return, which some programs skip before reading the formula). Names, summaries and KPI
titles come from users and imported files, so every writer passes its cells through here:
CSV cells with such a start get a leading apostrophe; XLSX text is always a string cell (never a
formula or an error value) and the risky ones are quote-prefixed, so editing them in Excel keeps
them text. Numbers, dates and booleans stay typed. The start is read after NFKC, so a full-width
＝ counts as =.
"""

import csv
import unicodedata
from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell

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

"""Test utilities for the formula-injection tests of every export: hostile cell values, a row of
the national open-data CSV, and readers that check a CSV or XLSX written by the portal."""

import csv
import io
import unicodedata
from pathlib import Path

from openpyxl import load_workbook

# Each one is a live formula (or read as one) if written raw into a spreadsheet.
HOSTILE = (
    '=HYPERLINK("http://x","y")',
    "=1+1",
    "+SUM(A1)",
    "＝1+1",  # full-width: "=" after NFKC
    "@cmd",
    "-1+1",
    "\t=1+1",
)
_STARTS = tuple("=+-@\t\r")


def looks_like_formula(text: str) -> bool:
    return text.startswith(_STARTS) or unicodedata.normalize("NFKC", text).startswith(_STARTS)


def csv_cells(content: bytes | str) -> list[list[str]]:
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def assert_csv_neutral(
    content: bytes | str, expected: tuple[str, ...] = HOSTILE
) -> list[list[str]]:
    """Every hostile value is there, quoted with a leading apostrophe; no cell starts a formula."""
    rows = csv_cells(content)
    cells = [cell for row in rows for cell in row]
    for value in expected:
        assert "'" + value in cells, value
    for cell in cells:
        assert not looks_like_formula(cell), cell
    return rows


def assert_xlsx_neutral(content: bytes, expected: tuple[str, ...] = HOSTILE):
    """Every hostile value is there as a string cell; no cell of any sheet is a formula."""
    book = load_workbook(io.BytesIO(content))
    found = set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and looks_like_formula(cell.value):
                    assert cell.data_type == "s", (sheet.title, cell.coordinate)
                    found.add(cell.value)
    for value in expected:
        assert value in found, value
    return book


def open_data_row(**values: str) -> list[str]:
    """A row of the national open-data establishment CSV (HEADER order), with values replaced."""
    from partners.services.imports import HEADER

    base = dict.fromkeys(HEADER, "")
    base.update(
        {
            "都道府県コード又は市町村コード": "202011",
            "No": "1",
            "都道府県名": "長野県",
            "市区町村名": "長野市",
            "事業所名": "みどりの家",
            "サービスの種類": "訪問介護",
            "住所": "長野県長野市大字南長野1-1",
            "緯度": "36.648600",
            "経度": "138.194800",
            "電話番号": "026-000-0000",
            "法人の名称": "社会福祉法人みどり会",
            "事業所番号": "2070100011",
            "定員": "0",
        }
    )
    base.update(values)
    return [base[h] for h in HEADER]


def write_open_data(path: Path, rows: list[list[str]]) -> Path:
    from partners.services.imports import HEADER

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    return path


def open_in_libreoffice(content: bytes, tmp_path: Path) -> Path:
    """Convert an XLSX to PDF with LibreOffice Calc headless and return the PDF; skips the test if
    soffice is not installed. Each call uses its own LibreOffice profile under tmp_path, so tests
    running in parallel do not fight over one user installation (soffice locks its profile)."""
    import shutil
    import subprocess

    import pytest

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: cannot check that the XLSX opens")
    source = tmp_path / "book.xlsx"
    source.write_bytes(content)
    outdir = tmp_path / "pdf"
    profile = tmp_path / "lo-profile"
    result = subprocess.run(  # noqa: S603 - fixed arguments, our own file
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            str(source),
        ],
        capture_output=True,
        timeout=180,
        check=False,
    )
    pdf = outdir / "book.pdf"
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    assert pdf.exists(), (result.stdout + result.stderr).decode(errors="replace")
    assert pdf.read_bytes().startswith(b"%PDF")
    return pdf


def without_credit(rows: list[list[str]]) -> list[list[str]]:
    """The table of a CSV that shows registry data: its last two lines credit the open data and
    give the data date (partners/reference.py); they are checked and left off."""
    assert len(rows[-2]) == 1 and rows[-2][0].startswith("出典：介護サービス情報公表システム"), rows
    date_line = rows[-1][0] if len(rows[-1]) == 1 else ""
    assert date_line.endswith("時点（介護サービス情報公表システム）") or date_line == (
        "データ時点は未記録"
    ), rows
    return rows[:-2]

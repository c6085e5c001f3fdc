"""Reading PDFs back the way a reader's tools do: poppler's pdftotext, pdffonts and pdfinfo."""

import re
import subprocess
import zlib
from pathlib import Path

from portal.pdf import html_to_pdf


def _run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def page_count(pdf: Path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", _run("pdfinfo", str(pdf)), re.M).group(1))


def info(pdf: Path) -> dict[str, str]:
    lines = _run("pdfinfo", str(pdf)).splitlines()
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in lines)}


def page_text(pdf: Path, page: int, layout: bool = False) -> str:
    args = ["pdftotext", "-f", str(page), "-l", str(page)]
    if layout:
        args.append("-layout")
    return _run(*args, str(pdf), "-")


def pages(pdf: Path) -> list[str]:
    """Text of every page, in order (pdftotext separates pages with a form feed)."""
    return _run("pdftotext", str(pdf), "-").split("\f")[: page_count(pdf)]


def squeeze(text: str) -> str:
    """Without the spaces and line breaks that layout puts into running Japanese text."""
    return re.sub(r"\s+", "", text)


def fonts(pdf: Path) -> list[dict[str, str]]:
    rows = _run("pdffonts", str(pdf)).splitlines()[2:]
    result = []
    for row in rows:
        parts = row.split()
        # name, type (1–3 words), encoding, emb, sub, uni, object id, generation
        result.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return result


def catalog_languages(pdf: Path) -> list[str]:
    """The /Lang entries, also those inside compressed object streams."""
    data = pdf.read_bytes()
    found = [m.decode() for m in re.findall(rb"/Lang\s*\(([^)]*)\)", data)]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            inflated = zlib.decompress(match.group(1))
        except zlib.error:
            continue
        found += [m.decode() for m in re.findall(rb"/Lang\s*\(([^)]*)\)", inflated)]
    return found


def page_fills(pdf: Path, top_mm: float = 22, bottom_mm: float = 20) -> list[float]:
    """How far down each page's text reaches, as a share of the page's text area (0–1).

    Read from `pdftotext -bbox-layout`: the lowest text block inside the text area (the running
    head above it and the page number below it are left out) over the area's height.
    """
    xml = _run("pdftotext", "-bbox-layout", str(pdf), "-")
    fills = []
    for page in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', xml, re.S):
        height = float(page.group(2))
        top, bottom = top_mm * 72 / 25.4, height - bottom_mm * 72 / 25.4
        lowest = [
            float(y_max)
            for y_min, y_max in re.findall(
                r'<block xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">',
                page.group(3),
            )
            if float(y_min) >= top - 1 and float(y_max) <= bottom + 1
        ]
        fills.append(round((max(lowest, default=top) - top) / (bottom - top), 3))
    return fills


def structure_objects(pdf: Path) -> list[bytes]:
    """The PDF's objects as bytes, also those packed in compressed object streams."""
    data = pdf.read_bytes()
    chunks = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return chunks


def figures(pdf: Path) -> list[bytes]:
    """Every /Figure structure element of the tagged PDF (its dictionary, as bytes)."""
    found = []
    for chunk in structure_objects(pdf):
        for match in re.finditer(rb"/S\s*/Figure\b", chunk):
            start = chunk.rfind(b"<<", 0, match.start())
            # the element's dictionary: from its opening to the next 'endobj' or object start
            end = min(
                [i for i in (chunk.find(b"endobj", match.end()),) if i != -1]
                or [match.end() + 2000]
            )
            found.append(chunk[start:end])
    return found


def figure_alts(pdf: Path) -> list[str | None]:
    """The /Alt text of each /Figure (None where it has none); PDF strings decoded."""
    alts = []
    for element in figures(pdf):
        match = re.search(rb"/Alt\s*(<[0-9A-Fa-f\s]*>|\((?:\\.|[^\\)])*\))", element)
        if not match:
            alts.append(None)
            continue
        raw = match.group(1)
        if raw.startswith(b"<"):
            data = bytes.fromhex(re.sub(rb"\s", b"", raw[1:-1]).decode())
        else:
            data = re.sub(rb"\\(.)", rb"\1", raw[1:-1])
        alts.append(
            data[2:].decode("utf-16-be") if data[:2] == b"\xfe\xff" else data.decode("latin-1")
        )
    return alts


def line_ends(pdf: Path, first: int, last: int, leading: float = 17.0) -> list[float]:
    """For each body line followed by another line of its paragraph (same left edge, one
    leading below), the gap between its end and the right edge of the case book's text block."""
    right = 595.276 - 30.9 * 72 / 25.4
    xml = _run("pdftotext", "-bbox-layout", "-f", str(first), "-l", str(last), str(pdf), "-")
    gaps = []
    for page in re.findall(r"<page .*?</page>", xml, re.S):
        found = re.findall(
            r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">', page
        )
        boxes = sorted(
            (float(y0), float(x0), float(x1))
            for x0, y0, x1, y1 in found
            if 12 < float(y1) - float(y0) < 14.6  # lines of 10 pt body text
        )
        for (y0, x0, x1), (next_y, next_x, _) in zip(boxes, boxes[1:], strict=False):
            if abs(next_y - y0 - leading) < 0.3 and abs(next_x - x0) < 0.5:
                gaps.append(right - x1)
    return gaps


def toc_entries(pdf) -> list[tuple[str, int]]:
    """(entry text without spaces, page number) for each line of the contents on page 2."""
    entries = []
    for line in page_text(pdf, 2, layout=True).splitlines()[1:]:  # below the running head
        match = re.match(r"(.+?)\s+(\d+)\s*$", line)
        if match:
            entries.append((squeeze(match.group(1)), int(match.group(2))))
    return entries


def toc_page(pdf, heading: str) -> int:
    found = [page for text, page in toc_entries(pdf) if text.startswith(squeeze(heading))]
    assert len(found) == 1, f"{heading!r} in the contents: {toc_entries(pdf)}"
    return found[0]


def render(html: str, tmp_path: Path) -> Path:
    target = tmp_path / "report.pdf"
    target.write_bytes(html_to_pdf(html))
    return target

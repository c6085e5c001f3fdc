"""Reading PDFs back the way a reader's tools do: poppler's pdftotext, pdffonts and pdfinfo."""

import re
import subprocess
import zlib
from pathlib import Path


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

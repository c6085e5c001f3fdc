"""What «one Japanese voice» means, checked the same way by the page walk (tests/portal) and the
browser journeys (tests/e2e): no English words left in a page's text, no half-width colon in
Japanese text."""

import json
import re
from pathlib import Path

# ASCII words a Japanese page may show: file formats, abbreviations Japanese officials use as
# they are, and the names of the STEPs (STEP3 協働し、PDCAを回す, as domain.md names it). Compared
# in upper case.
ALLOWED_WORDS = {"KPI", "PDF", "CSV", "XLSX", "EXCEL", "JSON", "STEP", "PDCA", "NPO", "FAX", "URL"}
_JAPANESE = r"[\u3000-\u30ff\u3400-\u9fff\uff01-\uff5e]"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _published_words() -> set[str]:
    """ASCII words of the published data (case names such as WTBASE, ICT or PDCA in a report's
    text): quoted exactly as published, so they are not English left on a page. File names in
    the data's source notes are not words of the text and are left out."""
    words = set()
    for path in FIXTURES.rglob("*.json"):
        for text in _strings(json.loads(path.read_text(encoding="utf-8"))):
            if not re.search(_JAPANESE, text):
                continue  # codes and slugs, never shown as text
            text = re.sub(r"[\w.-]+\.txt|\w+_\w+", " ", text)  # file and field names
            words |= {w.upper() for w in re.findall(r"[A-Za-z]{3,}", text)}
    return words


DATA_WORDS = _published_words()
# Addresses and the names of files people uploaded (jigyosho_110.csv, as the open data names its
# files) are quoted as they are, not text the portal writes.
_URL_OR_MAIL = re.compile(
    r"(https?://\S+|[\w.+-]+@[\w-]+(\.[\w-]+)+|\b[\w-]+(\.[\w-]+)*\.(jp|com|org)\b"
    r"|[\w.-]+\.(csv|xlsx|pdf|txt|png|jpe?g|docx?)\b)"
)
_WORD = re.compile(r"[A-Za-z]{3,}")
# A half-width colon with Japanese text on either side (10:30 and 例: are different matters).
_HALF_COLON = re.compile(rf"{_JAPANESE}\s*:|:\s*{_JAPANESE}")


def english_left(text: str) -> list[str]:
    """ASCII words of three letters or more that are not allowed, published or part of an address
    or a file name."""
    bare = _URL_OR_MAIL.sub(" ", text)
    allowed = ALLOWED_WORDS | DATA_WORDS
    return [w for w in _WORD.findall(bare) if w.upper() not in allowed]


def half_width_colons(text: str) -> list[str]:
    return [m.group() for m in _HALF_COLON.finditer(text)]

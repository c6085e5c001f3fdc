"""Japanese text normalisation shared by every search: ｻﾎﾟｰﾄ, サポート and さぽーと become one form."""

import re
import unicodedata

# The two labels for a missing value, one meaning each (templates: `|or_empty`, `|or_not_written`):
# EMPTY where there is nothing to show (no figure, no date, not applicable), NOT_WRITTEN where a
# person could have written something and did not (a note, a description, a contact).
EMPTY = "—"
NOT_WRITTEN = "記載なし"

# The shared source documents by the titles their first page gives, for pages that cite a seed
# file by name (a file name and a line number mean nothing to a reader).
SOURCE_TITLES = {
    "policy-package-notice.txt": (
        "「協働化・大規模化等による介護経営の改善に関する政策パッケージ」に関する周知について"
    ),
    "collaboration-research-report-2026.txt": (
        "介護事業所における協働化等による職場環境改善の効果検証等に関する調査研究 成果報告書"
        "（令和8年3月）"
    ),
}
_SOURCE_FILE = re.compile(r"([\w.-]+\.txt)(\s*\d+行目付近)?")

_KATAKANA = re.compile(r"[\u30a1-\u30f6]")
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """NFKC (full/half width), lower case, katakana to hiragana, single spaces."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _KATAKANA.sub(lambda m: chr(ord(m.group()) - 0x60), text)
    return _SPACES.sub(" ", text).strip()


def search_terms(query: str) -> list[str]:
    """The normalised words of a query; every word must match (AND)."""
    return [term for term in normalize(query).split(" ") if term]


def readable_source(text: str) -> str:
    """「政策パッケージ（policy-package-notice.txt 27行目付近）」 → the document's title instead of
    its file name; several sources separated by 「；」 become 「、」."""
    if not text:
        return ""
    named = _SOURCE_FILE.sub(lambda m: SOURCE_TITLES.get(m.group(1), m.group(0)), text)
    return named.replace("; ", "、").replace(";", "、")

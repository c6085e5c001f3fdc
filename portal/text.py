"""Japanese text normalisation shared by every search: ｻﾎﾟｰﾄ, サポート and さぽーと become one form."""

import re
import unicodedata

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

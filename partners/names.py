"""What is derived from a corporation's name: the key 五十音順 sorts by and the text search reads.

Pure functions, so the import (through services.corporations_refresh_size), the data migration
that fills existing rows and the tests compute them the same way."""

import re
import unicodedata

from portal.text import normalize

# Legal forms written before or after the name, longest first so that 医療法人社団 is removed
# whole and not as 医療法人 leaving 社団. NFKC has already turned ㈱ into (株).
LEGAL_FORMS = (
    "社会福祉連携推進法人",
    "特定非営利活動法人",
    "地方独立行政法人",
    "一般社団法人",
    "公益社団法人",
    "一般財団法人",
    "公益財団法人",
    "消費生活協同組合",
    "生活協同組合",
    "農業協同組合",
    "社会福祉法人",
    "社会医療法人",
    "医療法人社団",
    "医療法人財団",
    "医療法人",
    "株式会社",
    "有限会社",
    "合同会社",
    "合資会社",
    "合名会社",
    "学校法人",
    "宗教法人",
    "NPO法人",
    "(株)",
    "(有)",
    "(福)",
    "(医)",
    "(社福)",
)
# The same forms as read aloud, for 法人名カナ (normalised to hiragana).
LEGAL_FORMS_KANA = tuple(
    normalize(kana)
    for kana in (
        "シャカイフクシレンケイスイシンホウジン",
        "トクテイヒエイリカツドウホウジン",
        "イッパンシャダンホウジン",
        "コウエキシャダンホウジン",
        "イッパンザイダンホウジン",
        "コウエキザイダンホウジン",
        "セイカツキョウドウクミアイ",
        "シャカイフクシホウジン",
        "シャカイイリョウホウジン",
        "イリョウホウジンシャダン",
        "イリョウホウジンザイダン",
        "イリョウホウジン",
        "カブシキガイシャ",
        "カブシキカイシャ",
        "ユウゲンガイシャ",
        "ユウゲンカイシャ",
        "ゴウドウガイシャ",
        "ゴウドウカイシャ",
    )
)
_SPACES = re.compile(r"[\s\u3000]+")


def _strip_forms(text: str, forms: tuple[str, ...]) -> str:
    changed = True
    while changed:
        changed = False
        text = text.strip()
        for form in forms:
            if len(text) > len(form) and text.startswith(form):
                text, changed = text[len(form) :], True
                break
            if len(text) > len(form) and text.endswith(form):
                text, changed = text[: -len(form)], True
                break
    return text


def name_without_legal_form(name: str) -> str:
    """「社会福祉法人 みすず福祉会」→「みすず福祉会」, 「さくらケア株式会社」→「さくらケア」."""
    text = _SPACES.sub("", unicodedata.normalize("NFKC", name or ""))
    return _strip_forms(text, LEGAL_FORMS)


def sort_key(name: str, kana: str = "") -> str:
    """The 五十音順 key: the reading when the data has one, else the name without its legal form;
    normalised (hiragana, half-width) so that ｻ, サ and さ sort together."""
    if kana and kana.strip():
        reading = _SPACES.sub("", normalize(kana))
        return _strip_forms(reading, LEGAL_FORMS_KANA)[:200]
    return normalize(name_without_legal_form(name))[:200]


def corporation_search_text(
    *, name: str, kana: str, number: str, site_names=(), place_names=()
) -> str:
    """What a corporation is found by: its own name, reading and number, and the names and
    municipalities of its establishments (「ケアセンター」, 「長野市」 find the corporation)."""
    words: list[str] = []
    for word in (name, kana, number, *sorted(set(place_names)), *sorted(set(site_names))):
        if word and word not in words:
            words.append(word)
    return normalize(" ".join(words))

"""The service catalogue of the 介護サービス情報公表システム open data: its 35 service codes (one CSV
file per code), their official names and the categories the registry filters and matching use."""

import unicodedata
from dataclasses import dataclass

# Categories in the order pages list them.
CATEGORIES: tuple[tuple[str, str], ...] = (
    ("visiting", "訪問系"),
    ("day", "通所系"),
    ("short_stay", "短期入所系"),
    ("residential", "居住系"),
    ("facility", "施設系"),
    ("community", "地域密着型"),
    ("care_management", "居宅介護支援"),
)
CATEGORY_LABELS = dict(CATEGORIES)


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    category: str
    aliases: tuple[str, ...] = ()

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS[self.category]


# 福祉用具 (170, 410) is delivered to the home, so it sits with the visiting services. Services a
# municipality designates (地域密着型, including 療養通所介護 since 2016) form their own category.
SERVICES: tuple[Service, ...] = (
    Service("110", "訪問介護", "visiting"),
    Service("120", "訪問入浴介護", "visiting"),
    Service("130", "訪問看護", "visiting"),
    Service("140", "訪問リハビリテーション", "visiting"),
    Service("170", "福祉用具貸与", "visiting"),
    Service("410", "特定福祉用具販売", "visiting"),
    Service("150", "通所介護", "day"),
    Service("160", "通所リハビリテーション", "day"),
    Service("210", "短期入所生活介護", "short_stay"),
    Service("220", "短期入所療養介護（介護老人保健施設）", "short_stay"),
    Service("230", "短期入所療養介護（療養病床を有する病院等）", "short_stay"),
    Service("551", "短期入所療養介護（介護医療院）", "short_stay"),
    Service("331", "特定施設入居者生活介護（有料老人ホーム）", "residential"),
    Service("332", "特定施設入居者生活介護（軽費老人ホーム）", "residential"),
    Service("334", "特定施設入居者生活介護（サービス付き高齢者向け住宅）", "residential"),
    Service("335", "特定施設入居者生活介護（有料老人ホーム・外部サービス利用型）", "residential"),
    Service("336", "特定施設入居者生活介護（軽費老人ホーム・外部サービス利用型）", "residential"),
    Service(
        "337",
        "特定施設入居者生活介護（サービス付き高齢者向け住宅・外部サービス利用型）",
        "residential",
    ),
    Service("510", "介護老人福祉施設", "facility"),
    Service("520", "介護老人保健施設", "facility"),
    Service("530", "介護療養型医療施設", "facility"),
    Service("550", "介護医療院", "facility"),
    Service("155", "療養通所介護", "community", aliases=("通所介護（療養通所介護）",)),
    Service("320", "認知症対応型共同生活介護", "community"),
    Service("361", "地域密着型特定施設入居者生活介護（有料老人ホーム）", "community"),
    Service("362", "地域密着型特定施設入居者生活介護（軽費老人ホーム）", "community"),
    Service("364", "地域密着型特定施設入居者生活介護（サービス付き高齢者向け住宅）", "community"),
    Service("540", "地域密着型介護老人福祉施設入所者生活介護", "community"),
    Service("710", "夜間対応型訪問介護", "community"),
    Service("720", "認知症対応型通所介護", "community"),
    Service("730", "小規模多機能型居宅介護", "community"),
    Service("760", "定期巡回・随時対応型訪問介護看護", "community"),
    Service("770", "看護小規模多機能型居宅介護", "community", aliases=("複合型サービス",)),
    Service("780", "地域密着型通所介護", "community"),
    Service("430", "居宅介護支援", "care_management"),
)

BY_CODE: dict[str, Service] = {s.code: s for s in SERVICES}


def _key(name: str) -> str:
    # The importer stores NFKC text, where （） became (); compare names the same way.
    return unicodedata.normalize("NFKC", name or "").replace(" ", "").replace("\u3000", "")


_BY_NAME: dict[str, Service] = {_key(label): s for s in SERVICES for label in (s.name, *s.aliases)}

# Categories that fill each other's gaps for a person's care: a partner of another category
# whose services complete one's own (home care with day care and short stays, care management
# with any provider, a facility with the services that bring people home).
COMPLEMENTS: dict[str, frozenset[str]] = {
    "visiting": frozenset({"day", "short_stay", "care_management", "community"}),
    "day": frozenset({"visiting", "short_stay", "care_management", "community"}),
    "short_stay": frozenset({"visiting", "day", "care_management", "facility"}),
    "residential": frozenset({"visiting", "care_management", "facility"}),
    "facility": frozenset({"short_stay", "residential", "care_management", "visiting"}),
    "community": frozenset({"visiting", "day", "care_management", "facility"}),
    "care_management": frozenset(c for c, _label in CATEGORIES if c != "care_management"),
}


def service(code_or_name: str) -> Service | None:
    """The catalogue entry for a code (「150」) or a name as the data writes it."""
    value = (code_or_name or "").strip()
    return BY_CODE.get(value) or _BY_NAME.get(_key(value))


def service_name(code: str) -> str:
    """The official name of a service code; the code itself when the catalogue lacks it."""
    entry = BY_CODE.get(code)
    return entry.name if entry else code


def code_of(name: str) -> str | None:
    entry = _BY_NAME.get(_key(name))
    return entry.code if entry else None


def category_of(code_or_name: str) -> str | None:
    entry = service(code_or_name)
    return entry.category if entry else None


def category_label(code_or_name: str) -> str:
    entry = service(code_or_name)
    return entry.category_label if entry else "その他"


def names_in_category(category: str) -> list[str]:
    """Official names of a category, plus their NFKC spellings as the importer stores them."""
    names: list[str] = []
    for entry in SERVICES:
        if entry.category == category:
            for label in (entry.name, *entry.aliases):
                names.extend(dict.fromkeys([label, unicodedata.normalize("NFKC", label)]))
    return names


def check_service(*, code: str | None, name: str) -> str | None:
    """The import's code check: None when the row's サービスの種類 fits the file's service code
    (or, without a code, is in the catalogue); otherwise the reason in Japanese."""
    entry = _BY_NAME.get(_key(name))
    if code is None:
        return (
            None if entry else f"サービスの種類「{name}」は公表システムのサービス一覧にありません。"
        )
    expected = BY_CODE.get(code)
    if expected is None:
        return f"サービスコード {code} は公表システムのサービス一覧にありません。"
    if entry is not expected:
        return f"サービスの種類「{name}」はファイルのサービスコード {code}（{expected.name}）と一致しません。"
    return None


def category_choices() -> list[tuple[str, str]]:
    return list(CATEGORIES)


def service_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Services grouped by category, for a select with optgroups (values are names)."""
    return [
        (label, [(s.name, s.name) for s in SERVICES if s.category == category])
        for category, label in CATEGORIES
    ]


def complementary(own: set[str] | frozenset[str], other: set[str] | frozenset[str]) -> list[str]:
    """Services of `other` in a category that completes one of `own`'s categories and that `own`
    does not offer, so the two could serve the same people together."""
    own_categories = {category_of(name) for name in own} - {None}
    wanted: set[str] = set()
    for category in own_categories:
        wanted |= COMPLEMENTS[category]  # type: ignore[index]
    return sorted(
        name for name in other - own if (category := category_of(name)) and category in wanted
    )

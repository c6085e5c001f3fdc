"""Reference data of the registry: challenges and themes (loaded by a data migration), and the
credit the national open data asks for."""

from datetime import date

from django.conf import settings

from portal.taxonomy import CHALLENGES, OPERATIONS


def sync_reference_data(apps, schema_editor=None) -> None:
    """Create or update challenges and themes (idempotent)."""
    Challenge = apps.get_model("partners", "Challenge")
    Theme = apps.get_model("partners", "Theme")
    for position, (code, label) in enumerate(CHALLENGES):
        Challenge.objects.update_or_create(
            code=code, defaults={"label": label, "position": position}
        )
    for position, (code, label) in enumerate(OPERATIONS):
        Theme.objects.update_or_create(code=code, defaults={"label": label, "position": position})


# The 47 prefectures in their official order (全国地方公共団体コード 01–47).
PREFECTURES: tuple[str, ...] = (
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県",
    "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県",
    "山梨県", "長野県", "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府",
    "兵庫県", "奈良県", "和歌山県", "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県",
    "香川県", "愛媛県", "高知県", "福岡県", "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県",
    "鹿児島県", "沖縄県",
)  # fmt: skip

# --- Credit for the national open data ---------------------------------------------------------------
# The registry is built from the open data of 介護サービス情報公表システム, published by 厚生労働省
# under 公共データ利用規約（第1.0版）(PDL1.0, compatible with CC BY 4.0). The terms ask every use to
# name the source and, when the data was edited (we clean, filter, group by corporation and derive
# sizes), to say so. Every page, export and report that shows registry data takes its words from here.
OPEN_DATA_SOURCE = "介護サービス情報公表システム"
OPEN_DATA_PUBLISHER = "厚生労働省"
OPEN_DATA_URL = "https://www.kaigokensaku.mhlw.go.jp/"
OPEN_DATA_LICENCE = "公共データ利用規約（第1.0版）"
AS_OF_UNKNOWN = "データ時点は未記録"


def open_data_credit_parts() -> tuple[str, str, str]:
    """The credit sentence split around its URL (pages make the URL a link): join for the text."""
    return (
        f"出典：{OPEN_DATA_SOURCE}（{OPEN_DATA_PUBLISHER}、",
        OPEN_DATA_URL,
        f"）のオープンデータを{settings.PORTAL_WINDOW_NAME}が加工して作成"
        f"（{OPEN_DATA_LICENCE}に基づく利用）",
    )


def open_data_credit() -> str:
    """The one sentence that credits the source, its URL, the licence and that we processed it."""
    return "".join(open_data_credit_parts())


def as_of_label(as_of: date | None) -> str:
    """「2026年12月31日時点（介護サービス情報公表システム）」, or 「データ時点は未記録」."""
    if as_of is None:
        return AS_OF_UNKNOWN
    return f"{as_of.year}年{as_of.month}月{as_of.day}日時点（{OPEN_DATA_SOURCE}）"

"""Reference data of the registry: challenges and themes, loaded by a data migration."""

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

"""Reference data of the case library: the 47 prefectures (JIS X 0401) and the tag taxonomies.

Loaded by a data migration (`sync_reference_data`), so every installation has it.
"""

PREFECTURES = (
    ("01", "北海道", "ほっかいどう", "hokkaido"),
    ("02", "青森県", "あおもりけん", "tohoku"),
    ("03", "岩手県", "いわてけん", "tohoku"),
    ("04", "宮城県", "みやぎけん", "tohoku"),
    ("05", "秋田県", "あきたけん", "tohoku"),
    ("06", "山形県", "やまがたけん", "tohoku"),
    ("07", "福島県", "ふくしまけん", "tohoku"),
    ("08", "茨城県", "いばらきけん", "kanto"),
    ("09", "栃木県", "とちぎけん", "kanto"),
    ("10", "群馬県", "ぐんまけん", "kanto"),
    ("11", "埼玉県", "さいたまけん", "kanto"),
    ("12", "千葉県", "ちばけん", "kanto"),
    ("13", "東京都", "とうきょうと", "kanto"),
    ("14", "神奈川県", "かながわけん", "kanto"),
    ("15", "新潟県", "にいがたけん", "chubu"),
    ("16", "富山県", "とやまけん", "chubu"),
    ("17", "石川県", "いしかわけん", "chubu"),
    ("18", "福井県", "ふくいけん", "chubu"),
    ("19", "山梨県", "やまなしけん", "chubu"),
    ("20", "長野県", "ながのけん", "chubu"),
    ("21", "岐阜県", "ぎふけん", "chubu"),
    ("22", "静岡県", "しずおかけん", "chubu"),
    ("23", "愛知県", "あいちけん", "chubu"),
    ("24", "三重県", "みえけん", "kinki"),
    ("25", "滋賀県", "しがけん", "kinki"),
    ("26", "京都府", "きょうとふ", "kinki"),
    ("27", "大阪府", "おおさかふ", "kinki"),
    ("28", "兵庫県", "ひょうごけん", "kinki"),
    ("29", "奈良県", "ならけん", "kinki"),
    ("30", "和歌山県", "わかやまけん", "kinki"),
    ("31", "鳥取県", "とっとりけん", "chugoku"),
    ("32", "島根県", "しまねけん", "chugoku"),
    ("33", "岡山県", "おかやまけん", "chugoku"),
    ("34", "広島県", "ひろしまけん", "chugoku"),
    ("35", "山口県", "やまぐちけん", "chugoku"),
    ("36", "徳島県", "とくしまけん", "shikoku"),
    ("37", "香川県", "かがわけん", "shikoku"),
    ("38", "愛媛県", "えひめけん", "shikoku"),
    ("39", "高知県", "こうちけん", "shikoku"),
    ("40", "福岡県", "ふくおかけん", "kyushu"),
    ("41", "佐賀県", "さがけん", "kyushu"),
    ("42", "長崎県", "ながさきけん", "kyushu"),
    ("43", "熊本県", "くまもとけん", "kyushu"),
    ("44", "大分県", "おおいたけん", "kyushu"),
    ("45", "宮崎県", "みやざきけん", "kyushu"),
    ("46", "鹿児島県", "かごしまけん", "kyushu"),
    ("47", "沖縄県", "おきなわけん", "kyushu"),
)

# (kind, code, label, description); the order is the order of the report's tables.
TAGS = (
    (
        "operation",
        "community",
        "地域福祉支援",
        "地域貢献事業、生活困窮者や身寄りのない人の支援など",
    ),
    ("operation", "disaster", "災害時支援", "防災訓練、BCPの共同策定、被災施設への応援など"),
    ("operation", "management", "経営支援", "経営分析・助言、事務の代行、計画の共同策定など"),
    ("operation", "lending", "貸付", "社員である社会福祉法人への資金の貸付け"),
    ("operation", "workforce", "人材確保・育成", "共同採用、人事交流、合同研修など"),
    ("operation", "supplies", "物資等供給", "共同購買、給食の提供など"),
    ("operation", "backoffice", "バックオフィス効率化", "請求・記録・会計・ICTの共同化や効率化"),
    ("reason", "staff_shortage", "人材不足・人材確保", ""),
    ("reason", "management_stability", "経営基盤の安定化", ""),
    ("reason", "staff_development", "人材育成・資質の向上", ""),
    ("reason", "disaster_readiness", "災害時対応力の向上", ""),
    ("reason", "no_family_support", "身寄りのない高齢者への支援", ""),
    (
        "origin",
        "existing_meetings",
        "既存の会議体・イベント等での接点",
        "既存の関係を土台にした事例",
    ),
    ("origin", "executive_ties", "経営層どうしのつながり", "既存の関係を土台にした事例"),
    ("origin", "same_group", "同一経営者・グループ法人", "既存の関係を土台にした事例"),
    ("origin", "promoter_outreach", "推進役による個別の声掛け", "新たに関係を築いた事例"),
    ("origin", "consultation_request", "経営相談や業務委託の依頼", "新たに関係を築いた事例"),
    ("effect", "management_base", "経営基盤の安定", ""),
    ("effect", "workforce", "人材の確保・育成", ""),
    ("effect", "cost_reduction", "スケールメリットによるコスト削減", ""),
    ("effect", "productivity", "バックオフィス効率化による生産性向上", ""),
    ("effect", "local_revitalisation", "地域の活性化と地域課題の解決", ""),
    ("effect", "disaster_readiness", "災害時対応力の向上", ""),
    ("effect", "new_ideas", "新たな発想・取組の創出", ""),
)


def sync_reference_data(apps, schema_editor=None) -> None:
    """Create or update prefectures and tags (idempotent; used by the data migration)."""
    Prefecture = apps.get_model("cases", "Prefecture")
    Tag = apps.get_model("cases", "Tag")
    for code, name, kana, region in PREFECTURES:
        Prefecture.objects.update_or_create(
            code=code, defaults={"name": name, "kana": kana, "region": region}
        )
    for position, (kind, code, label, description) in enumerate(TAGS):
        Tag.objects.update_or_create(
            kind=kind,
            code=code,
            defaults={"label": label, "description": description, "position": position},
        )

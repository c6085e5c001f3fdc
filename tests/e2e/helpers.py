"""The demo accounts of each role (with the menu each sees) and logging in as one of them."""

ROLES = {
    "staff": (
        "madoguchi@example.jp",
        "madoguchi-demo-2026",
        [
            "ホーム",
            "事例ライブラリ",
            "事業者台帳・マッチング",
            "相談窓口",
            "協働の進捗",
            "ダッシュボード",
            "レポート",
            "利用者の管理",
        ],
    ),
    "manager": (
        "jigyosha@example.jp",
        "jigyosha-demo-2026",
        ["ホーム", "事例ライブラリ", "連携先を探す", "協働の進捗", "レポート"],
    ),
    "official": (
        "kencho@example.jp",
        "kencho-demo-2026",
        ["ホーム", "事例ライブラリ", "協働の進捗", "ダッシュボード", "レポート"],
    ),
}


def log_in(page, live_server, email, password):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン").click()

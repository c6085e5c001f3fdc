"""Every page of the portal core against every role: who gets in, who is sent away."""

import pytest
from django.urls import reverse

ROLES = ["anonymous", "staff", "manager", "official", "superuser"]

# url name -> roles that may open it (everyone else: anonymous to login, others 403)
MATRIX = {
    # A visitor at "/" meets the public landing page (front/); everyone else their home.
    "home": set(ROLES),
    "support:programmes": set(ROLES),
    "support:programme_create": {"staff", "superuser"},
    "support:documents": set(ROLES),
    "support:document_create": {"staff", "superuser"},
    "cases:index": set(ROLES),
    "partners:index": {"staff", "manager", "superuser"},
    "partners:introductions": {"staff", "manager", "superuser"},
    "partners:introduction_new": {"staff", "superuser"},
    "partners:imports": {"staff", "superuser"},
    "partners:meetings": {"staff", "superuser"},
    "partners:my_meetings": {"staff", "manager", "superuser"},
    "guidance:index": {"staff", "manager", "official", "superuser"},
    "oversight:dashboard": {"staff", "official", "superuser"},
    "reports": {"staff", "manager", "official", "superuser"},
    "accounts:users": {"staff", "superuser"},
    "accounts:invite": {"staff", "superuser"},
    "password_change": {"staff", "manager", "official", "superuser"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_each_role_opens_only_what_it_may(client, users_by_role, role, url_name):
    if role != "anonymous":
        client.force_login(users_by_role[role])
    url = reverse(url_name)
    response = client.get(url)
    if role in MATRIX[url_name]:
        assert response.status_code == 200, (role, url)
    elif role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")
    else:
        assert response.status_code == 403, (role, url)
        assert "この画面は表示できません" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "visible", "hidden"),
    [
        ("staff", ["事業者台帳・マッチング", "利用者の管理", "ダッシュボード", "相談窓口"], []),
        (
            "manager",
            ["事例ライブラリ", "連携先を探す", "協働の進捗", "レポート"],
            ["事業者台帳", "ダッシュボード", "利用者の管理", "相談窓口"],
        ),
        (
            "official",
            ["ダッシュボード", "レポート", "協働の進捗"],
            ["事業者台帳", "連携先を探す", "利用者の管理", "相談窓口"],
        ),
    ],
)
def test_navigation_shows_each_role_what_it_may_use(client, users_by_role, role, visible, hidden):
    client.force_login(users_by_role[role])
    html = client.get(reverse("home")).content.decode()
    nav = html[html.index('aria-label="メインメニュー"') : html.index("</nav>")]
    for label in visible:
        assert label in nav
    for label in hidden:
        assert label not in nav


def test_anonymous_navigation_offers_the_public_library_and_login(client, db):
    html = client.get(reverse("cases:index")).content.decode()
    assert "事例ライブラリ" in html
    assert "ログイン" in html
    assert "事業者台帳" not in html


def test_every_nav_link_is_guarded_by_the_same_rule_as_its_url():
    from portal import access
    from portal.navigation import NAV_ITEMS

    for item in NAV_ITEMS:
        assert item.permission in access.PERMISSIONS


def test_manager_seam_names_the_corporation_number(manager, staff):
    from portal import access

    assert access.user_corporation_number(manager) == "7000012050002"
    assert access.user_corporation_number(staff) is None

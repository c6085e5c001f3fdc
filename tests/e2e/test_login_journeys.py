"""A person opens the portal, logs in with a demo account of each role and finds their way."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import axe_violations
from tests.e2e.helpers import ROLES, log_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("role", sorted(ROLES))
def test_demo_user_logs_in_and_sees_the_navigation_of_their_role(
    page, live_server, demo_users, screenshot, console_errors, role
):
    email, password, menu = ROLES[role]
    log_in(page, live_server, email, password)
    expect(page.get_by_role("heading", level=1)).to_contain_text("さんのホーム")
    nav = page.get_by_role("navigation", name="メインメニュー")
    expect(nav.get_by_role("link")).to_have_text(menu)
    screenshot(f"home-{role}")
    assert axe_violations(page) == []
    assert console_errors == []


def test_login_page_is_japanese_accessible_and_keyboard_friendly(
    page, live_server, transactional_db, screenshot, console_errors
):
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page).to_have_title(re.compile("ログイン"))
    assert page.get_attribute("html", "lang") == "ja"
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="本文へ移動")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    screenshot("login")
    assert axe_violations(page) == []
    assert console_errors == []


def test_wrong_password_is_explained_next_to_the_form(page, live_server, demo_users):
    log_in(page, live_server, "kencho@example.jp", "wrong-password-123")
    expect(page.get_by_role("alert")).to_contain_text(
        "メールアドレスまたはパスワードが正しくありません"
    )


def test_unknown_address_shows_the_japanese_404(page, live_server, transactional_db):
    response = page.goto(f"{live_server.url}/no-such-page/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("ページが見つかりません（404）")


def test_htmx_runs_under_the_content_security_policy(page, live_server, demo_users, console_errors):
    log_in(page, live_server, "madoguchi@example.jp", "madoguchi-demo-2026")
    page.goto(f"{live_server.url}/reports/")
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("htmx.config.allowEval") is False
    assert console_errors == []

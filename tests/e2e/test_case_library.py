"""Journeys through the case library: a visitor explores, a staff member curates."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e.conftest import axe_violations
from tests.e2e.helpers import log_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def library(transactional_db):
    call_command("load_cases", verbosity=0)


def test_visitor_filters_searches_opens_compares_and_downloads(
    page, live_server, library, screenshot, console_errors
):
    page.goto(f"{live_server.url}/cases/")
    expect(page.get_by_role("heading", name=re.compile(r"^29件の事例"))).to_be_visible()
    assert axe_violations(page) == []

    # Filter by an operation and a prefecture: htmx updates the results and the address in place.
    page.get_by_role("checkbox", name=re.compile("^災害時支援")).check()
    expect(page.get_by_role("heading", name=re.compile(r"^\d+件の事例"))).not_to_have_text(
        re.compile("^29件")
    )
    page.get_by_role("checkbox", name=re.compile("^東京都")).check()
    expect(page).to_have_url(re.compile(r"(?=.*operation=disaster)(?=.*prefecture=%E6%9D%B1)"))
    heading = page.get_by_role("heading", name=re.compile(r"^\d+件の事例"))
    expect(heading).to_have_text(re.compile(r"^[1-9]\d*件の事例"))

    # Search 災害 on top: hits are highlighted.
    page.get_by_label("キーワード検索").fill("災害")
    page.get_by_role("button", name="検索").click()
    expect(page).to_have_url(re.compile(r"q=%E7%81%BD%E5%AE%B3"))
    expect(page.locator("mark").first).to_have_text("災害")
    screenshot("cases-filtered")

    # The URL holds the whole state: opening it afresh shows the same result.
    count = heading.inner_text()
    page.goto(page.url)
    expect(page.get_by_role("heading", name=re.compile(r"^\d+件の事例"))).to_have_text(count)

    # Open a case.
    page.locator(".case-card h3 a").first.click()
    expect(page.get_by_role("heading", name="6つの段階で見る取組")).to_be_visible()
    expect(page.get_by_text("STEP1 仲間をつくる")).to_be_visible()
    screenshot("case-detail")
    assert axe_violations(page) == []

    # Compare it with a similar case.
    page.get_by_role("link", name=re.compile("^この事例と比べる")).first.click()
    expect(page.get_by_role("table")).to_contain_text("①連携の契機と課題の共有")
    expect(page.locator("caption", has_text="2事例の比較")).to_be_visible()
    screenshot("cases-compare")
    assert axe_violations(page) == []

    # Download the CSV of the filtered list.
    page.goto(f"{live_server.url}/cases/?form=loose")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV（Excel用）").click()
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0][0] == "事例番号"
    assert len(rows) == 1 + 11  # the loose collaborations, cases 19–29
    assert console_errors == []


def test_filters_work_without_javascript(browser, live_server, library):
    context = browser.new_context(java_script_enabled=False, locale="ja-JP")
    page = context.new_page()
    page.goto(f"{live_server.url}/cases/")
    page.get_by_role("checkbox", name=re.compile("^緩やかな連携")).check()
    page.get_by_role("button", name="この条件で絞り込む").click()
    expect(page).to_have_url(re.compile(r"form=loose"))
    expect(page.get_by_role("heading", name=re.compile(r"^11件の事例"))).to_be_visible()
    context.close()


def test_statistics_and_like_mine_pages_are_accessible(page, live_server, library, screenshot):
    page.goto(f"{live_server.url}/cases/stats/")
    expect(page.get_by_role("img", name=re.compile("都道府県別の事例数の地図"))).to_be_visible()
    screenshot("cases-stats")
    assert axe_violations(page) == []
    page.goto(f"{live_server.url}/cases/like-mine/")
    page.get_by_label("検討している連携の形態").select_option("loose")
    page.get_by_label("一緒に取り組む法人の数（自法人を含む）").fill("5")
    page.get_by_role("checkbox", name="人材不足・人材確保").check()
    page.get_by_role("button", name="近い事例を探す").click()
    expect(page.get_by_role("heading", name=re.compile(r"^近い事例 \d+件"))).to_be_visible()
    expect(page.get_by_text(re.compile("選んだ理由：同じ緩やかな連携")).first).to_be_visible()
    screenshot("cases-like-mine")
    assert axe_violations(page) == []


def test_an_htmx_post_without_the_box_gets_the_confirmation_page_and_writes_nothing(
    page, live_server, library, demo_users
):
    """The server, not the page, decides: an htmx request that lacks the ticked box (a script, an
    old form) gets the confirmation page swapped in as the whole page, and only the ticked box on
    that page carries the action out."""
    from cases.models import Case

    log_in(page, live_server, "madoguchi@example.jp", "madoguchi-demo-2026")
    page.goto(f"{live_server.url}/cases/26/")
    page.evaluate("() => htmx.ajax('POST', '/cases/26/status/', {values: {status: 'draft'}})")
    expect(page.get_by_role("heading", name="操作の確認")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("まだ実行していません")
    expect(page.get_by_text("事例26の公開を取り下げ、非公開（下書き）に戻します。")).to_be_visible()
    assert Case.objects.get(number=26).status == "published"
    assert axe_violations(page) == []

    page.get_by_role("button", name="実行する").click()  # the box is required: nothing is sent
    expect(page.get_by_role("heading", name="操作の確認")).to_be_visible()
    assert page.get_by_label("確認しました").evaluate("box => !box.validity.valid")
    assert Case.objects.get(number=26).status == "published"
    page.get_by_label("確認しました").check()
    page.get_by_role("button", name="実行する").click()
    expect(page.get_by_text("事例26を非公開（下書き）に戻しました")).to_be_visible()
    assert Case.objects.get(number=26).status == "draft"


def test_staff_edits_a_case_sees_the_diff_and_publishes_it(
    page, live_server, library, demo_users, screenshot
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("メールアドレス").fill("madoguchi@example.jp")
    page.get_by_label("パスワード").fill("madoguchi-demo-2026")
    page.get_by_role("button", name="ログイン").click()

    page.goto(f"{live_server.url}/cases/26/")
    page.get_by_label("確認しました").check()
    page.get_by_role("button", name="非公開（下書き）に戻す").click()
    expect(page.get_by_text("非公開（下書き）に戻しました")).to_be_visible()
    page.get_by_role("link", name="編集する").click()
    assert axe_violations(page) == []
    summary = page.get_by_label("概要")
    summary.fill(summary.input_value() + "窓口で聞き取った最新の状況を追記しました。")
    page.get_by_role("button", name="保存する").click()
    expect(page.get_by_text("事例26の変更を保存しました")).to_be_visible()

    page.get_by_role("link", name="変更履歴").click()
    expect(page.locator("td ins").first).to_contain_text(
        "窓口で聞き取った最新の状況を追記しました。"
    )
    screenshot("case-history")
    assert axe_violations(page) == []

    page.get_by_role("link", name="事例26").first.click()
    page.get_by_role("button", name="公開する").click()
    expect(page.get_by_text("事例26を公開しました")).to_be_visible()
    page.get_by_role("button", name="ログアウト").click()
    page.goto(f"{live_server.url}/cases/26/")
    expect(page.get_by_text("窓口で聞き取った最新の状況を追記しました。")).to_be_visible()

"""A visitor comes in through the front door: landing page, programmes, a model document."""

import re

import pytest
from playwright.sync_api import expect

from support.models import Document
from tests.e2e.conftest import axe_violations

pytestmark = pytest.mark.e2e


def test_visitor_goes_from_the_landing_page_to_programmes_and_downloads_a_document(
    page, live_server, transactional_db, console_errors
):
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("協働化・大規模化")
    expect(page.get_by_role("link", name="相談を申し込む").first).to_have_attribute(
        "href", "/consult/"
    )
    assert axe_violations(page) == []

    page.get_by_role("link", name="支援策の一覧を見る").click()
    page.get_by_label("段階", exact=True).select_option("3")
    page.get_by_role("button", name="絞り込む").click()
    expect(page).to_have_url(re.compile(r"stage=3"))
    expect(
        page.get_by_role("link", name="社会福祉連携推進法人の立上げに向けた取組への支援")
    ).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="社会福祉連携推進法人の立上げに向けた取組への支援").click()
    expect(page.get_by_text("金額・補助率は公募要領で確認してください。")).to_be_visible()
    assert axe_violations(page) == []

    page.goto(f"{live_server.url}/documents/")
    assert axe_violations(page) == []
    expect(page.get_by_text("緩やかな連携を始めるときのチェックリスト")).to_have_count(0)
    page.get_by_role("link", name="災害時の相互応援協定書のひな形").click()
    assert axe_violations(page) == []
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("最新版（第1版）をダウンロード")).click()
    text = open(info.value.path(), encoding="utf-8").read()  # noqa: SIM115
    assert "ひな形（各法人の実情に合わせて修正してください）" in text
    assert Document.objects.get(slug="disaster-mutual-aid").download_count == 1
    page.reload()
    expect(page.get_by_text("1回", exact=True)).to_be_visible()
    assert console_errors == []


def test_staff_edit_a_programme_and_publish_a_document_version(
    page, live_server, demo_users, console_errors
):
    from tests.e2e.helpers import log_in

    log_in(page, live_server, "madoguchi@example.jp", "madoguchi-demo-2026")
    page.goto(f"{live_server.url}/programmes/wam-merger-loan/edit/")
    assert axe_violations(page) == []
    page.get_by_label("申請の時期").fill("随時（福祉医療機構に事前相談）")
    page.get_by_role("button", name="保存する").click()
    expect(page.get_by_text("随時（福祉医療機構に事前相談）")).to_be_visible()

    page.goto(f"{live_server.url}/documents/membership-fee-rules/")
    page.get_by_role("textbox", name="本文").fill("1　会費の区分\n2　納める時期")
    page.get_by_label("改訂の内容").fill("納める時期を追加")
    page.get_by_role("button", name="この版を公開する").click()
    expect(page.get_by_text("第2版を公開しました")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("最新版（第2版）"))).to_be_visible()
    assert axe_violations(page) == []
    assert console_errors == []

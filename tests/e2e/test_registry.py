"""Journeys through the registry: staff upload open data and watch a real worker import it, find
a corporation, run a match and propose an introduction; a manager answers it and keeps their
profile. axe finds no serious or critical violation on any page of the way."""

import re

import pytest
from playwright.sync_api import expect

from partners.models import Introduction, IntroductionStatus
from partners.synthetic import generate
from tests.e2e.conftest import axe_violations
from tests.e2e.helpers import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.worker]

STAFF = ("madoguchi@example.jp", "madoguchi-demo-2026")
MANAGER = ("jigyosha@example.jp", "jigyosha-demo-2026")
OWN = "3510001012345"  # the demo manager's corporation


def no_violations(page) -> None:
    assert axe_violations(page) == [], page.url


def test_staff_upload_find_match_and_introduce(
    page,
    live_server,
    demo_users,
    redis_broker,
    start_worker,
    tmp_path,
    screenshot,
    console_errors,  # noqa: F811
):
    start_worker(redis_broker)
    files = generate(
        400, tmp_path / "opendata", national=False, dirty=0.05, encoding="cp932", seed=7
    )
    upload = max(files, key=lambda p: p.stat().st_size)
    log_in(page, live_server, *STAFF)

    page.goto(f"{live_server.url}/partners/imports/")
    no_violations(page)
    page.get_by_label("オープンデータのファイル").set_input_files(str(upload))
    page.get_by_role("button", name="取り込みを始める").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(upload.name)
    # The page polls the run's progress until the worker has finished.
    expect(page.locator("#progress")).to_contain_text("完了", timeout=60_000)
    expect(page.locator("#progress")).to_contain_text(re.compile(r"新規\s*\d+"))
    no_violations(page)
    screenshot("registry-import-done")

    page.goto(f"{live_server.url}/partners/")
    page.get_by_label("名称・番号・住所").fill("ﾐｽｽﾞ")  # half-width katakana finds みすず
    page.get_by_role("button", name="検索").click()
    expect(page.get_by_role("heading", name="1件の法人")).to_be_visible()
    no_violations(page)
    page.get_by_role("link", name="社会福祉法人みすず福祉会").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("社会福祉法人みすず福祉会")
    expect(page.get_by_text("長野北部介護人材ネットワーク")).to_be_visible()
    no_violations(page)

    page.get_by_role("link", name="連携先の候補を探す（マッチング）").click()
    expect(page.locator(".match-title").first).to_be_visible()
    expect(page.locator(".reasons").first).to_contain_text(re.compile("km"))
    no_violations(page)
    screenshot("registry-match")
    page.locator(".match-title input[type=checkbox]").nth(0).check()
    page.locator(".match-title input[type=checkbox]").nth(1).check()
    page.get_by_role("button", name="選んだ法人との紹介を提案する").click()
    expect(page.get_by_label("紹介する法人の法人番号")).to_have_value(re.compile(OWN))
    page.get_by_label("紹介の理由・メモ").fill("合同採用説明会を一緒に開ける近さと規模です。")
    page.get_by_role("button", name="提案として登録する").click()
    expect(page.get_by_text("紹介を提案として登録しました。")).to_be_visible()
    no_violations(page)
    intro = Introduction.objects.order_by("-pk").first()
    assert intro.parties.count() == 3
    assert intro.status == IntroductionStatus.PROPOSED
    page.get_by_label("連絡済み").check()
    move_form = page.locator("form", has=page.get_by_role("button", name="更新する"))
    move_form.get_by_label("確認しました").check()
    page.get_by_role("button", name="更新する").click()
    expect(page.get_by_text("紹介の状態を更新しました。")).to_be_visible()
    # A party answered by phone: staff record it on its behalf (there is no move to 全員が承諾).
    expect(page.get_by_label("全員が承諾")).to_have_count(0)
    record = page.locator("section.panel").filter(has_text="先方の回答を代理で記録").first
    record.get_by_label("承諾").check()
    record.get_by_label("電話").check()
    record.get_by_label("メモ（任意）").fill("担当者から電話で承諾の回答")
    record.get_by_role("button", name=re.compile("代理で記録する")).click()
    expect(page.get_by_text(re.compile("の回答を代理で記録しました。"))).to_be_visible()
    expect(page.get_by_text(re.compile("窓口が代理で記録（電話"))).to_be_visible()
    no_violations(page)
    assert intro.parties.filter(on_behalf=True, channel="phone").count() == 1
    intro.refresh_from_db()
    assert intro.status == IntroductionStatus.CONTACTED
    assert console_errors == []


def test_manager_keeps_their_profile_and_answers_an_introduction(
    page, live_server, demo_users, screenshot, console_errors
):
    log_in(page, live_server, *MANAGER)
    page.get_by_role("link", name="連携先を探す").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("連携先を探す")
    no_violations(page)
    page.get_by_role("link", name=re.compile("自法人")).click()
    page.get_by_role("link", name="プロフィールを編集").click()
    page.get_by_label("災害への備え").check()
    page.get_by_role("button", name="保存する").click()
    expect(page.get_by_text("プロフィールを保存しました。")).to_be_visible()
    expect(page.get_by_text("災害への備え")).to_be_visible()
    no_violations(page)

    page.get_by_role("link", name="連携先の候補を探す（マッチング）").click()
    expect(page.get_by_text("表示されるのは、マッチングに同意した法人だけです。")).to_be_visible()
    no_violations(page)

    page.goto(f"{live_server.url}/partners/introductions/")
    no_violations(page)
    waiting = Introduction.objects.filter(
        parties__corporation__number=OWN, status=IntroductionStatus.CONTACTED
    ).first()
    page.goto(f"{live_server.url}/partners/introductions/{waiting.pk}/")
    expect(page.get_by_text("連絡先は、当事者全員が承諾した後に表示されます。")).to_be_visible()
    page.get_by_role("button", name="承諾する").click()
    expect(page.get_by_text("回答を記録しました。")).to_be_visible()
    no_violations(page)
    screenshot("registry-manager-introduction")
    assert console_errors == []

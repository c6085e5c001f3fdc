"""Journeys through the workflow: a promoter ticks items, records a measurement and asks to move
to STEP2; staff override the gate with a reason; an official reads the dashboard; a manager of
another consortium is refused. axe finds no serious or critical violation on the way."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from guidance.models import Consortium
from portal.taxonomy import STAGE_NUMBERS
from tests.e2e.conftest import axe_violations
from tests.e2e.helpers import log_in

pytestmark = pytest.mark.e2e

STAFF = ("madoguchi@example.jp", "madoguchi-demo-2026")
MANAGER = ("jigyosha@example.jp", "jigyosha-demo-2026")  # promoter of 長野北部介護人材ネットワーク
OFFICIAL = ("kencho@example.jp", "kencho-demo-2026")


def no_violations(page) -> None:
    assert axe_violations(page) == [], page.url


def test_promoter_works_the_checklist_and_staff_override_the_gate(
    page, live_server, demo_users, screenshot, console_errors
):
    network = Consortium.objects.get(name="長野北部介護人材ネットワーク")
    log_in(page, live_server, *MANAGER)
    page.get_by_role("link", name="協働の進捗").first.click()
    page.get_by_role("link", name="長野北部介護人材ネットワーク").click()
    expect(page.get_by_role("heading", name=re.compile("いまの段階：②"))).to_be_visible()
    no_violations(page)

    # Tick an optional open item of stage ② from the overview (the required one stays open).
    optional = page.locator(".check-item").filter(has_not_text="必須").first
    optional.get_by_role("button", name=re.compile("完了にする")).click()
    expect(page.get_by_text(re.compile("」を「完了」にしました。"))).to_be_visible()

    # Record a KPI measurement.
    page.get_by_role("link", name="目標とKPI").click()
    first_kpi = page.locator(".kpi").first
    first_kpi.get_by_label("測定日").fill(timezone.localdate().isoformat())
    first_kpi.get_by_label("値").fill("10")
    first_kpi.get_by_role("button", name=re.compile("測定値を記録")).click()
    expect(page.get_by_text(re.compile("の測定値を記録しました。"))).to_be_visible()
    expect(page.locator(".kpi").first).to_contain_text("最新 10")
    no_violations(page)
    screenshot("workflow-kpis")

    # Ask to move on to STEP2: the page says what is missing.
    page.get_by_role("link", name="段階を進める").click()
    expect(page.get_by_role("heading", name=re.compile("残っている必須の項目"))).to_be_visible()
    page.get_by_label("移動先の段階").select_option("3")
    page.get_by_role("button", name="段階を移す").click()
    expect(page.get_by_role("alert")).to_contain_text("必須の項目があと")
    no_violations(page)
    network.refresh_from_db()
    assert network.stage == 2

    # Staff override the gate with a reason.
    page.get_by_role("button", name="ログアウト").click()
    log_in(page, live_server, *STAFF)
    page.goto(f"{live_server.url}/consortia/{network.pk}/advance/")
    page.get_by_label("移動先の段階").select_option("3")
    page.get_by_label("理由").fill("合同採用説明会の日程が決まったため、残りは③と並行して進める")
    page.get_by_label(re.compile("必須の項目が残っていても進める")).check()
    page.get_by_label("確認しました").check()
    page.get_by_role("button", name="段階を移す").click()
    expect(
        page.get_by_text(re.compile("から ③連携の公式化と目標策定 に移りました"))
    ).to_be_visible()
    expect(page.get_by_text("条件を満たさずに進めた")).to_be_visible()
    expect(page.locator(".step-bar__step.is-current")).to_have_text("STEP2 協働化を検討する")
    no_violations(page)
    screenshot("workflow-overridden")
    network.refresh_from_db()
    assert network.stage == 3
    assert console_errors == []


def test_official_reads_the_dashboard_and_another_manager_is_refused(
    page, live_server, demo_users, screenshot, console_errors
):
    log_in(page, live_server, *OFFICIAL)
    page.get_by_role("link", name="ダッシュボード").first.click()
    expect(page.get_by_role("heading", name="STEP・段階ごとの協働体")).to_be_visible()
    expect(page.get_by_text("北信地域 小規模事業所の集い")).to_be_visible()  # stalled
    expect(page.get_by_text("合同採用説明会の会場を押さえる")).to_be_visible()  # overdue
    no_violations(page)
    screenshot("workflow-dashboard")
    page.get_by_role("button", name="ログアウト").click()

    log_in(page, live_server, *MANAGER)
    other = Consortium.objects.get(name="信州みらい福祉連携推進会議")
    response = page.goto(f"{live_server.url}/consortia/{other.pk}/")
    assert response.status == 404  # one may not see it: answered as if it did not exist
    expect(page.get_by_role("heading", level=1)).to_contain_text("見つかりません")


def test_one_consortium_walks_from_stage_1_to_6_as_each_role(
    page, live_server, demo_users, screenshot, console_errors
):
    # Staff register the consortium with the demo manager's corporation as promoter.
    log_in(page, live_server, *STAFF)
    page.goto(f"{live_server.url}/consortia/new/")
    page.get_by_label("名称").fill("善光寺平 介護協働ネット")
    page.get_by_label("緊密な連携").check()
    page.get_by_label("参加法人").fill("3510001012345 推進役")
    page.get_by_role("button", name="登録する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("善光寺平 介護協働ネット")
    no_violations(page)
    consortium = Consortium.objects.get(name="善光寺平 介護協働ネット")
    page.get_by_role("button", name="ログアウト").click()

    # The promoter's corporation was invited: its manager accepts from the home page first.
    log_in(page, live_server, *MANAGER)
    page.goto(f"{live_server.url}/")
    page.get_by_role(
        "link", name=re.compile("「善光寺平 介護協働ネット」から推進役としての招待")
    ).click()
    page.get_by_role("button", name="参加する").click()
    expect(page.get_by_text("「善光寺平 介護協働ネット」に参加しました。")).to_be_visible()

    # The promoter settles each stage's required items and moves on, up to ⑥.
    for stage in STAGE_NUMBERS:
        page.goto(f"{live_server.url}/consortia/{consortium.pk}/checklist/")
        panel = page.locator(f"section[aria-labelledby='stage-{stage}']")
        while True:
            required = (
                panel.locator(".check-item")
                .filter(has_text="必須")
                .filter(has=page.get_by_role("button", name=re.compile("^完了にする")))
            )
            if required.count() == 0:
                break
            required.first.get_by_role("button", name=re.compile("^完了にする")).click()
            expect(page.get_by_text(re.compile("」を「完了」にしました。"))).to_be_visible()
            panel = page.locator(f"section[aria-labelledby='stage-{stage}']")
        if stage == 6:
            break
        page.goto(f"{live_server.url}/consortia/{consortium.pk}/advance/")
        page.get_by_label("移動先の段階").select_option(str(stage + 1))
        page.get_by_role("button", name="段階を移す").click()
        expect(page.get_by_text(re.compile("に移りました。"))).to_be_visible()
    consortium.refresh_from_db()
    assert consortium.stage == 6
    expect(page.locator(".step-bar__step.is-current")).to_have_text("STEP3 協働し、PDCAを回す")
    no_violations(page)
    screenshot("workflow-stage-6")
    page.get_by_role("button", name="ログアウト").click()

    # An official reads it, without any button to change it.
    log_in(page, live_server, *OFFICIAL)
    page.goto(f"{live_server.url}/consortia/{consortium.pk}/")
    expect(page.get_by_role("heading", name=re.compile("いまの段階：⑥"))).to_be_visible()
    assert page.get_by_role("button", name=re.compile("完了にする")).count() == 0
    assert consortium.moves.count() == 5
    assert console_errors == []

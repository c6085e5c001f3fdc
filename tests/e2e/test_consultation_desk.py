"""The consultation desk in a browser: a visitor consults through the public form (with and
without JavaScript), staff find the consultation on the desk, take it on and log a call; a manager
asks the window for an introduction from their match page, staff accept it and the manager sees
the answer on their home. axe finds no serious or critical violation on any page of the desk."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from desk.models import Consultation, IntroductionRequest, RequestStatus
from tests.e2e.conftest import axe_violations
from tests.e2e.helpers import ROLES, log_in
from tests.mail import smtp_server
from tests.portal.workers import wait_for

pytestmark = [pytest.mark.e2e]
User = get_user_model()

STAFF = ROLES["staff"][:2]
MANAGER = ROLES["manager"][:2]


def no_violations(page) -> None:
    # axe runs as a script in the page: a context without JavaScript cannot run it (the JS leg
    # checks the same pages).
    if page.context.__dict__.get("_no_js"):
        return
    assert axe_violations(page) == [], page.url


def consult(page, live_server, name: str) -> None:
    page.goto(f"{live_server.url}/consult/")
    no_violations(page)
    page.get_by_role("button", name="相談を送信する").click()
    summary = page.get_by_role("heading", name="入力内容を確認してください")
    expect(summary).to_be_visible()
    # The error summary links to each field; each field's own error is beside it.
    expect(page.get_by_role("link", name=re.compile("法人名・事業所名"))).to_have_attribute(
        "href", "#id_corporation_name"
    )
    expect(page.get_by_text("法人名・事業所名を入力してください。").first).to_be_visible()
    expect(page.get_by_text("個人情報の取り扱いへの同意が必要です。").first).to_be_visible()
    no_violations(page)
    page.goto(f"{live_server.url}/consult/privacy/")
    no_violations(page)
    page.goto(f"{live_server.url}/consult/")
    page.get_by_label("法人名・事業所名").fill(name)
    page.get_by_label("ご担当者のお名前").fill("信濃 一郎")
    page.get_by_label("メールアドレス").fill("ichiro@example.jp")
    page.get_by_label("人材確保（採用）").check()
    page.get_by_label("ご相談の内容（自由記述）").fill("合同で採用説明会を開く相手を探しています。")
    page.get_by_label("個人情報の取り扱いに同意します").check()
    page.get_by_role("button", name="相談を送信する").click()
    expect(page).to_have_url(f"{live_server.url}/consult/thanks/")
    expect(page.get_by_role("heading", name="相談を受け付けました")).to_be_visible()
    no_violations(page)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_visitor_consults_and_staff_take_it_on(browser, live_server, demo_users, javascript):
    context = browser.new_context(locale="ja-JP", java_script_enabled=javascript)
    context.__dict__["_no_js"] = not javascript
    page = context.new_page()
    name = f"社会福祉法人ちくま会{'（JSあり）' if javascript else '（JSなし）'}"
    consult(page, live_server, name)
    consultation = Consultation.objects.get(corporation_name=name)

    log_in(page, live_server, *STAFF)
    page.get_by_role("navigation", name="メインメニュー").get_by_role(
        "link", name="相談窓口"
    ).click()
    expect(page).to_have_url(f"{live_server.url}/consultations/")
    no_violations(page)
    page.get_by_role("link", name=consultation.summary).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(consultation.summary)
    no_violations(page)

    staff = User.objects.get(email=STAFF[0])
    page.get_by_label("担当者").select_option(str(staff.pk))
    page.get_by_role("button", name="保存する").click()
    expect(page.get_by_text("保存しました。")).to_be_visible()
    page.get_by_label("内容").fill("電話で折り返し、来週に訪問する約束をしました。")
    page.get_by_role("button", name="経過を記録する").click()
    expect(page.get_by_text("来週に訪問する約束をしました")).to_be_visible()
    consultation.refresh_from_db()
    assert consultation.owner == staff
    assert consultation.notes.filter(text__contains="来週に訪問する").exists()

    page.goto(f"{live_server.url}/consultations/new/")
    no_violations(page)
    context.close()


def test_manager_asks_for_an_introduction_and_sees_the_windows_answer(
    browser, live_server, demo_users
):
    manager = User.objects.get(email=MANAGER[0])
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    log_in(page, live_server, *MANAGER)
    page.goto(f"{live_server.url}/partners/c/{manager.corporation_number}/match/")
    pick = page.get_by_role("checkbox", name=re.compile("の紹介を依頼する$")).first
    label = pick.get_attribute("aria-label")
    pick.check()
    page.get_by_label("窓口への伝言（任意）").fill("合同研修を一緒に企画できる相手を探しています。")
    page.get_by_role("button", name="選んだ法人の紹介を窓口に依頼する").click()
    request = IntroductionRequest.objects.get(corporation__number=manager.corporation_number)
    candidate = request.candidates.get()
    assert label == f"{candidate.name}の紹介を依頼する"
    context.close()

    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    log_in(page, live_server, *STAFF)
    page.goto(f"{live_server.url}/consultations/")
    page.get_by_role("link", name=f"相談{request.consultation_id}を開く").click()
    no_violations(page)
    page.get_by_role("button", name="依頼を受けて紹介を提案する").click()
    # Accepting proposes the introduction and opens it, the window staying the catalyst.
    expect(page.get_by_role("heading", level=1)).to_contain_text("紹介")
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED
    context.close()

    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    log_in(page, live_server, *MANAGER)
    panel = page.get_by_role("region", name="窓口への紹介の依頼")
    expect(panel).to_contain_text(candidate.name)
    expect(panel).to_contain_text("紹介を提案しました")
    expect(panel.get_by_role("link", name="紹介を開く")).to_be_visible()
    no_violations(page)
    context.close()


@pytest.mark.worker
def test_the_visitors_mails_are_sent_by_a_real_worker_through_a_real_smtp_server(
    browser, live_server, demo_users, redis_broker, start_worker
):
    """The form's commit queues the mail task on Redis; a real `celery worker` process takes it and
    sends the confirmation and the staff notice through an SMTP server this test runs."""
    with smtp_server() as inbox:
        start_worker(
            redis_broker,
            PORTAL_TEST_EMAIL_URL=f"smtp://127.0.0.1:{inbox.port}",
            PORTAL_WINDOW_EMAIL="kyodo@example.jp",
        )
        context = browser.new_context(locale="ja-JP")
        consult(context.new_page(), live_server, "社会福祉法人ちくま会（メール）")
        context.close()
        wait_for(lambda: len(inbox.messages) == 2, 60, "the worker sent no mail")
        mails = inbox.by_recipient()
    assert set(mails) == {("ichiro@example.jp",), ("kyodo@example.jp",)}
    consultation = Consultation.objects.get(corporation_name="社会福祉法人ちくま会（メール）")
    assert f"受付番号：{consultation.pk}" in mails[("ichiro@example.jp",)].get_content()
    assert f"/consultations/{consultation.pk}/" in mails[("kyodo@example.jp",)].get_content()
    wait_for(lambda: Consultation.objects.get(pk=consultation.pk).mailed_at, 30, "not marked sent")

"""A sub-meeting as an event, in the browser: staff invite the corporations, a real worker sends
the invitation through a real SMTP server, the demo manager follows the mail's link (no login),
answers 参加 with two people, and staff see the count on the meeting page."""

import datetime as dt
import re
import time
from email import message_from_bytes, policy

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from partners.models import Corporation, SubMeetingParticipant
from tests.e2e.conftest import SCREENSHOTS, axe_violations
from tests.e2e.helpers import log_in
from tests.factories import submeeting_with
from tests.mail import smtp_server

pytestmark = [pytest.mark.e2e, pytest.mark.worker]

STAFF = ("madoguchi@example.jp", "madoguchi-demo-2026")
MANAGER_EMAIL = "jigyosha@example.jp"
OWN = "3510001012345"  # the demo manager's corporation


@pytest.fixture
def inbox():
    with smtp_server() as inbox:
        yield inbox


def _wait_for_mail(inbox, address: str, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for envelope in inbox.messages:
            if address in envelope.rcpt_tos:
                return message_from_bytes(envelope.content, policy=policy.default)
        time.sleep(0.5)
    raise AssertionError(f"no mail to {address} within {timeout} s")


def test_manager_answers_the_invitation_from_the_mail_and_staff_see_the_count(
    page,
    live_server,
    demo_users,
    redis_broker,
    start_worker,
    inbox,
    screenshot,
    console_errors,
):
    from django.contrib.auth import get_user_model

    start_worker(
        redis_broker,
        PORTAL_TEST_EMAIL_URL=f"smtp://127.0.0.1:{inbox.port}",
        PORTAL_BASE_URL=live_server.url,
    )
    staff = get_user_model().objects.get(email=STAFF[0])
    own = Corporation.objects.get(number=OWN)
    other = Corporation.objects.exclude(number=OWN).order_by("pk").first()
    held_on = timezone.localdate() + dt.timedelta(days=14)
    meeting = submeeting_with(
        [own, other],
        by=staff,
        title="介護人材サロン",
        held_on=held_on,
        starts_at=dt.time(14, 0),
        ends_at=dt.time(16, 0),
        place="長野県社会福祉総合センター",
        capacity=10,
    )

    log_in(page, live_server, *STAFF)
    page.goto(f"{live_server.url}/partners/meetings/{meeting.pk}/")
    expect(page.locator(".rsvp-counts")).to_contain_text("未招待 2法人")
    page.get_by_role("button", name=re.compile("招待メールを送る")).click()
    expect(page.get_by_text("2法人に招待メールを送ります。")).to_be_visible()

    message = _wait_for_mail(inbox, MANAGER_EMAIL)
    assert "分科会へのご招待：介護人材サロン" in message["Subject"]
    parts = {part.get_content_type(): part for part in message.walk()}
    assert "text/html" in parts and "text/calendar" in parts
    body = parts["text/plain"].get_content()
    link = next(line.strip() for line in body.splitlines() if "/partners/rsvp/" in line)
    assert link.startswith(live_server.url)

    # The manager opens the link in a fresh browser context: no login needed.
    manager_page = page.context.browser.new_page(locale="ja-JP", timezone_id="Asia/Tokyo")
    manager_page.goto(link)
    expect(manager_page.get_by_role("heading", level=1)).to_contain_text("出欠の回答")
    expect(manager_page.get_by_text(f"{own.name}への招待です")).to_be_visible()
    assert axe_violations(manager_page) == [], manager_page.url
    manager_page.get_by_label("参加", exact=True).check()
    manager_page.get_by_label("参加する人数").fill("2")
    manager_page.get_by_role("button", name="回答を送る").click()
    expect(manager_page.get_by_text("参加（2名）で受け付けました。")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    manager_page.screenshot(path=str(SCREENSHOTS / "meeting-rsvp-answered.png"), full_page=True)
    manager_page.close()

    answered = SubMeetingParticipant.objects.get(meeting=meeting, corporation=own)
    assert (answered.response, answered.people) == ("attend", 2)

    page.reload()
    expect(page.locator(".rsvp-counts")).to_contain_text("参加 2 名（1法人）")
    expect(page.locator(".rsvp-counts")).to_contain_text("未回答 1法人")
    assert axe_violations(page) == [], page.url
    screenshot("meeting-staff-counts")
    assert console_errors == []

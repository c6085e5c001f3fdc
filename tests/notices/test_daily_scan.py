"""The morning scan with frozen time: an action that becomes overdue gives its owner one notice
and one mail through a real SMTP server; running the scan again that day (or the next) gives
nothing new; beat runs the scan at 08:00 in Tokyo; `manage.py send_reminders` is the same task."""

from datetime import date, datetime
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

import time_machine
from django.core.management import call_command

from guidance import services as guidance_services
from notices.models import Notice, NoticeKind
from notices.tasks import send_reminders

TOKYO = ZoneInfo("Asia/Tokyo")
DUE = date(2026, 6, 15)


def morning(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 8, 0, tzinfo=TOKYO))


def _mails(inbox):
    return [message_from_bytes(e.content, policy=policy.default) for e in inbox.messages]


def test_an_action_that_becomes_overdue_gives_one_notice_and_one_mail_and_a_second_run_none(
    circle, staff, smtp_inbox, worker_in_process, django_capture_on_commit_callbacks
):
    promoter = circle["promoter"]
    with morning(date(2026, 6, 1)):
        action = guidance_services.action_create(
            consortium=circle["consortium"],
            title="合同研修の日程を決める",
            owner="",
            owner_user=promoter,
            due_on=DUE,
            by=staff,
        )
        with django_capture_on_commit_callbacks(execute=True):
            send_reminders()
    assert not Notice.objects.filter(kind__in=[NoticeKind.ACTION_DUE, NoticeKind.ACTION_OVERDUE])
    assert smtp_inbox.messages == []

    with morning(date(2026, 6, 16)):
        with django_capture_on_commit_callbacks(execute=True):
            send_reminders()
        notice = Notice.objects.get(kind=NoticeKind.ACTION_OVERDUE)
        assert notice.recipient == promoter
        assert (
            notice.title
            == "アクション「合同研修の日程を決める」の期限（2026年6月15日）を過ぎています"
        )
        assert notice.target == action
        assert notice.emailed_at is not None
        (mail,) = _mails(smtp_inbox)
        assert mail["To"] == promoter.email
        assert "期限（2026年6月15日）を過ぎています" in mail["Subject"]
        text = mail.get_body(("plain",)).get_content()
        assert "推進 一郎 様" in text
        assert f"https://kyodo.example.jp/consortia/{circle['consortium'].pk}/actions/" in text
        assert "https://kyodo.example.jp/notifications/unsubscribe/" in text
        html = mail.get_body(("html",)).get_content()
        assert "この種類のメールを停止する" in html

        with django_capture_on_commit_callbacks(execute=True):
            send_reminders()  # the same morning again: a retried beat, someone's manual run
    with morning(date(2026, 6, 17)), django_capture_on_commit_callbacks(execute=True):
        send_reminders()
    assert Notice.objects.filter(kind=NoticeKind.ACTION_OVERDUE).count() == 1
    assert len(smtp_inbox.messages) == 1


def test_an_action_due_in_three_days_waits_for_the_morning_digest(
    circle, staff, smtp_inbox, worker_in_process, django_capture_on_commit_callbacks
):
    with morning(date(2026, 6, 12)):
        guidance_services.action_create(
            consortium=circle["consortium"],
            title="共同購買の見積もりを集める",
            owner="事務局",
            due_on=DUE,
            by=staff,
        )
        with django_capture_on_commit_callbacks(execute=True):
            outcome = send_reminders()
    # No owner account: the promoter's manager hears of it, in one digest mail.
    notice = Notice.objects.get(kind=NoticeKind.ACTION_DUE)
    assert notice.recipient == circle["promoter"]
    assert outcome["guidance.actions"] == 1 and outcome["digests"] == 1
    (mail,) = _mails(smtp_inbox)
    assert mail["Subject"].endswith("本日のお知らせ（1件）")
    assert "共同購買の見積もりを集める" in mail.get_body(("plain",)).get_content()
    notice.refresh_from_db()
    assert notice.digested_at is not None and notice.emailed_at is None

    with morning(date(2026, 6, 12)), django_capture_on_commit_callbacks(execute=True):
        send_reminders()
    assert len(smtp_inbox.messages) == 1


def test_a_consortium_without_activity_for_thirty_days_tells_its_staff_owner_and_promoter(
    circle, staff, worker_in_process, django_capture_on_commit_callbacks
):
    from guidance.models import Consortium

    Consortium.objects.filter(pk=circle["consortium"].pk).update(
        last_activity_at=datetime(2026, 5, 1, 10, 0, tzinfo=TOKYO)
    )
    with morning(date(2026, 6, 10)), django_capture_on_commit_callbacks(execute=True):
        send_reminders()
        send_reminders()
    stalled = Notice.objects.filter(kind=NoticeKind.CONSORTIUM_STALLED)
    assert {n.recipient for n in stalled} == {staff, circle["promoter"]}
    assert circle["member"] not in {n.recipient for n in Notice.objects.all()}


def test_beat_runs_the_scan_every_morning_at_eight_in_tokyo():
    from celery.schedules import crontab

    from portal.celery import app

    entry = app.conf.beat_schedule["notices.send_reminders"]
    assert entry["task"] == "notices.send_reminders"
    assert entry["schedule"] == crontab(hour=8, minute=0)
    assert app.conf.timezone == "Asia/Tokyo"
    app.loader.import_default_modules()
    assert app.tasks["notices.send_reminders"].run.__module__ == "notices.tasks"


def test_manage_py_send_reminders_runs_the_same_scan(
    circle, staff, worker_in_process, django_capture_on_commit_callbacks, capsys
):
    with morning(date(2026, 6, 16)):
        guidance_services.action_create(
            consortium=circle["consortium"],
            title="議事録を共有する",
            owner="",
            owner_user=circle["member"],
            due_on=DUE,
            by=staff,
        )
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders")
    assert "guidance.actions: 2" in capsys.readouterr().out  # the owner and the promoter
    assert {n.recipient for n in Notice.objects.filter(kind=NoticeKind.ACTION_OVERDUE)} == {
        circle["member"],
        circle["promoter"],
    }

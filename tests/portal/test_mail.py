"""`send_once`, the one way a task mails a row once: sent and stamped together, never twice, and a
failed send is left unstamped for the retry."""

import smtplib
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection

from notices import services
from notices.models import Notice, NoticeKind
from portal.mail import send_once
from tests.factories import UserFactory


def _notice(user, key="test:send-once") -> Notice:
    (notice,) = services.notify(
        recipients=[user],
        kind=NoticeKind.ACTION_OVERDUE,
        title="アクション「研修の会場を押さえる」の期限を過ぎています",
        key=key,
    )
    return notice


def _build(notices: list[Notice]) -> list[EmailMessage]:
    return [EmailMessage(subject=n.title, body="本文", to=[n.recipient.email]) for n in notices]


def test_a_row_is_mailed_once_and_a_second_call_sends_nothing(manager):
    notice = _notice(manager)
    rows = Notice.objects.filter(pk=notice.pk)
    assert send_once(rows, stamp="emailed_at", build=_build) == 1
    assert [m.to for m in mail.outbox] == [["manager@example.jp"]]
    notice.refresh_from_db()
    assert notice.emailed_at is not None

    assert send_once(rows, stamp="emailed_at", build=_build) == 0  # a re-delivered task
    assert len(mail.outbox) == 1


def test_a_failed_send_raises_and_leaves_the_stamp_empty(manager, monkeypatch):
    notice = _notice(manager)
    rows = Notice.objects.filter(pk=notice.pk)

    def refuse(self, messages):
        raise smtplib.SMTPServerDisconnected("connection lost")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        send_once(rows, stamp="emailed_at", build=_build)
    notice.refresh_from_db()
    assert notice.emailed_at is None  # the task's retry sends it

    monkeypatch.undo()
    assert send_once(rows, stamp="emailed_at", build=_build) == 1
    assert len(mail.outbox) == 1


def test_a_row_that_is_gone_sends_nothing(manager):
    notice = _notice(manager)
    rows = Notice.objects.filter(pk=notice.pk)
    notice.delete()
    assert send_once(rows, stamp="emailed_at", build=_build) == 0
    assert mail.outbox == []


def test_nobody_to_write_to_stamps_the_row_without_sending(manager):
    notice = _notice(manager)
    rows = Notice.objects.filter(pk=notice.pk)
    assert send_once(rows, stamp="emailed_at", build=lambda _: []) == 0
    notice.refresh_from_db()
    assert notice.emailed_at is not None
    assert mail.outbox == []


def test_a_set_of_rows_is_stamped_at_the_given_time_with_what_was_recorded(manager):
    first, second = _notice(manager, key="test:a"), _notice(manager, key="test:b")
    at = datetime(2026, 12, 2, 8, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    seen = []

    def build(notices):
        seen.extend(n.pk for n in notices)
        return [EmailMessage(subject="本日のお知らせ（2件）", body="本文", to=[manager.email])]

    sent = send_once(
        Notice.objects.filter(pk__in=[first.pk, second.pk]).order_by("pk"),
        stamp="emailed_at",
        build=build,
        record=lambda messages: {"title": messages[0].subject},
        at=at,
    )
    assert (sent, seen) == (1, [first.pk, second.pk])
    assert list(Notice.objects.order_by("pk").values_list("emailed_at", "title")) == [
        (at, "本日のお知らせ（2件）"),
        (at, "本日のお知らせ（2件）"),
    ]


@pytest.mark.django_db(transaction=True)
def test_a_second_worker_waiting_on_the_lock_sends_nothing():
    # PostgreSQL's row lock, or SQLite's write lock (its transactions BEGIN IMMEDIATE).
    notice = _notice(UserFactory(email="tanaka@example.jp"))
    rows = Notice.objects.filter(pk=notice.pk)
    sending, go_on = threading.Event(), threading.Event()
    results: dict[str, int] = {}

    def slow_build(notices):
        sending.set()  # the first worker holds the lock from here until its send is stamped
        go_on.wait(10)
        return _build(notices)

    def work(name, build):
        try:
            results[name] = send_once(rows, stamp="emailed_at", build=build)
        finally:
            connection.close()

    first = threading.Thread(target=work, args=("first", slow_build))
    first.start()
    assert sending.wait(10)
    second = threading.Thread(target=work, args=("second", _build))
    second.start()
    second.join(0.5)
    assert second.is_alive()  # waiting for the first worker's lock
    go_on.set()
    first.join(10)
    second.join(10)
    assert results == {"first": 1, "second": 0}
    assert len(mail.outbox) == 1

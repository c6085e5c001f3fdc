"""Mail of a notice: the unsubscribe link works without logging in and changes only the one
setting of the one user it was signed for; a failed send is retried and never sent twice."""

import smtplib

import pytest
from django.core import signing
from django.urls import reverse

from notices import services
from notices.models import Delivery, Notice, NoticeKind, NoticePreference
from notices.tasks import send_notice_mail
from tests.factories import UserFactory


def _immediate(user, key="test:mail"):
    (notice,) = services.notify(
        recipients=[user],
        kind=NoticeKind.ACTION_OVERDUE,
        title="アクション「研修の会場を押さえる」の期限を過ぎています",
        body="協働体「北信介護人材ネットワーク」の次のアクションです。",
        url="/consortia/1/actions/",
        key=key,
    )
    return notice


def _unsubscribe_path(user, kind=NoticeKind.ACTION_OVERDUE):
    return reverse("notices:unsubscribe", args=[services.unsubscribe_token(user=user, kind=kind)])


def test_the_mail_has_text_and_html_and_a_signed_unsubscribe_link(manager, mailoutbox, settings):
    settings.PORTAL_BASE_URL = "https://kyodo.example.jp"
    notice = _immediate(manager)
    assert services.notice_mail_send(notice_id=notice.pk) == 1
    (mail,) = mailoutbox
    assert mail.to == [manager.email]
    assert "https://kyodo.example.jp/consortia/1/actions/" in mail.body
    link = "https://kyodo.example.jp" + _unsubscribe_path(manager)
    assert link in mail.body
    assert mail.extra_headers["List-Unsubscribe"] == f"<{link}>"
    html, mimetype = mail.alternatives[0]
    assert mimetype == "text/html" and "この種類のメールを停止する" in html


def test_the_unsubscribe_link_asks_then_turns_off_that_kind_without_login(client, manager):
    path = _unsubscribe_path(manager)
    page = client.get(path).content.decode()
    assert "「期限を過ぎたアクション」のメールを停止します" in page
    assert not NoticePreference.objects.exists()  # a link preview or a mail scanner changes nothing

    done = client.post(path).content.decode()
    assert "「期限を過ぎたアクション」のメールを停止しました" in done
    (preference,) = NoticePreference.objects.all()
    assert (preference.user, preference.kind, preference.delivery) == (
        manager,
        NoticeKind.ACTION_OVERDUE,
        Delivery.OFF,
    )
    # Nothing is mailed for that kind any more; the notice still reaches the centre.
    notice = _immediate(manager, key="test:after")
    assert notice.delivery == Delivery.OFF
    assert services.notice_mail_send(notice_id=notice.pk) == 0


def test_a_tampered_link_changes_nothing(client, manager):
    token = services.unsubscribe_token(user=manager, kind=NoticeKind.ACTION_OVERDUE)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in (tampered, "abc", "x" * 300):
        response = client.post(reverse("notices:unsubscribe", args=[bad]))
        assert response.status_code == 400
        assert "このリンクは無効です" in response.content.decode()
    assert not NoticePreference.objects.exists()


def test_a_link_cannot_change_another_users_settings(client, manager, staff):
    # Re-signing the payload with another user's id needs the secret key; without it the
    # signature no longer matches.
    mine = services.unsubscribe_token(user=manager, kind=NoticeKind.ACTION_OVERDUE)
    payload = signing.loads(mine, salt=services.UNSUBSCRIBE_SALT)
    forged = signing.dumps(
        {**payload, "u": staff.pk}, salt=services.UNSUBSCRIBE_SALT, key="not-the-secret-key"
    )
    assert client.post(reverse("notices:unsubscribe", args=[forged])).status_code == 400
    # A genuine link of one user changes only that user's setting, whoever clicks it.
    client.force_login(staff, backend="portal.backends.EmailBackend")
    client.post(reverse("notices:unsubscribe", args=[mine]))
    assert list(NoticePreference.objects.values_list("user_id", "kind")) == [
        (manager.pk, NoticeKind.ACTION_OVERDUE)
    ]
    # A token signed for another purpose (salt) is no unsubscribe link.
    other = signing.dumps({"u": staff.pk, "k": NoticeKind.ACTION_OVERDUE}, salt="elsewhere")
    assert client.post(reverse("notices:unsubscribe", args=[other])).status_code == 400


def test_a_failed_send_is_retried_and_a_second_delivery_sends_nothing(
    manager, mailoutbox, monkeypatch
):
    notice = _immediate(manager)
    calls = []

    def refuse(self, messages):
        calls.append(messages)
        raise smtplib.SMTPServerDisconnected("connection lost")

    from django.core.mail.backends.locmem import EmailBackend

    real = EmailBackend.send_messages
    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        services.notice_mail_send(notice_id=notice.pk)
    notice.refresh_from_db()
    assert notice.emailed_at is None  # not lost: the retry will send it
    assert smtplib.SMTPException in send_notice_mail.autoretry_for
    assert send_notice_mail.retry_backoff and send_notice_mail.max_retries

    monkeypatch.setattr(EmailBackend, "send_messages", real)
    assert services.notice_mail_send(notice_id=notice.pk) == 1
    assert services.notice_mail_send(notice_id=notice.pk) == 0  # a re-delivered task
    assert len(mailoutbox) == 1
    assert Notice.objects.get(pk=notice.pk).emailed_at is not None


def test_the_mail_task_retries_through_celery_on_an_smtp_error(
    manager, mailoutbox, monkeypatch, worker_in_process
):
    from celery.exceptions import Retry

    notice = _immediate(manager)
    monkeypatch.setitem(worker_in_process.conf, "task_eager_propagates", True)
    monkeypatch.setattr(
        services,
        "notice_mail_send",
        lambda **_: (_ for _ in ()).throw(smtplib.SMTPConnectError(421, "busy")),
    )
    with pytest.raises((Retry, smtplib.SMTPConnectError)):
        send_notice_mail.apply(args=[notice.pk], throw=True)


def test_no_mail_goes_to_an_inactive_user(db, mailoutbox):
    user = UserFactory()
    notice = _immediate(user)
    user.is_active = False
    user.save()
    assert services.notice_mail_send(notice_id=notice.pk) == 0
    assert mailoutbox == []

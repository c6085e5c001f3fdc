"""Logging in by e-mail, lockout, idle expiry, passwords and invitations, as their users see them."""

import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from portal.middleware import SESSION_KEY
from tests.factories import PASSWORD, CorporationFactory, UserFactory

User = get_user_model()


def login(client, email, password):
    return client.post(reverse("login"), {"username": email, "password": password})


def test_login_page_is_japanese_and_asks_for_an_email(client, db):
    html = client.get(reverse("login")).content.decode()
    assert '<html lang="ja">' in html
    assert "メールアドレス" in html
    assert 'type="email"' in html
    assert "パスワードをお忘れの方" in html


def test_user_logs_in_by_email_in_any_case(client, staff):
    response = login(client, "STAFF@Example.JP", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert "窓口 花子 さんのホーム" in client.get(reverse("home")).content.decode()


def test_wrong_password_is_explained_in_japanese(client, staff):
    response = login(client, "staff@example.jp", "not-the-password-123")
    assert response.status_code == 200
    assert "メールアドレスまたはパスワードが正しくありません" in response.content.decode()


def test_repeated_failures_lock_the_email_and_ip_pair(client, staff):
    for _ in range(5):
        login(client, "staff@example.jp", "wrong-password-000")
    response = login(client, "staff@example.jp", PASSWORD)
    html = response.content.decode()
    assert response.status_code == 429
    assert "ログインを一時停止しています" in html
    assert "15分" in html
    # Another account from the same address is not locked.
    other = UserFactory(email="other@example.jp")
    assert login(client, other.email, PASSWORD).status_code == 302


def test_idle_session_ends_with_an_explanation(client, staff, settings):
    client.force_login(staff)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session[SESSION_KEY] = time.time() - settings.SESSION_IDLE_TIMEOUT.total_seconds() - 5
    session.save()
    # A page that needs a login ("/" now shows visitors the public landing page).
    response = client.get(reverse("reports"), follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert "30分間操作がなかったため" in html


def test_active_session_is_kept(client, staff):
    client.force_login(staff)
    for _ in range(3):
        assert client.get(reverse("home")).status_code == 200


def test_logout_is_a_post_and_returns_to_login(client, staff):
    client.force_login(staff)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("reports")).status_code == 302  # "/" is public now


def test_password_change_rejects_short_passwords_in_japanese(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "short-pw1", "new_password2": "short-pw1"},
    )
    html = response.content.decode()
    assert "12 文字以上" in html or "12文字以上" in html
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)


def test_password_change_succeeds_with_a_long_password(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "shinano-kyodo-2027",
            "new_password2": "shinano-kyodo-2027",
        },
        follow=True,
    )
    assert "パスワードを変更しました" in response.content.decode()
    staff.refresh_from_db()
    assert staff.check_password("shinano-kyodo-2027")


def test_password_reset_mails_a_working_link(client, staff):
    response = client.post(reverse("password_reset"), {"email": "staff@example.jp"}, follow=True)
    assert "メールを送信しました" in response.content.decode()
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    page = client.get(link, follow=True)
    assert "新しいパスワードの設定" in page.content.decode()
    form_url = page.redirect_chain[-1][0]
    client.post(
        form_url, {"new_password1": "azumino-renkei-88", "new_password2": "azumino-renkei-88"}
    )
    staff.refresh_from_db()
    assert staff.check_password("azumino-renkei-88")


def test_staff_invites_a_manager_who_sets_a_password_and_is_logged_in(
    client, staff, django_capture_on_commit_callbacks
):
    CorporationFactory(number="7000012050002", name="社会福祉法人ちくま会")
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:invite"),
            {
                "email": "Shinki@Example.jp",
                "full_name": "新規 介護",
                "role": "manager",
                "organization": "社会福祉法人 ちくま会",
                "corporation_number": "７００００１２０５０００２",
            },
            follow=True,
        )
    assert "shinki@example.jp に招待メールを送りました" in response.content.decode()
    invited = User.objects.get(email="shinki@example.jp")
    assert invited.corporation_number == "7000012050002"
    assert not invited.has_usable_password()
    assert invited.invited_by == staff
    assert invited.history.count() == 1

    client.logout()
    body = mail.outbox[0].body
    assert "利用者登録のご案内" in mail.outbox[0].subject
    link = re.search(r"http://testserver(\S+)", body).group(1)
    page = client.get(link, follow=True)
    assert "協働化支援ポータルへようこそ" in page.content.decode()
    done = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "chikuma-kyodo-2026", "new_password2": "chikuma-kyodo-2026"},
        follow=True,
    )
    assert "新規 介護 さんのホーム" in done.content.decode()


def test_invite_explains_missing_or_wrong_corporation_number(client, staff):
    client.force_login(staff)
    data = {"email": "a@example.jp", "full_name": "法人 未入力", "role": "manager"}
    html = client.post(reverse("accounts:invite"), data).content.decode()
    assert "法人番号が必要です" in html
    html = client.post(
        reverse("accounts:invite"), {**data, "corporation_number": "8000012050002"}
    ).content.decode()
    assert "チェックデジット" in html
    assert not User.objects.filter(email="a@example.jp").exists()


def test_invite_refuses_a_corporation_number_not_in_the_registry(client, staff):
    client.force_login(staff)
    data = {"email": "a@example.jp", "full_name": "法人 未登録", "role": "manager",
            "corporation_number": "7000012050002"}  # fmt: skip
    html = client.post(reverse("accounts:invite"), data).content.decode()
    assert "この法人番号の法人は事業者台帳にありません。" in html
    assert not User.objects.filter(email="a@example.jp").exists()
    CorporationFactory(number="7000012050002")
    assert client.post(reverse("accounts:invite"), data).status_code == 302


def test_invite_refuses_an_existing_address(client, staff, manager):
    client.force_login(staff)
    html = client.post(
        reverse("accounts:invite"),
        {"email": "MANAGER@example.jp", "full_name": "重複", "role": "official"},
    ).content.decode()
    assert "すでに登録されています" in html


def test_staff_deactivates_a_user_who_then_cannot_log_in(client, staff, official):
    client.force_login(staff)
    client.post(reverse("accounts:toggle_active", args=[official.pk]), {"confirmed": "yes"})
    official.refresh_from_db()
    assert not official.is_active
    client.logout()
    assert login(client, official.email, PASSWORD).status_code == 200


def test_staff_cannot_deactivate_themselves(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("accounts:toggle_active", args=[staff.pk]), {"confirmed": "yes"}, follow=True
    )
    assert "自分自身のアカウントは無効にできません" in response.content.decode()
    staff.refresh_from_db()
    assert staff.is_active


def test_manager_account_requires_a_corporation_number(db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        User.objects.create_user("m@example.jp", PASSWORD, full_name="法人 なし", role="manager")

"""The consultation desk as its users meet it: a visitor consults through the public form, staff
log and follow consultations from every channel, a manager asks for an introduction from the
match page and sees the window's answer on their home page; old closed consultations are purged."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from desk import services
from desk.models import Channel, Consultation, IntroductionRequest, RequestStatus, Status
from desk.selectors import PAGE_SIZE, consultation_figures
from partners.models import Challenge, Introduction
from tests.factories import CorporationFactory, MunicipalityFactory, UserFactory, profile_for
from tests.mail import smtp_server

pytestmark = pytest.mark.django_db

VALID = {
    "corporation_name": "社会福祉法人みすず福祉会",
    "corporation_number": "",
    "contact_name": "信濃 一郎",
    "email": "ichiro@example.jp",
    "phone": "026-111-0001",
    "message": "職員の採用が難しく、近くの法人と合同で説明会を開けないか相談したいです。",
    "agree": "on",
    "website": "",
}


def form_data(**changes):
    data = {**VALID, **changes}
    data.setdefault("topics", [str(Challenge.objects.get(code="recruiting").pk)])
    return data


# --- The public form ----------------------------------------------------------------------------
def test_visitor_consults_and_lands_on_the_thanks_page(client, django_capture_on_commit_callbacks):
    corp = CorporationFactory(name="社会福祉法人みすず福祉会")
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("desk:consult"), form_data(corporation_number=corp.number))
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:consult_thanks")
    assert len(callbacks) == 1  # the mail task is enqueued after commit
    consultation = Consultation.objects.get()
    assert consultation.channel == Channel.FORM
    assert consultation.corporation == corp  # the 法人番号 in the registry links it
    assert [t.code for t in consultation.topics.all()] == ["recruiting"]
    assert "相談を受け付けました" in client.get(reverse("desk:consult_thanks")).content.decode()


def test_form_errors_are_in_japanese_beside_each_field_and_in_a_summary(client):
    response = client.post(
        reverse("desk:consult"),
        {"corporation_number": "1234567890123", "email": "not-an-address", "website": ""},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "入力内容を確認してください" in page
    assert 'href="#id_corporation_name"' in page
    assert "法人名・事業所名を入力してください。" in page
    assert "チェックデジット" in page
    assert "メールアドレスの形式で入力してください" in page
    assert "個人情報の取り扱いへの同意が必要です。" in page
    assert "ご相談の内容を1つ以上選んでください。" in page
    assert Consultation.objects.count() == 0


def test_a_robot_filling_the_honeypot_is_thanked_but_nothing_is_kept(client):
    response = client.post(reverse("desk:consult"), form_data(website="http://spam.example"))
    assert response.status_code == 302
    assert Consultation.objects.count() == 0


def test_the_sixth_accepted_submission_in_an_hour_is_refused_with_a_clear_message(client):
    for _ in range(5):
        assert client.post(reverse("desk:consult"), form_data()).status_code == 302
    # Invalid submissions do not count, so a person correcting mistakes is never locked out.
    response = client.post(reverse("desk:consult"), form_data())
    assert response.status_code == 429
    assert "1時間の上限に達しました" in response.content.decode()
    assert Consultation.objects.count() == 5


def test_privacy_notice_has_its_own_page_with_the_retention_period(client, settings):
    settings.CONSULTATION_RETENTION_DAYS = 730
    page = client.get(reverse("desk:consult_privacy")).content.decode()
    assert "730日" in page
    assert reverse("desk:consult_privacy") in client.get(reverse("desk:consult")).content.decode()


def test_confirmation_and_staff_notice_are_sent_once(settings):
    settings.PORTAL_WINDOW_EMAIL = "kyodo@example.jp"
    consultation = services.consultation_create(
        channel=Channel.FORM,
        summary="フォームからの相談",
        contact_name="信濃 一郎",
        corporation_name="社会福祉法人みすず福祉会",
        email="ichiro@example.jp",
    )
    assert services.consultation_mail_send(consultation_id=consultation.pk) == 2
    assert services.consultation_mail_send(consultation_id=consultation.pk) == 0
    to_requester, to_staff = mail.outbox
    assert to_requester.to == ["ichiro@example.jp"]
    assert "信濃 一郎 様" in to_requester.body
    assert to_staff.to == ["kyodo@example.jp"]
    assert f"/consultations/{consultation.pk}/" in to_staff.body
    assert "ichiro@example.jp" not in to_staff.body  # personal data stays behind the login


@pytest.fixture
def smtp_inbox(settings):
    """A real SMTP server on 127.0.0.1 (a free port), Django's SMTP backend pointed at it."""
    with smtp_server() as inbox:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = inbox.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.PORTAL_WINDOW_EMAIL = "kyodo@example.jp"
        yield inbox


def test_the_mail_goes_through_a_real_smtp_server(smtp_inbox):
    consultation = services.consultation_create(
        channel=Channel.FORM,
        summary="フォームからの相談",
        contact_name="信濃 一郎",
        corporation_name="社会福祉法人みすず福祉会",
        email="ichiro@example.jp",
    )
    assert services.consultation_mail_send(consultation_id=consultation.pk) == 2
    recipients = sorted(r for e in smtp_inbox.messages for r in e.rcpt_tos)
    assert recipients == ["ichiro@example.jp", "kyodo@example.jp"]


def test_a_visitor_consults_and_both_mails_arrive_through_smtp(
    client, smtp_inbox, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """The whole path: the public form, the Celery task after commit (run in this process), the
    SMTP backend, a real server. The requester gets a confirmation, the staff a notice with the
    link to the consultation on the portal."""
    from portal.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)  # the worker's run, in this process
    monkeypatch.setitem(app.conf, "task_eager_propagates", True)
    settings.PORTAL_BASE_URL = "https://kyodo.example.jp/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("desk:consult"), form_data())
    assert response["Location"] == reverse("desk:consult_thanks")
    consultation = Consultation.objects.get()

    mails = smtp_inbox.by_recipient()
    assert set(mails) == {("ichiro@example.jp",), ("kyodo@example.jp",)}
    confirmation, notice = mails[("ichiro@example.jp",)], mails[("kyodo@example.jp",)]
    assert (
        confirmation["Subject"].strip()
        == f"【{settings.PORTAL_WINDOW_NAME}】ご相談を受け付けました"
    )
    body = confirmation.get_content()
    assert "信濃 一郎 様" in body
    assert f"受付番号：{consultation.pk}" in body
    assert notice["Subject"].strip() == "【相談受付】社会福祉法人みすず福祉会からの相談"
    body = notice.get_content()
    assert f"https://kyodo.example.jp/consultations/{consultation.pk}/" in body
    assert "ichiro@example.jp" not in body  # personal data stays behind the login
    consultation.refresh_from_db()
    assert consultation.mailed_at is not None


# --- The staff's desk ---------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["manager", "official", "anonymous"])
def test_only_staff_open_the_desk(client_for, client, users_by_role, role):
    c = services.consultation_create(channel=Channel.PHONE, summary="電話相談")
    browser = client if role == "anonymous" else client_for(users_by_role[role])
    for url in (
        reverse("desk:consultations"),
        reverse("desk:consultation_new"),
        reverse("desk:consultation", args=[c.pk]),
        reverse("desk:consultations_export", args=["csv"]),
    ):
        response = browser.get(url)
        assert response.status_code in (302, 403), url
        assert "電話相談" not in response.content.decode()


def test_staff_log_a_call_assign_it_and_link_an_introduction(client_for, staff):
    browser = client_for(staff)
    corp = CorporationFactory(name="株式会社さくらケア")
    topic = Challenge.objects.get(code="retention")
    response = browser.post(
        reverse("desk:consultation_new"),
        {
            "channel": "phone",
            "summary": "定着の悩み",
            "topics": [topic.pk],
            "corporation_number": corp.number,
        },
    )
    c = Consultation.objects.get()
    assert response["Location"] == reverse("desk:consultation", args=[c.pk])
    assert c.corporation == corp and c.owner is None and c.status == Status.RECEIVED
    browser.post(
        reverse("desk:consultation_edit", args=[c.pk]),
        {"owner": staff.pk, "follow_up_on": "2026-12-10", "topics": [topic.pk]},
    )
    browser.post(
        reverse("desk:consultation_note", args=[c.pk]),
        {"kind": "call", "text": "先方に折り返し、来週の訪問を約束しました。"},
    )
    other = CorporationFactory()
    from partners.services import introduction_propose

    intro = introduction_propose(corporations=[corp, other], title="", by=staff)
    browser.post(
        reverse("desk:consultation_outcome", args=[c.pk]),
        {"kind": "introduction", "target": intro.pk},
    )
    c.refresh_from_db()
    assert c.owner == staff and c.status == Status.IN_PROGRESS
    assert c.follow_up_on == dt.date(2026, 12, 10)
    page = browser.get(reverse("desk:consultation", args=[c.pk])).content.decode()
    assert "来週の訪問を約束しました" in page
    assert reverse("partners:introduction", args=[intro.pk]) in page
    assert c.history.count() >= 2  # every change is in the history
    # The corporation's registry page shows its consultations to staff.
    corp_page = browser.get(reverse("partners:corporation", args=[corp.number])).content.decode()
    assert "定着の悩み" in corp_page


def test_the_list_filters_exports_and_keeps_its_query_count(
    client_for, staff, django_assert_max_num_queries
):
    topic = Challenge.objects.get(code="disaster")
    for n in range(12):
        c = services.consultation_create(
            channel=Channel.VISIT if n % 2 else Channel.PHONE,
            summary=f"相談{n}",
            topics=[topic],
            owner=staff,
            follow_up_on=dt.date(2020, 1, 1) if n < 3 else None,
            corporation=CorporationFactory() if n % 3 == 0 else None,
        )
    browser = client_for(staff)
    with django_assert_max_num_queries(14):
        response = browser.get(reverse("desk:consultations"), {"channel": "visit"})
    assert response.content.decode().count("<tr>") == 1 + 6
    overdue = browser.get(reverse("desk:consultations"), {"overdue": "on"}).content.decode()
    assert overdue.count("（期限切れ）") == 3
    with django_assert_max_num_queries(14):
        browser.get(reverse("desk:consultation", args=[c.pk]))
    csv = browser.get(reverse("desk:consultations_export", args=["csv"]), {"channel": "phone"})
    assert csv.content.decode("utf-8-sig").count("\n") == 1 + 6
    xlsx = browser.get(reverse("desk:consultations_export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 1 + 12
    assert sheet["A1"].value == "受付番号"


def test_a_long_desk_list_is_paged_and_every_consultation_is_reachable(client_for, staff):

    for n in range(PAGE_SIZE + 3):
        services.consultation_create(channel=Channel.PHONE, summary=f"電話{n:03d}", owner=staff)
    browser = client_for(staff)
    first = browser.get(reverse("desk:consultations"), {"channel": "phone"}).content.decode()
    assert f"{PAGE_SIZE + 3}件（1〜{PAGE_SIZE}件目）" in first
    assert "channel=phone" in first and "page=2" in first  # the next page keeps the filter
    second = browser.get(reverse("desk:consultations"), {"channel": "phone", "page": "2"})
    assert second.content.decode().count("<tr>") == 1 + 3
    # Exports take every row of the filter whatever page is open.
    csv = browser.get(reverse("desk:consultations_export", args=["csv"]), {"channel": "phone"})
    assert csv.content.decode("utf-8-sig").count("\n") == 1 + PAGE_SIZE + 3
    # A page number that is not one shows the first or last page, never an error.
    assert browser.get(reverse("desk:consultations"), {"page": "abc"}).status_code == 200
    assert browser.get(reverse("desk:consultations"), {"page": "999"}).status_code == 200


def test_consultation_figures_count_per_month_channel_and_topic():
    topic = Challenge.objects.get(code="recruiting")
    at = dt.datetime(2026, 5, 10, 10, tzinfo=ZoneInfo("Asia/Tokyo"))
    services.consultation_create(channel=Channel.PHONE, summary="a", topics=[topic], received_at=at)
    services.consultation_create(channel=Channel.FORM, summary="b", received_at=at)
    services.consultation_create(
        channel=Channel.PHONE, summary="old", received_at=at - dt.timedelta(days=400)
    )
    figures = consultation_figures((dt.date(2026, 4, 1), dt.date(2027, 3, 31)))
    assert figures.total == 2
    assert len(figures.per_month) == 12
    assert dict(figures.per_month)[dt.date(2026, 5, 1)] == 2
    assert dict(figures.per_channel)["電話"] == 1
    assert dict(figures.per_topic)[topic.label] == 1


def test_purge_deletes_old_closed_consultations_with_their_history(settings, staff):
    settings.CONSULTATION_RETENTION_DAYS = 30
    old = services.consultation_create(channel=Channel.PHONE, summary="古い相談", by=staff)
    services.consultation_move(consultation=old, to=Status.DONE, by=staff)
    Consultation.objects.filter(pk=old.pk).update(closed_at=timezone.now() - dt.timedelta(days=31))
    kept = services.consultation_create(channel=Channel.PHONE, summary="対応中の相談", by=staff)
    out = io.StringIO()
    call_command("purge_consultations", "--dry-run", stdout=out)
    assert "1件" in out.getvalue() and Consultation.objects.count() == 2
    out = io.StringIO()
    call_command("purge_consultations", stdout=out)
    assert "消去：完了後30日を過ぎた相談 1件" in out.getvalue()
    assert list(Consultation.objects.all()) == [kept]
    assert not Consultation.history.filter(id=old.pk).exists()


# --- Introduction requests from the match page --------------------------------------------------
@pytest.fixture
def neighbours(manager):
    place = MunicipalityFactory()
    own = CorporationFactory(
        name="社会福祉法人みすず福祉会", sites=[(place, 36.65, 138.19, "通所介護", 30)]
    )
    a = CorporationFactory(
        name="株式会社さくらケア", sites=[(place, 36.66, 138.20, "訪問介護", None)]
    )
    b = CorporationFactory(name="有限会社あさひ", sites=[(place, 36.67, 138.21, "訪問看護", None)])
    for corp in (own, a, b):
        profile_for(corp, challenges=["recruiting"])
    manager.corporation_number = own.number
    manager.save()
    return own, a, b


def test_manager_asks_staff_accept_and_the_manager_sees_it(client_for, manager, staff, neighbours):
    own, a, b = neighbours
    browser = client_for(manager)
    match_page = browser.get(reverse("partners:match", args=[own.number])).content.decode()
    assert reverse("desk:match_request", args=[own.number]) in match_page
    assert 'name="candidates"' in match_page
    response = browser.post(
        reverse("desk:match_request", args=[own.number]),
        {"candidates": [a.number], "message": "合同説明会を一緒に開きたいです。"},
    )
    assert response["Location"] == reverse("home")
    request = IntroductionRequest.objects.get()
    assert request.consultation.corporation == own
    assert "窓口で確認中" in browser.get(reverse("home")).content.decode()

    staff_browser = client_for(staff)
    staff_browser.post(reverse("desk:request_accept", args=[request.pk]))
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED
    intro = Introduction.objects.get()
    assert sorted(intro.parties.values_list("corporation__number", flat=True)) == sorted(
        [own.number, a.number]
    )
    assert request.consultation.outcomes.get().introduction == intro

    browser = client_for(manager)
    home = browser.get(reverse("home")).content.decode()
    assert "紹介を提案しました" in home
    match_page = browser.get(reverse("partners:match", args=[own.number])).content.decode()
    assert "紹介中" in match_page


def test_staff_decline_with_a_reason_the_manager_reads(client_for, manager, staff, neighbours):
    own, a, b = neighbours
    request = services.introduction_request_create(
        corporation=own, candidates=[b], message="", by=manager
    )
    client_for(staff).post(
        reverse("desk:request_decline", args=[request.pk]),
        {"reason": "先方が当面は新しい連携を考えていないためです。"},
    )
    home = client_for(manager).get(reverse("home")).content.decode()
    assert "見送り" in home and "先方が当面は新しい連携を考えていないためです。" in home


def test_a_manager_cannot_ask_for_another_corporation_or_hidden_candidates(
    client_for, manager, neighbours
):
    own, a, b = neighbours
    hidden = CorporationFactory(name="非公開の法人")
    browser = client_for(manager)
    assert browser.post(
        reverse("desk:match_request", args=[a.number]), {"candidates": [b.number]}
    ).status_code in (403, 404)
    browser.post(reverse("desk:match_request", args=[own.number]), {"candidates": [hidden.number]})
    assert IntroductionRequest.objects.count() == 0
    other_manager = UserFactory(manager=True, corporation_number=a.number)
    assert (
        client_for(other_manager).post(reverse("desk:request_accept", args=[1])).status_code == 403
    )

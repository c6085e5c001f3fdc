"""Theme sub-meetings as events: staff invite the corporations, they answer in the portal or from
the mail's signed link, capacity sends the late ones to a waiting list, a calendar file, a
reminder before the day, a questionnaire, attendance, minutes, series and introductions."""

import datetime as dt

import pytest
import time_machine
from django.core import mail, signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from icalendar import Calendar

from partners.models import (
    Introduction,
    MeetingMail,
    MeetingSeries,
    SubMeeting,
    SubMeetingParticipant,
)
from partners.services import events
from tests.factories import CorporationFactory, UserFactory, profile_for, submeeting_with

pytestmark = pytest.mark.django_db

OWN = "7000012050002"  # the manager fixture's corporation


@pytest.fixture
def deliver(monkeypatch, django_capture_on_commit_callbacks):
    """Mails queued after commit are delivered by the task's function, in this process."""
    monkeypatch.setattr(
        events, "_enqueue", lambda mail_id: events.meeting_mail_send(mail_id=mail_id)
    )

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


@pytest.fixture
def own(manager):
    corporation = CorporationFactory(number=OWN, name="社会福祉法人あおば会")
    profile_for(corporation, challenges=["recruiting"], themes=["workforce"],
                contact="aoba-soumu@example.jp")  # fmt: skip
    return corporation


@pytest.fixture
def others():
    first = CorporationFactory(name="医療法人みどり会")
    profile_for(first, contact="midori@example.jp", consent=False)  # did not consent to share
    second = CorporationFactory(name="社会福祉法人さくら会")
    profile_for(second, contact="026-222-3333")  # a phone number: no mail to it
    UserFactory(manager=True, corporation_number=second.number, email="sakura@example.jp")
    return [first, second]


@pytest.fixture
def meeting(staff, own, others):
    return submeeting_with(
        [own, *others],
        by=staff,
        held_on=dt.date(2026, 12, 10),
        starts_at=dt.time(14, 0),
        ends_at=dt.time(16, 0),
        place="長野県社会福祉総合センター 第1会議室",
        online_url="https://meet.example.jp/salon-1210",
        capacity=4,
        rsvp_deadline=dt.date(2026, 12, 8),
    )


def _participant(meeting, corporation) -> SubMeetingParticipant:
    return SubMeetingParticipant.objects.get(meeting=meeting, corporation=corporation)


@pytest.fixture
def invited(meeting, staff, deliver):
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        deliver(events.submeeting_invite, meeting=meeting, by=staff)
    return meeting


def _calendar(data: bytes):
    events_ = list(Calendar.from_ical(data).walk("VEVENT"))
    assert len(events_) == 1
    return events_[0]


def test_the_ics_has_the_date_time_place_and_link_in_tokyo_time(client, staff, meeting):
    client.force_login(staff)
    response = client.get(reverse("partners:meeting_ics", args=[meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    event = _calendar(response.content)
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert (start.year, start.month, start.day, start.hour, start.minute) == (2026, 12, 10, 14, 0)
    assert str(start.tzinfo) == "Asia/Tokyo" and start.utcoffset() == dt.timedelta(hours=9)
    assert end.hour == 16
    assert str(event["summary"]) == "人材確保分科会"
    assert "長野県社会福祉総合センター 第1会議室" in str(event["location"])
    assert "https://meet.example.jp/salon-1210" in str(event["location"])
    assert str(event["url"]) == "https://meet.example.jp/salon-1210"


def test_only_staff_and_invited_corporations_may_download_the_ics(
    client, staff, manager, meeting, deliver
):
    url = reverse("partners:meeting_ics", args=[meeting.pk])
    client.force_login(manager)
    assert client.get(url).status_code == 403  # not invited yet
    deliver(events.submeeting_invite, meeting=meeting, by=staff)
    assert client.get(url).status_code == 200
    stranger = UserFactory(manager=True, corporation_number=CorporationFactory().number)
    client.force_login(stranger)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_the_invitation_goes_to_managers_and_a_consented_contact_with_the_ics(invited, manager):
    assert len(mail.outbox) == 2  # the corporation without any address gets nothing
    recipients = sorted(tuple(sorted(m.to)) for m in mail.outbox)
    assert recipients == [("aoba-soumu@example.jp", "manager@example.jp"), ("sakura@example.jp",)]
    message = next(m for m in mail.outbox if "manager@example.jp" in m.to)
    assert message.subject.endswith("分科会へのご招待：人材確保分科会")
    assert "社会福祉法人あおば会 ご担当者様" in message.body
    assert "2026年12月10日 14:00～16:00" in message.body
    assert "医療法人みどり会" not in message.body  # nothing of the other invited corporations
    html, kind = message.alternatives[0]
    assert kind == "text/html" and "出欠を回答・変更する" in html
    name, content, mimetype = message.attachments[0]
    assert name.endswith(".ics") and mimetype.startswith("text/calendar")
    assert _calendar(content.encode() if isinstance(content, str) else content)


def test_a_mail_is_sent_once_even_when_its_task_runs_twice(invited):
    sent = MeetingMail.objects.filter(kind="invitation", sent_at__isnull=False)
    assert sent.count() == 3
    count = len(mail.outbox)
    for row in sent:
        assert events.meeting_mail_send(mail_id=row.pk) == 0
    assert len(mail.outbox) == count


def test_a_failed_send_is_left_for_the_retry(
    meeting, staff, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(events, "_enqueue", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        events.submeeting_invite(meeting=meeting, by=staff)

    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    with pytest.raises(ConnectionRefusedError):
        events.meeting_mail_send(mail_id=queued[0])
    assert MeetingMail.objects.get(pk=queued[0]).sent_at is None
    monkeypatch.undo()
    assert events.meeting_mail_send(mail_id=queued[0]) == 1


def _answer_link(message) -> str:
    line = next(line for line in message.body.splitlines() if "/partners/rsvp/" in line)
    return line.strip().split("testserver", 1)[-1].split("8000", 1)[-1]


def test_the_mail_link_answers_without_login(client, invited, own):
    message = next(m for m in mail.outbox if "manager@example.jp" in m.to)
    link = _answer_link(message)
    with time_machine.travel(dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)):
        page = client.get(link)
        assert page.status_code == 200
        assert "社会福祉法人あおば会への招待です" in page.content.decode()
        response = client.post(link + "answer/", {"answer": "attend", "people": "2"})
    assert response.status_code == 302
    participant = _participant(invited, own)
    assert (participant.response, participant.people, participant.answered_by) == (
        "attend",
        2,
        None,
    )


def test_a_token_cannot_answer_another_invitation(client, invited, own, others):
    mine = _participant(invited, own)
    theirs = _participant(invited, others[1])
    token = events.rsvp_token(mine)
    with time_machine.travel(dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)):
        # A field naming the other invitation is ignored: the token alone says whose answer it is.
        client.post(reverse("partners:rsvp_answer", args=[token]),
                    {"answer": "decline", "participant": theirs.pk, "p": theirs.pk})  # fmt: skip
        forged = signing.dumps({"p": theirs.pk, "m": invited.pk}, salt="another-salt")
        assert client.get(reverse("partners:rsvp", args=[forged])).status_code == 404
        altered = token.replace(
            token.split(":")[0],
            signing.b64_encode(b'{"p":%d,"m":%d}' % (theirs.pk, invited.pk)).decode(),
        )
        assert client.post(reverse("partners:rsvp_answer", args=[altered]),
                           {"answer": "decline"}).status_code == 404  # fmt: skip
        assert client.get(reverse("partners:rsvp", args=["x" * 50])).status_code == 404
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.response == "decline"
    assert theirs.response == "pending"


def test_over_capacity_waits_and_a_freed_place_moves_the_first_one_up(
    invited, own, others, deliver
):
    aoba, midori, sakura = (_participant(invited, c) for c in (own, *others))
    mail.outbox.clear()
    with time_machine.travel(dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)) as clock:
        assert not events.invitation_respond(participant=aoba, answer="attend", people=3).waiting
        clock.shift(60)
        assert events.invitation_respond(participant=sakura, answer="attend", people=2).waiting
        clock.shift(60)
        assert (
            events.invitation_respond(participant=midori, answer="attend", people=1).waiting
            is False
        )
        # 3 + 1 = 4: full. さくら会 waits; あおば会 sends one person fewer, still no place for two.
        deliver(events.invitation_respond, participant=aoba, answer="attend", people=2)
        sakura.refresh_from_db()
        assert sakura.waiting
        deliver(events.invitation_respond, participant=aoba, answer="decline", people=0)
    sakura.refresh_from_db()
    assert not sakura.waiting and sakura.response == "attend"
    assert [m.to for m in mail.outbox] == [["sakura@example.jp"]]
    assert "キャンセル待ちから参加が確定しました" in mail.outbox[0].subject


def test_staff_see_the_counts_of_the_answers(client, staff, invited, own, others):
    with time_machine.travel(dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)):
        events.invitation_respond(participant=_participant(invited, own), answer="attend", people=4)
        events.invitation_respond(
            participant=_participant(invited, others[1]), answer="attend", people=2
        )
    client.force_login(staff)
    html = client.get(reverse("partners:meeting", args=[invited.pk])).content.decode()
    assert (
        "参加 4 名（1法人）／不参加 0法人／未定 0法人／未回答 1法人／キャンセル待ち 1法人（2名）"
        in html
    )


def test_the_staff_page_has_a_constant_number_of_queries(
    client, staff, invited, django_assert_num_queries
):
    client.force_login(staff)
    url = reverse("partners:meeting", args=[invited.pk])
    client.get(url)
    with django_assert_num_queries(6) as captured:
        assert client.get(url).status_code == 200
    submeeting_with([CorporationFactory() for _ in range(5)], by=staff)
    invited.participants.model.objects.bulk_create(
        [SubMeetingParticipant(meeting=invited, corporation=CorporationFactory()) for _ in range(4)]
    )
    with django_assert_num_queries(len(captured)):
        client.get(url)


def test_a_manager_answers_on_their_invitation_page(client, manager, invited, own):
    client.force_login(manager)
    with time_machine.travel(dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)):
        page = client.get(reverse("partners:my_meetings"))
        assert "人材確保分科会" in page.content.decode()
        url = reverse("partners:meeting_invitation", args=[invited.pk])
        assert client.get(url).status_code == 200
        response = client.post(reverse("partners:meeting_answer", args=[invited.pk]),
                               {"answer": "undecided", "people": "1"})  # fmt: skip
        assert response.status_code == 302
        bad = client.post(reverse("partners:meeting_answer", args=[invited.pk]),
                          {"answer": "attend", "people": ""})  # fmt: skip
        assert bad.status_code == 400
        assert "参加する人数を1人以上で入力してください。" in bad.content.decode()
    participant = _participant(invited, own)
    assert (participant.response, participant.answered_by) == ("undecided", manager)


def test_answers_close_after_the_deadline(client, invited, own):
    token = events.rsvp_token(_participant(invited, own))
    with time_machine.travel(dt.datetime(2026, 12, 9, 9, 0, tzinfo=dt.UTC)):
        page = client.get(reverse("partners:rsvp", args=[token])).content.decode()
        assert "回答の受付は終了しました" in page
        client.post(
            reverse("partners:rsvp_answer", args=[token]), {"answer": "attend", "people": "1"}
        )
    assert _participant(invited, own).response == "pending"


def test_a_reminder_goes_n_days_before_once(invited, own, others, settings, deliver):
    settings.MEETING_REMINDER_DAYS = 3
    with time_machine.travel(dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)):
        events.invitation_respond(
            participant=_participant(invited, others[1]), answer="decline", people=0
        )
    mail.outbox.clear()
    # The meeting is on 12/10: みどり会 (no address) and あおば会 are due, さくら会 declined.
    for day, expected in [(6, 0), (7, 2), (7, 0), (8, 0)]:
        with time_machine.travel(dt.datetime(2026, 12, day, 8, 0, tzinfo=dt.UTC)):
            assert deliver(events.meeting_reminders, today=dt.date(2026, 12, day)) == expected
    # One corporation coming (or not answered yet) with addresses; the one that declined: none.
    assert [sorted(m.to) for m in mail.outbox] == [["aoba-soumu@example.jp", "manager@example.jp"]]
    assert "開催が近づきました" in mail.outbox[0].subject


def test_the_reminder_command_runs_the_same_function(invited, capsys, settings):
    settings.MEETING_REMINDER_DAYS = 3
    call_command("send_meeting_reminders", "--today", "2026-12-07")
    assert "分科会の案内を3件送ります。" in capsys.readouterr().out
    call_command("send_meeting_reminders", "--today", "2026-12-07")
    assert "分科会の案内を0件送ります。" in capsys.readouterr().out


def test_a_change_of_time_is_mailed_once_to_those_invited(client, staff, invited, deliver):
    mail.outbox.clear()
    client.force_login(staff)
    data = {"held_on": "2026-12-10", "starts_at": "15:00", "ends_at": "17:00",
            "place": "長野県社会福祉総合センター 第1会議室", "online": "",
            "online_url": "https://meet.example.jp/salon-1210", "capacity": "4",
            "rsvp_deadline": "2026-12-08"}  # fmt: skip
    deliver(client.post, reverse("partners:meeting_schedule", args=[invited.pk]), data)
    deliver(client.post, reverse("partners:meeting_schedule", args=[invited.pk]), data)
    assert len(mail.outbox) == 2
    assert all("日時・会場の変更" in m.subject for m in mail.outbox)
    assert "15:00～17:00" in mail.outbox[0].body
    invited.refresh_from_db()
    assert invited.version == 2
    assert _calendar(mail.outbox[0].attachments[0][1].encode()).get("sequence") == 2


def test_the_questionnaire_updates_the_profile_only_with_agreement(client, manager, invited, own):
    from partners.models import Challenge, Theme

    client.force_login(manager)
    url = reverse("partners:meeting_questionnaire", args=[invited.pk])
    succession = Challenge.objects.get(code="succession")
    supplies = Theme.objects.get(code="supplies")
    with time_machine.travel(dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)):
        client.post(
            url, {"challenges": [succession.pk], "themes": [supplies.pk], "comment": "事業承継"}
        )
        own.profile.refresh_from_db()
        assert [c.code for c in own.profile.challenges.all()] == ["recruiting"]
        client.post(url, {"challenges": [succession.pk], "themes": [supplies.pk],
                          "comment": "事業承継", "update_profile": "on"})  # fmt: skip
    profile = own.profile
    assert [c.code for c in profile.challenges.all()] == ["succession"]
    assert [t.code for t in profile.themes.all()] == ["supplies"]
    assert profile.history.order_by("-history_id").first().history_user == manager


def test_staff_record_attendance_and_minutes_with_a_checked_file(
    client, staff, invited, own, media
):
    client.force_login(staff)
    aoba = _participant(invited, own)
    client.post(reverse("partners:meeting_attendance", args=[invited.pk]),
                {f"attended-{aoba.pk}": "2", "attended-99999": "5", "attended-x": "1"})  # fmt: skip
    aoba.refresh_from_db()
    assert (aoba.attended, aoba.attended_people) == (True, 2)
    url = reverse("partners:meeting_minutes", args=[invited.pk])
    fake = SimpleUploadedFile(
        "minutes.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    response = client.post(url, {"minutes": "採用の課題を共有", "minutes_file": fake})
    assert response.status_code == 400
    assert "ファイルの中身が拡張子と一致しません。" in response.content.decode()
    exe = SimpleUploadedFile("minutes.exe", b"MZ", content_type="application/octet-stream")
    assert client.post(url, {"minutes": "x", "minutes_file": exe}).status_code == 400
    pdf = SimpleUploadedFile("gijiroku.pdf", b"%PDF-1.7\n...", content_type="application/pdf")
    assert client.post(url, {"minutes": "採用の課題を共有", "minutes_file": pdf}).status_code == 302
    invited.refresh_from_db()
    assert invited.minutes == "採用の課題を共有"
    download = client.get(reverse("partners:meeting_minutes_file", args=[invited.pk]))
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_minutes_over_the_size_limit_are_refused(client, staff, meeting, settings):
    settings.MEETING_MINUTES_MAX_BYTES = 10
    client.force_login(staff)
    pdf = SimpleUploadedFile("big.pdf", b"%PDF-1.7" + b"0" * 20, content_type="application/pdf")
    response = client.post(reverse("partners:meeting_minutes", args=[meeting.pk]),
                           {"minutes": "", "minutes_file": pdf})  # fmt: skip
    assert response.status_code == 400
    assert "ファイルが大きすぎます" in response.content.decode()


def test_a_group_becomes_an_introduction_in_one_step(client, staff, meeting):
    from partners.services import submeeting_group

    submeeting_group(meeting=meeting, group_size=3, by=staff)
    client.force_login(staff)
    response = client.post(reverse("partners:meeting_introduce", args=[meeting.pk]), {"group": "1"})
    introduction = Introduction.objects.get()
    assert response["Location"] == reverse("partners:introduction", args=[introduction.pk])
    assert introduction.parties.count() == 3
    assert introduction.title == "人材確保分科会・グループ1の紹介"
    assert introduction.theme == meeting.theme
    response = client.post(reverse("partners:meeting_introduce", args=[meeting.pk]), {"group": "7"})
    assert Introduction.objects.count() == 1


def test_a_monthly_series_keeps_the_same_weekday_of_the_month(client, staff):
    from partners.models import Theme

    client.force_login(staff)
    response = client.post(reverse("partners:meeting_series"), {
        "title": "介護人材サロン", "theme": Theme.objects.get(code="workforce").pk,
        "frequency": "monthly", "first_on": "2027-01-13", "starts_at": "18:30", "ends_at": "20:00",
        "place": "松本市総合社会福祉センター", "online_url": "", "capacity": "30", "count": "4",
    })  # fmt: skip
    assert response.status_code == 302
    series = MeetingSeries.objects.get()
    days = list(series.meetings.order_by("held_on").values_list("held_on", flat=True))
    # 2027-01-13 is the second Wednesday; so are these.
    assert days == [
        dt.date(2027, 1, 13),
        dt.date(2027, 2, 10),
        dt.date(2027, 3, 10),
        dt.date(2027, 4, 14),
    ]
    assert (
        SubMeeting.objects.filter(series=series, capacity=30, starts_at=dt.time(18, 30)).count()
        == 4
    )
    more = events.series_extend(series=series, count=2, by=staff)
    assert [m.held_on for m in more] == [dt.date(2027, 5, 12), dt.date(2027, 6, 9)]
    assert more[0].title == "介護人材サロン（5月）"


def test_event_pages_work_without_javascript(client, staff, manager, invited, own):
    """Every action is a plain form posting to its own URL; no page needs a script to act."""
    client.force_login(staff)
    html = client.get(reverse("partners:meeting", args=[invited.pk])).content.decode()
    for name in ("meeting_schedule", "meeting_invite", "meeting_attendance", "meeting_minutes",
                 "meeting_introduce"):  # fmt: skip
        assert f'action="{reverse(f"partners:{name}", args=[invited.pk])}"' in html
    assert 'enctype="multipart/form-data"' in html
    client.force_login(manager)
    with time_machine.travel(dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)):
        html = client.get(
            reverse("partners:meeting_invitation", args=[invited.pk])
        ).content.decode()
    assert f'action="{reverse("partners:meeting_answer", args=[invited.pk])}"' in html
    assert f'action="{reverse("partners:meeting_questionnaire", args=[invited.pk])}"' in html
    assert 'type="radio"' in html


def test_a_manager_cannot_open_an_invitation_of_another_corporation(client, invited, others):
    stranger = UserFactory(manager=True, corporation_number=CorporationFactory().number)
    client.force_login(stranger)
    assert client.get(reverse("partners:meeting_invitation", args=[invited.pk])).status_code == 403
    assert client.post(reverse("partners:meeting_answer", args=[invited.pk]),
                       {"answer": "attend", "people": "1"}).status_code == 403  # fmt: skip


def test_taking_off_a_participant_moves_the_first_waiting_one_up(
    staff, invited, own, others, deliver
):
    from partners.services import submeeting_remove

    with time_machine.travel(dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)):
        events.invitation_respond(participant=_participant(invited, own), answer="attend", people=4)
        events.invitation_respond(
            participant=_participant(invited, others[1]), answer="attend", people=1
        )
    assert _participant(invited, others[1]).waiting
    deliver(submeeting_remove, meeting=invited, corporation_id=own.pk, by=staff)
    assert not _participant(invited, others[1]).waiting


def test_the_manager_pages_have_a_constant_number_of_queries(
    client, staff, manager, invited, own, django_assert_num_queries
):
    token = events.rsvp_token(_participant(invited, own))
    pages = [  # (page, queries): session and user, then the page's own reads
        (reverse("partners:my_meetings"), 3),
        (reverse("partners:meeting_invitation", args=[invited.pk]), 9),
        (reverse("partners:rsvp", args=[token]), 3),
    ]
    client.force_login(manager)
    with time_machine.travel(dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)):
        for url, queries in pages:
            client.get(url)
            with django_assert_num_queries(queries):
                assert client.get(url).status_code == 200
        # More invitations and more participants: the same number of queries.
        for _ in range(3):
            other = submeeting_with([own, CorporationFactory()], by=staff)
            events.submeeting_invite(meeting=other, by=staff)
        for url, queries in pages:
            client.get(url)  # new invitations are new notices: the header count is read again once
            with django_assert_num_queries(queries):
                assert client.get(url).status_code == 200


def test_an_invitation_also_reaches_the_managers_notice_centre_without_a_second_mail(
    invited, manager, own
):
    from notices.models import Delivery, Notice, NoticeKind
    from notices.scans import registered

    notice = Notice.objects.get(recipient=manager, kind=NoticeKind.MEETING)
    assert invited.title in notice.title
    assert notice.url == reverse("partners:meeting_invitation", args=[invited.pk])
    assert notice.delivery == Delivery.OFF  # the invitation mail (with its .ics) is the only mail
    # The morning scan sends the reminders N days before.
    assert "partners.meeting_reminders" in dict(registered())

"""What is noticed, and to whom: each notice goes only to people who may see its object and says
only what they may see (partners/access.py, guidance/access.py, desk/access.py)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse
from django.utils import timezone

from desk import services as desk_services
from desk.models import Channel
from guidance import services as guidance_services
from guidance.models import ExpertKind, MemberRole, ReferralStatus
from notices.models import Notice, NoticeKind
from notices.services import reminders_run
from partners import services as partner_services
from partners.models import AnswerChannel
from portal.services import job_fail
from tests.factories import CorporationFactory, ReportJobFactory, UserFactory, profile_for

TOKYO = ZoneInfo("Asia/Tokyo")


def _to(kind) -> set:
    return {n.recipient for n in Notice.objects.filter(kind=kind)}


def _introduction(staff, *, hidden_contact="026-999-0000"):
    """Two corporations: one consented to matching, the other did not (its name stays hidden)."""
    open_corp, hidden_corp, outsider = (
        CorporationFactory(),
        CorporationFactory(),
        CorporationFactory(),
    )
    profile_for(open_corp, consent=True, contact="026-111-2222")
    profile_for(hidden_corp, consent=False, contact=hidden_contact)
    people = {
        "open": UserFactory(manager=True, corporation_number=open_corp.number),
        "hidden": UserFactory(manager=True, corporation_number=hidden_corp.number),
        "outsider": UserFactory(manager=True, corporation_number=outsider.number),
    }
    introduction = partner_services.introduction_propose(
        corporations=[open_corp, hidden_corp], title="", by=staff
    )
    return introduction, open_corp, hidden_corp, people


def _texts(user) -> str:
    return " ".join(f"{n.title} {n.body}" for n in Notice.objects.filter(recipient=user))


def test_an_introduction_proposed_notifies_only_the_parties_managers(staff):
    introduction, _, _, people = _introduction(staff)
    assert _to(NoticeKind.INTRODUCTION_PROPOSED) == {people["open"], people["hidden"]}
    notice = Notice.objects.get(recipient=people["open"])
    assert notice.url == reverse("partners:introduction", args=[introduction.pk])
    assert notice.title == "紹介のご提案：協働に関する紹介（2法人）"


def test_a_declined_introduction_names_nobody_and_shows_no_contact_to_the_other_party(staff):
    introduction, open_corp, hidden_corp, people = _introduction(staff)
    partner_services.introduction_respond(
        introduction=introduction, corporation=open_corp, accept=True, by=people["open"]
    )
    partner_services.introduction_respond(
        introduction=introduction, corporation=hidden_corp, accept=False, by=people["hidden"]
    )
    assert _to(NoticeKind.INTRODUCTION_DECLINED) == {people["open"], people["hidden"], staff}
    seen_by_open = _texts(people["open"])
    assert "辞退があったため見送り" in seen_by_open
    assert hidden_corp.name not in seen_by_open and "026-999-0000" not in seen_by_open
    # The proposer (staff, who see every party) hears who answered what.
    answers = Notice.objects.filter(kind=NoticeKind.INTRODUCTION_ANSWERED, recipient=staff)
    assert any(hidden_corp.name in n.title and "辞退" in n.title for n in answers)
    assert people["outsider"] not in {n.recipient for n in Notice.objects.all()}


def test_accepted_by_all_points_to_the_page_and_carries_no_contact_details(staff):
    introduction, open_corp, hidden_corp, people = _introduction(staff)
    partner_services.introduction_respond(
        introduction=introduction, corporation=open_corp, accept=True, by=people["open"]
    )
    partner_services.introduction_record_answer(
        introduction=introduction,
        corporation=hidden_corp,
        accept=True,
        channel=AnswerChannel.PHONE,
        received_on=timezone.localdate(),
        by=staff,
    )
    assert _to(NoticeKind.INTRODUCTION_ACCEPTED) == {people["open"], people["hidden"], staff}
    for user in (people["open"], people["hidden"]):
        text = _texts(user)
        assert "全員が承諾しました" in text
        assert "026-" not in text and hidden_corp.name not in _texts(people["open"])


def test_a_party_that_has_not_answered_is_reminded_after_seven_days_and_again_a_week_later(staff):
    with time_machine.travel(datetime(2026, 6, 1, 9, 0, tzinfo=TOKYO)):
        introduction, open_corp, _, people = _introduction(staff)
        partner_services.introduction_respond(
            introduction=introduction, corporation=open_corp, accept=True, by=people["open"]
        )
    for day, expected in ((5, 0), (8, 1), (8, 1), (12, 1), (15, 2)):
        with time_machine.travel(datetime(2026, 6, day, 8, 0, tzinfo=TOKYO)):
            reminders_run()
        waiting = Notice.objects.filter(kind=NoticeKind.INTRODUCTION_WAITING)
        assert waiting.count() == expected, day
        assert {n.recipient for n in waiting} <= {people["hidden"]}


def test_an_invitation_tells_the_invited_corporations_managers_only(circle, staff):
    newcomer = CorporationFactory()
    invitee = UserFactory(manager=True, corporation_number=newcomer.number)
    membership = guidance_services.member_invite(
        consortium=circle["consortium"], corporation=newcomer, role=MemberRole.MEMBER, by=staff
    )
    assert _to(NoticeKind.CONSORTIUM_INVITATION) == {invitee}
    notice = Notice.objects.get(recipient=invitee)
    assert notice.title == "協働体「北信介護人材ネットワーク」への参加のお誘いが届いています"
    assert notice.url == reverse("guidance:invitation", args=[membership.pk])


def test_a_referral_moving_on_tells_whoever_asked_and_the_leads(circle, staff):
    referral = guidance_services.referral_request(
        consortium=circle["consortium"],
        kind=ExpertKind.objects.first(),
        request="ICT導入の進め方を相談したい",
        by=circle["member"],
    )
    guidance_services.referral_move(referral=referral, to=ReferralStatus.ARRANGED, by=staff)
    assert _to(NoticeKind.REFERRAL_CHANGED) == {circle["member"], circle["promoter"]}
    assert (
        "「手配済み」になりました"
        in Notice.objects.filter(kind=NoticeKind.REFERRAL_CHANGED)[0].title
    )


def test_a_consultation_assigned_tells_its_owner_without_personal_data(staff):
    colleague = UserFactory(full_name="窓口 次郎")
    consultation = desk_services.consultation_create(
        channel=Channel.PHONE,
        summary="人材確保の相談",
        contact_name="信濃 一郎",
        email="ichiro@example.jp",
        phone="090-1234-5678",
        by=staff,
    )
    desk_services.consultation_update(consultation=consultation, owner=colleague, by=staff)
    (notice,) = Notice.objects.filter(kind=NoticeKind.CONSULTATION_ASSIGNED)
    assert notice.recipient == colleague
    assert notice.title == f"相談（受付番号{consultation.pk}）の担当になりました"
    assert "信濃" not in _texts(colleague) and "090-" not in _texts(colleague)
    # Nobody is told of what they assigned to themselves, and a manager never hears of it.
    desk_services.consultation_update(consultation=consultation, owner=staff, by=staff)
    assert _to(NoticeKind.CONSULTATION_ASSIGNED) == {colleague}


def test_a_follow_up_day_that_has_come_reminds_the_owner_once(staff):
    consultation = desk_services.consultation_create(
        channel=Channel.PHONE,
        summary="研修の共同開催",
        owner=staff,
        follow_up_on=date(2026, 6, 10),
        by=staff,
    )
    for day in (9, 10, 10, 11):
        with time_machine.travel(datetime(2026, 6, day, 8, 0, tzinfo=TOKYO)):
            reminders_run()
    (notice,) = Notice.objects.filter(kind=NoticeKind.CONSULTATION_FOLLOW_UP)
    assert notice.recipient == staff
    assert notice.title == f"相談（受付番号{consultation.pk}）の次の対応日（2026年6月10日）です"


def test_the_requester_hears_that_a_report_failed(manager, django_capture_on_commit_callbacks):
    job = ReportJobFactory(requested_by=manager, title="事例集（令和8年度）")
    with django_capture_on_commit_callbacks(execute=True):
        job_fail(job_id=job.pk, reason="制限時間内に作成が終わりませんでした。")
    (notice,) = Notice.objects.filter(kind=NoticeKind.REPORT_FINISHED)
    assert notice.recipient == manager
    assert notice.title == "「事例集（令和8年度）」を作成できませんでした"
    assert notice.body == "制限時間内に作成が終わりませんでした。"
    assert notice.url == reverse("reports")

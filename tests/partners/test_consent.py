"""Consent to an introduction is only ever given by the party: its own manager answers once, or
staff record on its behalf the answer it gave by phone, e-mail or in a meeting. Staff cannot
move an introduction to 全員が承諾."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from partners import services
from partners.models import Introduction, IntroductionParty, IntroductionStatus, PartyResponse
from tests.factories import CorporationFactory, MunicipalityFactory, profile_for, submeeting_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def parties(manager):
    place = MunicipalityFactory()
    a = CorporationFactory(
        name="社会福祉法人みすず福祉会", sites=[(place, 36.65, 138.19, "通所介護", 30)]
    )
    b = CorporationFactory(
        name="株式会社さくらケア", sites=[(place, 36.66, 138.20, "訪問介護", None)]
    )
    profile_for(a, contact="026-111-0001")
    profile_for(b, contact="026-111-0002")
    manager.corporation_number = a.number
    manager.save()
    return a, b


@pytest.fixture
def intro(staff, parties):
    intro = services.introduction_propose(corporations=list(parties), title="", by=staff)
    return services.introduction_move(introduction=intro, to="contacted", by=staff)


def record_url(intro):
    return reverse("partners:introduction_record_answer", args=[intro.pk])


def on_behalf(corp, **values):
    return {
        "number": corp.number,
        "answer": "accept",
        "channel": "phone",
        "received_on": timezone.localdate().isoformat(),
        "note": "担当の山田様から電話で承諾の回答",
        **values,
    }


def test_staff_cannot_force_acceptance_in_the_service(staff, intro):
    with pytest.raises(ValidationError, match="全員が承諾"):
        services.introduction_move(introduction=intro, to=IntroductionStatus.ACCEPTED, by=staff)
    intro.refresh_from_db()
    assert intro.status == IntroductionStatus.CONTACTED
    assert set(intro.parties.values_list("response", flat=True)) == {PartyResponse.PENDING}


def test_staff_cannot_force_acceptance_through_the_page(client, staff, intro):
    client.force_login(staff)
    html = client.get(reverse("partners:introduction", args=[intro.pk])).content.decode()
    assert 'value="accepted"' not in html
    response = client.post(
        reverse("partners:introduction_move", args=[intro.pk]),
        {"to": "accepted", "version": intro.version, "confirmed": "yes"},
        follow=True,
    )
    assert response.status_code == 200
    intro.refresh_from_db()
    assert intro.status == IntroductionStatus.CONTACTED
    assert set(intro.parties.values_list("response", flat=True)) == {PartyResponse.PENDING}
    assert "「全員が承諾」には窓口が進めることはできず" in response.content.decode()


def test_staff_record_an_answer_on_behalf_with_channel_date_and_note(client, staff, parties, intro):
    _a, b = parties
    client.force_login(staff)
    html = client.get(reverse("partners:introduction", args=[intro.pk])).content.decode()
    assert "先方の回答を代理で記録" in html
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client.post(
        record_url(intro),
        on_behalf(b, channel="meeting", received_on=yesterday.isoformat()),
        follow=True,
    )
    assert "株式会社さくらケアの回答を代理で記録しました。" in response.content.decode()
    party = IntroductionParty.objects.get(introduction=intro, corporation=b)
    assert party.response == PartyResponse.ACCEPTED
    assert party.on_behalf is True
    assert party.answered_by == staff
    assert party.channel == "meeting"
    assert party.received_on == yesterday
    assert party.answer_note == "担当の山田様から電話で承諾の回答"
    record = party.history.first()
    assert record.history_user == staff and record.on_behalf
    event = intro.events.order_by("-pk").first()
    assert event.text.startswith("株式会社さくらケアの承諾を窓口 花子が代理で記録しました（面談・")
    assert event.note == "担当の山田様から電話で承諾の回答"
    intro.refresh_from_db()
    assert intro.status == IntroductionStatus.CONTACTED  # the other party has not answered


def test_the_introduction_is_accepted_only_after_the_last_partys_own_answer(
    client, staff, manager, parties, intro
):
    a, b = parties
    client.force_login(staff)
    client.post(record_url(intro), on_behalf(b))
    intro.refresh_from_db()
    assert intro.status == IntroductionStatus.CONTACTED
    client.force_login(manager)
    page = reverse("partners:introduction", args=[intro.pk])
    assert "026-111-0002" not in client.get(page).content.decode()
    client.post(reverse("partners:introduction_respond", args=[intro.pk]), {"answer": "accept"})
    intro.refresh_from_db()
    assert intro.status == IntroductionStatus.ACCEPTED
    own = IntroductionParty.objects.get(introduction=intro, corporation=a)
    assert own.answered_by == manager and not own.on_behalf
    assert "026-111-0002" in client.get(page).content.decode()


def test_staff_cannot_record_an_answer_dated_in_the_future(client, staff, parties, intro):
    _a, b = parties
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError, match="未来の日付"):
        services.introduction_record_answer(
            introduction=intro,
            corporation=b,
            accept=True,
            channel="phone",
            received_on=tomorrow,
            by=staff,
        )
    client.force_login(staff)
    response = client.post(
        record_url(intro), on_behalf(b, received_on=tomorrow.isoformat()), follow=True
    )
    assert "受付日に未来の日付は指定できません。" in response.content.decode()
    response = client.post(record_url(intro), on_behalf(b, channel="fax"), follow=True)
    assert "代理の回答を記録できませんでした。" in response.content.decode()
    assert not IntroductionParty.objects.filter(introduction=intro).exclude(
        response=PartyResponse.PENDING
    )


def test_staff_answer_only_through_the_on_behalf_record(staff, parties, intro):
    with pytest.raises(ValidationError, match="自法人の回答だけ"):
        services.introduction_respond(
            introduction=intro, corporation=parties[1], accept=True, by=staff
        )


def test_a_manager_cannot_answer_for_another_party_or_on_behalf(client, manager, parties, intro):
    _a, b = parties
    with pytest.raises(ValidationError, match="自法人の回答だけ"):
        services.introduction_respond(introduction=intro, corporation=b, accept=True, by=manager)
    client.force_login(manager)
    assert client.post(record_url(intro), on_behalf(b)).status_code == 403
    assert IntroductionParty.objects.get(introduction=intro, corporation=b).response == "pending"


def test_a_manager_cannot_answer_twice(client, manager, intro):
    client.force_login(manager)
    url = reverse("partners:introduction_respond", args=[intro.pk])
    client.post(url, {"answer": "accept"})
    for _ in range(2):
        response = client.post(url, {"answer": "decline", "confirmed": "yes"}, follow=True)
        assert (
            "回答（承諾）は記録済みです。回答は一度だけ記録できます。" in response.content.decode()
        )
    assert intro.events.filter(text__contains="承諾しました").count() == 1
    intro.refresh_from_db()
    assert intro.status == IntroductionStatus.CONTACTED
    html = client.get(reverse("partners:introduction", args=[intro.pk])).content.decode()
    assert "承諾する</button>" not in html
    assert "回答：承諾" in html


def test_an_answered_party_has_no_on_behalf_form(client, staff, parties, intro):
    client.force_login(staff)
    client.post(record_url(intro), on_behalf(parties[1]))
    html = client.get(reverse("partners:introduction", args=[intro.pk])).content.decode()
    assert html.count("先方の回答を代理で記録") == 1  # only the party still pending
    response = client.post(
        record_url(intro),
        {**on_behalf(parties[1], answer="decline"), "confirmed": "yes"},
        follow=True,
    )
    assert "記録済みです" in response.content.decode()


def test_a_decline_recorded_on_behalf_declines_and_keeps_contacts_closed(
    client, staff, manager, parties, intro
):
    client.force_login(staff)
    client.post(
        record_url(intro),
        {**on_behalf(parties[1], answer="decline", channel="email"), "confirmed": "yes"},
    )
    intro.refresh_from_db()
    assert intro.status == IntroductionStatus.DECLINED
    client.force_login(manager)
    html = client.get(reverse("partners:introduction", args=[intro.pk])).content.decode()
    assert "026-111-0002" not in html
    assert "承諾する</button>" not in html


# --- Hostile input on the pages touched here --------------------------------------------------
def test_hostile_values_get_an_answer_not_a_500(client, staff, parties, intro):
    a, _b = parties
    client.force_login(staff)
    match = reverse("partners:match", args=[a.number])
    for top in ("²", "abc", "-1", "9" * 40, "../"):
        assert client.get(match, {"top": top}).status_code == 200
    for number in ("../../x", "²", "1" * 5000):
        response = client.post(reverse("partners:weights_save"), {"number": number})
        assert response.status_code == 302
        assert response["Location"] == reverse("partners:index")
        response = client.post(record_url(intro), on_behalf(a, number=number))
        assert response.status_code == 302
    response = client.post(
        reverse("partners:introduction_respond", args=[intro.pk]), {"answer": "x"}
    )
    assert response.status_code == 403  # staff do not answer as a party
    assert Introduction.objects.get(pk=intro.pk).status == IntroductionStatus.CONTACTED


def test_hostile_meeting_values_get_an_answer_not_a_500(client, staff, parties):
    meeting = submeeting_with(parties, by=staff, title="分科会", place="")
    client.force_login(staff)
    remove = reverse("partners:meeting_remove", args=[meeting.pk])
    move = reverse("partners:meeting_move", args=[meeting.pk])
    for value in ("abc", "²", "-1", "9" * 40):
        assert client.post(remove, {"corporation": value}).status_code == 302
        assert client.post(move, {f"group-{value}": "1"}).status_code == 302
        participant = meeting.participants.first()
        assert client.post(move, {f"group-{participant.pk}": value}).status_code == 302
    assert meeting.participants.count() == 2
    page = client.post(remove, {"corporation": "abc"}, follow=True)
    assert "参加者ではありません" in page.content.decode()
    assert "参加者から外しました" not in page.content.decode()

"""Introductions: staff propose, parties answer, contact details open only when all accepted,
every move is logged, and staff see the funnel."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from partners import services
from partners.models import Introduction, IntroductionStatus
from partners.selectors import introduction_funnel
from tests.factories import CorporationFactory, MunicipalityFactory, profile_for

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
    c = CorporationFactory(
        name="医療法人社団ないしょ会", sites=[(place, 36.67, 138.21, "訪問看護", None)]
    )
    profile_for(a, contact="026-111-0001")
    profile_for(b, contact="026-111-0002")
    profile_for(c, contact="026-111-0003", consent=False)
    manager.corporation_number = a.number
    manager.save()
    return a, b, c


def propose(staff, *corporations):
    return services.introduction_propose(
        corporations=list(corporations), title="", note="合同採用の相談", by=staff
    )


def record(staff, intro, corporation, *, accept=True):
    """Staff record the answer a party gave them by phone (the only way staff answer)."""
    return services.introduction_record_answer(
        introduction=intro,
        corporation=corporation,
        accept=accept,
        channel="phone",
        received_on=timezone.localdate(),
        note="電話で回答を受けた",
        by=staff,
    )


def test_staff_propose_an_introduction_from_the_form(client, staff, parties):
    client.force_login(staff)
    a, b, _c = parties
    response = client.post(
        reverse("partners:introduction_new"),
        {"corporations": f"{a.number}\n{b.number}", "title": "", "note": "採用の悩みが共通"},
    )
    intro = Introduction.objects.get()
    assert response.status_code == 302
    assert intro.title == "協働に関する紹介（2法人）"
    assert intro.status == IntroductionStatus.PROPOSED
    assert [e.text for e in intro.events.all()][0].endswith("が紹介を提案しました")


def test_the_form_explains_bad_numbers_in_japanese(client, staff, parties):
    client.force_login(staff)
    response = client.post(reverse("partners:introduction_new"), {"corporations": "1234567890123"})
    assert "法人番号として正しくない番号があります" in response.content.decode()
    response = client.post(
        reverse("partners:introduction_new"), {"corporations": parties[0].number}
    )
    assert "2つ以上の法人を選んでください" in response.content.decode()


def test_the_state_machine_allows_only_the_next_moves(staff, parties):
    intro = propose(staff, *parties[:2])
    with pytest.raises(ValidationError, match="進められません"):
        services.introduction_move(introduction=intro, to=IntroductionStatus.FORMED, by=staff)
    services.introduction_move(introduction=intro, to="contacted", by=staff)
    for party in intro.parties.all():
        record(staff, intro, party.corporation)
    for state in ("meeting_held", "formed"):
        intro = services.introduction_move(introduction=intro, to=state, by=staff)
    assert intro.status == IntroductionStatus.FORMED
    # proposed, contacted, two answers, all accepted, meeting held, formed
    assert intro.events.count() == 7
    assert all(e.by == staff for e in intro.events.all())
    assert intro.history.count() == 5


def test_contact_details_open_to_the_parties_only_after_all_accepted(
    client, staff, manager, parties
):
    a, b, _c = parties
    intro = propose(staff, a, b)
    services.introduction_move(introduction=intro, to="contacted", by=staff)
    client.force_login(manager)
    url = reverse("partners:introduction", args=[intro.pk])
    html = client.get(url).content.decode()
    assert "株式会社さくらケア" in html
    assert "026-111-0002" not in html
    assert (
        "026-111-0002"
        not in client.get(reverse("partners:corporation", args=[b.number])).content.decode()
    )

    client.post(reverse("partners:introduction_respond", args=[intro.pk]), {"answer": "accept"})
    intro.refresh_from_db()
    assert intro.status == IntroductionStatus.CONTACTED  # b has not answered yet
    record(staff, intro, b)
    intro.refresh_from_db()
    assert intro.status == IntroductionStatus.ACCEPTED
    html = client.get(url).content.decode()
    assert "026-111-0002" in html
    assert (
        "026-111-0002"
        in client.get(reverse("partners:corporation", args=[b.number])).content.decode()
    )


def test_one_decline_makes_the_introduction_declined(staff, parties):
    intro = propose(staff, *parties[:2])
    record(staff, intro, parties[1], accept=False)
    intro.refresh_from_db()
    assert intro.status == IntroductionStatus.DECLINED
    assert IntroductionStatus.CLOSED in intro.next_moves


def test_a_manager_sees_only_their_introductions_and_not_non_consenting_names(
    client, staff, manager, parties
):
    a, b, c = parties
    mine = propose(staff, a, c)
    other = propose(staff, b, c)
    client.force_login(manager)
    html = client.get(reverse("partners:introductions")).content.decode()
    assert "（マッチングに同意していない法人）" in html
    assert "医療法人社団ないしょ会" not in html
    assert client.get(reverse("partners:introduction", args=[mine.pk])).status_code == 200
    assert client.get(reverse("partners:introduction", args=[other.pk])).status_code == 404
    response = client.post(
        reverse("partners:introduction_move", args=[mine.pk]), {"to": "contacted", "version": 1}
    )
    assert response.status_code == 403


def test_a_stale_move_is_refused_with_a_clear_message(client, staff, parties):
    intro = propose(staff, *parties[:2])
    services.introduction_move(introduction=intro, to="contacted", by=staff)
    client.force_login(staff)
    response = client.post(
        reverse("partners:introduction_move", args=[intro.pk]),
        {"to": "closed", "version": 1, "confirmed": "yes"},
        follow=True,
    )
    assert "ほかの人がこの紹介の状態を変えました" in response.content.decode()
    intro.refresh_from_db()
    assert intro.status == IntroductionStatus.CONTACTED


def test_staff_see_the_funnel_per_state_per_month(client, staff, parties):
    first = propose(staff, *parties[:2])
    propose(staff, parties[0], parties[2])
    services.introduction_move(introduction=first, to="contacted", by=staff)
    for party in first.parties.all():
        record(staff, first, party.corporation)
    funnel = introduction_funnel()
    assert len(funnel.rows) == 1
    counts = dict(zip([s for s, _ in funnel.states], funnel.rows[0]["counts"], strict=True))
    assert counts["proposed"] == 2
    assert counts["contacted"] == 1
    assert counts["accepted"] == 1
    assert counts["formed"] == 0
    client.force_login(staff)
    html = client.get(reverse("partners:introductions")).content.decode()
    assert "紹介の進み具合（月ごと）" in html

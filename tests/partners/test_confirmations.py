"""Declining an introduction (for one's own corporation, or recorded by staff on a party's behalf)
and moving it to another state are confirmed with a 「確認しました」 box the server checks."""

import pytest
from django.urls import reverse
from django.utils import timezone

from partners import services
from partners.models import IntroductionStatus, PartyResponse
from portal.confirm import REFUSED
from tests.factories import CorporationFactory, MunicipalityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def intro(staff, manager):
    place = MunicipalityFactory()
    ours = CorporationFactory(sites=[(place, 36.65, 138.19, "通所介護", 30)])
    theirs = CorporationFactory(sites=[(place, 36.66, 138.20, "訪問介護", None)])
    manager.corporation_number = ours.number
    manager.save()
    intro = services.introduction_propose(corporations=[ours, theirs], title="", by=staff)
    return services.introduction_move(introduction=intro, to="contacted", by=staff)


def test_a_manager_confirms_before_declining_an_introduction(client, manager, intro):
    client.force_login(manager)
    page = client.get(reverse("partners:introduction", args=[intro.pk])).content.decode()
    assert "辞退するときは、チェックが必要です" in page
    url = reverse("partners:introduction_respond", args=[intro.pk])
    refused = client.post(url, {"answer": "decline"})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert REFUSED in html and 'name="answer" value="decline"' in html
    assert not intro.parties.exclude(response=PartyResponse.PENDING).exists()

    client.post(url, {"answer": "decline", "confirmed": "yes"})
    intro.refresh_from_db()
    assert intro.status == IntroductionStatus.DECLINED


def test_accepting_needs_no_confirmation(client, manager, intro):
    client.force_login(manager)
    client.post(reverse("partners:introduction_respond", args=[intro.pk]), {"answer": "accept"})
    assert intro.parties.filter(response=PartyResponse.ACCEPTED).count() == 1


def test_staff_confirm_before_recording_a_decline_on_behalf(client, staff, intro):
    client.force_login(staff)
    party = intro.parties.select_related("corporation").last()
    values = {
        "number": party.corporation.number,
        "answer": "decline",
        "channel": "phone",
        "received_on": timezone.localdate().isoformat(),
        "note": "",
    }
    url = reverse("partners:introduction_record_answer", args=[intro.pk])
    refused = client.post(url, values)
    assert refused.status_code == 400 and REFUSED in refused.content.decode()
    intro.refresh_from_db()
    assert intro.status == IntroductionStatus.CONTACTED
    client.post(url, {**values, "confirmed": "yes"})
    intro.refresh_from_db()
    assert intro.status == IntroductionStatus.DECLINED


def test_staff_confirm_before_moving_an_introduction(client, staff, intro):
    client.force_login(staff)
    url = reverse("partners:introduction_move", args=[intro.pk])
    values = {"to": "closed", "version": intro.version}
    refused = client.post(url, values)
    assert refused.status_code == 400 and REFUSED in refused.content.decode()
    intro.refresh_from_db()
    assert intro.status == IntroductionStatus.CONTACTED
    client.post(url, {**values, "confirmed": "yes"})
    intro.refresh_from_db()
    assert intro.status == IntroductionStatus.CLOSED

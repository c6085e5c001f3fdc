"""Staff take a corporation off a sub-meeting from its page: one button per participant, the
history keeps who removed it."""

import pytest
from django.urls import reverse

from partners.models import SubMeetingParticipant
from tests.factories import CorporationFactory, MunicipalityFactory, profile_for, submeeting_with

pytestmark = pytest.mark.django_db


def test_staff_remove_a_participant_from_the_meeting_page(client, staff):
    place = MunicipalityFactory()
    corporations = [
        CorporationFactory(sites=[(place, 36.65 + i / 200, 138.19, "通所介護", 20)])
        for i in range(3)
    ]
    for c in corporations:
        profile_for(c, themes=["workforce"])
    meeting = submeeting_with(corporations, by=staff, grouped=True)
    client.force_login(staff)
    url = reverse("partners:meeting_remove", args=[meeting.pk])
    html = client.get(reverse("partners:meeting", args=[meeting.pk])).content.decode()
    assert html.count(f'formaction="{url}"') == 3
    gone = corporations[0]
    response = client.post(url, {"corporation": str(gone.pk)}, follow=True)
    assert "参加者から外しました。" in response.content.decode()
    assert not meeting.participants.filter(corporation=gone).exists()
    assert meeting.participants.count() == 2
    record = SubMeetingParticipant.history.filter(corporation_id=gone.pk, history_type="-").get()
    assert record.history_user == staff
    again = client.post(url, {"corporation": str(gone.pk)}, follow=True)
    assert "この分科会の参加者ではありません" in again.content.decode()

"""Leaving a consortium, declining an invitation and overriding the STEP gate are confirmed with
a 「確認しました」 box the server checks."""

import pytest
from django.urls import reverse

from guidance import services
from guidance.models import MemberRole, MembershipState
from portal.confirm import REFUSED
from tests.factories import CorporationFactory, UserFactory, profile_for

pytestmark = pytest.mark.django_db


def test_recording_a_member_leaving_asks_for_confirmation(client, world, staff):
    ours = world["ours"]
    membership = ours.memberships.active().get(role=MemberRole.MEMBER)
    client.force_login(world["promoter"])
    page = client.get(reverse("guidance:members", args=[ours.pk])).content.decode()
    assert 'name="confirmed"' in page
    url = reverse("guidance:member_leave", args=[ours.pk, membership.pk])
    refused = client.post(url)
    assert refused.status_code == 400 and REFUSED in refused.content.decode()
    membership.refresh_from_db()
    assert membership.left_on is None
    client.post(url, {"confirmed": "yes"})
    membership.refresh_from_db()
    assert membership.left_on is not None


def test_declining_an_invitation_asks_for_confirmation(client, world):
    corporation = CorporationFactory()
    profile_for(corporation, consent=True)
    manager = UserFactory(manager=True, corporation_number=corporation.number)
    membership = services.member_invite(
        consortium=world["ours"], corporation=corporation, role=MemberRole.MEMBER, by=UserFactory()
    )
    client.force_login(manager)
    url = reverse("guidance:invitation_decline", args=[membership.pk])
    refused = client.post(url)
    assert refused.status_code == 400 and REFUSED in refused.content.decode()
    membership.refresh_from_db()
    assert membership.state == MembershipState.INVITED
    client.post(url, {"confirmed": "yes"})
    membership.refresh_from_db()
    assert membership.state == MembershipState.DECLINED


def test_overriding_the_gate_asks_for_confirmation(client, world, staff):
    ours = world["ours"]
    client.force_login(staff)
    url = reverse("guidance:advance", args=[ours.pk])
    values = {"to_stage": 3, "override": "on", "reason": "県の補助事業の締切に合わせる"}
    response = client.post(url, values)
    assert REFUSED in response.content.decode()
    ours.refresh_from_db()
    assert ours.stage == 1
    client.post(url, {**values, "confirmed": "yes"})
    ours.refresh_from_db()
    assert ours.stage == 3

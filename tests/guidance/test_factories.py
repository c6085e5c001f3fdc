"""The factories set a consortium's workflow and an introduction in place in a few lines, as the
services would have left them: members, checklist items, a goal with a measured KPI, an action."""

import pytest

from guidance.models import Consortium, MembershipState
from tests.factories import (
    ActionFactory,
    ChecklistItemFactory,
    ConsortiumFactory,
    CorporationFactory,
    IntroductionFactory,
    KpiFactory,
    MeasurementFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_a_consortium_with_its_members_items_goal_kpi_and_action(client):
    consortium = ConsortiumFactory()
    promoter = MembershipFactory(consortium=consortium, role="promoter")
    MembershipFactory(consortium=consortium)
    MembershipFactory(consortium=consortium, state=MembershipState.INVITED)
    ChecklistItemFactory(consortium=consortium)
    kpi = KpiFactory(goal__consortium=consortium)
    MeasurementFactory(kpi=kpi)
    ActionFactory(consortium=consortium)

    assert consortium.memberships.filter(state=MembershipState.ACCEPTED).count() == 2
    assert consortium.checklist_items.get().required
    assert consortium.goals.get().kpis.get().measurements.get().value == 15
    assert consortium.actions.get().status == "open"

    manager = UserFactory(manager=True, corporation_number=promoter.corporation.number)
    assert Consortium.objects.visible_to(manager).get() == consortium
    client.force_login(manager)
    assert client.get(f"/consortia/{consortium.pk}/").status_code == 200


def test_an_introduction_between_two_corporations():
    first, second = CorporationFactory(), CorporationFactory()
    introduction = IntroductionFactory(parties=[first, second])
    assert {p.corporation for p in introduction.parties.all()} == {first, second}
    assert introduction.status == "proposed"

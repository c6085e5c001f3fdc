"""A small prefecture for the workflow tests: two consortia with their members and managers."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from guidance import services
from guidance.models import ConsortiumForm, ExpertKind, MemberRole
from guidance.reference import sync_reference_data
from tests.factories import CorporationFactory, MunicipalityFactory, UserFactory


@pytest.fixture
def world(db, staff):
    sync_reference_data(apps)
    place = MunicipalityFactory()
    promoter, member, outsider, other_lead = (
        CorporationFactory(sites=[(place, 36.65, 138.19, "通所介護", 20)]) for _ in range(4)
    )
    # Both started a year ago, so measurements of the past months fall within their life.
    started = timezone.localdate() - timedelta(days=365)
    ours = services.consortium_create(
        values={
            "name": "長野北部介護人材ネットワーク",
            "form": ConsortiumForm.LOOSE,
            "started_on": started,
        },
        members=[(promoter, MemberRole.PROMOTER), (member, MemberRole.MEMBER)],
        by=staff,
    )
    theirs = services.consortium_create(
        values={"name": "南信ケア連携会議", "form": ConsortiumForm.CLOSE, "started_on": started},
        members=[(other_lead, MemberRole.PROMOTER)],
        by=staff,
    )
    return {
        "ours": ours,
        "theirs": theirs,
        "promoter": UserFactory(manager=True, corporation_number=promoter.number),
        "member": UserFactory(manager=True, corporation_number=member.number),
        "outsider": UserFactory(manager=True, corporation_number=outsider.number),
    }


@pytest.fixture
def progressed(world, staff):
    """Our consortium at stage ②, with a KPI measured twice, an overdue action and a referral."""
    ours = world["ours"]
    for item in ours.checklist_items.filter(stage=1):
        services.checklist_item_update(item=item, values={"status": "done"}, by=staff,
                                       version=item.version)  # fmt: skip
    services.consortium_move(consortium=ours, to_stage=2, by=staff, reason="顔合わせを終えた")
    goal = services.goal_create(consortium=ours, title="職員の定着", by=staff)
    kpi = services.kpi_create(goal=goal, name="離職率", unit="%", baseline=Decimal(20),
                              target=Decimal(10), due_on=None, by=staff)  # fmt: skip
    today = timezone.localdate()
    for days, value in ((40, 20), (5, 15)):
        services.measurement_add(kpi=kpi, measured_on=today - timedelta(days=days),
                                 value=Decimal(value), by=staff)  # fmt: skip
    services.action_create(consortium=ours, title="合同研修の日程を決める", owner="事務局",
                           due_on=today - timedelta(days=3), by=staff)  # fmt: skip
    kind = ExpertKind.objects.first()
    services.referral_request(
        consortium=ours, kind=kind, request="規程づくりを相談したい", by=staff
    )
    ours.refresh_from_db()
    return world

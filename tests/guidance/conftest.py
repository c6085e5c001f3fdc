"""A small prefecture for the workflow tests: two consortia with their members and managers."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from guidance import services
from guidance.models import ConsortiumForm, MemberRole
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

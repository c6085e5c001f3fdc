"""The demo data reads as a real prefecture would: one owner per 事業所番号, local telephone
numbers, the demo manager working for the corporation they manage, site counts that match the
list, stage moves spread over the past months and a reason for every skipped gate."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from guidance.models import Consortium, Expert, StageMove
from partners.demo import DEMO_CORPORATION
from partners.models import Corporation, Establishment, ProviderProfile
from partners.synthetic import AREA_CODES
from portal.models import User


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=StringIO())
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


pytestmark = pytest.mark.django_db


def test_every_establishment_number_belongs_to_one_corporation(demo):
    shared = (
        Establishment.objects.exclude(corporation=None)
        .values("number")
        .annotate(owners=Count("corporation", distinct=True))
        .filter(owners__gt=1)
    )
    assert list(shared) == []


def test_telephones_carry_the_area_code_of_their_municipality(demo):
    rows = Establishment.objects.exclude(phone="").values_list("municipality_id", "phone")
    assert rows
    for code, phone in rows:
        assert phone.startswith(AREA_CODES[code] + "-"), (code, phone)
        assert len(phone.replace("-", "")) == 10, phone
    for profile in ProviderProfile.objects.select_related("corporation"):
        place = profile.corporation.municipality_id
        if profile.corporation.number != DEMO_CORPORATION and place in AREA_CODES:
            assert profile.contact.startswith(AREA_CODES[place] + "-"), profile.contact
    matsumoto = Expert.objects.get(organization="松本公認会計士事務所")
    assert matsumoto.contact.startswith("0263-")


def test_the_demo_manager_works_for_the_corporation_they_manage(demo):
    manager = User.objects.get(email="jigyosha@example.jp")
    corporation = Corporation.objects.get(number=manager.corporation_number)
    assert manager.organization == corporation.name


def test_the_site_count_agrees_with_the_sites_listed(demo, client):
    corporation = Corporation.objects.get(number=DEMO_CORPORATION)
    numbers = set(corporation.establishments.values_list("number", flat=True))
    assert corporation.site_count == len(numbers) == corporation.establishments.count() == 4
    client.force_login(User.objects.get(email="madoguchi@example.jp"))
    html = client.get(reverse("partners:corporation", args=[DEMO_CORPORATION])).content.decode()
    for number in numbers:
        assert number in html


def test_stage_moves_are_spread_over_the_past_months(demo):
    now = timezone.now()
    moves = list(StageMove.objects.order_by("at"))
    assert len(moves) >= 5
    assert all(move.at < now - timedelta(days=7) for move in moves)
    assert moves[-1].at - moves[0].at > timedelta(days=180)
    for consortium in Consortium.objects.filter(moves__isnull=False).distinct():
        for move in consortium.moves.all():
            assert move.at.date() > consortium.started_on


def test_every_skipped_gate_has_a_reason(demo):
    overridden = StageMove.objects.filter(overridden=True)
    assert overridden.exists()
    for move in overridden:
        assert move.reason.strip()
        assert move.skipped

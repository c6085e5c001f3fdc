"""Matchmaking: candidates ranked by region, size, shared challenges and themes, complementary
services, each with its score and reasons in Japanese."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from guidance.models import Consortium, Membership
from partners.access import RegistryViewer
from partners.matching import Features, Weights, score
from partners.selectors import match_candidates
from tests.factories import CorporationFactory, MunicipalityFactory, profile_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    return {
        "nagano": MunicipalityFactory(code="202011", name="長野市"),
        "suzaka": MunicipalityFactory(code="202070", name="須坂市"),
        "iida": MunicipalityFactory(code="202053", name="飯田市"),
    }


@pytest.fixture
def registry(places):
    """A promoter in 長野市 and four possible partners at different distances and sizes."""
    nagano, suzaka, iida = places["nagano"], places["suzaka"], places["iida"]
    own = CorporationFactory(
        name="社会福祉法人みすず福祉会",
        sites=[
            (nagano, 36.6486, 138.1948, "通所介護", 30),
            (nagano, 36.65, 138.19, "訪問介護", None),
        ],
    )
    profile_for(own, challenges=["recruiting", "purchasing_costs"], themes=["workforce"])
    near = CorporationFactory(
        name="株式会社さくらケア",
        sites=[
            (nagano, 36.6700, 138.2000, "訪問看護", None),
            (nagano, 36.67, 138.20, "通所介護", 25),
        ],
    )
    profile_for(near, challenges=["recruiting", "purchasing_costs"], themes=["workforce"])
    neighbour = CorporationFactory(
        name="医療法人社団あおば会", sites=[(suzaka, 36.6510, 138.3072, "通所介護", 30)]
    )
    profile_for(neighbour, challenges=["recruiting"], themes=["supplies"])
    far = CorporationFactory(
        name="社会福祉法人南信会", sites=[(iida, 35.5149, 137.8218, "通所介護", 30)]
    )
    profile_for(far, challenges=["recruiting", "purchasing_costs"], themes=["workforce"])
    secret = CorporationFactory(
        name="株式会社ひみつケア", sites=[(nagano, 36.6490, 138.1950, "訪問介護", None)]
    )
    profile_for(secret, challenges=["recruiting"], consent=False)
    return {"own": own, "near": near, "neighbour": neighbour, "far": far, "secret": secret}


def names(matches):
    return [m.candidate.name for m in matches]


def test_staff_see_candidates_ranked_with_reasons_in_japanese(registry, staff):
    matches = match_candidates(corporation=registry["own"], viewer=RegistryViewer(staff), top=10)
    assert names(matches)[0] == "株式会社さくらケア"
    best = matches[0]
    assert best.reasons[0].startswith("同じ市内・約")
    assert best.reasons[0].endswith("km")
    assert "共通の課題：人材確保（採用）、仕入れ・購買コスト" in best.reasons
    assert "共通の関心テーマ：人材確保・育成" in best.reasons
    assert "規模が近い（2拠点・定員25人）" in best.reasons
    assert "補い合えるサービス：訪問看護" in best.reasons
    assert 0 < best.score <= 100
    neighbour = next(m for m in matches if m.candidate.name == "医療法人社団あおば会")
    assert neighbour.reasons[0].startswith("近隣の須坂市・約")


def test_the_corporation_itself_and_far_away_providers_are_left_out(registry, staff):
    found = names(
        match_candidates(corporation=registry["own"], viewer=RegistryViewer(staff), top=10)
    )
    assert "社会福祉法人みすず福祉会" not in found
    # 飯田市 is about 130 km away: outside the search area while enough candidates are nearby,
    # and in any case ranked below the near ones.
    assert found.index("株式会社さくらケア") < (
        found.index("社会福祉法人南信会") if "社会福祉法人南信会" in found else 99
    )


def test_partners_already_in_a_consortium_with_it_are_excluded(registry, staff):
    consortium = Consortium.objects.create(name="長野北部介護人材ネットワーク")
    Membership.objects.create(consortium=consortium, corporation=registry["own"])
    Membership.objects.create(consortium=consortium, corporation=registry["near"])
    found = names(
        match_candidates(corporation=registry["own"], viewer=RegistryViewer(staff), top=10)
    )
    assert "株式会社さくらケア" not in found
    assert "医療法人社団あおば会" in found


def test_a_manager_only_ever_sees_corporations_that_consented(registry, staff, manager):
    manager.corporation_number = registry["own"].number
    manager.save()
    assert "株式会社ひみつケア" in names(
        match_candidates(corporation=registry["own"], viewer=RegistryViewer(staff))
    )
    found = names(match_candidates(corporation=registry["own"], viewer=RegistryViewer(manager)))
    assert "株式会社ひみつケア" not in found
    assert found  # the consenting ones are there


def test_complementary_size_prefers_a_partner_of_another_size():
    small = Features(id=1, number="1", name="小", sites=1, capacity=10)
    same = Features(id=2, number="2", name="同", sites=1, capacity=12)
    large = Features(id=3, number="3", name="大", sites=12, capacity=400)
    similar = Weights(region=0, size=100, challenges=0, themes=0, services=0)
    complementary = Weights(
        region=0, size=100, challenges=0, themes=0, services=0, complementary_size=True
    )
    assert score(small, same, similar).score > score(small, large, similar).score
    assert score(small, large, complementary).score > score(small, same, complementary).score
    assert (
        "規模の違いを補い合える（12拠点・定員400人）" in score(small, large, complementary).reasons
    )


def test_staff_weights_change_the_order(registry, staff):
    themes_only = Weights(region=0, size=0, challenges=0, themes=100, services=0)
    top = match_candidates(
        corporation=registry["own"], viewer=RegistryViewer(staff), weights=themes_only, top=10
    )
    assert top[0].score == 100.0
    assert top[0].candidate.name in {"株式会社さくらケア", "社会福祉法人南信会"}


def test_match_command_prints_json_with_the_promised_keys(registry):
    out = StringIO()
    call_command("match", registry["own"].number, "--top", "2", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert len(data) == 2
    assert set(data[0]) == {"corporation_number", "name", "score", "reasons"}
    assert data[0]["name"] == "株式会社さくらケア"
    assert isinstance(data[0]["score"], float)


def test_match_command_explains_bad_arguments_in_japanese(registry):
    with pytest.raises(CommandError, match="法人番号"):
        call_command("match", "1234567890123")
    with pytest.raises(CommandError, match="台帳にありません"):
        call_command("match", "3510001012345")


def test_in_a_dense_area_only_the_nearest_corporations_are_scored(registry, staff, monkeypatch):
    from partners import selectors

    monkeypatch.setattr(selectors, "MATCH_POOL", 2)
    found = names(
        match_candidates(corporation=registry["own"], viewer=RegistryViewer(staff), top=2)
    )
    # The two in the same municipality stay in the pool; the 須坂市 provider drops out.
    assert sorted(found) == ["株式会社さくらケア", "株式会社ひみつケア"]

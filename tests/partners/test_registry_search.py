"""Registry search finds what its placeholder promises (「さくら」「ケアセンター」「長野市」「松本」),
counts exactly on request past the cap, pages by number, and sorts 五十音順 by the name without
its legal form."""

import csv
import io
import re

import pytest
from django.urls import reverse

from partners.models import Corporation, Establishment
from partners.names import corporation_search_text, name_without_legal_form, sort_key
from partners.services import corporations_refresh_size
from partners.services.imports import HEADER, establishments_import
from tests.factories import CorporationFactory, MunicipalityFactory

pytestmark = pytest.mark.django_db


def _with_site(name: str, site: str, place) -> Corporation:
    corporation = CorporationFactory(name=name, sites=[(place, 36.6, 138.1, "通所介護", 20)])
    Establishment.objects.filter(corporation=corporation).update(name=site)
    corporations_refresh_size(ids=[corporation.pk])
    return corporation


@pytest.fixture
def towns():
    nagano = MunicipalityFactory(code="202011", name="長野市")
    matsumoto = MunicipalityFactory(code="202029", name="松本市")
    return {
        "wakaba": _with_site("社会福祉法人わかば会", "わかばケアセンター", nagano),
        "aozora": _with_site("株式会社あおぞら", "あおぞらデイサービス", matsumoto),
        "kaede": _with_site("医療法人社団かえで会", "かえで苑", nagano),
    }


def names_on(client, **params) -> list[str]:
    html = client.get(reverse("partners:index"), params).content.decode()
    return re.findall(r'<a href="[^"]*/c/\d+/">([^<]+)</a>', html)


def test_the_placeholder_words_find_corporations_by_their_sites(client, staff, towns):
    client.force_login(staff)
    assert names_on(client, q="ケアセンター") == ["社会福祉法人わかば会"]
    assert sorted(names_on(client, q="長野市")) == ["医療法人社団かえで会", "社会福祉法人わかば会"]
    assert names_on(client, q="松本") == ["株式会社あおぞら"]
    assert names_on(client, q="ﾃﾞｲｻｰﾋﾞｽ 松本市") == ["株式会社あおぞら"]
    assert names_on(client, q="デイサービス 長野市") == []


def test_a_site_renamed_by_the_next_refresh_is_found_by_its_new_name(client, staff, towns):
    Establishment.objects.filter(corporation=towns["kaede"]).update(name="かえでの里")
    corporations_refresh_size(ids=[towns["kaede"].pk])
    client.force_login(staff)
    assert names_on(client, q="かえでの里") == ["医療法人社団かえで会"]
    assert names_on(client, q="かえで苑") == []


def test_gojuon_order_ignores_the_legal_form(client, staff, towns):
    client.force_login(staff)
    assert names_on(client, sort="kana") == [
        "株式会社あおぞら",
        "医療法人社団かえで会",
        "社会福祉法人わかば会",
    ]
    assert names_on(client, sort="-kana")[0] == "社会福祉法人わかば会"


def test_the_reading_is_preferred_when_the_data_has_one():
    assert (
        sort_key("社会福祉法人長野福祉会", "シャカイフクシホウジン ナガノフクシカイ")
        == "ながのふくしかい"
    )
    assert sort_key("さくらケア株式会社") == "さくらけあ"
    assert name_without_legal_form("社会福祉連携推進法人 信州ネット") == "信州ネット"
    assert name_without_legal_form("特定非営利活動法人ひだまり") == "ひだまり"
    assert name_without_legal_form("㈲やまびこ") == "やまびこ"
    assert name_without_legal_form("株式会社") == "株式会社"  # nothing but the form: kept


def test_the_search_text_names_the_sites_and_their_towns_once():
    text = corporation_search_text(
        name="社会福祉法人みどり会",
        kana="",
        number="7000012050002",
        site_names=["みどりの家", "みどりの家"],
        place_names=["長野市"],
    )
    assert text == "社会福祉法人みどり会 7000012050002 長野市 みどりの家"


def test_past_the_cap_the_page_offers_to_count_exactly(client, staff, towns, monkeypatch):
    from partners import selectors

    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    client.force_login(staff)
    html = client.get(reverse("partners:index")).content.decode()
    assert "2件以上の法人" in html
    link = re.search(r'<a href="(\?[^"]*count=exact[^"]*)">件数を数える</a>', html)
    assert link
    counted = client.get(reverse("partners:index") + link.group(1).replace("&amp;", "&"))
    assert "3件の法人" in counted.content.decode()


def test_results_are_paged_by_number(client, staff, towns, monkeypatch):
    from partners import selectors

    monkeypatch.setattr(selectors, "PAGE_SIZE", 1)
    client.force_login(staff)
    html = client.get(reverse("partners:index"), {"sort": "kana", "page": 2}).content.decode()
    assert '<span aria-current="page">2</span>' in html
    assert 'href="?sort=kana&amp;page=3"' in html
    assert 'href="?sort=kana&amp;page=1"' in html
    assert names_on(client, sort="kana", page=2) == ["医療法人社団かえで会"]


def test_the_import_fills_the_sort_key_and_the_site_search(client, staff, tmp_path):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    values = dict.fromkeys(HEADER, "")
    values.update({
        "都道府県コード又は市町村コード": "202029", "No": "1", "都道府県名": "長野県",
        "市区町村名": "松本市", "事業所名": "あがたの森ケアセンター", "サービスの種類": "訪問介護",
        "住所": "長野県松本市県3-1-1", "法人番号": "7000012050002",
        "法人の名称": "社会福祉法人あがた会", "事業所番号": "2070100011", "定員": "0",
    })  # fmt: skip
    writer.writerow([values[h] for h in HEADER])
    path = tmp_path / "jigyosho.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")
    establishments_import(path=path, by=staff)
    corporation = Corporation.objects.get(number="7000012050002")
    assert corporation.sort_key == "あがた会"
    client.force_login(staff)
    assert names_on(client, q="あがたの森") == ["社会福祉法人あがた会"]

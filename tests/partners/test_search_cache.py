"""Staff's cached registry search changes the moment the registry does, and only staff get it."""

import pytest
from django.urls import reverse

from partners.models import ProviderProfile
from partners.services.imports import establishments_import
from tests.factories import CorporationFactory, MunicipalityFactory, profile_for
from tests.partners.helpers import row, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry():
    nagano = MunicipalityFactory(code="202011", name="長野市")
    sakura = CorporationFactory(
        name="社会福祉法人サポートさくら会", sites=[(nagano, 36.65, 138.19, "通所介護", 30)]
    )
    profile_for(sakura, challenges=["recruiting"], themes=["workforce"])
    hidden = CorporationFactory(
        name="株式会社ないしょケア", sites=[(nagano, 36.23, 137.97, "訪問介護", None)]
    )
    profile_for(hidden, challenges=["succession"], consent=False)
    return {"sakura": sakura, "hidden": hidden}


def page(client, **params):
    return client.get(reverse("partners:index"), params).content.decode()


def test_a_changed_consent_shows_in_staffs_cached_search_at_once(client, staff, registry):
    client.force_login(staff)
    assert "badge--ok" in page(client, q="さくら")
    assert "badge--ok" in page(client, q="さくら")  # from the cache
    profile = ProviderProfile.objects.get(corporation=registry["sakura"])
    profile.consent_matching = False
    profile.save()
    html = page(client, q="さくら")
    assert "badge--ok" not in html and "不同意" in html


def test_an_import_shows_in_staffs_cached_search_at_once(client, staff, registry, tmp_path):
    client.force_login(staff)
    assert "0件の法人" in page(client, q="みどり")
    establishments_import(path=write(tmp_path, [row()]))
    html = page(client, q="みどり")
    assert "1件の法人" in html and "社会福祉法人みどり会" in html


def test_a_manager_never_gets_staffs_cached_search(client, staff, manager, registry):
    client.force_login(staff)
    assert "株式会社ないしょケア" in page(client, q="ケア")
    client.force_login(manager)
    for _again in range(2):
        html = page(client, q="ケア")
        assert "株式会社ないしょケア" not in html
        assert "窓口 花子" not in html and "介護 太郎 さん" in html
    client.force_login(staff)
    assert "株式会社ないしょケア" in page(client, q="ケア")


def test_staff_get_the_results_alone_for_htmx_and_the_whole_page_otherwise(client, staff, registry):
    client.force_login(staff)
    url = reverse("partners:index")
    fragment = client.get(url, {"q": "さくら"}, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<section id="results"')
    whole = page(client, q="さくら")
    assert "<html" in whole and "registry-filter" in whole and "窓口 花子 さん" in whole
    again = client.get(url, {"q": "さくら"}, headers={"HX-Request": "true"}).content.decode()
    assert again == fragment

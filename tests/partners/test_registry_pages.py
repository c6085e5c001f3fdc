"""The registry pages as staff and managers use them: search, filters, a corporation's page,
profile editing, exports, and who may see what."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from partners.models import Challenge, ProviderProfile
from tests.factories import CorporationFactory, MunicipalityFactory, profile_for
from tests.spreadsheet_checks import open_in_libreoffice, without_credit

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry():
    nagano = MunicipalityFactory(code="202011", name="長野市")
    matsumoto = MunicipalityFactory(code="202029", name="松本市")
    sakura = CorporationFactory(
        name="社会福祉法人サポートさくら会",
        sites=[(nagano, 36.65, 138.19, "通所介護", 30), (nagano, 36.66, 138.20, "訪問介護", None)],
    )
    profile_for(sakura, challenges=["recruiting"], themes=["workforce"], contact="026-999-0001")
    hidden = CorporationFactory(
        name="株式会社ないしょケア", sites=[(matsumoto, 36.23, 137.97, "訪問介護", None)]
    )
    profile_for(hidden, challenges=["succession"], consent=False, contact="0263-00-0000")
    plain = CorporationFactory(
        name="医療法人社団まつもと会", sites=[(matsumoto, 36.24, 137.96, "通所介護", 18)]
    )
    return {"sakura": sakura, "hidden": hidden, "plain": plain}


@pytest.fixture
def own_manager(manager, registry):
    manager.corporation_number = registry["plain"].number
    manager.save()
    return manager


def page(client, **params):
    return client.get(reverse("partners:index"), params).content.decode()


def test_staff_find_a_corporation_by_name_in_any_kana_or_width(client, staff, registry):
    client.force_login(staff)
    for query in ("ｻﾎﾟｰﾄ", "さぽーと", "サポート"):
        html = page(client, q=query)
        assert "社会福祉法人サポートさくら会" in html, query
        assert "医療法人社団まつもと会" not in html
    assert "1件の法人" in page(client, q="サポート")


def test_staff_filter_by_municipality_service_size_challenge_theme_and_consent(
    client, staff, registry
):
    client.force_login(staff)
    assert "2件の法人" in page(client, municipality="202029")
    assert "2件の法人" in page(client, service="通所介護")
    assert "1件の法人" in page(client, size="2-4")
    assert "株式会社ないしょケア" in page(client, challenge="succession")
    assert "1件の法人" in page(client, theme="workforce")
    html = page(client, consent="no")
    assert "株式会社ないしょケア" in html and "医療法人社団まつもと会" in html
    assert "2件の法人" in html


def test_staff_filter_by_the_category_of_service(client, staff, registry):
    client.force_login(staff)
    # 通所介護 (通所系) runs at さくら会 and まつもと会; 訪問介護 (訪問系) at さくら会 and ないしょケア.
    assert "2件の法人" in page(client, category="day")
    html = page(client, category="visiting")
    assert "社会福祉法人サポートさくら会" in html and "医療法人社団まつもと会" not in html
    assert "0件の法人" in page(client, category="facility") or "見つかりません" in page(
        client, category="facility"
    )
    assert "1件の事業所" in page(
        client, view="establishments", category="day", municipality="202011"
    )


def test_staff_search_establishments_too(client, staff, registry):
    client.force_login(staff)
    html = page(client, view="establishments", municipality="202011")
    assert "2件の事業所" in html
    assert "訪問介護" in html


def test_the_search_page_runs_a_constant_number_of_queries(
    client, staff, registry, django_assert_max_num_queries
):
    client.force_login(staff)
    page(client)  # fills the cached filter choices
    for _n in range(30):
        CorporationFactory(sites=[(registry["plain"].municipality, 36.2, 137.9, "訪問介護", None)])
    with django_assert_max_num_queries(8):
        page(client)
    with django_assert_max_num_queries(8):
        page(client, view="establishments")


def test_any_filtered_list_exports_to_csv_and_xlsx(client, staff, registry):
    client.force_login(staff)
    response = client.get(reverse("partners:export", args=["csv"]), {"municipality": "202029"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = without_credit(list(csv.reader(io.StringIO(text))))
    assert rows[0][:3] == ["法人番号", "法人名", "法人の種類"]
    assert sorted(r[1] for r in rows[1:]) == ["医療法人社団まつもと会", "株式会社ないしょケア"]
    response = client.get(
        reverse("partners:export", args=["xlsx"]), {"view": "establishments", "q": "さくら"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][0] == "事業所番号"
    assert len(values) == 3  # header + two establishments of さくら会


def test_corporation_page_shows_establishments_profile_and_contact_to_staff(
    client, staff, registry
):
    client.force_login(staff)
    html = client.get(reverse("partners:corporation", args=[registry["sakura"].number])).content
    html = html.decode()
    assert "事業所（2件）" in html
    assert "人材確保（採用）" in html
    assert "026-999-0001" in html
    assert "参加している協働体" in html


def test_a_manager_sees_only_consenting_corporations_and_no_contact_details(
    client, own_manager, registry
):
    client.force_login(own_manager)
    html = page(client)
    assert "社会福祉法人サポートさくら会" in html
    assert "医療法人社団まつもと会" in html  # their own corporation
    assert "株式会社ないしょケア" not in html
    hidden = client.get(reverse("partners:corporation", args=[registry["hidden"].number]))
    assert hidden.status_code == 404
    other = client.get(reverse("partners:corporation", args=[registry["sakura"].number]))
    assert other.status_code == 200
    assert "026-999-0001" not in other.content.decode()
    assert "紹介を双方が承諾すると表示されます" in other.content.decode()
    assert client.get(reverse("partners:export", args=["csv"])).status_code == 403
    assert (
        client.get(reverse("partners:match", args=[registry["sakura"].number])).status_code == 403
    )


def test_anonymous_visitors_see_nothing_of_the_registry(client, registry):
    for url in (
        reverse("partners:index"),
        reverse("partners:corporation", args=[registry["sakura"].number]),
        reverse("partners:match", args=[registry["sakura"].number]),
        reverse("partners:export", args=["csv"]),
        reverse("partners:introductions"),
        reverse("partners:imports"),
        reverse("partners:meetings"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))


def test_officials_are_refused_the_registry(client, official, registry):
    client.force_login(official)
    assert client.get(reverse("partners:index")).status_code == 403
    url = reverse("partners:corporation", args=[registry["sakura"].number])
    assert client.get(url).status_code == 403


def test_a_manager_edits_their_own_profile_but_not_another(client, own_manager, registry):
    client.force_login(own_manager)
    url = reverse("partners:profile_edit", args=[registry["plain"].number])
    response = client.post(
        url,
        {
            "challenges": [str(Challenge.objects.get(code="recruiting").pk)],
            "themes": [],
            "consent_matching": "on",
            "contact_person": "松本 一郎",
            "contact": "0263-11-2222",
            "version": 0,  # the page of a corporation without a profile yet
        },
    )
    assert response.status_code == 302
    profile = ProviderProfile.objects.get(corporation=registry["plain"])
    assert profile.consent_matching is True
    assert profile.contact_person == "松本 一郎"
    assert profile.history.first().history_user == own_manager
    other = reverse("partners:profile_edit", args=[registry["sakura"].number])
    assert client.get(other).status_code == 403


def test_two_people_saving_a_profile_at_once_do_not_overwrite_each_other(client, staff, registry):
    from partners import services

    client.force_login(staff)
    url = reverse("partners:profile_edit", args=[registry["sakura"].number])
    opened = client.get(url).context["form"].initial["version"]
    profile = ProviderProfile.objects.get(corporation=registry["sakura"])
    services.profile_update(  # a colleague saves the profile while this page is open
        corporation=registry["sakura"],
        challenges=profile.challenges.all(),
        themes=profile.themes.all(),
        consent_matching=True,
        contact_person="担当 花子",
        contact="026-999-0001",
        by=staff,
    )
    response = client.post(url, {"contact": "上書き", "version": opened})
    assert response.status_code == 200
    assert "ほかの人がプロフィールを更新しました" in response.content.decode()
    assert ProviderProfile.objects.get(corporation=registry["sakura"]).contact == "026-999-0001"


def test_a_profile_save_without_the_version_the_page_showed_is_refused(client, staff, registry):
    client.force_login(staff)
    url = reverse("partners:profile_edit", args=[registry["sakura"].number])
    response = client.post(url, {"contact": "上書き"})
    assert response.status_code == 200
    assert "どの版を編集していたのかが分からない" in response.content.decode()
    assert ProviderProfile.objects.get(corporation=registry["sakura"]).contact == "026-999-0001"


def test_the_first_profile_of_a_corporation_is_saved_from_a_fresh_page(client, staff, registry):
    client.force_login(staff)
    url = reverse("partners:profile_edit", args=[registry["plain"].number])
    version = client.get(url).context["form"].initial["version"]
    assert client.post(url, {"contact": "026-000-1111", "version": version}).status_code == 302
    second = client.post(url, {"contact": "026-000-2222", "version": version})
    assert "ほかの人がプロフィールを更新しました" in second.content.decode()
    assert ProviderProfile.objects.get(corporation=registry["plain"]).contact == "026-000-1111"


def test_corporation_and_introduction_pages_run_a_constant_number_of_queries(
    client, staff, registry, django_assert_max_num_queries
):
    from partners import services

    client.force_login(staff)
    sakura = registry["sakura"]
    for _n in range(15):
        partner = CorporationFactory()
        services.introduction_propose(corporations=[sakura, partner], title="", by=staff)
    url = reverse("partners:corporation", args=[sakura.number])
    with django_assert_max_num_queries(22):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("partners:introductions")).status_code == 200


def test_a_very_long_list_is_counted_only_up_to_the_cap(client, staff, registry, monkeypatch):
    from partners import selectors

    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    client.force_login(staff)
    html = page(client)
    assert "2件以上の法人" in html
    assert "最初の2件までを表示しています" in html
    assert "件数を数える" in html
    assert "2件の法人" in page(client, municipality="202029")


def test_the_corporation_page_title_is_plain_text(client, staff, registry):
    client.force_login(staff)
    html = client.get(reverse("partners:corporation", args=[registry["sakura"].number])).content
    title = html.decode().split("<title>")[1].split("</title>")[0]
    assert title.startswith("社会福祉法人サポートさくら会｜事業者台帳｜")
    assert "<" not in title


def test_the_registry_xlsx_streams_typed_cells_under_a_frozen_filtered_header(
    client, staff, registry, tmp_path, settings
):
    settings.PORTAL_WINDOW_NAME = "長野県介護生産性向上総合相談センター"
    client.force_login(staff)
    response = client.get(reverse("partners:export", args=["xlsx"]), {"view": "establishments"})
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    rows = {r[header.index("事業所名")]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert len(rows) == 4
    first = next(r for r in rows.values() if r[header.index("定員")] == 30)
    assert first[header.index("緯度")] == 36.65 and first[header.index("経度")] == 138.19
    assert isinstance(first[header.index("事業所番号")], str)  # codes keep their leading zeros
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(row=1, column=len(header)).column_letter}5"
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.page_setup.orientation == "landscape"
    assert "介護サービス情報公表システム" in sheet.oddHeader.left.text
    assert book.properties.title == "事業所の一覧（台帳）"
    assert book.properties.creator == "長野県介護生産性向上総合相談センター"
    open_in_libreoffice(response.content, tmp_path)
    # The CSV keeps writing coordinates digit for digit.
    text = b"".join(
        client.get(
            reverse("partners:export", args=["csv"]), {"view": "establishments"}
        ).streaming_content
    ).decode("utf-8-sig")
    assert "36.650000" in text

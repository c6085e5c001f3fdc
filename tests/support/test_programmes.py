"""Support programmes: visitors browse them by stage; staff edit them with a history."""

import pytest
from django.urls import reverse

from support.models import Programme
from tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


def test_the_policy_package_measures_and_the_windows_own_are_listed(client):
    html = client.get(reverse("support:programmes")).content.decode()
    assert "社会福祉法人の合併の際に必要な経営資金の優遇融資" in html
    assert "よろず支援拠点（中小企業・小規模事業者のための経営相談所）における相談対応" in html
    assert "協働化・大規模化の相談（当窓口）" in html
    assert Programme.objects.count() == 19


def test_a_visitor_filters_programmes_by_stage(client):
    html = client.get(reverse("support:programmes"), {"stage": "3"}).content.decode()
    assert "社会福祉連携推進法人の立上げに向けた取組への支援" in html
    assert "事業者が協働して行う職場環境改善への支援" not in html  # stages ④⑥ only


def test_a_bad_stage_value_shows_every_programme_instead_of_an_error(client):
    response = client.get(reverse("support:programmes"), {"stage": "²"})
    assert response.status_code == 200
    assert "19件の支援策" in response.content.decode()


def test_a_programme_without_a_known_amount_says_where_to_check(client):
    url = reverse("support:programme", args=["wam-merger-loan"])
    html = client.get(url).content.decode()
    assert "福祉医療機構" in html
    assert "金額・補助率は公募要領で確認してください。" in html
    assert "https://www.mhlw.go.jp/stf/kaigo-kyoudouka.html" in html


def test_an_unpublished_programme_is_hidden_from_visitors_but_not_staff(client, staff):
    draft = ProgrammeFactory(published=False)
    url = reverse("support:programme", args=[draft.code])
    assert client.get(url).status_code == 404
    client.force_login(staff)
    assert "非公開" in client.get(url).content.decode()


def test_staff_edit_a_programme_and_the_change_is_kept_in_its_history(client, staff):
    client.force_login(staff)
    programme = Programme.objects.get(code="alliance-startup-support")
    url = reverse("support:programme_edit", args=[programme.code])
    data = {
        "code": programme.code, "name": programme.name, "phases": ["implement"],
        "stages": ["3"], "runner": "mhlw", "gives": "subsidy", "summary": programme.summary,
        "amount": "", "link": programme.link, "application_period": "令和8年度は5月から6月",
        "source": programme.source, "published": "on", "position": "3",
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302
    page = client.get(reverse("support:programme", args=[programme.code])).content.decode()
    assert "令和8年度は5月から6月" in page
    history = client.get(url).content.decode()
    assert "変更（" in history and staff.full_name in history


def test_a_manager_cannot_edit_programmes(client, manager):
    client.force_login(manager)
    url = reverse("support:programme_edit", args=["wam-merger-loan"])
    assert client.post(url, {"name": "x"}).status_code == 403


def test_the_programme_list_runs_a_constant_number_of_queries(client, django_assert_num_queries):
    ProgrammeFactory.create_batch(10)
    with django_assert_num_queries(1):
        assert client.get(reverse("support:programmes")).status_code == 200

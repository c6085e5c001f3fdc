"""The registry tells each person only what they can do: staff are offered the download of a long
list, a manager (who has no download) is told how to narrow it instead."""

import pytest
from django.urls import reverse

from tests.factories import CorporationFactory, MunicipalityFactory, profile_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def long_list(monkeypatch, manager):
    from partners import selectors

    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    place = MunicipalityFactory(code="202011", name="長野市")
    corporations = [
        CorporationFactory(sites=[(place, 36.65 + i / 200, 138.19, "通所介護", 20)])
        for i in range(4)
    ]
    for c in corporations:
        profile_for(c, consent=True)
    manager.corporation_number = corporations[0].number
    manager.save()


def test_a_manager_is_not_told_to_download_what_they_cannot(client, manager, long_list):
    client.force_login(manager)
    html = client.get(reverse("partners:index")).content.decode()
    assert "最初の2件までを表示しています" in html  # COUNT_CAP is 2 here
    assert "ダウンロード" not in html
    assert "条件を加えて絞り込んでください" in html


def test_staff_are_offered_the_download_they_are_told_about(client, staff, long_list):
    client.force_login(staff)
    html = client.get(reverse("partners:index")).content.decode()
    assert "一覧をダウンロードしてください" in html
    assert reverse("partners:export", args=["xlsx"]) in html

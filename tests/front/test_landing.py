"""The public landing page at /: visitors see the window's offer; logged-in people their home."""

import pytest
from django.urls import reverse

from cases.services import case_set_status
from support.models import Programme
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def test_a_visitor_at_the_root_sees_the_landing_page_with_the_consult_link(client, settings):
    settings.PORTAL_WINDOW_PHONE = "026-000-0000"
    settings.PORTAL_WINDOW_HOURS = "平日 9時～17時"
    html = client.get("/").content.decode()
    assert (
        '<a class="button button--primary landing-cta" href="/consult/">相談を申し込む</a>' in html
    )
    assert "協働化の3つのSTEP" in html and "<svg" in html
    assert "026-000-0000" in html and "平日 9時～17時" in html
    assert "協働化・大規模化の相談（当窓口）" in html
    assert reverse("support:programmes") in html


def test_a_logged_in_user_keeps_their_home(client, staff):
    client.force_login(staff)
    html = client.get("/").content.decode()
    assert "landing-cta" not in html  # the landing page is for visitors
    assert "さんのホーム" in html


def test_the_landing_page_is_cached_and_renews_when_a_case_is_published(
    client, staff, django_assert_num_queries
):
    case = CaseFactory(name="安曇野ケア協働ネット", status="draft")
    client.get("/")
    with django_assert_num_queries(1):  # the programmes' aggregate, no rendering queries
        html = client.get("/").content.decode()
    assert "安曇野ケア協働ネット" not in html
    case_set_status(case=case, status="published", by=staff)
    assert "安曇野ケア協働ネット" in client.get("/").content.decode()
    case_set_status(case=case, status="draft", by=staff)
    assert "安曇野ケア協働ネット" not in client.get("/").content.decode()


def test_the_landing_page_renews_when_a_programme_changes(client):
    client.get("/")
    programme = Programme.objects.order_by("position").first()
    programme.name = "窓口の相談（名称変更後）"
    programme.save()
    assert "窓口の相談（名称変更後）" in client.get("/").content.decode()


def test_the_landing_page_carries_no_token_of_another_visitor(client):
    first = client.get("/").content.decode()
    client.cookies.clear()
    second = client.get("/").content.decode()
    token = first.split('"X-CSRFToken": "')[1].split('"')[0]
    assert token not in second

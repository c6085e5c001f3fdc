"""Staff confirm before they withdraw a published case or revert it to an older version: the page
asks with a 「確認しました」 box, and the server refuses a POST without it, with or without htmx."""

import pytest
from django.urls import reverse

from cases.models import Case
from portal.confirm import REFUSED
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def test_withdrawing_a_published_case_asks_for_confirmation_first(client, staff):
    CaseFactory(number=1001)
    client.force_login(staff)
    page = client.get(reverse("cases:detail", args=[1001])).content.decode()
    assert 'name="confirmed"' in page and "確認しました" in page
    url = reverse("cases:set_status", args=[1001])

    refused = client.post(url, {"status": "draft"})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert REFUSED in html
    assert "事例1001の公開を取り下げ" in html
    # The confirmation page re-posts the same values once the box is ticked.
    assert f'action="{url}"' in html and 'name="status" value="draft"' in html
    assert Case.objects.get(number=1001).status == "published"

    client.post(url, {"status": "draft", "confirmed": "yes"})
    assert Case.objects.get(number=1001).status == "draft"
    # Publishing again is not destructive: no box needed.
    client.post(url, {"status": "published"})
    assert Case.objects.get(number=1001).status == "published"


def test_an_unconfirmed_htmx_post_is_refused_on_the_page(client, staff):
    CaseFactory(number=1001)
    client.force_login(staff)
    response = client.post(
        reverse("cases:set_status", args=[1001]), {"status": "draft"}, HTTP_HX_REQUEST="true"
    )
    assert response["HX-Retarget"] == "body"
    assert REFUSED in response.content.decode()
    assert Case.objects.get(number=1001).status == "published"


def test_reverting_to_an_older_version_asks_for_confirmation_first(client, staff):
    case = CaseFactory(number=1001, summary="はじめの概要です。")
    first = case.history.latest()
    case.summary = "書き直した概要です。"
    case.save()
    client.force_login(staff)
    assert "確認しました" in client.get(reverse("cases:history", args=[1001])).content.decode()
    url = reverse("cases:revert", args=[1001, first.history_id])

    refused = client.post(url)
    assert refused.status_code == 400 and REFUSED in refused.content.decode()
    assert Case.objects.get(number=1001).summary == "書き直した概要です。"

    client.post(url, {"confirmed": "yes"})
    assert Case.objects.get(number=1001).summary == "はじめの概要です。"

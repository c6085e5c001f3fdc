"""A visitor following a link to a case that has been withdrawn is told so (410) with a way back
to the library; a draft that was never published stays a plain 404."""

import pytest
from django.urls import reverse

from cases import services
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def test_a_withdrawn_case_tells_visitors_it_is_gone(client, staff):
    case = CaseFactory(number=1001)
    services.case_set_status(case=case, status="draft", by=staff)
    response = client.get(reverse("cases:detail", args=[1001]))
    assert response.status_code == 410
    html = response.content.decode()
    assert "この事例は公開を終了しました" in html
    assert f'href="{reverse("cases:index")}"' in html
    client.force_login(staff)
    assert client.get(reverse("cases:detail", args=[1001])).status_code == 200


def test_a_never_published_draft_stays_unknown(client):
    CaseFactory(number=1002, status="draft")
    assert client.get(reverse("cases:detail", args=[1002])).status_code == 404
    assert client.get(reverse("cases:detail", args=[9999])).status_code == 404

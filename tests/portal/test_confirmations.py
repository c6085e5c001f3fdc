"""Deactivating a user is confirmed with a 「確認しました」 box the server checks; switching an
account back on is not destructive and needs none."""

import pytest
from django.urls import reverse

from portal.confirm import REFUSED

pytestmark = pytest.mark.django_db


def test_deactivating_a_user_asks_for_confirmation(client, staff, official):
    client.force_login(staff)
    assert 'name="confirmed"' in client.get(reverse("accounts:users")).content.decode()
    url = reverse("accounts:toggle_active", args=[official.pk])
    refused = client.post(url)
    assert refused.status_code == 400
    html = refused.content.decode()
    assert REFUSED in html and "県庁 次郎 さんのアカウントを無効にします" in html
    official.refresh_from_db()
    assert official.is_active
    client.post(url, {"confirmed": "yes"})
    official.refresh_from_db()
    assert not official.is_active
    client.post(url)  # switching back on needs no box
    official.refresh_from_db()
    assert official.is_active

"""Errors on the case form read naturally and are listed at the top, each linked to its field."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_too_long_name_is_listed_at_the_top_and_reads_naturally(client, staff):
    client.force_login(staff)
    response = client.post(reverse("cases:create"), {"name": "あ" * 5000, "summary": ""})
    html = response.content.decode()
    assert "入力内容を確認してください" in html
    assert '<a href="#id_name">' in html
    assert "200文字以内で入力してください（いまは5000文字です）。" in html
    assert "でなければなりません" not in html and "このフィールド" not in html
    assert '<a href="#id_summary">概要</a>：この項目は必須です。' in html

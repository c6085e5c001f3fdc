"""Django's own messages read as natural Japanese (portal/locale/ja/LC_MESSAGES/django.po)."""

import pytest
from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class NoteForm(forms.Form):
    note = forms.CharField(label="メモ", max_length=10)
    count = forms.IntegerField(label="人数", max_value=99)


def test_length_and_range_messages_have_no_stray_spaces():
    form = NoteForm({"note": "あ" * 12, "count": "100"})
    assert not form.is_valid()
    assert form.errors["note"] == ["10文字以内で入力してください（いまは12文字です）。"]
    assert form.errors["count"] == ["99以下の値にしてください。"]
    assert NoteForm({}).errors["note"] == ["この項目は必須です。"]


def test_a_password_like_the_email_address_is_refused_in_plain_words():
    user = UserFactory(email="yamada.taro@example.jp", full_name="山田 太郎")
    with pytest.raises(ValidationError) as refused:
        validate_password("yamada.taro@example", user)
    assert "パスワードがメールアドレスと似すぎています。別のパスワードにしてください。" in (
        refused.value.messages
    )

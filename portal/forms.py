"""Forms of the portal core, with Japanese labels and error messages."""

import unicodedata

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from portal import access
from portal.models import Role, User
from portal.params import parse_id
from portal.validators import validate_corporate_number


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField that refuses values which cannot be ids before it asks the
    database: Django passes them to a pk__in query, where SQLite raises OverflowError (a 500)
    for a number beyond 64 bits."""

    def _check_values(self, value):
        if self.to_field_name is None:
            for pk in value:
                if parse_id(str(pk)) is None:
                    raise forms.ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super()._check_values(value)


class EmailLoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="メールアドレス",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": (
            "メールアドレスまたはパスワードが正しくありません。入力内容を確認してください。"
        ),
        "inactive": "このアカウントは無効になっています。窓口にお問い合わせください。",
    }

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()


class InviteForm(forms.Form):
    email = forms.EmailField(label="メールアドレス", max_length=254)
    full_name = forms.CharField(label="氏名", max_length=100)
    role = forms.ChoiceField(label="役割", choices=Role.choices, widget=forms.RadioSelect)
    organization = forms.CharField(
        label="所属",
        max_length=200,
        required=False,
        help_text="例：〇〇市 介護保険課、社会福祉法人〇〇会",
    )
    corporation_number = forms.CharField(
        label="法人番号（介護事業者の場合）",
        max_length=20,
        required=False,
        help_text="13桁の数字。全角で入力しても構いません。",
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        # Only a superuser may make another one (portal/access.py: can_grant_role).
        if access.can_grant_role(actor, Role.STAFF, superuser=True):
            self.fields["superuser"] = forms.BooleanField(
                label="管理者にする",
                required=False,
                help_text="すべての利用者と設定を変更できる権限です。役割は相談窓口職員にしてください。",
            )

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("このメールアドレスの利用者はすでに登録されています。")
        return email

    def clean_corporation_number(self):
        value = unicodedata.normalize("NFKC", self.cleaned_data["corporation_number"])
        value = value.replace("-", "").replace(" ", "")
        if value:
            validate_corporate_number(value)
        return value

    def clean(self):
        data = super().clean()
        if data.get("superuser") and data.get("role") != Role.STAFF:
            self.add_error("role", "管理者にする場合は、役割を「相談窓口職員」にしてください。")
        if data.get("role") == Role.MANAGER and not data.get("corporation_number"):
            if "corporation_number" not in self.errors:
                self.add_error(
                    "corporation_number", "介護事業者の利用者には所属法人の法人番号が必要です。"
                )
        elif data.get("role") != Role.MANAGER and data.get("corporation_number"):
            self.add_error(
                "corporation_number", "法人番号は介護事業者の利用者にだけ入力してください。"
            )
        return data

"""Input of the desk, with Japanese messages beside each field."""

import unicodedata

from django import forms

from desk.models import Channel, NoteKind, OutcomeKind, Status
from partners.models import Challenge
from portal.models import Role, User
from portal.validators import validate_corporate_number


def _corporate_number(raw: str) -> str:
    """全角 digits and hyphens or spaces are accepted as people type them; the check digit is not
    forgiven."""
    text = unicodedata.normalize("NFKC", raw or "").replace("-", "").replace(" ", "").strip()
    if text:
        validate_corporate_number(text)
    return text


def _topics_field(required: bool = False) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label="ご相談の内容（あてはまるものをすべて）",
        queryset=Challenge.objects.order_by("position"),
        widget=forms.CheckboxSelectMultiple,
        required=required,
        error_messages={"invalid_choice": "選べない項目が含まれています。"},
    )


class ConsultForm(forms.Form):
    """The public form at /consult/. `website` is the honeypot: people never see it."""

    corporation_name = forms.CharField(label="法人名・事業所名", max_length=200)
    corporation_number = forms.CharField(
        label="法人番号（任意）",
        max_length=20,
        required=False,
        help_text="13桁の数字です。わかる場合だけ入力してください。",
    )
    contact_name = forms.CharField(label="ご担当者のお名前", max_length=100)
    email = forms.EmailField(
        label="メールアドレス",
        max_length=254,
        error_messages={
            "invalid": "メールアドレスの形式で入力してください（例：info@example.jp）。"
        },
    )
    phone = forms.CharField(label="電話番号（任意）", max_length=30, required=False)
    topics = _topics_field(required=True)
    message = forms.CharField(
        label="ご相談の内容（自由記述）", max_length=4000, widget=forms.Textarea(attrs={"rows": 6})
    )
    agree = forms.BooleanField(
        label="個人情報の取り扱いに同意します",
        error_messages={"required": "個人情報の取り扱いへの同意が必要です。"},
    )
    website = forms.CharField(label="この欄は空のままにしてください", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        required = {
            "corporation_name": "法人名・事業所名を入力してください。",
            "contact_name": "ご担当者のお名前を入力してください。",
            "email": "メールアドレスを入力してください。",
            "topics": "ご相談の内容を1つ以上選んでください。",
            "message": "ご相談の内容を入力してください。",
        }
        for name, text in required.items():
            self.fields[name].error_messages["required"] = text
        self.fields["website"].widget.attrs.update(tabindex="-1", autocomplete="off")
        self.fields["email"].widget.attrs.update(autocomplete="email")
        self.fields["contact_name"].widget.attrs.update(autocomplete="name")
        self.fields["phone"].widget.attrs.update(autocomplete="tel")
        self.fields["corporation_name"].widget.attrs.update(autocomplete="organization")

    def clean_corporation_number(self) -> str:
        return _corporate_number(self.cleaned_data["corporation_number"])

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website"))


def _staff_users():
    return User.objects.filter(is_active=True, role=Role.STAFF).order_by("full_name", "pk")


class StaffChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.full_name or obj.email


class ConsultationForm(forms.Form):
    """Staff log a consultation in a few seconds: channel, title and topics are enough."""

    channel = forms.ChoiceField(
        label="受付方法",
        choices=Channel.choices,
        initial=Channel.PHONE,
        widget=forms.RadioSelect,
    )
    summary = forms.CharField(label="件名", max_length=200)
    topics = _topics_field()
    corporation_number = forms.CharField(label="法人番号", max_length=20, required=False)
    corporation_name = forms.CharField(label="法人名・事業所名", max_length=200, required=False)
    contact_name = forms.CharField(label="相談者の氏名", max_length=100, required=False)
    email = forms.EmailField(label="メールアドレス", required=False)
    phone = forms.CharField(label="電話番号", max_length=30, required=False)
    message = forms.CharField(
        label="相談の内容", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    owner = StaffChoice(label="担当者", queryset=_staff_users(), required=False)
    follow_up_on = forms.DateField(
        label="次の対応日", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _staff_users()
        self.fields["topics"].label = "相談の内容（経営課題）"
        self.fields["summary"].error_messages["required"] = "件名を入力してください。"

    def clean_corporation_number(self) -> str:
        return _corporate_number(self.cleaned_data["corporation_number"])


class ConsultationEditForm(forms.Form):
    owner = StaffChoice(label="担当者", queryset=_staff_users(), required=False)
    follow_up_on = forms.DateField(
        label="次の対応日", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    topics = _topics_field()
    corporation_number = forms.CharField(
        label="法人番号（台帳の法人につなぐ）", max_length=20, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _staff_users()
        self.fields["topics"].label = "相談の内容（経営課題）"

    def clean_corporation_number(self) -> str:
        return _corporate_number(self.cleaned_data["corporation_number"])


class MoveForm(forms.Form):
    to = forms.ChoiceField(label="状態", choices=Status.choices, widget=forms.RadioSelect)
    note = forms.CharField(label="メモ", max_length=500, required=False)


class NoteForm(forms.Form):
    kind = forms.ChoiceField(
        label="種類",
        choices=[c for c in NoteKind.choices if c[0] != NoteKind.STATUS],
        initial=NoteKind.CALL,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(label="内容", max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].error_messages["required"] = "記録する内容を入力してください。"


class OutcomeForm(forms.Form):
    kind = forms.ChoiceField(label="つながった先", choices=OutcomeKind.choices)
    target = forms.IntegerField(
        label="番号（紹介・専門家の紹介依頼・協働体・サブ会議の番号）",
        min_value=1,
        max_value=2**63 - 1,
        error_messages={"invalid": "番号は半角数字で入力してください。"},
    )


class IntroductionRequestForm(forms.Form):
    """The manager's match page: one or more candidates (法人番号) and a message."""

    candidates = forms.MultipleChoiceField(
        label="紹介を希望する法人",
        choices=(),
        error_messages={
            "required": "紹介を希望する法人を1つ以上選んでください。",
            "invalid_choice": "選べない法人が含まれています。",
        },
    )
    message = forms.CharField(label="窓口への伝言", max_length=2000, required=False)

    def __init__(self, *args, allowed: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidates"].choices = [(n, n) for n in allowed]


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="見送りの理由（依頼した方に表示されます）",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "見送りの理由を入力してください。依頼した方に表示されます。"},
    )

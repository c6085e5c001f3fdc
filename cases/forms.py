"""Input of the case library's forms, with Japanese messages."""

from django import forms

from cases.models import Form, Prefecture
from cases.reference import TAGS


def _tag_choices(kind: str) -> list[tuple[str, str]]:
    return [(code, label) for k, code, label, _d in TAGS if k == kind]


class LikeMineForm(forms.Form):
    """A manager describes their situation; every field is optional."""

    form = forms.ChoiceField(
        label="検討している連携の形態",
        choices=[("", "まだ決めていない"), *Form.choices],
        required=False,
    )
    member_count = forms.IntegerField(
        label="一緒に取り組む法人の数（自法人を含む）",
        min_value=2,
        max_value=500,
        required=False,
        error_messages={
            "min_value": "法人の数は2以上で入力してください。",
            "max_value": "法人の数は500以下で入力してください。",
            "invalid": "法人の数は半角数字で入力してください。",
        },
    )
    prefecture = forms.ModelChoiceField(
        label="都道府県",
        queryset=Prefecture.objects.all(),
        to_field_name="name",
        required=False,
        empty_label="選択しない",
    )
    reasons = forms.MultipleChoiceField(
        label="困っていること・協働化の理由",
        choices=_tag_choices("reason"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    operations = forms.MultipleChoiceField(
        label="取り組みたい協働の内容",
        choices=_tag_choices("operation"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def clean(self):
        data = super().clean()
        if self.is_bound and not self.errors and not any(data.values()):
            raise forms.ValidationError("少なくとも1つの項目を選ぶか入力してください。")
        return data


class CompareForm(forms.Form):
    n = forms.TypedMultipleChoiceField(label="比較する事例", coerce=int, choices=())

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["n"].choices = choices

    def clean_n(self):
        numbers = list(dict.fromkeys(self.cleaned_data["n"]))
        if len(numbers) < 2:
            raise forms.ValidationError("比較するには事例を2つ以上選んでください。")
        if len(numbers) > 4:
            raise forms.ValidationError("一度に比較できるのは4事例までです。")
        return numbers

"""Input of the case library's forms, with Japanese messages."""

from django import forms

from cases.models import Case, Form, Prefecture
from cases.reference import TAGS
from portal.taxonomy import STAGE_NUMBERS


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


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


def _tag_field(label: str, kind: str) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, choices=_tag_choices(kind), widget=forms.CheckboxSelectMultiple, required=False
    )


class CaseForm(forms.ModelForm):
    """Staff edit a case in the same structure as the report's cases."""

    operations = _tag_field("協働内容", "operation")
    reasons = _tag_field("協働化の理由", "reason")
    origins = _tag_field("きっかけ（関係性）", "origin")
    effects = _tag_field("効果", "effect")
    municipalities_text = forms.CharField(
        label="市区町村", required=False, help_text="複数ある場合は「、」で区切ってください。"
    )
    key_points_text = forms.CharField(
        label="取組のポイント",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="1行に1つずつ書いてください。",
    )
    lessons_text = forms.CharField(
        label="直面した課題と工夫",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="1行に1つずつ書いてください。",
    )
    # The version the edit page showed (portal/changes.check_version); a new case has none.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Case
        fields = [
            "number",
            "name",
            "name_kana",
            "short_name",
            "form",
            "legal_form",
            "prefectures",
            "area_scope",
            "founded_year",
            "founded_note",
            "member_count",
            "member_count_source",
            "summary",
            *(f"stage_{n}" for n in STAGE_NUMBERS),
            "url",
            "source",
        ]
        widgets = {
            "prefectures": forms.SelectMultiple(attrs={"size": 8}),
            "summary": forms.Textarea(attrs={"rows": 3}),
            **{f"stage_{n}": forms.Textarea(attrs={"rows": 5}) for n in STAGE_NUMBERS},
        }
        help_texts = {
            "number": "窓口が追加する事例は1001以降の番号を使います。空欄なら自動で付けます。",
            "prefectures": "コントロールキー（マックではコマンドキー）を押しながら選ぶと、複数選べます。",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["number"].required = False
        case = self.instance
        if case.pk:
            self.fields["number"].disabled = True
            for key, kind in (
                ("operations", "operation"),
                ("reasons", "reason"),
                ("origins", "origin"),
                ("effects", "effect"),
            ):
                self.initial[key] = [t.code for t in case.tags.all() if t.kind == kind]
            self.initial["municipalities_text"] = "、".join(case.municipalities)
            self.initial["key_points_text"] = "\n".join(case.key_points)
            self.initial["lessons_text"] = "\n".join(case.lessons)
            self.initial["version"] = case.version

    def clean_number(self):
        number = self.cleaned_data.get("number")
        if not self.instance.pk and number is not None and number < 1001:
            raise forms.ValidationError("窓口が追加する事例には1001以降の番号を使ってください。")
        return number

    def clean(self):
        data = super().clean()
        for n in STAGE_NUMBERS:
            if not (data.get(f"stage_{n}") or "").strip():
                self.add_error(
                    f"stage_{n}",
                    "6つの段階すべてについて書いてください。分からない場合は「不明」と書いてください。",
                )
        return data

    def case_values(self) -> dict:
        """Everything the services need, in the fixture's vocabulary."""
        data = dict(self.cleaned_data)
        data["municipalities"] = [
            m.strip()
            for m in data.pop("municipalities_text", "").replace(",", "、").split("、")
            if m.strip()
        ]
        data["key_points"] = _lines(data.pop("key_points_text", ""))
        data["lessons"] = _lines(data.pop("lessons_text", ""))
        data["prefectures"] = [p.name for p in data["prefectures"]]
        data.pop("version", None)
        return data

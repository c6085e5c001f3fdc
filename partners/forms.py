"""Input validation of the registry with Japanese error messages."""

from django import forms
from django.utils import timezone

from partners.models import (
    AnswerChannel,
    Challenge,
    Corporation,
    IntroductionStatus,
    MatchWeights,
    SubMeeting,
    Theme,
)
from portal.forms import IdsChoiceField
from portal.text import normalize
from portal.validators import is_valid_corporate_number


class UploadForm(forms.Form):
    open_data = forms.FileField(
        label="オープンデータのCSVファイル",
        help_text="介護サービス情報公表システムのCSV（サービスの種類ごとに1ファイル、24列）。"
        "UTF-8（BOMあり・なし）とShift_JIS（cp932）のどちらでも取り込めます。",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class ProfileForm(forms.Form):
    challenges = IdsChoiceField(
        label="経営課題",
        queryset=Challenge.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    themes = IdsChoiceField(
        label="関心テーマ",
        queryset=Theme.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    consent_matching = forms.BooleanField(
        label="マッチングに同意する（ほかの事業者に紹介候補として表示されます）", required=False
    )
    contact_person = forms.CharField(label="担当者", max_length=100, required=False)
    contact = forms.CharField(
        label="連絡先",
        max_length=200,
        required=False,
        help_text="電話番号やメールアドレス。紹介の当事者全員が承諾するまで、ほかの事業者には表示しません。",
    )
    opened_at = forms.DateTimeField(widget=forms.HiddenInput, required=False)


class WeightsForm(forms.Form):
    """Weights of one matching (in the URL); staff may also save them as the window's default."""

    region = forms.IntegerField(label="地域の近さ", min_value=0, max_value=100, initial=35)
    size = forms.IntegerField(label="規模", min_value=0, max_value=100, initial=15)
    challenges = forms.IntegerField(label="共通の課題", min_value=0, max_value=100, initial=20)
    themes = forms.IntegerField(label="共通の関心テーマ", min_value=0, max_value=100, initial=20)
    services = forms.IntegerField(
        label="補い合えるサービス", min_value=0, max_value=100, initial=10
    )
    size_mode = forms.ChoiceField(
        label="規模の考え方",
        choices=(("similar", "近い規模を優先"), ("complementary", "規模の違う相手を優先（補完）")),
        initial="similar",
        widget=forms.RadioSelect,
    )
    top = forms.IntegerField(label="表示する件数", min_value=1, max_value=200, initial=20)

    def clean(self):
        data = super().clean()
        keys = ("region", "size", "challenges", "themes", "services")
        if all(k in data for k in keys) and sum(data[k] for k in keys) == 0:
            raise forms.ValidationError("重みのどれか1つは1以上にしてください。")
        return data

    @classmethod
    def initial_from(cls, weights: MatchWeights | None) -> dict:
        if weights is None:
            return {}
        return {
            k: getattr(weights, k) for k in ("region", "size", "challenges", "themes", "services")
        }


def parse_numbers(text: str) -> list[str]:
    return [n for n in normalize(text).replace("-", "").replace(",", " ").split() if n]


class IntroductionForm(forms.Form):
    corporations = forms.CharField(
        label="紹介する法人の法人番号",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="2つ以上。改行・空白・カンマで区切ります。マッチング結果から選ぶと自動で入ります。",
    )
    title = forms.CharField(label="件名", max_length=200, required=False)
    theme = forms.ModelChoiceField(label="テーマ", queryset=Theme.objects.all(), required=False)
    note = forms.CharField(
        label="紹介の理由・メモ", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def clean_corporations(self):
        numbers = list(dict.fromkeys(parse_numbers(self.cleaned_data["corporations"])))
        bad = [n for n in numbers if not is_valid_corporate_number(n)]
        if bad:
            raise forms.ValidationError(
                f"法人番号として正しくない番号があります：{'、'.join(bad)}（13桁・検査数字を確認してください）"
            )
        found = {c.number: c for c in Corporation.objects.filter(number__in=numbers)}
        missing = [n for n in numbers if n not in found]
        if missing:
            raise forms.ValidationError(f"台帳にない法人番号です：{'、'.join(missing)}")
        if len(numbers) < 2:
            raise forms.ValidationError("紹介には2つ以上の法人を選んでください。")
        return [found[n] for n in numbers]


class MoveForm(forms.Form):
    # 全員が承諾 is not a move: the parties' own answers make an introduction accepted.
    to = forms.ChoiceField(
        label="次の状態",
        choices=[c for c in IntroductionStatus.choices if c[0] != IntroductionStatus.ACCEPTED],
        error_messages={
            "required": "次の状態を選んでください。",
            "invalid_choice": "その状態には進められません。「全員が承諾」には窓口が進めることはできず、"
            "当事者全員の回答がそろうと自動でそうなります。",
        },
    )
    note = forms.CharField(label="メモ", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


ANSWERS = (("accept", "承諾"), ("decline", "辞退"))


class AnswerForm(forms.Form):
    """A party's own manager answers an introduction."""

    answer = forms.ChoiceField(label="回答", choices=ANSWERS)


class AnswerOnBehalfForm(forms.Form):
    """Staff record the answer a party gave them: how, when and a note."""

    number = forms.CharField(widget=forms.HiddenInput, max_length=20)
    answer = forms.ChoiceField(label="回答", choices=ANSWERS, widget=forms.RadioSelect)
    channel = forms.ChoiceField(
        label="受付方法", choices=AnswerChannel.choices, widget=forms.RadioSelect
    )
    received_on = forms.DateField(label="受付日", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(
        label="メモ", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )

    def clean_number(self):
        number = normalize(self.cleaned_data["number"]).replace("-", "")
        if not is_valid_corporate_number(number):
            raise forms.ValidationError("法人番号が正しくありません。")
        return number

    def clean_received_on(self):
        day = self.cleaned_data["received_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("受付日に未来の日付は指定できません。")
        return day


class SubMeetingForm(forms.ModelForm):
    class Meta:
        model = SubMeeting
        fields = ["title", "theme", "held_on", "place", "online", "group_size", "note"]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_group_size(self):
        size = self.cleaned_data["group_size"]
        if not 2 <= size <= 20:
            raise forms.ValidationError("1グループの法人数は2から20の間で指定してください。")
        return size


class ParticipantsForm(forms.Form):
    numbers = forms.CharField(
        label="参加する法人の法人番号",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="改行・空白・カンマで区切って複数入力できます。",
    )

    def clean_numbers(self):
        numbers = list(dict.fromkeys(parse_numbers(self.cleaned_data["numbers"])))
        found = {c.number: c for c in Corporation.objects.filter(number__in=numbers)}
        missing = [n for n in numbers if n not in found]
        if missing:
            raise forms.ValidationError(f"台帳にない法人番号です：{'、'.join(missing)}")
        if not numbers:
            raise forms.ValidationError("法人番号を入力してください。")
        return [found[n] for n in numbers]


class GroupForm(forms.Form):
    group_size = forms.IntegerField(label="1グループの法人数", min_value=2, max_value=20)

"""Input validation of the registry with Japanese error messages."""

from django import forms
from django.conf import settings
from django.utils import timezone

from partners.models import (
    AnswerChannel,
    Challenge,
    Corporation,
    IntroductionStatus,
    MatchWeights,
    MeetingSeries,
    RsvpAnswer,
    SubMeeting,
    Theme,
)
from partners.services.sources import proposed_as_of
from portal.forms import IdsChoiceField
from portal.text import normalize
from portal.validators import is_valid_corporate_number


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern); cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [d for d in data if d] if isinstance(data, list | tuple) else [data] if data else []
        if not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return [super(MultipleFileField, self).clean(d, initial) for d in files]


SNAPSHOT_CHOICES = (
    ("auto", "ZIPファイルのときだけ全件データとして扱う"),
    ("yes", "全件データとして扱う"),
    ("no", "全件データとして扱わない（載っている事業所だけを追加・更新する）"),
)


class UploadForm(forms.Form):
    # Not `files`: that name is the Form's own attribute (request.FILES).
    open_data = MultipleFileField(
        label="オープンデータのファイル",
        help_text="介護サービス情報公表システムのCSV（サービスの種類ごとに1ファイル、24列）。"
        "複数のファイルや、CSVをまとめたZIPファイルも一度に選べます（1回の取り込みになります）。"
        "UTF-8（BOMあり・なし）とShift_JIS（cp932）のどちらでも取り込めます。",
        widget=MultipleFileInput(attrs={"accept": ".csv,.zip,text/csv,application/zip"}),
    )
    as_of = forms.DateField(
        label="データの時点",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    snapshot = forms.ChoiceField(
        label="全件データとしての扱い",
        choices=SNAPSHOT_CHOICES,
        initial="auto",
        required=False,  # not sent: "auto"
        widget=forms.RadioSelect,
        help_text="全件データとして扱うと、ファイルのサービスの種類で県内の事業所のうち"
        "ファイルに載っていないものを「最新データに掲載なし」とします（削除はしません）。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = proposed_as_of([])
        self.fields["as_of"].help_text = (
            "公表データが何月何日時点のものか。空欄のときは、ファイル名の提供日"
            "（例：jigyosho_150_all_20260715103000.csv なら2026年7月15日）の直前の"
            "6月30日または12月31日とします。ファイル名に日付がないときは今日から求めます"
            f"（今日なら{today.year}年{today.month}月{today.day}日）。"
        )

    def clean_as_of(self):
        day = self.cleaned_data["as_of"]
        if day and day > timezone.localdate():
            raise forms.ValidationError("データの時点に未来の日付は指定できません。")
        return day

    @property
    def snapshot_choice(self) -> bool | None:
        """True, False, or None for "a snapshot when a ZIP archive is uploaded"."""
        return {"yes": True, "no": False}.get(self.cleaned_data.get("snapshot", "auto"))


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
    # The version the page showed (portal/changes.check_version); 0 before the first save.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


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


EVENT_WIDGETS = {
    "held_on": forms.DateInput(attrs={"type": "date"}),
    "first_on": forms.DateInput(attrs={"type": "date"}),
    "rsvp_deadline": forms.DateInput(attrs={"type": "date"}),
    "starts_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    "ends_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    "note": forms.Textarea(attrs={"rows": 3}),
}
CAPACITY_MAX = 10_000


def _online_url():
    return forms.URLField(
        label="オンライン会議のURL", max_length=500, required=False, assume_scheme="https"
    )


def _clean_capacity(form):
    capacity = form.cleaned_data.get("capacity")
    if capacity is not None and not 1 <= capacity <= CAPACITY_MAX:
        raise forms.ValidationError(f"定員は1人から{CAPACITY_MAX}人の間で入力してください。")
    return capacity


class SubMeetingForm(forms.ModelForm):
    online_url = _online_url()

    class Meta:
        model = SubMeeting
        fields = [
            "title",
            "theme",
            "held_on",
            "starts_at",
            "ends_at",
            "place",
            "online",
            "online_url",
            "capacity",
            "rsvp_deadline",
            "group_size",
            "note",
        ]
        widgets = EVENT_WIDGETS

    def clean_group_size(self):
        size = self.cleaned_data["group_size"]
        if not 2 <= size <= 20:
            raise forms.ValidationError("1グループの法人数は2から20の間で指定してください。")
        return size

    clean_capacity = _clean_capacity


class ScheduleForm(forms.ModelForm):
    """Staff change the date, time, place, capacity or deadline of a sub-meeting."""

    online_url = _online_url()

    class Meta:
        model = SubMeeting
        fields = [
            "held_on",
            "starts_at",
            "ends_at",
            "place",
            "online",
            "online_url",
            "capacity",
            "rsvp_deadline",
        ]
        widgets = EVENT_WIDGETS

    clean_capacity = _clean_capacity


class SeriesForm(forms.ModelForm):
    """A recurring sub-meeting and how many of its next occurrences to create."""

    online_url = _online_url()

    count = forms.IntegerField(label="作成する回数", min_value=1, max_value=24, initial=6)

    class Meta:
        model = MeetingSeries
        fields = [
            "title",
            "theme",
            "frequency",
            "first_on",
            "starts_at",
            "ends_at",
            "place",
            "online_url",
            "capacity",
        ]
        widgets = EVENT_WIDGETS

    clean_capacity = _clean_capacity

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", "終了時刻は開始時刻より後にしてください。")
        return data


class RsvpForm(forms.Form):
    answer = forms.ChoiceField(
        label="出欠",
        choices=[
            (RsvpAnswer.ATTEND, "参加"),
            (RsvpAnswer.DECLINE, "不参加"),
            (RsvpAnswer.UNDECIDED, "未定"),
        ],
        widget=forms.RadioSelect,
    )
    people = forms.IntegerField(
        label="参加する人数",
        min_value=0,
        max_value=20,
        required=False,
        help_text="参加の場合は1人以上。未定の場合は見込みの人数を入力できます。",
    )

    def clean(self):
        data = super().clean()
        people = data.get("people") or 0
        if data.get("answer") == RsvpAnswer.ATTEND and people < 1:
            self.add_error("people", "参加する人数を1人以上で入力してください。")
        data["people"] = people
        return data


class QuestionnaireForm(forms.Form):
    challenges = IdsChoiceField(
        label="いま抱えている経営課題",
        queryset=Challenge.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    themes = IdsChoiceField(
        label="分科会で話したいテーマ",
        queryset=Theme.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    comment = forms.CharField(
        label="当日話したいこと・聞きたいこと",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    update_profile = forms.BooleanField(
        label="この回答で法人の基本情報（経営課題・関心テーマ）を更新することに同意する",
        required=False,
    )


MINUTES_TYPES = (".pdf", ".docx", ".xlsx", ".pptx", ".txt", ".png", ".jpg", ".jpeg")
# The first bytes each type starts with: a renamed file of another kind is refused.
MINUTES_MAGIC = {
    ".pdf": (b"%PDF-",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".pptx": (b"PK\x03\x04",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label="議事録",
        max_length=20_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    minutes_file = forms.FileField(
        label="議事録のファイル",
        required=False,
        help_text="PDF・Word・Excel・PowerPoint・テキスト・画像（PNG・JPEG）、10MBまで。",
    )

    def clean_minutes_file(self):
        upload = self.cleaned_data.get("minutes_file")
        if not upload:
            return None
        name = upload.name.lower()
        suffix = name[name.rfind(".") :] if "." in name else ""
        if suffix not in MINUTES_TYPES:
            raise forms.ValidationError(
                "この種類のファイルは保存できません（PDF・Word・Excel・PowerPoint・テキスト・PNG・JPEG）。"
            )
        if upload.size > settings.MEETING_MINUTES_MAX_BYTES:
            limit = settings.MEETING_MINUTES_MAX_BYTES // (1024 * 1024)
            raise forms.ValidationError(f"ファイルが大きすぎます（{limit}MBまで）。")
        head = upload.read(16)
        upload.seek(0)
        magic = MINUTES_MAGIC.get(suffix)
        if magic and not head.startswith(magic):
            raise forms.ValidationError("ファイルの中身が拡張子と一致しません。")
        if suffix == ".txt" and b"\x00" in head:
            raise forms.ValidationError("テキストファイルとして読めません。")
        return upload


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

"""Input validation of the workflow with Japanese error messages."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from guidance.models import (
    ActivityKind,
    AnswerChannel,
    ChecklistItem,
    ChecklistTemplate,
    ConsortiumForm,
    Expert,
    ExpertKind,
    ItemStatus,
    LegalForm,
    MemberRole,
    PartnerKind,
    Stage,
)
from partners.models import Corporation, Municipality, Theme
from portal.forms import IdsChoiceField
from portal.text import normalize

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".csv": "text/csv",
    ".txt": "text/plain",
}

# Suggested KPIs by theme (name, unit): the report's operations and what their members count.
SUGGESTED_KPIS = {
    "workforce": [("採用者数（年間）", "人"), ("離職率", "%"), ("合同研修の受講者数", "人")],
    "supplies": [("共同購買品の単価", "円"), ("購買費の削減額（年間）", "円")],
    "backoffice": [("事務作業の削減時間（月間）", "時間"), ("ICT導入法人数", "法人")],
    "disaster": [("相互応援協定の締結法人数", "法人"), ("合同訓練の実施回数（年間）", "回")],
    "management": [("経営相談の件数", "件"), ("加算を新たに取得した法人数", "法人")],
    "community": [("地域の相談対応件数", "件"), ("地域行事への参加回数", "回")],
    "lending": [("貸付の実行件数", "件")],
}


class ConsortiumCreateForm(forms.Form):
    name = forms.CharField(label="名称", max_length=200)
    form = forms.ChoiceField(
        label="目指す形", choices=ConsortiumForm.choices, widget=forms.RadioSelect
    )
    legal_form = forms.ChoiceField(label="法人格", choices=LegalForm.choices)
    area = forms.CharField(label="地域", max_length=200, required=False)
    municipality = forms.ModelChoiceField(
        label="主な市区町村", queryset=Municipality.objects.none(), required=False
    )
    themes = IdsChoiceField(
        label="協働の内容",
        queryset=Theme.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    stage = forms.TypedChoiceField(
        label="いまの段階", choices=Stage.choices, coerce=int, initial=Stage.SHARE
    )
    started_on = forms.DateField(
        label="開始日", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    target_on = forms.DateField(
        label="目標日", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    members = forms.CharField(
        label="参加法人",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="1行に1法人：「法人番号 役割」。役割は 推進役・事務局・参加法人 のいずれか"
        "（省略すると参加法人）。例：3510001012345 推進役。入力した法人には招待が届き、"
        "承諾すると参加法人になります。",
    )

    def __init__(self, *args, prefecture: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        places = Municipality.objects.all()
        if prefecture and places.filter(prefecture_name=prefecture).exists():
            places = places.filter(prefecture_name=prefecture)
        self.fields["municipality"].queryset = places.order_by("code")

    def clean_members(self):
        roles = {label: value for value, label in MemberRole.choices}
        rows = []
        for line_no, line in enumerate(self.cleaned_data["members"].splitlines(), start=1):
            parts = normalize(line).replace("-", "").split()
            if not parts:
                continue
            number = parts[0]
            role = MemberRole.MEMBER
            if len(parts) > 1:
                label = line.split()[-1].strip()
                if label not in roles:
                    raise forms.ValidationError(
                        f"{line_no}行目：役割「{label}」は 推進役・事務局・参加法人 のどれかにしてください。"
                    )
                role = roles[label]
            rows.append((number, role))
        found = {c.number: c for c in Corporation.objects.filter(number__in=[n for n, _ in rows])}
        missing = [n for n, _ in rows if n not in found]
        if missing:
            raise forms.ValidationError(f"台帳にない法人番号です：{'、'.join(missing)}")
        if not rows:
            raise forms.ValidationError("参加法人を1つ以上入力してください。")
        if len({n for n, _ in rows}) != len(rows):
            raise forms.ValidationError("同じ法人が2回入力されています。")
        return [(found[n], role) for n, role in rows]


class FromIntroductionForm(forms.Form):
    name = forms.CharField(label="協働体の名称", max_length=200)
    form = forms.ChoiceField(
        label="目指す形", choices=ConsortiumForm.choices, widget=forms.RadioSelect
    )


class ItemForm(forms.ModelForm):
    """An item's status and evidence. The attached file is listed on the page (served through
    the access-checked evidence view); the form offers a plain file input to add or replace it
    and a box to take it off, instead of Django's widget with its raw path and media link."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    remove_evidence = forms.BooleanField(label="添付済みのファイルを外す", required=False)

    class Meta:
        model = ChecklistItem
        fields = ["status", "owner", "due_on", "note", "evidence_url", "evidence_file"]
        widgets = {
            "due_on": forms.DateInput(attrs={"type": "date"}),
            "note": forms.Textarea(attrs={"rows": 3}),
            "evidence_file": forms.FileInput,
        }
        labels = {"evidence_file": "根拠資料のファイルを添付（差し替え）"}
        help_texts = {
            "evidence_file": "PDF・画像・ワードやエクセルの文書・CSV・テキストを、10MBまで。",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.evidence_file:
            del self.fields["remove_evidence"]

    def clean(self):
        data = super().clean()
        if data.get("remove_evidence") and not self.files.get(self.add_prefix("evidence_file")):
            data["evidence_file"] = ""
        return data

    def clean_evidence_file(self):
        upload = self.cleaned_data.get("evidence_file")
        if not upload or not hasattr(upload, "size") or upload == self.instance.evidence_file:
            return upload
        name = upload.name.lower()
        suffix = name[name.rfind(".") :] if "." in name else ""
        if suffix not in EVIDENCE_TYPES:
            raise forms.ValidationError(
                "この種類のファイルは添付できません（PDF・PNG・JPEG・Excel・Word・PowerPoint・CSV・テキスト）。"
            )
        if upload.size > EVIDENCE_MAX_BYTES:
            raise forms.ValidationError("ファイルが大きすぎます（10MBまで）。")
        return upload


class StatusForm(forms.Form):
    """The quick status change on the consortium page."""

    status = forms.ChoiceField(choices=ItemStatus.choices)
    version = forms.IntegerField()


class MoveForm(forms.Form):
    to_stage = forms.TypedChoiceField(label="移動先の段階", choices=Stage.choices, coerce=int)
    reason = forms.CharField(
        label="理由",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="段階を戻すとき、条件を満たさずに進めるとき（窓口職員のみ）は必須です。",
    )
    override = forms.BooleanField(
        label="必須の項目が残っていても進める（窓口職員のみ）", required=False
    )


class GoalForm(forms.Form):
    title = forms.CharField(label="目標", max_length=200)
    theme = forms.ModelChoiceField(label="テーマ", queryset=Theme.objects.all(), required=False)


class KpiForm(forms.Form):
    goal = forms.ModelChoiceField(label="目標", queryset=None)
    name = forms.CharField(label="指標", max_length=120)
    unit = forms.CharField(label="単位", max_length=30, required=False)
    baseline = forms.DecimalField(label="基準値", max_digits=14, decimal_places=2)
    target = forms.DecimalField(label="目標値", max_digits=14, decimal_places=2)
    due_on = forms.DateField(
        label="達成期限", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, goals=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = goals

    def clean(self):
        data = super().clean()
        if data.get("baseline") is not None and data.get("baseline") == data.get("target"):
            self.add_error("target", "目標値は基準値と違う値にしてください。")
        return data


class MeasurementForm(forms.Form):
    """A KPI's value for a day: within the consortium's life, not negative for counts, one per
    day (a second one for the same day needs the 置き換える box)."""

    kpi = forms.ModelChoiceField(
        label="KPI", queryset=None, widget=forms.HiddenInput,
        error_messages={"invalid_choice": "このKPIは見つかりません。"},
    )  # fmt: skip
    measured_on = forms.DateField(label="測定日", widget=forms.DateInput(attrs={"type": "date"}))
    value = forms.DecimalField(label="値", max_digits=14, decimal_places=2)
    note = forms.CharField(label="メモ", max_length=200, required=False)
    replace = forms.BooleanField(label="この日の値を置き換える", required=False)

    def __init__(self, *args, kpis=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kpi"].queryset = kpis
        self.existing = None

    def clean(self):
        from guidance import services
        from guidance.models import Measurement

        data = super().clean()
        kpi, day, value = data.get("kpi"), data.get("measured_on"), data.get("value")
        if kpi is None or day is None or value is None:
            return data
        for field, message in services.measurement_errors(
            kpi=kpi, measured_on=day, value=value
        ).items():
            self.add_error(field, message)
        existing = Measurement.objects.on_day(kpi, day).order_by("pk").first()
        if existing is not None and not data.get("replace") and "measured_on" not in self.errors:
            self.existing = existing
            self.add_error(
                "measured_on",
                f"この日の値はすでにあります（{existing.value.normalize():f}）。置き換えますか？",
            )
        return data


class MeasurementEditForm(forms.Form):
    """A lead's correction of one measurement."""

    measured_on = forms.DateField(label="測定日", widget=forms.DateInput(attrs={"type": "date"}))
    value = forms.DecimalField(label="値", max_digits=14, decimal_places=2)
    note = forms.CharField(label="メモ", max_length=200, required=False)


def _not_future(day):
    if day and day > timezone.localdate():
        raise forms.ValidationError("未来の日付は選べません。")
    return day


class ActionForm(forms.Form):
    title = forms.CharField(label="次にやること", max_length=200)
    owner_user = forms.ModelChoiceField(
        label="担当者",
        queryset=None,
        required=False,
        empty_label="（選ばない）",
        help_text="期限の3日前と期限切れのときに、担当者と推進役にお知らせします。",
        error_messages={"invalid_choice": "担当者は協働体の関係者から選んでください。"},
    )
    owner = forms.CharField(
        label="担当（名前で記入）",
        max_length=100,
        required=False,
        help_text="担当者がポータルを使っていない場合に記入してください。",
    )
    due_on = forms.DateField(
        label="期限", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, consortium=None, **kwargs):
        super().__init__(*args, **kwargs)
        from guidance.selectors import action_owner_choices

        field = self.fields["owner_user"]
        field.queryset = (
            action_owner_choices(consortium)
            if consortium is not None
            else get_user_model().objects.none()
        )
        field.label_from_instance = lambda u: u.full_name or u.email


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label="種類", choices=ActivityKind.choices)
    title = forms.CharField(label="件名", max_length=200)
    happened_on = forms.DateField(label="日付", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    url = forms.URLField(label="資料のURL", required=False, assume_scheme="https")

    def clean_happened_on(self):
        day = self.cleaned_data["happened_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("未来の日付の活動は記録できません。")
        return day


class ReferralForm(forms.Form):
    kind = forms.ModelChoiceField(label="相談したい専門家", queryset=ExpertKind.objects.all())
    request = forms.CharField(label="相談したいこと", widget=forms.Textarea(attrs={"rows": 3}))


class TemplateForm(forms.ModelForm):
    class Meta:
        model = ChecklistTemplate
        fields = ["stage", "title", "guidance", "variant", "required", "role", "position", "active"]
        widgets = {"guidance": forms.Textarea(attrs={"rows": 3})}


class ExpertForm(forms.ModelForm):
    class Meta:
        model = Expert
        fields = ["name", "kind", "organization", "region", "fields", "contact", "note", "active"]
        field_classes = {"fields": IdsChoiceField}
        widgets = {
            "fields": forms.CheckboxSelectMultiple,
            "note": forms.Textarea(attrs={"rows": 2}),
        }


CANNOT_INVITE = "この法人番号の法人には招待を送れません。法人番号を確かめてください。"


class MemberForm(forms.Form):
    """Invite a corporation by its 法人番号. For anyone but staff, an unknown number and the number
    of a corporation the user may not see get the same answer, without a name."""

    number = forms.CharField(label="法人番号", max_length=20)
    role = forms.ChoiceField(label="役割", choices=MemberRole.choices, initial=MemberRole.MEMBER)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_number(self):
        from guidance import access

        number = normalize(self.cleaned_data["number"]).replace("-", "").strip()
        corporation = (
            Corporation.objects.filter(number=number).select_related("profile").first()
            if number.isascii() and number.isdigit() and len(number) == 13
            else None
        )
        if corporation is None or not access.can_invite(self.user, corporation):
            if access.sees_names_of_any_corporation(self.user):
                raise forms.ValidationError(f"法人番号「{number}」の法人は台帳にありません。")
            raise forms.ValidationError(CANNOT_INVITE)
        return corporation


class InvitationAnswerForm(forms.Form):
    """Staff record an invited corporation's answer on its behalf, as for introductions."""

    answer = forms.TypedChoiceField(
        label="回答",
        choices=[("accept", "参加する（承諾）"), ("decline", "参加しない（辞退）")],
        coerce=lambda v: v == "accept",
        widget=forms.RadioSelect,
    )
    channel = forms.ChoiceField(
        label="受付方法",
        choices=[(c.value, c.label) for c in AnswerChannel if c != AnswerChannel.SELF],
    )
    answered_on = forms.DateField(
        label="回答を受けた日", widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        label="メモ", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )

    def clean_answered_on(self):
        return _not_future(self.cleaned_data["answered_on"])


class ExternalPartnerForm(forms.Form):
    name = forms.CharField(label="名称・氏名", max_length=200)
    kind = forms.ChoiceField(label="種類", choices=PartnerKind.choices)
    role = forms.CharField(label="役割", max_length=200, required=False)

"""Input of the programme and document pages, with Japanese messages."""

from django import forms

from portal.taxonomy import OPERATIONS, STAGES
from support.models import Document, DocumentKind, Phase, Programme

STAGE_CHOICES = [(n, f"{'①②③④⑤⑥'[n - 1]} {title}") for n, title, _step in STAGES]
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024


def _stage_field(label: str) -> forms.TypedMultipleChoiceField:
    return forms.TypedMultipleChoiceField(
        label=label, choices=STAGE_CHOICES, coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip


class ProgrammeFilterForm(forms.Form):
    stage = forms.TypedChoiceField(
        label="段階", choices=[("", "すべての段階"), *STAGE_CHOICES], coerce=int,
        empty_value=None, required=False,
    )  # fmt: skip
    phase = forms.ChoiceField(
        label="政策パッケージの段階", choices=[("", "すべて"), *Phase.choices], required=False
    )


class ProgrammeForm(forms.ModelForm):
    phases = forms.MultipleChoiceField(
        label="政策パッケージの段階", choices=Phase.choices, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "政策パッケージの段階を1つ以上選んでください。"},
    )  # fmt: skip
    stages = _stage_field("関係する段階（①〜⑥）")
    link = forms.URLField(label="詳しい情報（URL）", required=False, assume_scheme="https")

    class Meta:
        model = Programme
        fields = [
            "code", "name", "phases", "stages", "runner", "gives", "summary", "amount", "link",
            "application_period", "source", "published", "position",
        ]  # fmt: skip
        help_texts = {"code": "URLに使う半角英数字とハイフン（例：wam-merger-loan）。"}


class DocumentFilterForm(forms.Form):
    stage = forms.TypedChoiceField(
        label="段階", choices=[("", "すべての段階"), *STAGE_CHOICES], coerce=int,
        empty_value=None, required=False,
    )  # fmt: skip
    kind = forms.ChoiceField(
        label="種類", choices=[("", "すべて"), *DocumentKind.choices], required=False
    )


class DocumentForm(forms.ModelForm):
    stages = _stage_field("関係する段階（①〜⑥）")
    themes = forms.MultipleChoiceField(
        label="関係するテーマ", choices=OPERATIONS, widget=forms.CheckboxSelectMultiple,
        required=False,
    )  # fmt: skip
    checklist_codes = forms.CharField(
        label="関係するチェック項目のコード", required=False, max_length=1000,
        help_text="協働の進捗のチェック項目のコードを、空白または読点で区切って入力します"
        "（例：s3-articles s3-member-terms）。",
    )  # fmt: skip

    class Meta:
        model = Document
        fields = [
            "slug", "title", "kind", "summary", "stages", "themes", "checklist_codes",
            "visibility", "published", "position",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["checklist_codes"] = " ".join(self.instance.checklist_codes or [])

    def clean_checklist_codes(self) -> list[str]:
        raw = self.cleaned_data.get("checklist_codes") or ""
        codes = [c for c in raw.replace("、", " ").replace(",", " ").split() if c]
        for code in codes:
            if len(code) > 60 or not all(
                ch.isascii() and (ch.isalnum() or ch == "-") for ch in code
            ):
                raise forms.ValidationError(
                    f"「{code[:60]}」はチェック項目のコードの形ではありません。"
                )
        return codes


class VersionForm(forms.Form):
    body = forms.CharField(
        label="本文", required=False, widget=forms.Textarea(attrs={"rows": 18}), max_length=100_000
    )
    file = forms.FileField(
        label="ファイル（本文の代わりに）", required=False,
        help_text="PDF・Word（.docx）・Excel（.xlsx）・テキスト、10MBまで。",
    )  # fmt: skip
    note = forms.CharField(label="改訂の内容", required=False, max_length=200)

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > DOCUMENT_MAX_BYTES:
            raise forms.ValidationError("ファイルは10MBまでにしてください。")
        return upload

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("body") or "").strip() and not data.get("file"):
            raise forms.ValidationError("本文を入力するか、ファイルを添付してください。")
        return data

"""The notice settings form: for each kind, immediately, in the morning digest, or not by mail."""

from django import forms

from notices.models import Delivery, NoticeKind


class PreferencesForm(forms.Form):
    def __init__(self, *args, current: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in NoticeKind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=Delivery.choices,
                initial=current.get(kind.value),
                widget=forms.RadioSelect,
                error_messages={"required": "受け取り方を選んでください。"},
            )
